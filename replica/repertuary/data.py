"""The week of repertuary data: listings, cinemas and showtimes per city, and its ground truth.

Pure and deterministic: everything comes from random.Random(stable_seed(...)) over
(preset, seed, date). Day 0 is ``date`` (today in Europe/Warsaw); the data covers 7 days.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from replica.core import stable_seed
from replica.films import CURATED, Film, universe
from replica.repertuary.cities import (
    CITIES,
    TINY_KRAKOW,
    Cinema,
    generated_cinemas,
    host,
    krakow_cinemas,
    tier,
)
from replica.repertuary.polish import slugify, sort_key

DAYS = 7
FIRST_SHOWTIME_ID = 20_000_000  # real ids look like 20021845 (8 digits)

# Separate listings with a format suffix (docs/sources/repertuary.md#format-suffixes). The choice of
# which films get which suffix is designed.
CURATED_VARIANTS: dict[int, tuple[str, ...]] = {
    1084242: ("3D", "ukraiński dubbing"),  # Zwierzogród 2
    83533: ("3D", "IMAX"),  # Avatar: Ogień i popiół
    1311031: ("napisy",),  # Miecz zabójcy demonów
    1061474: ("IMAX",),  # Superman
    1139695: ("ukraiński dubbing",),  # Pan Wilk i spółka 2
    967941: ("napisy",),  # Wicked: Na dobre
}
# Values quoted from the real site; the rest is generated.
REAL_PREMIERES = {157336: dt.date(2014, 11, 6), 402431: dt.date(2024, 12, 6)}
REAL_DISTRIBUTORS = {157336: "Warner Bros.", 402431: "UIP", 967941: "UIP"}
REAL_LIST_UUIDS = {"dom-dobry": "c74ad00c-2f8e-4fc6-a726-484848a8f041"}
DISTRIBUTORS = (
    "UIP",
    "Disney",
    "Warner Bros.",
    "Kino Świat",
    "Monolith Films",
    "Gutek Film",
    "Best Film",
    "Next Film",
    "Forum Film",
    "Galapagos Films",
    "M2 Films",
    "Mayfly",
)
CURATED_IDS = frozenset(f.tmdb_id for f in CURATED)
UPCOMING_POOL = 42  # generated films announced but not yet playing
THIS_WEEK_POOL = 5  # generated films whose premiere is this Friday (no showtimes before it)
TINY = {
    "krakow": ((157336, 967941, 1084242, 1226578, 426063, 771, 1064028), 1, 3, 18),
    "warszawa": ((157336, 1084242, 1226578, 83533), 0, 2, 10),
    "gdansk": ((402431, 1061474, 1233413), 0, 2, 8),
}  # city -> (curated tmdb ids, this-week films, upcoming films, showtimes per day)


@dataclass(frozen=True)
class Listing:
    """One film entry of the site: a film, or a film in one format ("Zwierzogród 2 3D")."""

    slug: str  # clean slug: the film page is /film/{slug}.html
    list_slug: str  # as linked from list pages, sometimes with a UUID suffix
    title: str
    film: Film
    suffix: str
    premiere: dt.date
    distributor: str
    weight: float  # relative number of screenings


@dataclass(frozen=True)
class Showtime:
    showtime_id: int
    slug: str  # listing slug
    cinema: str  # cinema slug
    day: dt.date
    time: str  # HH:MM, Europe/Warsaw wall clock


@dataclass
class CityData:
    key: str
    name: str
    host: str
    cinemas: list[Cinema]
    listings: list[Listing]  # sorted by title
    showtimes: list[Showtime]  # sorted by day, time, cinema, slug
    cinema_by_slug: dict[str, Cinema] = field(init=False)
    listing_by_slug: dict[str, Listing] = field(init=False)
    shows: dict[tuple[dt.date, str], list[Showtime]] = field(init=False)  # (day, listing slug) -> shows

    def __post_init__(self) -> None:
        self.cinema_by_slug = {c.slug: c for c in self.cinemas}
        self.listing_by_slug = {listing.slug: listing for listing in self.listings}
        self.shows = {}
        for show in self.showtimes:
            self.shows.setdefault((show.day, show.slug), []).append(show)
        order = {c.slug: sort_key(c.name) for c in self.cinemas}
        for shows in self.shows.values():
            shows.sort(key=lambda s: (order[s.cinema], s.time))

    def on_day(self, day: dt.date) -> list[Listing]:
        """Listings with at least one showtime on ``day``, in title order."""
        return [listing for listing in self.listings if (day, listing.slug) in self.shows]


@dataclass
class Dataset:
    preset: str
    seed: int
    date: dt.date
    dates: list[dt.date]
    cities: dict[str, CityData]
    showtime_index: dict[int, tuple[str, Showtime]]  # every city's ids: the ticket host is shared


# ----- the national catalogue ------------------------------------------------------


@dataclass
class _Group:
    """A film and its format variants; a city plays all of them or none."""

    listings: list[Listing]
    start: int  # first day index with showtimes; DAYS for upcoming films
    film: Film


def _friday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(4 - day.weekday()) % 7)


def _catalogue(seed: int, date: dt.date, rng: random.Random) -> tuple[list[_Group], list[_Group], list[_Group]]:
    """(showing, premiering this Friday, upcoming) groups shared by every city.

    Slugs and list slugs are global, because the original's data says slugs are "consistent
    across all cities".
    """
    films = [f for f in universe(seed) if f.in_cinemas]
    curated = [f for f in films if f.tmdb_id in CURATED_IDS]
    generated = [f for f in films if f.tmdb_id not in CURATED_IDS]
    rng.shuffle(generated)
    # The newest productions are the announced ones, so films playing now are not from next year.
    generated.sort(key=lambda f: -f.year)
    upcoming, this_week, showing = (
        generated[:UPCOMING_POOL],
        generated[UPCOMING_POOL : UPCOMING_POOL + THIS_WEEK_POOL],
        generated[UPCOMING_POOL + THIS_WEEK_POOL :],
    )
    taken: set[str] = set()

    def slug_for(title: str, film: Film) -> str:
        base = slugify(title) or f"film-{film.tmdb_id}"
        for candidate in (base, f"{base}-{film.year}", *(f"{base}-{n}" for n in range(2, 99))):
            if candidate not in taken:
                taken.add(candidate)
                return candidate
        raise AssertionError("unreachable")

    fridays_back = _friday_on_or_after(date) - dt.timedelta(days=7 if date.weekday() != 4 else 0)
    this_friday = _friday_on_or_after(date)
    first_upcoming = _friday_on_or_after(date + dt.timedelta(days=DAYS))

    def group(film: Film, kind: str) -> _Group:
        if kind == "upcoming":
            premiere = first_upcoming + dt.timedelta(weeks=rng.randint(0, 8))
        elif kind == "this_week":
            premiere = this_friday
        elif film.tmdb_id in REAL_PREMIERES:
            premiere = REAL_PREMIERES[film.tmdb_id]
        elif film.year < date.year:
            premiere = dt.date(film.year, rng.randint(1, 12), rng.randint(1, 28))
        else:
            premiere = fridays_back - dt.timedelta(weeks=rng.randint(0, 8))
        start = min(max((premiere - date).days, 0), DAYS)
        distributor = REAL_DISTRIBUTORS.get(film.tmdb_id) or rng.choice(DISTRIBUTORS)
        suffixes = [""]
        if kind != "upcoming":
            suffixes += CURATED_VARIANTS.get(film.tmdb_id, ())
            if film.tmdb_id not in CURATED_IDS and "animacja" in film.genres and rng.random() < 0.4:
                suffixes.append("ukraiński dubbing")
            elif film.tmdb_id not in CURATED_IDS and {"sci-fi", "przygodowy"} & set(film.genres) and rng.random() < 0.3:
                suffixes.append("3D")
        listings = []
        for suffix in suffixes:
            title = f"{film.title_pl} {suffix}" if suffix else film.title_pl
            slug = slug_for(title, film)
            if slug in REAL_LIST_UUIDS:
                list_slug = f"{slug}-{REAL_LIST_UUIDS[slug]}"
            elif rng.random() < 0.12:
                list_slug = f"{slug}-{uuid.UUID(int=rng.getrandbits(128), version=4)}"
            else:
                list_slug = slug
            weight = film.popularity**0.7 * (0.45 if suffix else 1.0)
            listings.append(Listing(slug, list_slug, title, film, suffix, premiere, distributor, weight))
        return _Group(listings, start, film)

    return (
        [group(f, "showing") for f in curated + showing],
        [group(f, "this_week") for f in this_week],
        [group(f, "upcoming") for f in upcoming],
    )


# ----- one city --------------------------------------------------------------------

_KIND_WEIGHT = {"multiplex": 3.0, "imax": 1.5, "arthouse": 1.0}


def _venues(rng: random.Random, listing: Listing, cinemas: list[Cinema]) -> list[Cinema]:
    """Where a listing plays: blockbusters in multiplexes, small films in arthouse cinemas."""
    multiplex = [c for c in cinemas if c.kind == "multiplex"]
    imax = [c for c in cinemas if c.kind == "imax"]
    arthouse = [c for c in cinemas if c.kind == "arthouse"]
    popularity = listing.film.popularity
    if listing.suffix == "IMAX":
        pool = imax or multiplex[:1]
    elif listing.suffix in ("3D", "ukraiński dubbing"):
        pool = multiplex + (imax if listing.suffix == "3D" else [])
    elif listing.suffix == "napisy":
        pool = multiplex + arthouse
    elif popularity >= 40:
        pool = multiplex + (imax if popularity >= 100 else []) + [c for c in arthouse if rng.random() < 0.25]
    elif popularity >= 12 or listing.film.original_language == "pl":
        chosen = multiplex + arthouse
        pool = rng.sample(chosen, min(len(chosen), rng.randint(2, 5)))
    else:
        chosen = arthouse or multiplex
        pool = rng.sample(chosen, min(len(chosen), rng.randint(1, 3)))
    return sorted(pool or cinemas, key=lambda c: c.slug)


def _times(cinema: Cinema) -> list[str]:
    # Multiplexes start every 5 minutes from 9:30 to 22:45; small cinemas on the quarter hour.
    first, last, step = (570, 1365, 5) if cinema.kind != "arthouse" else (660, 1290, 15)
    return [f"{m // 60:02d}:{m % 60:02d}" for m in range(first, last + 1, step)]


def _schedule(
    rng: random.Random, dates: list[dt.date], groups: list[_Group], cinemas: list[Cinema], per_day: int
) -> list[tuple[dt.date, str, str, str]]:
    """(day, time, cinema slug, listing slug) tuples; every active listing plays at least once a day."""
    venues = {listing.slug: _venues(rng, listing, cinemas) for g in groups for listing in g.listings}
    grids = {c.slug: _times(c) for c in cinemas}
    shows: list[tuple[dt.date, str, str, str]] = []
    for index, day in enumerate(dates):
        active = [listing for g in groups if g.start <= index for listing in g.listings]
        if not active:
            continue
        used: set[tuple[str, str, str]] = set()  # one screening per (listing, cinema, time)

        def add(listing: Listing, cinema: Cinema, day: dt.date = day, used: set = used) -> None:
            for _ in range(8):
                time = rng.choice(grids[cinema.slug])
                if (listing.slug, cinema.slug, time) not in used:
                    used.add((listing.slug, cinema.slug, time))
                    shows.append((day, time, cinema.slug, listing.slug))
                    return

        for listing in active:
            add(listing, rng.choice(venues[listing.slug]))
        pairs = [(listing, c) for listing in active for c in venues[listing.slug]]
        weights = [listing.weight * _KIND_WEIGHT[c.kind] for listing, c in pairs]
        weekend = 1.1 if day.weekday() >= 4 else 1.0
        extra = round(per_day * rng.uniform(0.92, 1.08) * weekend) - len(active)
        for listing, cinema in rng.choices(pairs, weights, k=max(extra, 0)):
            add(listing, cinema)
    return shows


def _pick_default(
    rng: random.Random, city: str, showing: list[_Group], this_week: list[_Group], upcoming: list[_Group]
) -> tuple[list[_Group], list[_Group]]:
    t = tier(city)
    wanted = rng.randint(*t.showing)
    candidates = showing + this_week
    # Kraków plays every curated (hard-to-match) film and this week's premieres.
    forced = {id(g) for g in candidates if city == "krakow" and g.film.tmdb_id in CURATED_IDS}
    forced |= {id(g) for g in this_week} if city == "krakow" else set()
    ranked = sorted(candidates, key=lambda g: -(1e9 if id(g) in forced else g.film.popularity * rng.uniform(0.3, 1.7)))
    picked: list[_Group] = []
    count = 0
    for g in ranked:
        if count >= wanted:
            break
        picked.append(g)
        count += len(g.listings)
    return picked, rng.sample(upcoming, min(len(upcoming), rng.randint(*t.upcoming)))


def _pick_tiny(
    rng: random.Random, city: str, showing: list[_Group], this_week: list[_Group], upcoming: list[_Group]
) -> tuple[list[_Group], list[_Group], int]:
    ids, n_this_week, n_upcoming, per_day = TINY[city]
    by_id = {g.film.tmdb_id: g for g in showing}
    picked = []
    for tmdb_id in ids:
        g = by_id[tmdb_id]
        # Only the 3D variant in tiny: one suffixed listing is enough to exercise normalisation.
        picked.append(_Group([lst for lst in g.listings if lst.suffix in ("", "3D")], g.start, g.film))
    return picked + this_week[:n_this_week], rng.sample(upcoming, n_upcoming), per_day


def build_dataset(preset: str, seed: int, date: dt.date) -> Dataset:
    """The whole week for every city; a pure function of (preset, seed, date)."""
    dates = [date + dt.timedelta(days=i) for i in range(DAYS)]
    showing, this_week, upcoming = _catalogue(seed, date, random.Random(stable_seed("repertuary", seed, date)))
    id_rng = random.Random(stable_seed("repertuary-ids", preset, seed, date))
    next_id = FIRST_SHOWTIME_ID + id_rng.randint(0, 999_999)
    cities: dict[str, CityData] = {}
    index: dict[int, tuple[str, Showtime]] = {}
    for city, name in CITIES.items():
        rng = random.Random(stable_seed("repertuary", preset, seed, date, city))
        if preset == "tiny":
            if city in TINY:
                playing, announced, per_day = _pick_tiny(rng, city, showing, this_week, upcoming)
                cinemas = (
                    krakow_cinemas(rng, TINY_KRAKOW) if city == "krakow" else generated_cinemas(rng, city, (2, 0, 1))
                )
            else:
                playing, announced, per_day = [], [], 0
                cinemas = generated_cinemas(rng, city, (1, 0, 0))
        else:
            playing, announced = _pick_default(rng, city, showing, this_week, upcoming)
            per_day = tier(city).per_day
            cinemas = krakow_cinemas(rng) if city == "krakow" else generated_cinemas(rng, city, tier(city).cinemas)
        raw = sorted(_schedule(rng, dates, playing, cinemas, per_day))
        showtimes = []
        for day, time, cinema, slug in raw:
            next_id += id_rng.randint(1, 37)
            show = Showtime(next_id, slug, cinema, day, time)
            showtimes.append(show)
            index[show.showtime_id] = (city, show)
        listings = sorted((lst for g in playing + announced for lst in g.listings), key=lambda x: sort_key(x.title))
        cities[city] = CityData(city, name, host(city), cinemas, listings, showtimes)
    return Dataset(preset, seed, date, dates, cities, index)


def truth(ds: Dataset) -> dict[str, Any]:
    """What a perfect crawler would extract, as JSON-serialisable data."""
    cities: dict[str, Any] = {}
    for key, city in ds.cities.items():
        has_shows = {show.slug for show in city.showtimes}
        cities[key] = {
            "host": city.host,
            "cinemas": [{"slug": c.slug, "name": c.name} for c in city.cinemas],
            "films": [
                {
                    "slug": lst.slug,
                    "list_slug": lst.list_slug,
                    "title_pl": lst.title,
                    "original_title": lst.film.original_title,
                    "director": lst.film.director,
                    "year": lst.film.year,
                    "countries": list(lst.film.countries_pl),
                    "runtime": lst.film.runtime,
                    "cast": list(lst.film.cast),
                    "genres": list(lst.film.genres),
                    "upcoming": lst.slug not in has_shows,
                    "tmdb_id": lst.film.tmdb_id,
                }
                for lst in city.listings
            ],
            "showtimes": [
                {
                    "film_slug": s.slug,
                    "cinema_slug": s.cinema,
                    "date": s.day.isoformat(),
                    "time": s.time,
                    "showtime_id": str(s.showtime_id),
                }
                for s in city.showtimes
            ],
        }
    return {"dates": [d.isoformat() for d in ds.dates], "cities": cities}
