"""Movies of the TMDB replica.

Every film of ``replica.films.universe(seed)`` becomes a TMDB movie with the same id,
titles, year, runtime, director, cast and languages, so each cinema listing has its
right match. Around them: decoys (homonyms, earlier parts, a documentary about a film,
a rumoured sequel with no date), back-catalogue filler and upcoming releases. Crew
beyond the director, keywords, videos, companies and providers are designed, not facts.

Release dates: a film in cinemas gets a theatrical release (type 2 or 3) in Poland and
Indonesia inside the now-playing window of the crawl day, which is what puts it into
``/movie/now_playing?region=PL|ID``.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from replica.core import stable_seed
from replica.films import (  # same vocabulary as the universe: filler homonyms are wanted
    _ADJ,
    _NOUN,
    Film,
)
from replica.tmdb import tables
from replica.tmdb.people import People, hex_id, image_path

DAY = dt.timedelta(days=1)
# now_playing / upcoming windows around the crawl day (designed; TMDB's public examples
# show a 42-day now-playing window and a 21-day upcoming one sharing a boundary).
NOW_PLAYING_BACK, NOW_PLAYING_AHEAD, UPCOMING_AHEAD = 39, 3, 24
CINEMA_REGIONS = ("PL", "ID")  # where the replicated cinemas are
# Polish and Ukrainian films do not reach Indonesian cinemas (the TIX.id replica skips them too).
NOT_IN_ID = ("pl", "uk")


def windows(date: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    return {
        "now_playing": (date - NOW_PLAYING_BACK * DAY, date + NOW_PLAYING_AHEAD * DAY),
        "upcoming": (date + NOW_PLAYING_AHEAD * DAY, date + UPCOMING_AHEAD * DAY),
    }


@dataclass
class Spec:
    """What is known about a movie before the details are generated."""

    id: int
    title: str
    original_title: str
    year: int | None  # None: empty release_date
    runtime: int | None
    directors: list[str]
    cast: list[str]
    countries: list[str]  # ISO 3166-1
    lang: str
    genre_ids: list[int]
    popularity: float
    kind: str  # universe | decoy | filler | upcoming
    title_pl: str | None = None
    title_id: str | None = None
    in_cinemas: bool = False
    hard_case: str = ""
    imdb_id: str | None | bool = True  # True: derive one; None: null on TMDB
    adult: bool = False
    alt_titles: list[tuple[str, str]] = field(default_factory=list)
    writers: list[str] = field(default_factory=list)
    duplicate_director: bool = False  # the same Director row twice (TMDB data has such duplicates)
    release: dt.date | None = None  # fixed primary release (upcoming extras)


@dataclass
class Movie:
    id: int
    title: str
    original_title: str
    original_language: str
    release_date: str
    runtime: int | None
    imdb_id: str | None
    popularity: float
    vote_average: float
    vote_count: int
    adult: bool
    genre_ids: list[int]
    overview: str
    tagline: str
    poster_path: str | None
    backdrop_path: str | None
    budget: int
    revenue: int
    status: str
    homepage: str
    collection: dict[str, Any] | None
    companies: list[dict[str, Any]]
    countries: list[str]
    spoken: list[str]
    cast: list[dict[str, Any]]
    crew: list[dict[str, Any]]
    keywords: list[dict[str, Any]]
    videos: list[dict[str, Any]]
    release_dates: list[dict[str, Any]]
    translations: list[dict[str, Any]]
    alt_titles: list[dict[str, Any]]
    providers: dict[str, Any]
    external: dict[str, Any]
    images: dict[str, Any]
    kind: str
    in_cinemas: bool
    hard_case: str
    director: str
    theatrical: dict[str, list[tuple[str, int]]]  # region -> [(YYYY-MM-DD, type 2|3)]

    @property
    def year(self) -> int | None:
        return int(self.release_date[:4]) if self.release_date else None


# ----- curated extras and decoys -----------------------------------------------------------

# Facts about curated films beyond replica.films (alternative titles, co-directors,
# writers). UK titles "Zootropolis" are real; the rest is designed.
CURATED_EXTRA: dict[int, dict[str, Any]] = {
    157336: {"writers": ["Jonathan Nolan", "Christopher Nolan"], "producer_director": True},
    1084242: {"co_directors": ["Byron Howard"], "alt": [("GB", "Zootropolis 2")]},
    269149: {"co_directors": ["Rich Moore"], "alt": [("GB", "Zootropolis")]},
    1311031: {"alt": [("US", "Demon Slayer: Infinity Castle"), ("JP", "Kimetsu no Yaiba: Mugen-jō-hen")]},
    1064028: {"alt": [("US", "You Are the Universe"), ("UA", "Ty - Vsesvit")],
              "writers": ["Dmytro Sukholytkyy-Sobchuk"]},
    1226578: {"alt": [("US", "Home Sweet Home")]},
    83533: {"alt": [("US", "Avatar 3")]},
    1022256: {"alt": [("US", "Siege at Thorn High")]},
    1233413: {"writers": ["Ryan Coogler"]},
    701387: {"writers": ["Will Tracy"]},
}

def _decoy(**fields: Any) -> dict[str, Any]:
    return fields


# Production companies and budgets of some curated films (facts; the others get designed ones).
CURATED_COMPANIES: dict[int, tuple[tuple[int, str], ...]] = {
    157336: ((4, "Paramount Pictures"), (174, "Warner Bros. Pictures"), (923, "Legendary Pictures"),
             (9996, "Syncopy")),
    19995: ((127928, "20th Century Studios"), (574, "Lightstorm Entertainment")),
    83533: ((127928, "20th Century Studios"), (574, "Lightstorm Entertainment")),
    402431: ((33, "Universal Pictures"),), 967941: ((33, "Universal Pictures"),),
    269149: ((2, "Walt Disney Pictures"), (6125, "Walt Disney Animation Studios")),
    1084242: ((2, "Walt Disney Pictures"), (6125, "Walt Disney Animation Studios")),
    1139695: ((521, "DreamWorks Animation"),), 1184918: ((521, "DreamWorks Animation"),),
    1087192: ((33, "Universal Pictures"), (521, "DreamWorks Animation")),
    10191: ((521, "DreamWorks Animation"),),
    1232546: ((3172, "Blumhouse Productions"),), 507089: ((3172, "Blumhouse Productions"),),
    701387: ((9219, "Element Pictures"),),
}
CURATED_BUDGETS = {157336: 165_000_000, 19995: 237_000_000, 269149: 150_000_000}


# Decoys: TMDB-only movies that a careless matcher would pick. Titles of real films are
# used as facts; ids are designed (kept clear of the universe's id ranges).
DECOYS: tuple[dict[str, Any], ...] = (
    _decoy(id=390101, title="Interstellar Wars", year=2016, runtime=0, directors=["Mark Polonia"], lang="en",
         genres=[878, 28], pop=3.1, duplicate_director=True,
         hard_case="similar title, runtime 0, the Director row twice"),
    _decoy(id=390102, title="The Science of Interstellar", year=2015, runtime=51, directors=["Gail Willumsen"],
         lang="en", genres=[99], pop=4.2, imdb_id=None, hard_case="documentary about a film; null imdb_id"),
    _decoy(id=390103, title="Interstellar 2", year=None, runtime=0, directors=["Christopher Nolan"], lang="en",
         genres=[878], pop=1.5, imdb_id=None, hard_case="rumoured, empty release_date, null imdb_id"),
    _decoy(id=390104, title="Wicked", year=1998, runtime=88, directors=["Michael Steinberg"], lang="en",
         genres=[53, 18], pop=4.0, hard_case="homonym of Wicked (2024)"),
    _decoy(id=390105, title="Wicked Little Letters", year=2023, runtime=100, directors=["Thea Sharrock"], lang="en",
         genres=[35, 80], pop=18.0, countries=["GB"]),
    _decoy(id=390106, title="Nosferatu the Vampyre", original="Nosferatu: Phantom der Nacht", year=1979, runtime=107,
         directors=["Werner Herzog"], lang="de", genres=[27], pop=9.0, countries=["DE"],
         title_pl="Nosferatu wampir"),
    _decoy(id=390107, title="Jumbo", year=2020, runtime=93, directors=["Zoé Wittock"], lang="fr", genres=[18, 14],
         pop=5.0, countries=["FR"], hard_case="homonym of the Indonesian Jumbo (2025)"),
    _decoy(id=390108, title="Superman II", year=1980, runtime=127, directors=["Richard Lester"], lang="en",
         genres=[28, 878], pop=15.0),
    _decoy(id=390109, title="Superman Returns", year=2006, runtime=154, directors=["Bryan Singer"], lang="en",
         genres=[28, 878], pop=20.0, title_pl="Superman: Powrót"),
    _decoy(id=390110, title="Home Alone 2: Lost in New York", year=1992, runtime=120, directors=["Chris Columbus"],
         lang="en", genres=[35, 10751], pop=45.0, title_pl="Kevin sam w Nowym Jorku"),
    _decoy(id=390111, title="Avatar: The Way of Water", year=2022, runtime=192, directors=["James Cameron"],
         lang="en", genres=[878, 12], pop=120.0, title_pl="Avatar: Istota wody"),
    _decoy(id=390112, title="Inside Out", year=2015, runtime=95, directors=["Pete Docter"], lang="en",
         genres=[16, 10751], pop=80.0, title_pl="W głowie się nie mieści"),
    _decoy(id=390113, title="The Bad Guys", year=2022, runtime=100, directors=["Pierre Perifel"], lang="en",
         genres=[16, 35], pop=40.0, title_pl="Pan Wilk i spółka"),
    _decoy(id=390114, title="Terrifier 2", year=2022, runtime=138, directors=["Damien Leone"], lang="en",
         genres=[27], pop=30.0),
    _decoy(id=390115, title="How to Train Your Dragon 2", year=2014, runtime=102, directors=["Dean DeBlois"],
         lang="en", genres=[16, 12], pop=50.0, title_pl="Jak wytresować smoka 2"),
    _decoy(id=390116, title="Save the Green Planet!", original="지구를 지켜라!", year=2003, runtime=118,
         directors=["Jang Joon-hwan"], lang="ko", genres=[35, 878], pop=8.0, countries=["KR"]),
    _decoy(id=390117, title="Demon Slayer: Kimetsu no Yaiba - The Movie: Mugen Train",
         original="劇場版「鬼滅の刃」無限列車編", year=2020, runtime=117, directors=["Haruo Sotozaki"], lang="ja",
         genres=[16, 28], pop=60.0, countries=["JP"], title_pl="Miecz zabójcy demonów: Pociąg Mugen"),
    _decoy(id=390118, title="Agak Laen", year=2024, runtime=119, directors=["Muhadkly Acho"], lang="id",
         genres=[35, 27], pop=9.0, countries=["ID"], hard_case="first part of Agak Laen: Menyala Pantiku!"),
    _decoy(id=390119, title="Teściowie", year=2021, runtime=85, directors=["Jakub Michalczuk"], lang="pl",
         genres=[35], pop=4.0, countries=["PL"]),
    _decoy(id=390120, title="Wicked Nights", year=2019, runtime=80, directors=["Paul Meyer"], lang="en",
         genres=[18], pop=2.0, adult=True, hard_case="adult: only with include_adult=true"),
    _decoy(id=390121, title="Sinners", year=2013, runtime=96, directors=["Tomasz Nowak"], lang="en", genres=[53],
         pop=1.2, hard_case="homonym of Sinners (2025)"),
    _decoy(id=390122, title="Nobody's Fool", year=2018, runtime=110, directors=["Paul Meyer"], lang="en",
         genres=[35], pop=6.0),
)

# Collections (designed ids; the grouping is factual).
COLLECTIONS: tuple[tuple[int, str, tuple[int, ...]], ...] = (
    (87096, "Avatar Collection", (19995, 390111, 83533)),
    (1084247, "Zootopia Collection", (269149, 1084242)),
    (1003600, "Wicked Collection", (402431, 967941)),
    (1003601, "Freaky Friday Collection", (10330, 1241982)),
    (1003602, "Five Nights at Freddy's Collection", (507089, 1232546)),
    (1003603, "Nobody Collection", (615457, 1007734)),
    (1003604, "How to Train Your Dragon Collection", (10191, 390115)),
    (1003605, "Inside Out Collection", (390112, 1022789)),
    (1003606, "The Bad Guys Collection", (390113, 1139695)),
    (1003607, "Terrifier Collection", (390114, 1034541)),
    (1003608, "Home Alone Collection", (771, 390110)),
    (1003609, "Superman Collection", (1924, 390108, 390109)),
    (1003610, "Agak Laen Collection", (390118, 1179558)),
    (1003611, "Teściowie Collection", (390119, 1308920)),
    (1003612, "Demon Slayer Collection", (390117, 1311031)),
)

_CAST_POOL = ("Michael Caine", "Matt Damon", "Tomasz Kot", "Agata Kulesza", "Iko Uwais", "Dian Sastrowardoyo",
              "Bene Dion Rajagukguk", "Indra Jegel", "Jessica Henwick", "Jeremy Allen White", "Marcin Dorociński",
              "Kamila Urzędowska", "Morgan Oey", "Julie Estelle", "Sheila Dara", "Magdalena Cielecka")
_CHARACTERS = ("Cooper", "Ellie", "Marek", "Sari", "Elphaba", "Glinda", "Teddy", "Michelle", "Kasia", "Budi",
               "Ana", "Tomek", "Rina", "Jack", "Maya", "Leo", "Self", "Dr. Mann", "Nadia", "Bayu")
_WRITERS = ("Will Tracy", "Winnie Holzman", "Dana Fox", "Joanna Bator", "Ernest Prakasa", "Jenny Bicks",
            "Jakub Żulczyk", "Gina S. Noer")
_PRODUCERS = ("Emma Thomas", "Lynda Obst", "Marc Platt", "Ed Guiney", "Tia Hasibuan", "Anna Wydra",
              "Kevin Feige", "Jason Blum", "Chand Parwez Servia")
_COMPOSERS = ("Hans Zimmer", "Ludwig Göransson", "Abel Korzeniowski", "Mica Levi", "Aghi Narottama",
              "Bembi Gusti", "Daniel Pemberton", "Hildur Guðnadóttir")
_DOPS = ("Hoyte van Hoytema", "Robbie Ryan", "Jarin Blaschke", "Ipung Rachmat Syaiful", "Piotr Sobociński Jr.",
         "Linus Sandgren")
_EDITORS = ("Lee Smith", "Yorgos Mavropsaridis", "Jarosław Kamiński", "Arifin Cu'unk", "Louise Ford")
_CASTING = ("Francine Maisler", "Nina Gold", "Ewa Brodzka", "Wulan Guritno")
_STREAMERS = (8, 119, 337, 1899, 1773)

_CERTS = {
    "US": {"kids": "PG", "horror": "R", "adult": "NC-17", "other": "PG-13"},
    "PL": {"kids": "b.o.", "horror": "18", "adult": "18", "other": "12 "},  # trailing space: TMDB data has them
    "ID": {"kids": "SU", "horror": "17+", "adult": "21+", "other": "13+"},
}


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _case_of(display: str, candidates: tuple[str, ...]) -> str:
    """TIX.id shows titles in upper case; recover a cased form for the id-ID translation."""
    for candidate in candidates:
        if candidate.upper() == display.upper():
            return candidate
    return display.title()


def spec_from_film(film: Film) -> Spec:
    extra = CURATED_EXTRA.get(film.tmdb_id, {})
    genre_ids = list(dict.fromkeys(tables.FILM_GENRE_IDS[g] for g in film.genres))
    return Spec(
        id=film.tmdb_id, title=film.title, original_title=film.original_title, year=film.year,
        runtime=film.runtime, directors=[film.director, *extra.get("co_directors", [])], cast=list(film.cast),
        countries=[tables.COUNTRY_CODES[c] for c in film.countries], lang=film.original_language,
        genre_ids=genre_ids, popularity=film.popularity, kind="universe", title_pl=film.title_pl,
        title_id=_case_of(film.title_id, (film.title, film.original_title, film.title_pl)),
        in_cinemas=film.in_cinemas, hard_case=film.hard_case, imdb_id=film.imdb_id,
        alt_titles=list(extra.get("alt", [])), writers=list(extra.get("writers", [])),
    )


def decoy_specs() -> list[Spec]:
    specs = []
    for d in DECOYS:
        specs.append(Spec(
            id=d["id"], title=d["title"], original_title=d.get("original", d["title"]), year=d["year"],
            runtime=d["runtime"], directors=list(d["directors"]), cast=[], countries=d.get("countries", ["US"]),
            lang=d["lang"], genre_ids=list(d["genres"]), popularity=d["pop"], kind="decoy",
            title_pl=d.get("title_pl"), hard_case=d.get("hard_case", ""), imdb_id=d.get("imdb_id", True),
            adult=d.get("adult", False), duplicate_director=d.get("duplicate_director", False),
        ))
    return specs


_FILLER_LANGS = (("US", "en"), ("US", "en"), ("GB", "en"), ("PL", "pl"), ("FR", "fr"), ("ID", "id"),
                 ("JP", "ja"), ("KR", "ko"), ("DE", "de"), ("IT", "it"), ("ES", "es"))
_FILLER_DIRECTORS = ("Greta Lind", "Paul Meyer", "Maria Duarte", "Kenji Sato", "Claire Denis", "Rizal Mantovani",
                     "Agnieszka Holland", "Tomasz Nowak", "Anna Kowalska", "Hanung Bramantyo", "Lee Chang-dong")
_FILLER_SUFFIX = ("", "", "", " II", " 2", ": Reckoning", " of the North", ": The Return")


def generated_specs(seed: int, kind: str, count: int, taken: set[int], taken_titles: set[str],
                    date: dt.date) -> list[Spec]:
    """Back-catalogue filler (``kind='filler'``, years 1968-2023) or upcoming releases."""
    rng = random.Random(stable_seed("tmdb", kind, seed))
    specs: list[Spec] = []
    while len(specs) < count:
        movie_id = rng.randint(100_000, 1_350_000)
        country, lang = rng.choice(_FILLER_LANGS)
        title = f"{rng.choice(_ADJ)} {rng.choice(_NOUN)}{rng.choice(_FILLER_SUFFIX)}"
        if kind == "upcoming":
            title = f"The {title}" if rng.random() < 0.5 else title
            release = date + rng.randint(NOW_PLAYING_AHEAD + 1, 45) * DAY  # most inside the upcoming window
            year = release.year
        else:
            release, year = None, rng.randint(1968, 2023)
        key = f"{title.lower()}|{year}" if kind == "filler" else title.lower()
        if movie_id in taken or key in taken_titles:
            continue
        taken.add(movie_id)
        taken_titles.add(key)
        specs.append(Spec(
            id=movie_id, title=title, original_title=title, year=year, runtime=rng.randint(78, 170),
            directors=[rng.choice(_FILLER_DIRECTORS)], cast=rng.sample(_CAST_POOL, 3), countries=[country],
            lang=lang, genre_ids=rng.sample(sorted(tables.MOVIE_GENRES), rng.randint(1, 3)),
            popularity=round(rng.uniform(0.6, 45.0) if kind == "filler" else rng.uniform(8.0, 160.0), 3),
            kind=kind, release=release,
        ))
    return specs


# ----- building ---------------------------------------------------------------------------

def _primary_release(spec: Spec, date: dt.date, rd: random.Random) -> dt.date | None:
    """The primary release date; a film in cinemas opened shortly before the crawl day."""
    back, late, early, any_day = rd.randint(0, 38), rd.randint(0, 100), rd.randint(0, 60), rd.randint(0, 364)
    if spec.release is not None:
        return spec.release
    if spec.year is None:
        return None
    if spec.in_cinemas:
        target = date - back * DAY
        if target.year == spec.year:
            return target
        if spec.year < target.year:
            return dt.date(spec.year, 12, 31) - late * DAY
        return dt.date(spec.year, 1, 1) + early * DAY
    return dt.date(spec.year, 1, 1) + any_day * DAY


def _cert_kind(spec: Spec) -> str:
    if spec.adult:
        return "adult"
    if 27 in spec.genre_ids:
        return "horror"
    if 16 in spec.genre_ids or 10751 in spec.genre_ids:
        return "kids"
    return "other"


def _release_dates(spec: Spec, primary: dt.date | None, date: dt.date, rd: random.Random
                   ) -> tuple[list[dict[str, Any]], dict[str, list[tuple[str, int]]]]:
    """TMDB release_dates results plus the theatrical index (region -> dates of type 2/3)."""
    window_min = windows(date)["now_playing"][0]
    entries: dict[str, list[dict[str, Any]]] = {}  # country -> release_dates entries
    theatrical: dict[str, list[tuple[str, int]]] = {}
    kind = _cert_kind(spec)

    def add(country: str, when: dt.date, rtype: int, note: str = "") -> None:
        cert = _CERTS.get(country, {}).get(kind, "")
        entries.setdefault(country, []).append({
            "certification": cert if rtype in (3, 4) else "", "descriptors": [], "iso_639_1": "",
            "note": note, "release_date": f"{when.isoformat()}T00:00:00.000Z", "type": rtype,
        })
        if rtype in (2, 3):
            theatrical.setdefault(country, []).append((when.isoformat(), rtype))

    festival = rd.random() < 0.3
    fest_days = rd.randint(20, 200)
    draws = {r: (rd.randint(0, 7), rd.randint(1, 35), rd.randint(0, 6), rd.random()) for r in CINEMA_REGIONS}
    digital_days = rd.randint(45, 120)
    if primary is None:
        return [], {}
    origin = spec.countries[0]
    if festival and spec.kind != "upcoming":
        add(origin, primary - fest_days * DAY, 1, "Festival premiere")
    add(origin, primary, 3)
    for region in CINEMA_REGIONS:
        offset, back, preview, chance = draws[region]
        in_cinemas = spec.in_cinemas and not (region == "ID" and spec.lang in NOT_IN_ID)
        if spec.in_cinemas and not in_cinemas:
            continue  # a current film that never opens here: no date that could put it in this region's lists
        if region == origin:
            local = primary
        elif in_cinemas or chance < (0.8 if region == "PL" else 0.6):
            local = primary + offset * DAY
        else:
            continue
        if in_cinemas:
            if primary > date:  # previews now, the regular run later
                add(region, date - preview * DAY, 2, "Preview")
                if local != primary or region != origin:
                    add(region, local, 3)
            elif primary < window_min:  # an older film back in (or late to) this country's cinemas
                if region != origin:
                    add(region, local, 3)
                add(region, date - back * DAY, 3, "Re-release" if (date - primary).days > 365 else "")
            elif region != origin:
                add(region, min(local, date), 3)
        elif region != origin:
            add(region, local, 3)
    if primary + digital_days * DAY <= date:
        add(origin, primary + digital_days * DAY, 4)
    results: list[dict[str, Any]] = [
        {"iso_3166_1": c, "release_dates": sorted(v, key=lambda e: (str(e["release_date"]), int(e["type"])))}
        for c, v in sorted(entries.items())]
    return results, {c: sorted(set(v)) for c, v in theatrical.items()}


def _translation(lang: str, title: str, overview: str, tagline: str, runtime: int | None,
                 homepage: str = "") -> dict[str, Any]:
    english, native = tables.LANGUAGES.get(lang, (lang, lang))
    return {
        "iso_3166_1": tables.LOCALE_COUNTRY.get(lang, "US"), "iso_639_1": lang, "name": native,
        "english_name": english,
        "data": {"homepage": homepage, "overview": overview, "runtime": runtime or 0, "tagline": tagline,
                 "title": title},
    }


def _overviews(spec: Spec, director: str) -> dict[str, str]:
    genre_en, genre_pl, genre_id = tables.MOVIE_GENRES[spec.genre_ids[0]]
    stars = ", ".join(spec.cast[:2])
    with_stars = f", starring {stars}" if stars else ""
    return {
        "en": f"{spec.title} is {'an' if genre_en[0] in 'AEIOU' else 'a'} {genre_en.lower()} film directed by "
              f"{director}{with_stars}.",
        "pl": f"{spec.title_pl or spec.title} – {genre_pl.lower()} w reżyserii {director}.",
        "id": f"{spec.title_id or spec.title} adalah film {genre_id.lower()} garapan {director}.",
        "orig": f"{spec.original_title} ({genre_en}).",
    }


def _videos(spec: Spec, primary: dt.date | None, date: dt.date, rng: random.Random) -> list[dict[str, Any]]:
    base = primary or dt.date(2025, 1, 1)
    out: list[dict[str, Any]] = []

    def add(name: str, lang: str, country: str, vtype: str, official: bool, days_before: int,
            site: str = "YouTube") -> None:
        published = dt.datetime.combine(base - days_before * DAY, dt.time(rng.randint(0, 23), rng.randint(0, 59),
                                                                            rng.randint(0, 59)))
        if published.date() > date:
            return
        key = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")
                      for _ in range(11)) if site == "YouTube" else str(rng.randint(100_000_000, 999_999_999))
        out.append({
            "iso_639_1": lang, "iso_3166_1": country, "name": name, "key": key, "site": site,
            "size": rng.choice((1080, 1080, 2160, 720)), "type": vtype, "official": official,
            "published_at": published.strftime("%Y-%m-%dT%H:%M:%S.000Z"), "id": hex_id(rng),
        })

    if spec.kind == "filler" and rng.random() < 0.5:
        return out
    add("Official Trailer", "en", "US", "Trailer", True, rng.randint(30, 120))
    if rng.random() < 0.6:
        add("Official Teaser", "en", "US", "Teaser", True, rng.randint(130, 300))
    if rng.random() < 0.3:
        add("Trailer (HD Fan Remaster)", "en", "US", "Trailer", False, rng.randint(1, 60))
    if rng.random() < 0.3:
        add("Behind the Scenes", "en", "US", "Behind the Scenes", True, rng.randint(1, 40), "Vimeo")
    if spec.kind == "universe" or spec.title_pl:
        add("Zwiastun PL", "pl", "PL", "Trailer", True, rng.randint(20, 90))
    if spec.kind == "universe":
        add("Official Trailer | Indonesia", "id", "ID", "Trailer", spec.lang == "id" or rng.random() < 0.5,
            rng.randint(10, 80))
    if spec.lang not in ("en", "pl", "id"):
        add("本予告" if spec.lang == "ja" else "Trailer", spec.lang, tables.LOCALE_COUNTRY.get(spec.lang, "US"),
            "Trailer", True, rng.randint(30, 120))
    return out


def _providers(spec: Spec, primary: dt.date | None, date: dt.date, rng: random.Random) -> dict[str, Any]:
    draws = [(rng.choice(_STREAMERS), rng.sample((2, 3, 10), 2), rng.random()) for _ in tables.PROVIDER_COUNTRIES[:3]]
    if primary is None or (date - primary).days < 45:
        return {}
    results: dict[str, Any] = {}
    for country, (streamer, stores, chance) in zip(tables.PROVIDER_COUNTRIES[:3], draws, strict=True):
        if chance < 0.15:
            continue
        entry: dict[str, Any] = {"link": f"https://www.themoviedb.org/movie/{spec.id}-{slug(spec.title)}/watch"
                                         f"?locale={country}"}
        if (date - primary).days > 100:
            entry["flatrate"] = [_provider(streamer, 1)]
        entry["rent"] = [_provider(p, i + 2) for i, p in enumerate(stores)]
        entry["buy"] = [_provider(p, i + 2) for i, p in enumerate(stores)]
        results[country] = entry
    return results


def _provider(pid: int, priority: int) -> dict[str, Any]:
    return {"logo_path": image_path(random.Random(stable_seed("tmdb-logo", pid))), "provider_id": pid,
            "provider_name": tables.PROVIDERS[pid], "display_priority": priority}


def build_movie(spec: Spec, seed: int, date: dt.date, people: People) -> Movie:
    rng = random.Random(stable_seed("tmdb-movie", seed, spec.id))  # static attributes
    rd = random.Random(stable_seed("tmdb-release", seed, spec.id))  # day-dependent dates only
    primary = _primary_release(spec, date, rd)
    released = primary is not None and primary <= date
    director = spec.directors[0]
    overviews = _overviews(spec, director)
    tagline = rng.choice(("", "", "Some journeys never end.", "Nothing stays buried.", "Every family has a secret.",
                          "The legend returns.", "Hope is a signal."))

    # credits
    cast = []
    names = list(spec.cast) + [n for n in rng.sample(_CAST_POOL, 4) if n not in spec.cast][: rng.randint(1, 4)]
    for order, name in enumerate(names):
        person = people.get(name, "Acting")
        person.credits.append(spec.id)
        cast.append({**person.base(), "cast_id": order + rng.randint(1, 4) + order,
                     "character": rng.choice(_CHARACTERS), "credit_id": hex_id(rng), "order": order})
    crew: list[dict[str, Any]] = []

    def credit(name: str, department: str, job: str, known_for: str) -> None:
        person = people.get(name, known_for)
        person.credits.append(spec.id)
        crew.append({**person.base(), "credit_id": hex_id(rng), "department": department, "job": job})

    for name in spec.directors:
        credit(name, "Directing", "Director", "Directing")
    if spec.duplicate_director:
        credit(director, "Directing", "Director", "Directing")
    writers = spec.writers or ([director] if rng.random() < 0.5 else []) + [rng.choice(_WRITERS)]
    for name in dict.fromkeys(writers):
        credit(name, "Writing", "Screenplay", "Writing")
    if CURATED_EXTRA.get(spec.id, {}).get("producer_director"):
        credit(director, "Production", "Producer", "Directing")
    for name in rng.sample(_PRODUCERS, rng.randint(1, 2)):
        credit(name, "Production", "Producer", "Production")
    if spec.kind != "filler":
        credit(rng.choice(_COMPOSERS), "Sound", "Original Music Composer", "Sound")
        credit(rng.choice(_DOPS), "Camera", "Director of Photography", "Camera")
        credit(rng.choice(_EDITORS), "Editing", "Editor", "Editing")
        credit(rng.choice(_CASTING), "Production", "Casting", "Production")

    # keywords
    words: list[str] = []
    for gid in spec.genre_ids:
        words += rng.sample(tables.GENRE_KEYWORDS.get(gid, ("independent film",)), 1)
    if any(spec.id in members for _, _, members in COLLECTIONS):
        words.append("sequel")
    if rng.random() < 0.25:
        words.append("based on novel or book")
    keywords = [{"id": 818 if w == "based on novel or book" else 1000 + stable_seed("tmdb-kw", w) % 300_000,
                 "name": w} for w in dict.fromkeys(words)]

    release_dates, theatrical = _release_dates(spec, primary, date, rd)

    # translations (en always; pl/id where the film can be listed in those cinemas)
    translations = [_translation("en", spec.title, overviews["en"], tagline, spec.runtime)]
    if spec.kind == "universe" or spec.title_pl:
        translations.append(_translation("pl", spec.title_pl or spec.title, overviews["pl"], "", spec.runtime))
    if spec.kind == "universe" or spec.lang == "id":
        translations.append(_translation("id", spec.title_id or spec.title, overviews["id"], "", spec.runtime))
    if spec.lang not in ("en", "pl", "id"):
        translations.append(_translation(spec.lang, spec.original_title, overviews["orig"], "", spec.runtime))
    translations.sort(key=lambda t: (t["iso_639_1"], t["iso_3166_1"]))

    collection = None
    for cid, cname, members in COLLECTIONS:
        if spec.id in members:
            crng = random.Random(stable_seed("tmdb-collection", cid))
            collection = {"id": cid, "name": cname, "poster_path": image_path(crng), "backdrop_path": image_path(crng)}

    origin = spec.countries[0]
    pool = tables.COMPANIES.get(origin, tables.COMPANIES["US"])
    chosen = rng.sample(pool, min(2, len(pool)))
    companies = []
    for cid, cname in CURATED_COMPANIES.get(spec.id, chosen):
        companies.append({"id": cid, "logo_path": image_path(random.Random(stable_seed("tmdb-logo", cid)), ".png")
                          if cid % 3 else None, "name": cname, "origin_country": origin})

    if released:
        years = max((date - primary).days / 365, 0.05)  # type: ignore[operator]
        vote_count = int(spec.popularity * rng.uniform(8, 60) * min(1 + years, 15))
        vote_average = round(rng.uniform(5.4, 8.5), 3) if vote_count else 0.0
    else:
        vote_count, vote_average = 0, 0.0
    if spec.id == 157336:
        vote_average = 8.456  # so the curated classic tops top_rated, as on TMDB
    big = spec.lang == "en" and spec.kind != "filler"
    budget = rng.randint(15, 250) * 1_000_000 if big and rng.random() < 0.8 else 0
    budget = CURATED_BUDGETS.get(spec.id, budget)
    revenue = int(budget * rng.uniform(0.4, 6.0)) if budget and released and (date - primary).days > 30 else 0  # type: ignore[operator]
    status = "Rumored" if primary is None else ("Released" if released else "Post Production")
    # derived from the id so no two catalogue entries share one (8 digits, unlike the universe's 7)
    imdb = spec.imdb_id if isinstance(spec.imdb_id, str) or spec.imdb_id is None else \
        f"tt{10_000_000 + spec.id * 13 % 20_000_000}"
    irng = random.Random(stable_seed("tmdb-images", spec.id))
    poster = image_path(irng) if spec.kind != "filler" or rng.random() < 0.8 else None
    backdrop = image_path(irng) if poster and rng.random() < 0.9 else None
    images = {
        "backdrops": [_image(irng, 1.778, 1080, 1920, None)] if backdrop else [],
        "logos": [_image(irng, 3.5, 400, 1400, "en", ".png")] if spec.kind != "filler" else [],
        "posters": ([_image(irng, 0.667, 3000, 2000, "en")] + [_image(irng, 0.667, 1500, 1000, t["iso_639_1"])
                                                                 for t in translations if t["iso_639_1"] != "en"])
        if poster else [],
    }
    handle = slug(spec.title).replace("-", "")
    external = {"imdb_id": imdb,
                "wikidata_id": f"Q{rng.randint(1_000_000, 130_000_000)}" if imdb else None,
                "facebook_id": f"{handle}movie" if big else None,
                "instagram_id": f"{handle}movie" if big else None,
                "twitter_id": f"{handle}movie" if big and rng.random() < 0.5 else None}
    return Movie(
        id=spec.id, title=spec.title, original_title=spec.original_title, original_language=spec.lang,
        release_date=primary.isoformat() if primary else "", runtime=spec.runtime, imdb_id=imdb,
        popularity=round(spec.popularity, 3), vote_average=vote_average, vote_count=vote_count, adult=spec.adult,
        genre_ids=list(spec.genre_ids), overview=overviews["en"], tagline=tagline, poster_path=poster,
        backdrop_path=backdrop, budget=budget, revenue=revenue, status=status,
        homepage=f"https://www.{handle}.movie" if big and rng.random() < 0.5 else "",
        collection=collection, companies=companies, countries=list(spec.countries),
        spoken=list(dict.fromkeys([spec.lang] + (["en"] if rng.random() < 0.2 else []))),
        cast=cast, crew=crew, keywords=keywords, videos=_videos(spec, primary, date, rng),
        release_dates=release_dates, translations=translations,
        alt_titles=[{"iso_3166_1": c, "title": t, "type": ""} for c, t in spec.alt_titles],
        providers=_providers(spec, primary, date, rng), external=external, images=images, kind=spec.kind,
        in_cinemas=spec.in_cinemas, hard_case=spec.hard_case, director=director, theatrical=theatrical,
    )


def _image(rng: random.Random, ratio: float, height: int, width: int, lang: str | None,
           ext: str = ".jpg") -> dict[str, Any]:
    return {"aspect_ratio": ratio, "height": height, "iso_639_1": lang, "file_path": image_path(rng, ext),
            "vote_average": round(rng.uniform(0, 6), 3), "vote_count": rng.randint(0, 12), "width": width}
