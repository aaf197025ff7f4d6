"""The film universe shared by the three replicated services.

TIX.id listings, repertuary.pl listings and the TMDB catalogue all draw from this one
list, so the ground truth can say which TMDB id a cinema listing really is. Part of it
is curated (real titles, including the hard matching cases: remakes with the same
title, sequels, Polish and Indonesian local titles, format suffixes); the rest is
generated from a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from replica.core import stable_seed


@dataclass(frozen=True)
class Film:
    tmdb_id: int
    title: str  # English title as TMDB shows it
    original_title: str
    year: int
    runtime: int
    director: str
    countries: tuple[str, ...]  # English country names
    countries_pl: tuple[str, ...]  # as repertuary prints them
    original_language: str
    genres: tuple[str, ...]
    title_pl: str  # repertuary display title
    title_id: str  # TIX.id display title (upper case on the site)
    cast: tuple[str, ...] = ()
    popularity: float = 10.0
    in_cinemas: bool = True  # False: TMDB-only (a decoy: the other remake, an old sequel...)
    hard_case: str = ""  # why this one is hard to match, for the README and tests
    imdb_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


def _f(tmdb_id, title, original, year, runtime, director, countries, countries_pl, lang, genres,
       title_pl=None, title_id=None, cast=(), popularity=30.0, in_cinemas=True, hard_case=""):  # noqa: ANN001, ANN202
    return Film(
        tmdb_id=tmdb_id, title=title, original_title=original, year=year, runtime=runtime,
        director=director, countries=tuple(countries), countries_pl=tuple(countries_pl),
        original_language=lang, genres=tuple(genres), title_pl=title_pl or title,
        title_id=(title_id or title).upper(), cast=tuple(cast), popularity=popularity,
        in_cinemas=in_cinemas, hard_case=hard_case, imdb_id=f"tt{tmdb_id * 7 % 9_000_000 + 1_000_000:07d}",
    )


US, UK, PL, ID, FR, JP, KR = "USA", "Wielka Brytania", "Polska", "Indonezja", "Francja", "Japonia", "Korea Południowa"

CURATED: tuple[Film, ...] = (
    _f(157336, "Interstellar", "Interstellar", 2014, 169, "Christopher Nolan",
       ["United States of America", "United Kingdom"], [US, UK], "en", ["przygodowy", "dreszczowiec", "sci-fi"],
       cast=["Anne Hathaway", "Jessica Chastain", "Matthew McConaughey"], popularity=140.0),
    _f(402431, "Wicked", "Wicked", 2024, 160, "Jon M. Chu", ["United States of America"], [US],
       "en", ["muzyka", "fantasy", "musical", "przygodowy"], cast=["Cynthia Erivo", "Ariana Grande", "Jeff Goldblum"],
       popularity=120.0),
    _f(967941, "Wicked: For Good", "Wicked: For Good", 2025, 137, "Jon M. Chu", ["United States of America"], [US],
       "en", ["fantasy", "musical"], title_pl="Wicked: Na dobre", cast=["Cynthia Erivo", "Ariana Grande"],
       popularity=310.0, hard_case="sequel with a Polish subtitle"),
    _f(701387, "Bugonia", "Bugonia", 2025, 118, "Yorgos Lanthimos", ["Ireland", "United States of America"],
       ["Irlandia", US], "en", ["komedia", "sci-fi"], cast=["Emma Stone", "Jesse Plemons"], popularity=85.0),
    _f(1084242, "Zootopia 2", "Zootopia 2", 2025, 107, "Jared Bush", ["United States of America"], [US],
       "en", ["animacja", "familijny"], title_pl="Zwierzogród 2", popularity=420.0,
       hard_case="Polish local title of a sequel"),
    _f(269149, "Zootopia", "Zootopia", 2016, 108, "Byron Howard", ["United States of America"], [US],
       "en", ["animacja"], title_pl="Zwierzogród", popularity=90.0, in_cinemas=False,
       hard_case="the first film of a sequel in cinemas"),
    _f(83533, "Avatar: Fire and Ash", "Avatar: Fire and Ash", 2025, 197, "James Cameron",
       ["United States of America"], [US], "en", ["sci-fi", "przygodowy"], title_pl="Avatar: Ogień i popiół",
       popularity=500.0, hard_case="Polish local title"),
    _f(19995, "Avatar", "Avatar", 2009, 162, "James Cameron", ["United States of America"], [US], "en",
       ["sci-fi"], popularity=150.0, in_cinemas=False),
    _f(426063, "Nosferatu", "Nosferatu", 2024, 132, "Robert Eggers", ["United States of America"], [US], "en",
       ["horror"], popularity=70.0, hard_case="remake with the same title"),
    _f(653, "Nosferatu", "Nosferatu, eine Symphonie des Grauens", 1922, 94, "F. W. Murnau", ["Germany"],
       ["Niemcy"], "de", ["horror"], popularity=12.0, in_cinemas=False),
    _f(1241982, "Freakier Friday", "Freakier Friday", 2025, 111, "Nisha Ganatra", ["United States of America"],
       [US], "en", ["komedia"], title_pl="Zakręcony piątek 2", popularity=60.0,
       hard_case="Polish local title of a sequel"),
    _f(10330, "Freaky Friday", "Freaky Friday", 2003, 97, "Mark Waters", ["United States of America"], [US], "en",
       ["komedia"], title_pl="Zakręcony piątek", popularity=40.0, in_cinemas=False),
    _f(771, "Home Alone", "Home Alone", 1990, 103, "Chris Columbus", ["United States of America"], [US], "en",
       ["komedia", "familijny"], title_pl="Kevin sam w domu", popularity=75.0,
       hard_case="Polish title unrelated to the original"),
    _f(1232546, "Five Nights at Freddy's 2", "Five Nights at Freddy's 2", 2025, 104, "Emma Tammi",
       ["United States of America"], [US], "en", ["horror"], popularity=260.0, hard_case="sequel number"),
    _f(507089, "Five Nights at Freddy's", "Five Nights at Freddy's", 2023, 110, "Emma Tammi",
       ["United States of America"], [US], "en", ["horror"], popularity=80.0, in_cinemas=False),
    _f(1226578, "Dom dobry", "Dom dobry", 2025, 108, "Wojciech Smarzowski", ["Poland"], [PL], "pl", ["dramat"],
       title_id="Home Sweet Home", popularity=15.0, hard_case="Polish original, English title differs"),
    _f(1308920, "Teściowie 3", "Teściowie 3", 2025, 95, "Kalina Alabrudzińska", ["Poland"], [PL], "pl",
       ["komedia"], popularity=8.0),
    _f(1319841, "Zamach na papieża", "Zamach na papieża", 2025, 112, "Władysław Pasikowski", ["Poland"], [PL],
       "pl", ["thriller"], popularity=9.0),
    _f(1179558, "Agak Laen: Menyala Pantiku!", "Agak Laen: Menyala Pantiku!", 2025, 119, "Muhadkly Acho",
       ["Indonesia"], [ID], "id", ["komedia"], popularity=11.0, hard_case="Indonesian original"),
    _f(1128752, "Jumbo", "Jumbo", 2025, 102, "Ryan Adriandhy", ["Indonesia"], [ID], "id", ["animacja"],
       popularity=14.0),
    _f(1022256, "The Siege at Thorn High", "Pengepungan di Bukit Duri", 2025, 118, "Joko Anwar", ["Indonesia"],
       [ID], "id", ["akcja", "thriller"], title_id="Pengepungan di Bukit Duri", popularity=18.0,
       hard_case="Indonesian title differs from the English one"),
    _f(1100782, "Sore: Wife from the Future", "Sore: Istri dari Masa Depan", 2025, 119, "Yandy Laurens",
       ["Indonesia"], [ID], "id", ["romans"], title_id="Sore: Istri dari Masa Depan", popularity=10.0,
       hard_case="Indonesian title differs from the English one"),
    _f(1311031, "Demon Slayer: Kimetsu no Yaiba Infinity Castle", "劇場版「鬼滅の刃」無限城編 第一章 猗窩座再来",
       2025, 155, "Haruo Sotozaki", ["Japan"], [JP], "ja", ["animacja", "akcja"],
       title_pl="Miecz zabójcy demonów: Infinity Castle", popularity=190.0, hard_case="Japanese original title"),
    _f(1061474, "Superman", "Superman", 2025, 129, "James Gunn", ["United States of America"], [US], "en",
       ["akcja", "sci-fi"], popularity=110.0, hard_case="remake with the same title"),
    _f(1924, "Superman", "Superman", 1978, 143, "Richard Donner", ["United States of America", "United Kingdom"],
       [US, UK], "en", ["akcja"], popularity=25.0, in_cinemas=False),
    _f(1233413, "Sinners", "Sinners", 2025, 138, "Ryan Coogler", ["United States of America"], [US], "en",
       ["horror"], title_pl="Grzesznicy", popularity=119.0),
    _f(1087192, "How to Train Your Dragon", "How to Train Your Dragon", 2025, 125, "Dean DeBlois",
       ["United States of America"], [US], "en", ["fantasy", "familijny"], title_pl="Jak wytresować smoka",
       popularity=95.0, hard_case="live-action remake with the same title"),
    _f(10191, "How to Train Your Dragon", "How to Train Your Dragon", 2010, 98, "Dean DeBlois",
       ["United States of America"], [US], "en", ["animacja"], title_pl="Jak wytresować smoka", popularity=60.0,
       in_cinemas=False),
    _f(1007734, "Nobody 2", "Nobody 2", 2025, 89, "Timo Tjahjanto", ["United States of America"], [US], "en",
       ["akcja"], popularity=70.0, hard_case="sequel number"),
    _f(615457, "Nobody", "Nobody", 2021, 92, "Ilya Naishuller", ["United States of America"], [US], "en",
       ["akcja"], popularity=45.0, in_cinemas=False),
    _f(1139695, "The Bad Guys 2", "The Bad Guys 2", 2025, 104, "Pierre Perifel", ["United States of America"],
       [US], "en", ["animacja"], title_pl="Pan Wilk i spółka 2", popularity=50.0, hard_case="Polish local title"),
    _f(1064028, "Jesteś wszechświatem", "Ty - Vsesvit", 2024, 101, "Dmytro Sukholytkyy-Sobchuk", ["Ukraine"],
       ["Ukraina"], "uk", ["sci-fi", "komedia"], title_pl="Jesteś wszechświatem", popularity=2.0,
       hard_case="Polish title of a Ukrainian film (failed in the original)"),
    _f(1248754, "Gabby's Dollhouse: The Movie", "Gabby's Dollhouse: The Movie", 2025, 98, "Ryan Crego",
       ["United States of America"], [US], "en", ["animacja"], title_pl="Koci domek Gabi: Film", popularity=20.0),
    _f(1022789, "Inside Out 2", "Inside Out 2", 2024, 97, "Kelsey Mann", ["United States of America"], [US],
       "en", ["animacja"], title_pl="W głowie się nie mieści 2", popularity=100.0, hard_case="Polish local title"),
    _f(1184918, "The Wild Robot", "The Wild Robot", 2024, 102, "Chris Sanders", ["United States of America"],
       [US], "en", ["animacja"], title_pl="Dziki robot", popularity=80.0),
    _f(1034541, "Terrifier 3", "Terrifier 3", 2024, 125, "Damien Leone", ["United States of America"], [US],
       "en", ["horror"], popularity=40.0),
)

# Suffixes cinemas add to a listing title; they must be stripped before matching.
PL_SUFFIXES = ("3D", "IMAX", "ukraiński dubbing", "napisy", "dubbing", "4DX")
ID_SUFFIXES = ("(IMAX 2D)", "(3D)")

_ADJ = ("Silent", "Broken", "Last", "Golden", "Hidden", "Crimson", "Endless", "Wild", "Lost", "Burning",
        "Midnight", "Northern", "Iron", "Paper", "Electric", "Quiet", "Bright", "Frozen", "Savage", "Hollow")
_NOUN = ("River", "Kingdom", "Summer", "Harbor", "Witness", "Garden", "Signal", "Empire", "Voyage", "Orchard",
         "Frontier", "Echo", "Lantern", "Mirror", "Station", "Harvest", "Compass", "Island", "Verdict", "Horizon")
_PL_ADJ = ("Cicha", "Złota", "Ukryta", "Ostatnia", "Dzika", "Zimna", "Jasna", "Żelazna", "Papierowa", "Północna")
_PL_NOUN = ("rzeka", "przystań", "granica", "latarnia", "stacja", "wyspa", "żniwa", "dolina", "noc", "burza")
_ID_WORDS = ("Rumah", "Malam", "Jalan", "Kota", "Hujan", "Senja", "Langit", "Laut", "Bayang", "Pulang",
             "Api", "Tanah", "Suara", "Jiwa", "Pintu")
_DIRECTORS = ("Anna Kowalska", "Tomasz Nowak", "Joko Anwar", "Hanung Bramantyo", "Greta Lind", "Paul Meyer",
              "Maria Duarte", "Kenji Sato", "Lee Min-ho", "Claire Denis", "Rizal Mantovani", "Agnieszka Holland")
_ACTORS = ("Anya Taylor-Joy", "Paul Mescal", "Dawid Ogrodnik", "Reza Rahadian", "Tara Basro", "Joanna Kulig",
           "Florence Pugh", "Pedro Pascal", "Agata Buzek", "Chicco Jerikho", "Maudy Ayunda", "Tom Burke")
_GENRES = ("dramat", "komedia", "thriller", "horror", "animacja", "przygodowy", "romans", "sci-fi", "familijny")
_COUNTRY = (("United States of America", US, "en"), ("Poland", PL, "pl"), ("Indonesia", ID, "id"),
            ("France", FR, "fr"), ("Japan", JP, "ja"), ("South Korea", KR, "ko"),
            ("United Kingdom", UK, "en"))


def generated(seed: int, count: int) -> list[Film]:
    """``count`` synthetic films, deterministic for ``seed``."""
    rng = random.Random(stable_seed("films", seed))
    films: list[Film] = []
    seen: set[str] = set()
    next_id = 1_400_000
    while len(films) < count:
        country, country_pl, lang = rng.choice(_COUNTRY)
        if lang == "pl":
            original = f"{rng.choice(_PL_ADJ)} {rng.choice(_PL_NOUN)}"
            english = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}"
            title_pl = original
        elif lang == "id":
            original = f"{rng.choice(_ID_WORDS)} {rng.choice(_ID_WORDS)}"
            english = f"The {rng.choice(_ADJ)} {rng.choice(_NOUN)}"
            title_pl = english
        else:
            original = english = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}"
            title_pl = f"{rng.choice(_PL_ADJ)} {rng.choice(_PL_NOUN)}" if rng.random() < 0.4 else english
        if original in seen:
            continue
        seen.add(original)
        next_id += rng.randint(1, 9000)
        films.append(
            _f(next_id, english, original, rng.choice((2024, 2025, 2025, 2025, 2026)), rng.randint(82, 165),
               rng.choice(_DIRECTORS), [country], [country_pl], lang, rng.sample(_GENRES, rng.randint(1, 3)),
               title_pl=title_pl, title_id=original if lang == "id" else english,
               cast=rng.sample(_ACTORS, 3), popularity=round(rng.uniform(1, 90), 3))
        )
    return films


def universe(seed: int, generated_count: int = 110) -> list[Film]:
    """Curated films first, then generated ones. Deterministic for ``seed``."""
    return list(CURATED) + generated(seed, generated_count)
