"""TIX.id's items (cineradar/spiders/tix_*.py, docs/sources/tix.md); the shared types are in base.py."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from cineradar.items.base import (
    HHMM,
    CineItem,
    D,
    MergeRule,
    NonEmpty,
    NonNegative,
    Percent,
    Rupiah,
    TixId,
    WibDatetime,
)

Merchant = Literal["XXI", "CGV", "Cinépolis"]
_DATE_WIB = "The day (YYYY-MM-DD) in WIB (Asia/Jakarta, UTC+7)"
_TIME_WIB = "The showtime's start as the cinema's clock shows it, HH:MM (24 h), WIB (Asia/Jakarta)"


class TixMovie(CineItem):
    """A movie listed by TIX.id on a day, over every city crawled."""

    entity: ClassVar[str] = "tix_movies"
    key: ClassVar[tuple[str, ...]] = ("date", "movie_id")
    source: ClassVar[str] = "tix"
    # One movie is listed by every city (and batch job) showing it: each contributes its part.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "merchants": "union", "cities": "union", "is_presale": "or",
        "genres": "nonnull", "poster_url": "nonnull", "age_category": "nonnull", "country": "nonnull"}

    date: dt.date = D(f"{_DATE_WIB} the movie is listed for.")
    movie_id: TixId = D("TIX.id's movie id (a decimal string of up to 20 digits).")
    title: NonEmpty = D("The title as TIX.id lists it (often upper case, Indonesian release title).")
    genres: list[str] = D("Genres in English as TIX.id names them (`Horror`, `Drama`, ...); may be empty.", [])
    poster_url: str | None = D("URL of the poster image.", None)
    age_category: str | None = D("Indonesian age rating as listed (seen: `SU`, `R`, `D`, `P`).", None)
    country: str | None = D("Country of origin in English (`Indonesia`, `USA`); null when TIX.id gives none.",
                            None)
    merchants: list[Merchant] = D(
        "Cinema chains showing it, sorted: the union over every city crawled "
        "(the original kept the first city's).", [])
    cities: list[str] = D("Cities (TIX.id's upper-case names, e.g. `JAKARTA`) listing it that day, sorted.", [])
    is_presale: bool = D("True once any city lists it as a presale (tickets sold before its release).", False)


class TixTheatre(CineItem):
    """A cinema of TIX.id; one row per theatre, updated each day it is listed."""

    entity: ClassVar[str] = "tix_theatres"
    key: ClassVar[tuple[str, ...]] = ("theatre_id",)
    source: ClassVar[str] = "tix"
    # Room types accumulate over movies, pages, jobs and days (the original's existing ∪ new);
    # lat/lng/place_id come from geocoding and are never erased by a crawl that lacks them.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "room_types": "union", "last_seen": "max", "merchant": "nonnull", "address": "nonnull",
        "lat": "nonnull", "lng": "nonnull", "place_id": "nonnull"}

    theatre_id: TixId = D("TIX.id's theatre id (a decimal string of up to 20 digits).")
    name: NonEmpty = D("The theatre's name as listed (e.g. `AEON MALL JGC CGV`), whitespace collapsed.")
    merchant: Merchant | None = D(
        "Its cinema chain; null when the page named a chain never seen (the theatre is kept, "
        "a null never erases a stored chain).", None)
    city: NonEmpty = D("The city it is listed under (TIX.id's upper-case name, e.g. `JAKARTA`).")
    address: str | None = D("Street address as listed, line breaks and runs of spaces collapsed.", None)
    room_types: list[str] = D(
        "Room categories seen at this theatre (`REGULAR 2D`, `IMAX 2D`, ...): a sorted set that only grows.", [])
    last_seen: dt.date = D(f"{_DATE_WIB} of the latest day it was listed (never moves back).")
    lat: float | None = D("Latitude in decimal degrees (WGS 84), from geocoding; null until geocoded.", None)
    lng: float | None = D("Longitude in decimal degrees (WGS 84), from geocoding; null until geocoded.", None)
    place_id: str | None = D("Google Places id, from geocoding; null until geocoded.", None)


class TixShowtime(CineItem):
    """One screening of a movie in a theatre's room on a day."""

    entity: ClassVar[str] = "tix_showtimes"
    key: ClassVar[tuple[str, ...]] = ("showtime_id",)
    source: ClassVar[str] = "tix"

    showtime_id: TixId = D("TIX.id's showtime id (a decimal string of up to 20 digits).")
    movie_id: TixId = D("The movie shown (`tix_movies.movie_id`).")
    theatre_id: TixId = D("The theatre (`tix_theatres.theatre_id`).")
    city: NonEmpty = D("The city the theatre is listed under (upper case, e.g. `JAKARTA`).")
    merchant: Merchant = D("The theatre's cinema chain.")
    room_category: NonEmpty = D("The room category as listed (`REGULAR 2D`, `SATIN 2D`, `IMAX 2D`, ...).")
    price: str | None = D(
        "The ticket price exactly as listed: one price (`Rp30.000`) or a range (`Rp35.000 - Rp50.000`), "
        "in rupiah with `.` as the thousands separator.", None)
    price_min: Rupiah | None = D(
        "The lowest ticket price in `price`, whole rupiah (IDR) as an integer (`Rp35.000` -> 35000); "
        "null when `price` is null or unreadable.", None)
    price_max: Rupiah | None = D(
        "The highest ticket price in `price`, whole rupiah (IDR); equals `price_min` for a single price.", None)
    date: dt.date = D(f"{_DATE_WIB} of the showtime.")
    time: HHMM = D(f"{_TIME_WIB}.")
    starts_at: WibDatetime = D("The showtime's start: `date` + `time` in the cinema's local time (WIB), ISO 8601 "
                               "with its offset (`2025-12-19T19:30:00+07:00`).")
    status: Annotated[int, Field(ge=0, le=2)] = D(
        "TIX.id's showtime status as listed: 1 = bookable; 0 = not bookable (in real captures: already "
        "started); 2 = \"almost sold out\" in the original's schema, never observed.")
    is_available: bool = D("True when tickets can be bought (`status` == 1).")

    @model_validator(mode="after")
    def _price_range(self) -> TixShowtime:
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise ValueError("price_min exceeds price_max")
        return self


SnapshotMode = Literal["morning", "jit", "final"]
_MODE = ("The scrape that took it: `morning` (every showtime of the day, early), `jit` (shortly before "
         "each showtime), `final` (minutes before each showtime).")
_SCRAPED_AT = "When the seat map was requested, ISO 8601 in WIB (`2025-12-19T06:40:12.345678+07:00`)."


class TixSeatSnapshot(CineItem):
    """The seat map of one showtime at one moment, with its counts."""

    entity: ClassVar[str] = "tix_seat_snapshots"
    key: ClassVar[tuple[str, ...]] = ("snapshot_id",)
    source: ClassVar[str] = "tix"

    snapshot_id: NonEmpty = D("`{showtime_id}_{mode}_{HHMM}`, HHMM the scrape time in WIB (the original's id).")
    showtime_id: TixId = D("The showtime (`tix_showtimes.showtime_id`).")
    mode: SnapshotMode = D(_MODE)
    scraped_at: WibDatetime = D(_SCRAPED_AT)
    date: dt.date = D(f"{_DATE_WIB} of the showtime.")
    time: HHMM = D(f"{_TIME_WIB} (Firestore documents name it `showtime`, as the original's clients read it).")
    movie_id: TixId | None = D("The movie (`tix_movies.movie_id`).", None)
    movie_title: str | None = D("The movie's title (`tix_movies.title`), for readers without a join.", None)
    theatre_id: TixId | None = D("The theatre (`tix_theatres.theatre_id`).", None)
    theatre_name: str | None = D("The theatre's name (`tix_theatres.name`).", None)
    city: str | None = D("The theatre's city (upper case, e.g. `JAKARTA`).", None)
    merchant: Merchant = D("The cinema chain (it chooses the seat-map API).")
    room_category: str | None = D("The room category (`tix_showtimes.room_category`).", None)
    total_seats: NonNegative = D("Seats in the room (aisles and gaps not counted).")
    unavailable_seats: NonNegative = D(
        "Seats sold or blocked (TIX.id does not tell them apart): the audience, at most `total_seats`.")
    available_seats: NonNegative = D("Seats still for sale; `available_seats + unavailable_seats = total_seats`.")
    occupancy_pct: Percent = D("`unavailable_seats / total_seats` in percent, 0-100, one decimal (0 for no seats).")
    layout: list[tuple[str, list[Literal[0, 1]]]] = D(
        "The seat map, row by row in the site's order: `[row name, [seat codes]]` with 1 = available, "
        "0 = taken (sold or blocked); aisles and gaps left out. Firestore: `[{row, seats}]`.", [])

    @model_validator(mode="after")
    def _consistent(self) -> TixSeatSnapshot:
        if self.unavailable_seats > self.total_seats:
            raise ValueError("unavailable_seats exceeds total_seats")
        if self.unavailable_seats + self.available_seats != self.total_seats:
            raise ValueError("available + unavailable != total")
        return self


class TixSeatFailure(CineItem):
    """A requested showtime that gave no snapshot, with the reason (nothing is skipped silently).

    ``reason`` is e.g. ``started`` (401 EXPIRED_EVENT_DETAIL: the showtime has begun),
    ``not_found``, ``unauthorized``, ``api_error``, ``bad_json``, ``bad_layout``,
    ``empty_layout``, ``http_503``, ``download_error``.
    """

    entity: ClassVar[str] = "tix_seat_failures"
    key: ClassVar[tuple[str, ...]] = ("failure_id",)
    source: ClassVar[str] = "tix"

    failure_id: NonEmpty = D("`{showtime_id}_{mode}_{HHMM}`, like the snapshot it stands in for.")
    showtime_id: TixId = D("The showtime (`tix_showtimes.showtime_id`).")
    mode: SnapshotMode = D(_MODE)
    scraped_at: WibDatetime = D("When the seat map was requested (or given up), ISO 8601 in WIB.")
    date: dt.date = D(f"{_DATE_WIB} of the showtime.")
    time: HHMM | None = D(f"{_TIME_WIB}; null when the request did not say (Firestore: `showtime`).", None)
    movie_id: TixId | None = D("The movie (`tix_movies.movie_id`).", None)
    theatre_id: TixId | None = D("The theatre (`tix_theatres.theatre_id`).", None)
    merchant: str | None = D("The cinema chain as requested.", None)
    reason: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")] = D(
        "Why there is no snapshot: `started` (the showtime has begun), `not_found`, `unauthorized`, "
        "`api_error`, `bad_json`, `bad_layout`, `empty_layout`, `http_<status>`, `download_error`.")
    detail: str | None = D("The site's message or the error, for people.", None)


class _SummaryLine(BaseModel):
    """The counts of one line of a daily summary; each line kind adds what it is a line of."""

    model_config = ConfigDict(extra="forbid")

    showtimes: NonNegative = D("Showtimes of the line counted (one snapshot each).")
    seats: NonNegative = D("Seats in those showtimes (capacity).")
    audience: NonNegative = D("Seats sold or blocked in those showtimes.")
    occupancy_pct: Percent = D("`audience / seats` in percent, 0-100, one decimal.")


class ChainLine(_SummaryLine):
    """One cinema chain's line of a daily summary."""

    merchant: str = D("The cinema chain (`XXI`, `CGV`, `Cinépolis`; `?` when a snapshot named none).")


class CityLine(_SummaryLine):
    """One city's line of a daily summary (what the web view's TIX.id day shows per city)."""

    city: str = D("The city (`?` when a snapshot named none).")


class MovieLine(_SummaryLine):
    """One movie's line of a daily summary (the web view's TIX.id day and its 30-day movie trend)."""

    movie_id: str = D("The movie (`tix_movies.movie_id`; `?` when a snapshot named none).")


class TixDailySummary(CineItem):
    """A WIB day's audience and capacity over every showtime snapshotted that morning (one
    snapshot per showtime: its latest ``morning`` one)."""

    entity: ClassVar[str] = "tix_daily_summaries"
    key: ClassVar[tuple[str, ...]] = ("date",)
    source: ClassVar[str] = "tix"

    date: dt.date = D(f"{_DATE_WIB} summed.")
    total_audience: NonNegative = D("Seats sold or blocked, over every showtime counted.")
    total_seats: NonNegative = D("Seats (capacity) of every showtime counted.")
    total_available: NonNegative = D("Seats still for sale at the snapshots.")
    occupancy_pct: Percent = D("`total_audience / total_seats` in percent, 0-100, one decimal.")
    showtime_count: NonNegative = D("Showtimes counted (each once).")
    snapshot_count: NonNegative | None = D(
        "Morning snapshots read, a showtime snapshotted twice counted twice (equal to `showtime_count` when none "
        "was superseded); null in summaries stored before it was kept.", None)
    movie_count: NonNegative = D("Distinct movies among them.")
    theatre_count: NonNegative = D("Distinct theatres among them.")
    city_count: NonNegative = D("Distinct cities among them.")
    generated_at: WibDatetime = D("When the summary was computed, ISO 8601 in WIB.")
    chains: list[ChainLine] = D(
        "Per cinema chain, largest capacity first: `{merchant, showtimes, seats, audience, occupancy_pct}` "
        "(the lines `scrapy daily-summary` prints).", [])
    cities: list[CityLine] = D("Per city, largest capacity first: `{city, showtimes, seats, audience, "
                               "occupancy_pct}`; empty in summaries stored before it was kept.", [])
    movies: list[MovieLine] = D("Per movie, largest capacity first: `{movie_id, showtimes, seats, audience, "
                                "occupancy_pct}`; empty in summaries stored before it was kept.", [])

    @model_validator(mode="after")
    def _sold_le_total(self) -> TixDailySummary:
        if self.total_audience > self.total_seats:
            raise ValueError("total_audience exceeds total_seats")
        return self


class TixSchedule(CineItem):
    """One movie's day across every city: the original's ``schedules/{date}/movies/{movie_id}``.

    Derived from what is stored (cineradar/aggregates.py), never crawled. ``cities`` is
    city -> list of theatres ``{theatre_id, theatre_name, merchant, address, rooms: [{category,
    price, showtimes: ["HH:MM" still on sale], all_showtimes: [{time, status, is_available,
    showtime_id}], past_showtimes: ["HH:MM"]}]}``, as the original uploaded it.
    """

    entity: ClassVar[str] = "tix_schedules"
    key: ClassVar[tuple[str, ...]] = ("date", "movie_id")
    source: ClassVar[str] = "tix"

    date: dt.date = D(f"{_DATE_WIB}.")
    movie_id: TixId = D("The movie (`tix_movies.movie_id`).")
    title: str | None = D("The movie's title (`tix_movies.title`).", None)
    poster_url: str | None = D("URL of the poster image (Firestore: `poster`, the original's name).", None)
    genres: list[str] = D("Genres in English (`tix_movies.genres`).", [])
    age_category: str | None = D("Indonesian age rating (`tix_movies.age_category`).", None)
    merchants: list[str] = D("Cinema chains showing it (`tix_movies.merchants`).", [])
    is_presale: bool = D("True when it is a presale (`tix_movies.is_presale`).", False)
    uploaded_at: WibDatetime = D("When this schedule was computed from the stored rows, ISO 8601 in WIB.")
    cities: dict[str, list[dict[str, Any]]] = D(
        "City -> theatres `{theatre_id, theatre_name, merchant, address, rooms: [{category, price, "
        "showtimes: [HH:MM on sale], all_showtimes: [{time, status, is_available, showtime_id}], "
        "past_showtimes: [HH:MM]}]}`, the original's shape; times HH:MM in WIB, price the raw string.", {})


class TixDaySnapshot(CineItem):
    """The original's ``snapshots/{date}`` (``snapshot_id`` = the date) and ``snapshots/latest``
    (``snapshot_id`` = "latest", the newest date): slim movies, per-city counts, a summary."""

    entity: ClassVar[str] = "tix_day_snapshots"
    key: ClassVar[tuple[str, ...]] = ("snapshot_id",)
    source: ClassVar[str] = "tix"

    snapshot_id: Annotated[str, Field(pattern=r"^(latest|\d{4}-\d{2}-\d{2})$")] = D(
        "The date (YYYY-MM-DD), or `latest` for the copy of the newest date.")
    date: dt.date = D(f"{_DATE_WIB} it describes.")
    scraped_at: WibDatetime = D(
        "When it was computed, ISO 8601 in WIB (with its offset, so a reader in any zone shows the right hour).")
    summary: dict[str, int] = D("`{total_cities, total_movies, presale_count}`: counts for the day.")
    movies: list[dict[str, Any]] = D(
        "Slim movies, most cities first: `{id, title, genres, poster, age_category, country, merchants, "
        "is_presale, cities, theatre_counts: {CITY: theatres}}` (the original's shape).", [])
    city_stats: dict[str, int] = D("City (upper case) -> number of movies listed there that day.", {})
