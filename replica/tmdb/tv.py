"""TV shows of the TMDB replica (for the show-enrichment spider: /find, /tv/{id}, providers).

Curated shows use their real TMDB ids, IMDb ids, networks, air dates and season sizes
(the Polish and Indonesian ones, Zootopia+ and all provider offers are designed); the
rest is generated from the seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from replica.core import stable_seed
from replica.films import _ID_WORDS, _NOUN, _PL_ADJ, _PL_NOUN
from replica.tmdb import tables
from replica.tmdb.movies import slug
from replica.tmdb.people import People, hex_id, image_path


@dataclass
class ShowSpec:
    id: int
    name: str
    first_air: str
    last_air: str | None
    status: str
    networks: list[int]
    seasons: list[int]  # episode counts per season
    imdb_id: str | None
    created_by: list[str]
    genres: list[int]
    popularity: float
    lang: str = "en"
    origin: str = "US"
    original_name: str | None = None
    tvdb_id: int | None = None
    show_type: str = "Scripted"
    name_pl: str | None = None
    name_id: str | None = None
    specials: bool = False
    all_offers: str = ""  # a country where every offer type (flatrate/rent/buy/ads/free) is present
    hard_case: str = ""


def _s(*args: Any, **kwargs: Any) -> ShowSpec:
    return ShowSpec(*args, **kwargs)


CURATED_SHOWS: tuple[ShowSpec, ...] = (
    _s(1399, "Game of Thrones", "2011-04-17", "2019-05-19", "Ended", [49], [10, 10, 10, 10, 10, 10, 7, 6],
       "tt0944947", ["David Benioff", "D. B. Weiss"], [10765, 18, 10759], 639.898, tvdb_id=121361,
       name_pl="Gra o tron", specials=True, all_offers="PL"),
    _s(93405, "Squid Game", "2021-09-17", "2025-06-27", "Ended", [213], [9, 7, 6], "tt10919420",
       ["Hwang Dong-hyuk"], [10759, 9648, 18], 200.0, lang="ko", origin="KR", original_name="오징어 게임",
       tvdb_id=383275, hard_case="original name in Hangul"),
    _s(119051, "Wednesday", "2022-11-23", "2025-09-03", "Returning Series", [213], [8, 8], "tt13443470",
       ["Alfred Gough", "Miles Millar"], [35, 9648, 10765], 220.0, tvdb_id=397060),
    _s(214002, "1983", "2018-11-30", "2018-11-30", "Ended", [213], [8], None, ["Joshua Long"], [18, 10765, 80],
       12.0, lang="pl", origin="PL", show_type="Miniseries", hard_case="numeric title, null imdb_id"),
    _s(214006, "Cigarette Girl", "2023-11-02", "2023-11-02", "Ended", [213], [5], "tt21349126",
       ["Kamila Andini", "Ifa Isfansyah"], [18], 14.0, lang="id", origin="ID", original_name="Gadis Kretek",
       show_type="Miniseries", name_id="Gadis Kretek", all_offers="ID"),
    _s(1396, "Breaking Bad", "2008-01-20", "2013-09-29", "Ended", [174], [7, 13, 13, 13, 16], "tt0903747",
       ["Vince Gilligan"], [18, 80], 300.0, tvdb_id=81189, specials=True),
    _s(66732, "Stranger Things", "2016-07-15", "2022-07-01", "Returning Series", [213], [8, 9, 8, 9],
       "tt4574334", ["Matt Duffer", "Ross Duffer"], [18, 10765, 9648], 250.0, tvdb_id=305288),
    _s(100088, "The Last of Us", "2023-01-15", "2025-05-25", "Returning Series", [49], [9, 7], "tt3581920",
       ["Craig Mazin", "Neil Druckmann"], [18], 180.0, tvdb_id=392256),
    _s(71912, "The Witcher", "2019-12-20", "2025-10-30", "Returning Series", [213], [8, 8, 8, 8], "tt5180504",
       ["Lauren Schmidt Hissrich"], [10765, 18, 10759], 160.0, tvdb_id=362696, name_pl="Wiedźmin"),
    _s(2316, "The Office", "2005-03-24", "2013-05-16", "Ended", [6], [6, 22, 25, 19, 28, 26, 26, 24, 25],
       "tt0386676", ["Greg Daniels"], [35], 280.0, tvdb_id=73244),
    _s(1668, "Friends", "1994-09-22", "2004-05-06", "Ended", [6], [24, 24, 25, 24, 24, 25, 24, 24, 24, 18],
       "tt0108778", ["David Crane", "Marta Kauffman"], [35, 18], 350.0, tvdb_id=79168, name_pl="Przyjaciele"),
    _s(94997, "House of the Dragon", "2022-08-21", "2024-08-04", "Returning Series", [49], [10, 8], "tt11198330",
       ["Ryan Condal", "George R. R. Martin"], [10765, 18, 10759], 300.0, tvdb_id=371572, name_pl="Ród smoka"),
    _s(95396, "Severance", "2022-02-18", "2025-03-21", "Returning Series", [2552], [9, 10], "tt11280740",
       ["Dan Erickson"], [18, 9648, 10765], 120.0, tvdb_id=371980, name_pl="Rozdzielenie"),
    _s(82856, "The Mandalorian", "2019-11-12", "2023-04-19", "Returning Series", [2739], [8, 8, 8], "tt8111088",
       ["Jon Favreau"], [10765, 10759, 18], 150.0, tvdb_id=361753),
    _s(136315, "The Bear", "2022-06-23", "2025-06-25", "Returning Series", [88], [8, 10, 10, 10], "tt14452776",
       ["Christopher Storer"], [18, 35], 90.0),
    _s(246, "Avatar: The Last Airbender", "2005-02-21", "2008-07-19", "Ended", [13], [20, 20, 21], "tt0417299",
       ["Michael Dante DiMartino", "Bryan Konietzko"], [16, 10759, 10765], 110.0, tvdb_id=74852,
       name_pl="Awatar: Legenda Aanga", hard_case="shares a title prefix with the Avatar films"),
    _s(214001, "Zootopia+", "2022-11-09", "2022-11-09", "Ended", [2739], [6], "tt21197564", ["Trent Correy"],
       [16, 35, 10751], 25.0, show_type="Miniseries", name_pl="Zwierzogród+",
       hard_case="a show named like the Zootopia films"),
    _s(214003, "High Water", "2022-10-05", "2022-10-05", "Ended", [213], [6], "tt15507014", ["Kasper Bajon"],
       [18], 15.0, lang="pl", origin="PL", original_name="Wielka woda", show_type="Miniseries",
       name_pl="Wielka woda"),
    _s(214004, "Ranczo", "2006-03-05", "2016-05-01", "Ended", [70003], [13] * 10, "tt0781994",
       ["Robert Brutter", "Jerzy Niemczuk"], [35, 18], 20.0, lang="pl", origin="PL"),
    _s(214007, "Pertaruhan The Series", "2023-03-31", "2025-02-14", "Returning Series", [70012], [8, 8], None,
       ["Sidharta Tata"], [18, 80], 9.0, lang="id", origin="ID"),
)
TINY_SHOWS = (1399, 93405, 119051, 214002, 214006)

_EN_SUFFIX = ("Nights", "Files", "Diaries", "Chronicles", "Academy", "Street", "Squad", "Hospital", "Bay",
              "Confidential")
_CAST = ("Millie Bobby Brown", "Pedro Pascal", "Jenna Ortega", "Henry Cavill", "Lee Jung-jae", "Dawid Ogrodnik",
         "Dian Sastrowardoyo", "Ario Bayu", "Adam Scott", "Jeremy Allen White", "Emilia Clarke", "Bella Ramsey",
         "Agnieszka Żulewska", "Maciej Musiał", "Putri Marino", "Chicco Jerikho")
_CREATORS = ("Anna Kowalska", "Tomasz Nowak", "Joko Anwar", "Greta Lind", "Paul Meyer", "Kenji Sato")


def generated_show_specs(seed: int, count: int, taken: set[int]) -> list[ShowSpec]:
    rng = random.Random(stable_seed("tmdb-tv", seed))
    specs: list[ShowSpec] = []
    names: set[str] = {s.name for s in CURATED_SHOWS}
    while len(specs) < count:
        lang, origin = rng.choice((("en", "US"), ("en", "US"), ("en", "GB"), ("pl", "PL"), ("id", "ID")))
        if lang == "pl":
            name = f"{rng.choice(_PL_ADJ)} {rng.choice(_PL_NOUN)}"
            networks = [rng.choice((70001, 70002, 70003, 213))]
        elif lang == "id":
            name = f"{rng.choice(_ID_WORDS)} {rng.choice(_ID_WORDS)}"
            networks = [rng.choice((70011, 70012, 213))]
        else:
            name = f"{rng.choice(_NOUN)} {rng.choice(_EN_SUFFIX)}"
            networks = [rng.choice((49, 213, 174, 6, 2739, 2552, 1024))]
        show_id = rng.randint(60_000, 260_000)
        if name in names or show_id in taken:
            continue
        names.add(name)
        taken.add(show_id)
        first = dt.date(rng.randint(2005, 2024), rng.randint(1, 12), rng.randint(1, 28))
        seasons = [rng.randint(6, 13) for _ in range(rng.randint(1, 6))]
        ended = rng.random() < 0.5
        last = first + dt.timedelta(days=365 * (len(seasons) - 1) + 7 * seasons[-1])
        specs.append(ShowSpec(
            id=show_id, name=name, first_air=first.isoformat(), last_air=min(last, dt.date(2025, 10, 31)).isoformat(),
            status="Ended" if ended else rng.choice(("Returning Series", "Returning Series", "Canceled")),
            networks=networks, seasons=seasons,
            imdb_id=f"tt{30_000_000 + show_id * 17 % 9_999_999}" if rng.random() < 0.9 else None,
            created_by=rng.sample(_CREATORS, rng.randint(0, 2)), genres=rng.sample(sorted(tables.TV_GENRES), 2),
            popularity=round(rng.uniform(1.0, 120.0), 3), lang=lang, origin=origin,
            tvdb_id=rng.randint(70_000, 450_000) if rng.random() < 0.8 else None,
            show_type=rng.choice(("Scripted", "Scripted", "Scripted", "Reality", "Documentary")),
            specials=rng.random() < 0.2,
        ))
    return specs


@dataclass
class Show:
    spec: ShowSpec
    details: dict[str, Any]  # /tv/{id} without appends, default language
    overview: dict[str, str]
    names: dict[str, str]  # language -> localised name
    external: dict[str, Any]
    providers: dict[str, Any]
    credits: dict[str, Any]
    keywords: list[dict[str, Any]]
    translations: list[dict[str, Any]]
    alt_titles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.spec.id


def _provider(pid: int, priority: int) -> dict[str, Any]:
    return {"logo_path": image_path(random.Random(stable_seed("tmdb-logo", pid))), "provider_id": pid,
            "provider_name": tables.PROVIDERS[pid], "display_priority": priority}


def _show_providers(spec: ShowSpec, rng: random.Random) -> dict[str, Any]:
    results: dict[str, Any] = {}
    network_country = tables.NETWORKS[spec.networks[0]][1]
    for country in tables.PROVIDER_COUNTRIES:
        draws = (rng.random(), rng.random(), rng.random(), rng.random(), rng.sample(tables.STORES, 2))
        full = spec.all_offers == country
        streamer = tables.NETWORK_PROVIDER[spec.networks[0]]
        local_only = network_country in ("PL", "ID")
        entry: dict[str, Any] = {"link": f"https://www.themoviedb.org/tv/{spec.id}-{slug(spec.name)}/watch"
                                         f"?locale={country}"}
        if not local_only or network_country == country:
            entry["flatrate"] = [_provider(streamer, 1)]
        if full or draws[0] < 0.2:
            entry["rent"] = [_provider(draws[4][0], 4)]
        if full or draws[1] < 0.6:
            entry["buy"] = [_provider(p, 4 + i) for i, p in enumerate(draws[4])]
        if full or draws[2] < 0.3:
            entry["ads"] = [_provider(tables.ADS_BY_COUNTRY[country], 9)]
        if full or draws[3] < 0.25:
            entry["free"] = [_provider(tables.FREE_BY_COUNTRY[country], 12)]
        if len(entry) > 1:
            results[country] = entry
    return results


def build_show(spec: ShowSpec, seed: int, date: dt.date, people: People) -> Show:
    rng = random.Random(stable_seed("tmdb-show", seed, spec.id))
    irng = random.Random(stable_seed("tmdb-show-images", spec.id))
    genre_en = tables.TV_GENRES[spec.genres[0]][0]
    network_names = " and ".join(tables.NETWORKS[n][0] for n in spec.networks)
    overview = {
        "en": f"{spec.name}: a {genre_en.lower()} series from {network_names}.",
        "pl": f"{spec.name_pl or spec.name} – serial ({tables.TV_GENRES[spec.genres[0]][1].lower()}).",
        "id": f"{spec.name_id or spec.name} adalah serial {tables.TV_GENRES[spec.genres[0]][2].lower()}.",
    }
    names = {"en": spec.name, "pl": spec.name_pl or spec.name, "id": spec.name_id or spec.name}
    if spec.lang not in names:
        names[spec.lang] = spec.original_name or spec.name
    created_by = []
    for name in spec.created_by:
        person = people.get(name, "Writing")
        person.tv_credits.append(spec.id)
        created_by.append({"id": person.id, "credit_id": hex_id(rng), "name": name, "original_name": name,
                           "gender": person.gender, "profile_path": person.profile_path})
    first = dt.date.fromisoformat(spec.first_air)
    seasons = []
    if spec.specials:
        seasons.append({"air_date": spec.first_air, "episode_count": rng.randint(1, 12), "id": 3_000 + spec.id % 997,
                        "name": "Specials", "overview": "", "poster_path": image_path(irng), "season_number": 0,
                        "vote_average": 0.0})
    for number, episodes in enumerate(spec.seasons, start=1):
        air = first + dt.timedelta(days=365 * (number - 1))
        seasons.append({"air_date": air.isoformat(), "episode_count": episodes,
                        "id": 1_000_000 + stable_seed("tmdb-season", spec.id, number) % 4_000_000,
                        "name": f"Season {number}", "overview": "", "poster_path": image_path(irng),
                        "season_number": number, "vote_average": round(rng.uniform(6.5, 9.0), 1)})
    last_air = spec.last_air
    last_episode = None
    if last_air:
        last_episode = {"id": 1_000_000 + stable_seed("tmdb-episode", spec.id) % 5_000_000, "name": "Finale"
                        if spec.status == "Ended" else f"Episode {spec.seasons[-1]}", "overview": "",
                        "vote_average": round(rng.uniform(6, 9), 3), "vote_count": rng.randint(5, 400),
                        "air_date": last_air, "episode_number": spec.seasons[-1],
                        "episode_type": "finale", "production_code": "", "runtime": rng.choice((None, 45, 52, 58)),
                        "season_number": len(spec.seasons), "show_id": spec.id, "still_path": image_path(irng)}
    next_episode = None
    if spec.status == "Returning Series" and rng.random() < 0.3:
        air = date + dt.timedelta(days=rng.randint(3, 60))
        next_episode = {"id": 1_000_000 + stable_seed("tmdb-next-episode", spec.id) % 5_000_000, "name": "Episode 1",
                        "overview": "", "vote_average": 0.0, "vote_count": 0, "air_date": air.isoformat(),
                        "episode_number": 1, "episode_type": "standard", "production_code": "", "runtime": None,
                        "season_number": len(spec.seasons) + 1, "show_id": spec.id, "still_path": None}
    companies = []
    for cid, cname in rng.sample(tables.COMPANIES.get(spec.origin, tables.COMPANIES["US"]), 1):
        companies.append({"id": cid, "logo_path": image_path(random.Random(stable_seed("tmdb-logo", cid)), ".png"),
                          "name": cname, "origin_country": spec.origin})
    # One id per company, as on TMDB (the id range is designed; ids near the real 12525).
    companies.append({"id": 12_525 + spec.id, "logo_path": None, "name": f"{spec.name} Productions",
                      "origin_country": ""})  # TMDB has companies with no logo and no country
    networks = [{"id": n, "logo_path": image_path(random.Random(stable_seed("tmdb-network", n)), ".png"),
                 "name": tables.NETWORKS[n][0], "origin_country": tables.NETWORKS[n][1]} for n in spec.networks]
    english, native = tables.LANGUAGES[spec.lang]
    details = {
        "adult": False, "backdrop_path": image_path(irng), "created_by": created_by,
        "episode_run_time": [] if rng.random() < 0.5 else [rng.choice((25, 45, 55, 60))],
        "first_air_date": spec.first_air, "genres": [{"id": g, "name": tables.TV_GENRES[g][0]} for g in spec.genres],
        "homepage": f"https://www.{slug(spec.name).replace('-', '')}.tv" if rng.random() < 0.6 else "",
        "id": spec.id, "in_production": spec.status == "Returning Series", "languages": [spec.lang],
        "last_air_date": last_air, "last_episode_to_air": last_episode, "name": spec.name,
        "next_episode_to_air": next_episode, "networks": networks,
        "number_of_episodes": sum(spec.seasons), "number_of_seasons": len(spec.seasons),
        "origin_country": [spec.origin], "original_language": spec.lang,
        "original_name": spec.original_name or spec.name, "overview": overview["en"],
        "popularity": spec.popularity, "poster_path": image_path(irng), "production_companies": companies,
        "production_countries": [{"iso_3166_1": spec.origin,
                                  "name": tables.COUNTRY_NAMES.get(spec.origin, spec.origin)}],
        "seasons": seasons,
        "spoken_languages": [{"english_name": english, "iso_639_1": spec.lang, "name": native}],
        "status": spec.status, "tagline": "", "type": spec.show_type,
        "vote_average": round(rng.uniform(6.0, 9.2), 3), "vote_count": int(spec.popularity * rng.uniform(10, 60)),
    }
    handle = slug(spec.name).replace("-", "")
    external = {"imdb_id": spec.imdb_id, "freebase_mid": None, "freebase_id": None, "tvdb_id": spec.tvdb_id,
                "tvrage_id": None, "wikidata_id": f"Q{rng.randint(1_000_000, 120_000_000)}",
                "facebook_id": handle if spec.popularity > 100 else None,
                "instagram_id": handle if spec.popularity > 100 else None,
                "twitter_id": handle if spec.popularity > 150 else None}
    cast = []
    for order, name in enumerate(rng.sample(_CAST, 3)):
        person = people.get(name, "Acting")
        person.tv_credits.append(spec.id)
        cast.append({**person.base(), "character": f"Character {order + 1}", "credit_id": hex_id(rng), "order": order})
    crew = []
    for name in spec.created_by:
        person = people.get(name, "Writing")
        crew.append({**person.base(), "credit_id": hex_id(rng), "department": "Production",
                     "job": "Executive Producer"})
    translations = []
    for lang in dict.fromkeys(("en", "pl", "id", spec.lang)):
        t_english, t_native = tables.LANGUAGES[lang]
        translations.append({"iso_3166_1": tables.LOCALE_COUNTRY[lang], "iso_639_1": lang, "name": t_native,
                             "english_name": t_english,
                             "data": {"name": names.get(lang, ""), "overview": overview.get(lang, ""),
                                      "homepage": "", "tagline": ""}})
    keywords = [{"name": w, "id": 1000 + stable_seed("tmdb-kw", w) % 300_000}
                for w in rng.sample(("based on novel or book", "miniseries", "dark fantasy", "family drama",
                                     "police procedural", "small town", "dystopia", "workplace comedy"), 2)]
    return Show(spec=spec, details=details, overview=overview, names=names, external=external,
                providers=_show_providers(spec, rng), credits={"cast": cast, "crew": crew}, keywords=keywords,
                translations=translations)
