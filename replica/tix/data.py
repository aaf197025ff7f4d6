"""The TIX.id replica's day: cities, movies, theatres, showtimes and seat counts.

``build_dataset`` is a pure function of (preset, seed, date). Theatres and movies depend on
the seed only, so IDs stay put from one day to the next; showtimes depend on the date too.
Shapes and magnitudes follow docs/sources/tix.md#data and #scale (495 theatres, Jakarta 87, about 11.5k
showtimes, 5.5 per theatre and movie).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replica import films
from replica.core import JAKARTA, Clock, snowflake, stable_seed
from replica.tix import vocab
from replica.tix.layouts import Geometry, make_geometry

CITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "tix_cities.json"
PAGE_SIZE = 10  # theatres per E4 page (docs/sources/tix.md#e4-schedules)
FIRST_SHOW, LAST_SHOW = 10 * 60, 23 * 60 + 30  # minutes after midnight, WIB


@dataclass(frozen=True, slots=True)
class City:
    id: str
    name: str


@dataclass(slots=True)
class Movie:
    id: str
    title: str
    genres: tuple[tuple[str, str], ...]  # (id, name)
    age_category: str
    country: str
    poster_path: str
    presale: bool
    duration: int
    tmdb_id: int | None
    reach: float  # probability that a theatre shows it
    has_3d: bool
    big_only: bool = False  # the "(IMAX 2D)" listing plays in large-format rooms only
    cities: frozenset[str] | None = None  # a limited release: these city names only


@dataclass(slots=True)
class Room:
    """One category of one theatre: its price and its auditoriums (usually one)."""

    category: str  # raw, e.g. "REGULAR " with its trailing space
    kind: str  # main, 3d, premium, big, big3d (vocab.CATEGORIES)
    price_string: str
    price: int
    auditoriums: list[Geometry]


@dataclass(slots=True)
class Theatre:
    id: str
    name: str
    merchant: str
    city: City
    address: str
    rooms: list[Room]


@dataclass(slots=True)
class Showtime:
    id: str
    movie: Movie
    theatre: Theatre
    room: Room
    geometry: Geometry
    time: str  # "HH:MM" WIB
    starts_at: dt.datetime
    start_ts: float
    unavailable: int


@dataclass(slots=True)
class Group:
    """One price group of E4: a room of a theatre and the movie's showtimes in it."""

    room: Room
    showtimes: list[Showtime]


@dataclass(slots=True)
class Listing:
    """One theatre in the E4 answer for a movie and city."""

    theatre: Theatre
    groups: list[Group]


@dataclass
class TixDataset:
    preset: str
    seed: int
    date: dt.date
    cities: list[City]
    movies: list[Movie]
    theatres: list[Theatre]
    showtimes: list[Showtime]
    schedules: dict[tuple[str, str], list[Listing]] = field(default_factory=dict)  # (movie, city) -> sorted
    city_movies: dict[str, list[tuple[Movie, tuple[str, ...]]]] = field(default_factory=dict)  # with merchants
    by_showtime: dict[str, Showtime] = field(default_factory=dict)
    by_movie: dict[str, Movie] = field(default_factory=dict)
    # The clock of the server built on this dataset, so truth() without ``now`` matches
    # what the endpoints serve under a frozen or shifted replica clock.
    clock: Clock | None = None


# ----- cities and theatres --------------------------------------------------------------------


def _all_cities() -> list[City]:
    return [City(c["id"], c["name"]) for c in json.loads(CITIES_FILE.read_text())["cities"]]


def _theatre_plan(rng: random.Random, preset: str, cities: list[City]) -> list[tuple[City, str]]:
    """(city, merchant) for every theatre, city by city in the site's alphabetical order."""
    if preset == "tiny":
        mix = {"JAKARTA": [vocab.XXI] * 7 + [vocab.CGV] * 2 + [vocab.CINEPOLIS] * 2,
               "BANDUNG": [vocab.CGV], "AMBON": [vocab.XXI]}
        return [(city, merchant) for city in cities for merchant in mix[city.name]]
    counts = {c.name: vocab.DEFAULT_THEATRES.get(c.name, 1) for c in cities}
    small = [c.name for c in cities if c.name not in vocab.DEFAULT_THEATRES]
    while sum(counts.values()) < vocab.DEFAULT_TOTAL_THEATRES:
        name = rng.choice(small)
        if counts[name] < 3:
            counts[name] += 1
    plan = []
    for city in cities:
        n = counts[city.name]
        if city.name == "JAKARTA":
            merchants = [m for m, k in vocab.JAKARTA_MIX.items() for _ in range(k)]
        else:
            weights = (0.68, 0.18, 0.14) if n >= 4 else (0.8, 0.12, 0.08)
            merchants = rng.choices(vocab.MERCHANTS, weights, k=n)
        plan.extend((city, m) for m in merchants)
    return plan


def _theatre_name(rng: random.Random, city: City, merchant: str, taken: set[str]) -> str:
    suffix = vocab.NAME_SUFFIX[merchant]
    while True:
        if city.name == "JAKARTA" and rng.random() < 0.5:
            place = rng.choice(vocab.JAKARTA_PLACES)
        elif rng.random() < 0.35:
            place = f"{rng.choice(vocab.VENUES)} {city.name}"
        else:
            place = f"{rng.choice(vocab.VENUES)} {rng.choice(vocab.DISTRICTS)}"
        name = f"{place} {suffix}"
        if name not in taken:
            taken.add(name)
            return name


def _address(rng: random.Random, city: City) -> str:
    """Addresses as the site serves them: CRLF line breaks, doubled spaces, trailing blanks."""
    street = f"Jl. {rng.choice(vocab.STREETS)} No. {rng.randint(1, 250)}"
    floor, district = rng.choice(vocab.FLOORS), rng.choice(vocab.DISTRICTS).title()
    place = f"{city.name.title()} {rng.randint(10, 99)}{rng.randint(100, 999)}"
    style = rng.random()
    if style < 0.35:
        return f"{floor}\r\n{street},\r\n{district} – {city.name.title()}\r\n{place}\r\n\r\n "
    if style < 0.6:
        return f"{floor}  {street}, {district},  {place} "
    if style < 0.7:
        return f"{street}, {district}, {place}\r\n"
    return f"{floor} {street}, {district}, {place}"


def _rupiah(amount: int) -> str:
    return "Rp" + f"{amount:,}".replace(",", ".")


def _rooms(rng: random.Random, merchant: str, big_city: bool) -> list[Room]:
    shape = vocab.SHAPE[merchant]
    chosen = []
    for category, kind in vocab.CATEGORIES[merchant]:
        if kind == "main":
            wanted = not any(k == "main" for _, k in chosen)  # Cinépolis: "REGULAR " or "REGULAR 2D"
            if merchant == vocab.CINEPOLIS and category == "REGULAR " and rng.random() < 0.3:
                wanted = False
        else:
            odds = {"3d": 0.35, "premium": 0.12, "big": 0.12 if big_city else 0.04}.get(kind, 0.0)
            if kind == "big3d":
                odds = 0.5 if any(k == "big" for _, k in chosen) else 0.03
            wanted = rng.random() < odds
        if wanted:
            chosen.append((category, kind))
    base = rng.randrange(40_000 if big_city else 30_000, (60_000 if big_city else 45_000) + 1, 5_000)
    rooms = []
    for category, kind in chosen:
        factor = {"main": 1.0, "3d": 1.2, "premium": rng.choice((2.0, 2.5, 3.0, 4.0)), "big": 1.6, "big3d": 1.8}[kind]
        price = int(base * factor) // 1000 * 1000
        # About half the rooms quote a weekday-weekend range rather than one price (docs/sources/tix.md#data-quirks).
        price_string = _rupiah(price) if rng.random() < 0.55 else f"{_rupiah(price)} - {_rupiah(price + 5_000)}"
        halls = 2 if kind == "main" and rng.random() < 0.5 else 1
        rooms.append(Room(category, kind, price_string, price,
                          [make_geometry(rng, shape, kind, category) for _ in range(halls)]))
    return rooms


def _theatres(rng: random.Random, preset: str, cities: list[City]) -> list[Theatre]:
    theatres: list[Theatre] = []
    taken: set[str] = set()
    for city, merchant in _theatre_plan(rng, preset, cities):
        big_city = vocab.DEFAULT_THEATRES.get(city.name, 1) >= 10
        opened = dt.datetime(2018, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randint(0, 2000))
        theatres.append(Theatre(
            id=snowflake(rng, opened),
            name=_theatre_name(rng, city, merchant, taken),
            merchant=merchant,
            city=city,
            address=_address(rng, city),
            rooms=_rooms(rng, merchant, big_city),
        ))
    return theatres


# ----- movies ----------------------------------------------------------------------------------


def _age(rng: random.Random, genres: tuple[str, ...]) -> str:
    if "Horror" in genres:
        return "D"
    if "Animation" in genres or "Family" in genres:
        return "P" if rng.random() < 0.2 else "SU"
    return "D" if "Action" in genres and rng.random() < 0.4 else "R"


def _genre_ids(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    created = dt.datetime(2018, 2, 26, tzinfo=dt.UTC)
    return tuple((snowflake(random.Random(stable_seed("tix-genre", n)), created), n) for n in names)


def _movie(rng: random.Random, title: str, genres: tuple[str, ...], country: str, duration: int,
           tmdb_id: int | None, presale: bool, reach: float, has_3d: bool = False, big_only: bool = False,
           cities: frozenset[str] | None = None) -> Movie:
    created = dt.datetime(2025, 6, 1, tzinfo=dt.UTC) + dt.timedelta(days=rng.randint(0, 180))
    return Movie(
        id=snowflake(rng, created),
        title=title,
        genres=_genre_ids(genres),
        age_category=_age(rng, genres),
        # The real list leaves country empty for about a third of the movies (docs/sources/tix.md#data-quirks).
        country="" if rng.random() < 0.35 else country,
        poster_path=f"https://asset.tix.id/movie_poster_v2/{uuid.UUID(int=rng.getrandbits(128), version=4)}.webp",
        presale=presale,
        duration=duration,
        tmdb_id=tmdb_id,
        reach=reach,
        has_3d=has_3d,
        big_only=big_only,
        cities=cities,
    )


def _from_film(rng: random.Random, film: films.Film, presale: bool, reach: float, has_3d: bool) -> Movie:
    genres = tuple(dict.fromkeys(vocab.GENRES_EN.get(g, g.title()) for g in film.genres))
    return _movie(rng, film.title_id.upper(), genres, vocab.COUNTRIES_EN.get(film.countries[0], ""),
                  film.runtime, film.tmdb_id, presale, reach, has_3d=has_3d)


def _movies(rng: random.Random, preset: str, seed: int, cities: list[City]) -> list[Movie]:
    universe = [f for f in films.universe(seed) if f.in_cinemas and f.original_language in vocab.LOCAL_LANGUAGES]
    curated = [f for f in universe if f in films.CURATED]
    if preset == "tiny":
        by_id = {f.tmdb_id: f for f in curated}
        picks = [(83533, False, 1.0), (1084242, False, 0.6), (1179558, False, 0.5), (426063, True, 0.3),
                 (1022256, True, 0.3)]
        return [_from_film(rng, by_id[t], presale, reach, t in (83533, 1084242)) for t, presale, reach in picks]
    # Most curated films (the hard matching cases among them) and a few generated ones.
    keep = [f for f in curated if f.hard_case or rng.random() < 0.85]
    extra = [f for f in universe if f not in films.CURATED]
    local = [f for f in extra if f.original_language == "id"]
    keep += rng.sample(local, 3) + rng.sample([f for f in extra if f not in local], 2)
    keep = keep[:27]  # with the two extra listings below: 26-30 movies, as on the real site
    # The widest release first, then by popularity; reach falls off with rank.
    keep.sort(key=lambda f: (-f.popularity, f.tmdb_id))
    n_total = len(keep) + 2  # + the IMAX listing + the unmatched local one
    presale_ranks = set(rng.sample(range(2, n_total), n_total // 2 - 1))
    names = [c.name for c in cities]

    def limited() -> frozenset[str]:
        # Smaller titles open in a handful of cities, Jakarta in about half of them, which
        # gives Jakarta about 19 titles and 2-19 per city (docs/sources/tix.md#scale).
        chosen = set(rng.sample(names, rng.randint(4, 16)))
        chosen.discard("JAKARTA")
        if rng.random() < 0.5:
            chosen.add("JAKARTA")
        return frozenset(chosen)

    movies = []
    for rank, film in enumerate(keep):
        reach = 1.0 if rank == 0 else 0.82 / rank ** 0.65 if rank < 7 else 0.32
        presale = rank in presale_ranks
        movie = _from_film(rng, film, presale, reach * (0.6 if presale else 1.0), rank < 4)
        if rank >= 7:
            movie.cities = limited()
        movies.append(movie)
    top = keep[0]
    movies.append(_movie(rng, f"{top.title_id.upper()} {vocab.IMAX_SUFFIX}", tuple(n for _, n in movies[0].genres),
                         movies[0].country, top.runtime, top.tmdb_id, len(keep) in presale_ranks, 1.0,
                         big_only=True))
    movies.append(_movie(rng, vocab.UNMATCHED_TITLES[0], ("Music",), "Indonesia", 125, None,
                         len(keep) + 1 in presale_ranks, 0.2, cities=limited()))
    return movies


# ----- showtimes --------------------------------------------------------------------------------


def _slots(rng: random.Random, duration: int, wanted: int) -> list[int]:
    """Up to ``wanted`` consecutive screenings in one auditorium, 10:00-23:30 WIB."""
    gap = -(-(duration + rng.randint(15, 35)) // 5) * 5
    first = FIRST_SHOW + rng.randrange(0, 121, 5)
    starts = list(range(first, LAST_SHOW + 1, gap))
    if len(starts) <= wanted:
        return starts
    begin = rng.randint(0, len(starts) - wanted)
    return starts[begin:begin + wanted]


def _occupancy(showtime_id: str, total: int, minute: int, movie: Movie) -> int:
    rng = random.Random(stable_seed("tix-occupancy", showtime_id))
    roll = rng.random()
    if roll < 0.08:
        return 0
    if roll < 0.11:
        return total  # sold out (docs/sources/tix.md#scale: a 160-seat XXI map at 100 %)
    base = 0.35 if minute >= 18 * 60 else 0.2 if minute >= 13 * 60 else 0.08
    base *= 1.6 if movie.reach >= 1.0 else 0.6 if movie.presale else 1.0
    return min(total, round(total * min(1.0, base * rng.uniform(0.3, 2.2))))


def _is_imax(room: Room) -> bool:
    return room.category.startswith("IMAX")


def _pair_rooms(rng: random.Random, theatre: Theatre, movie: Movie, imax_listed: bool) -> list[tuple[Room, int]]:
    """The rooms a theatre plays a movie in, each with how many screenings it wants.

    When the widest release also has its own "(IMAX 2D)" listing, its IMAX screenings
    belong to that listing only.
    """
    if movie.big_only:
        return [(r, rng.randint(2, 4)) for r in theatre.rooms if _is_imax(r)][:1]
    chosen = []
    for room in theatre.rooms:
        if imax_listed and movie.reach >= 1.0 and _is_imax(room):
            continue
        if room.kind == "main":
            chosen.append((room, 6 if movie.reach >= 1.0 else rng.choice((3, 4, 5, 5, 6, 6, 6))))
        elif room.kind in ("3d", "big3d") and movie.has_3d and rng.random() < 0.6:
            chosen.append((room, rng.randint(1, 3)))
        elif room.kind == "big" and movie.reach >= 0.5 and rng.random() < 0.6:
            chosen.append((room, rng.randint(2, 4)))
        elif room.kind == "premium" and movie.reach >= 0.2 and rng.random() < 0.35:
            chosen.append((room, rng.randint(1, 3)))
    return chosen


def _programme(rng: random.Random, theatres: list[Theatre], movies: list[Movie]) -> list[list[Movie]]:
    """Which movies each theatre shows; every movie somewhere, so none is listed without a schedule."""
    def eligible(theatre: Theatre, movie: Movie) -> bool:
        if movie.cities is not None and theatre.city.name not in movie.cities:
            return False
        return not movie.big_only or any(_is_imax(r) for r in theatre.rooms)

    picks = [[m for m in movies if rng.random() < m.reach and eligible(t, m)] for t in theatres]
    for movie in movies:
        if not any(movie in p for p in picks):
            candidates = [i for i, t in enumerate(theatres) if eligible(t, movie)]
            if candidates:
                picks[rng.choice(candidates)].append(movie)
    return picks


def _showtimes(rng: random.Random, date: dt.date, theatres: list[Theatre], movies: list[Movie]) -> list[Showtime]:
    created = dt.datetime.combine(date - dt.timedelta(days=1), dt.time(9), JAKARTA)
    midnight = dt.datetime.combine(date, dt.time(0), JAKARTA)
    imax_listed = any(m.big_only for m in movies)
    shows: list[Showtime] = []
    seen: set[str] = set()
    for theatre, picks in zip(theatres, _programme(rng, theatres, movies), strict=True):
        for movie in picks:
            for room, wanted in _pair_rooms(rng, theatre, movie, imax_listed):
                # The widest release fills a second hall where there is one.
                for hall, geometry in enumerate(room.auditoriums[: 2 if movie.reach >= 1.0 else 1]):
                    for minute in _slots(rng, movie.duration + hall * 40, wanted):
                        sid = snowflake(rng, created + dt.timedelta(minutes=rng.randint(0, 600)))
                        while sid in seen:
                            sid = snowflake(rng, created)
                        seen.add(sid)
                        starts = midnight + dt.timedelta(minutes=minute)
                        shows.append(Showtime(sid, movie, theatre, room, geometry,
                                              f"{minute // 60:02d}:{minute % 60:02d}", starts, starts.timestamp(),
                                              _occupancy(sid, geometry.total, minute, movie)))
    return shows


# ----- assembly ---------------------------------------------------------------------------------


def build_dataset(preset: str, seed: int, date: dt.date) -> TixDataset:
    """The whole TIX.id day, deterministic for (preset, seed, date)."""
    if preset not in ("tiny", "default"):
        raise ValueError(f"unknown preset {preset!r}")
    stable = random.Random(stable_seed("tix", preset, seed))
    cities = _all_cities()
    if preset == "tiny":
        cities = [c for c in cities if c.name in ("AMBON", "BANDUNG", "JAKARTA")]
    theatres = _theatres(stable, preset, cities)
    movies = _movies(stable, preset, seed, cities)
    shows = _showtimes(random.Random(stable_seed("tix-day", preset, seed, date)), date, theatres, movies)
    ds = TixDataset(preset, seed, date, cities, [], theatres, shows)
    _index(ds, movies)
    return ds


def _index(ds: TixDataset, movies: list[Movie]) -> None:
    """Lookups the endpoints need, built once: E3 per city, E4 per (movie, city), E5 per ID."""
    listings: dict[tuple[str, str], dict[str, Listing]] = {}
    for st in sorted(ds.showtimes, key=lambda s: (s.start_ts, s.id)):
        ds.by_showtime[st.id] = st
        listing = listings.setdefault((st.movie.id, st.theatre.city.id), {}).setdefault(
            st.theatre.id, Listing(st.theatre, []))
        group = next((g for g in listing.groups if g.room is st.room), None)
        if group is None:
            group = Group(st.room, [])
            listing.groups.append(group)
        group.showtimes.append(st)
    for key, by_theatre in listings.items():
        for listing in by_theatre.values():
            listing.groups.sort(key=lambda g, rooms=listing.theatre.rooms: rooms.index(g.room))
        ds.schedules[key] = sorted(by_theatre.values(), key=lambda li: (li.theatre.name, li.theatre.id))
    ds.movies = [m for m in movies if any((m.id, c.id) in ds.schedules for c in ds.cities)]
    ds.by_movie = {m.id: m for m in ds.movies}
    for city in ds.cities:
        entries = []
        for movie in ds.movies:
            listings = ds.schedules.get((movie.id, city.id))
            if listings:
                present = {li.theatre.merchant for li in listings}
                entries.append((movie, tuple(m for m in vocab.MERCHANTS if m in present)))
        ds.city_movies[city.id] = entries
    used = {st.theatre.id for st in ds.showtimes}
    ds.theatres = [t for t in ds.theatres if t.id in used]


def is_past(st: Showtime, now: dt.datetime) -> bool:
    """A showtime that has started is no longer bookable: status 0 in E4, EXPIRED_EVENT_DETAIL in E5."""
    return st.start_ts <= now.timestamp()


def truth(ds: TixDataset, now: dt.datetime | None = None) -> dict[str, Any]:
    """Exactly what the endpoints serve, as plain JSON."""
    now = now or (ds.clock.now() if ds.clock else dt.datetime.now(dt.UTC))
    movies = []
    for movie in ds.movies:
        cities = [c for c in ds.cities if (movie.id, c.id) in ds.schedules]
        merchants = {li.theatre.merchant for c in cities for li in ds.schedules[(movie.id, c.id)]}
        movies.append({
            "movie_id": movie.id, "title": movie.title, "genres": [n for _, n in movie.genres],
            "age_category": movie.age_category, "country": movie.country, "poster_path": movie.poster_path,
            "presale": movie.presale, "merchants": sorted(merchants), "cities": sorted(c.name for c in cities),
            "tmdb_id": movie.tmdb_id,
        })
    categories: dict[str, set[str]] = {}
    for st in ds.showtimes:
        categories.setdefault(st.theatre.id, set()).add(st.room.category)
    theatres = [{"theatre_id": t.id, "name": t.name, "merchant": t.merchant, "city": t.city.name,
                 "address": t.address, "room_categories": sorted(categories[t.id])} for t in ds.theatres]
    date = ds.date.isoformat()
    showtimes, seats = [], {}
    for st in sorted(ds.showtimes, key=lambda s: (s.movie.id, s.theatre.id, s.room.category, s.time, s.id)):
        showtimes.append({
            "showtime_id": st.id, "movie_id": st.movie.id, "theatre_id": st.theatre.id,
            "city": st.theatre.city.name, "merchant": st.theatre.merchant, "room_category": st.room.category,
            "price_string": st.room.price_string, "time": st.time, "date": date,
            "status": 0 if is_past(st, now) else 1, "starts_at": st.starts_at.isoformat(),
        })
        total = st.geometry.total
        seats[st.id] = {"total": total, "unavailable": st.unavailable, "available": total - st.unavailable,
                        "shape": st.geometry.shape, "rows": list(st.geometry.rows)}
    return {"date": date, "cities": [{"id": c.id, "name": c.name} for c in ds.cities], "movies": movies,
            "theatres": theatres, "showtimes": showtimes, "seats": seats}
