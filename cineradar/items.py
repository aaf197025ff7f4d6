"""Typed items: one pydantic model per entity, each with a natural key.

Parsers build items with ``Model.model_construct(...)`` (no validation, never raises),
so one bad record cannot break a callback; the validation pipeline validates each item
and drops the invalid ones with a counted reason. ``entity`` names the table /
collection, ``key`` the natural-key fields that make every write an idempotent upsert,
``source`` the freshness threshold that applies. ``merge_rules`` says how a stored row
and a new row of the same key combine (every backend applies the same rules in its
upsert, see cineradar/storage/merge.py); a field without a rule: the latest row wins.

The data contract (docs/data.md is generated from these models): every field has a
description with its unit and time zone; one name per concept across entities (a
showtime's local clock time is ``time`` everywhere); every datetime is ISO 8601 with a
numeric offset (``+07:00``, never ``Z``): TIX.id times in WIB, repertuary times in
Warsaw time, crawl-run times in UTC. In feeds every item also carries ``entity`` (see
``CineItemAdapter``), so a mixed feed can be split.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, KeysView
from itertools import chain
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from itemadapter import ItemAdapter
from itemadapter.adapter import PydanticAdapter
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_serializer,
    model_validator,
)

WIB = ZoneInfo("Asia/Jakarta")
WARSAW = ZoneInfo("Europe/Warsaw")


def _iso(value: dt.datetime) -> str:
    # isoformat, not pydantic's JSON form: that writes UTC as "Z" and every other zone as "+HH:MM"
    return value.isoformat()


def _in(zone: ZoneInfo | dt.timezone) -> AfterValidator:
    return AfterValidator(lambda value: value.astimezone(zone))


_ISO = PlainSerializer(_iso, return_type=str, when_used="json")
_ISO_SCHEMA = WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")
# Every datetime: aware, in the zone the field names, written as ISO 8601 with a numeric offset.
WibDatetime = Annotated[AwareDatetime, _in(WIB), _ISO, _ISO_SCHEMA]
WarsawDatetime = Annotated[AwareDatetime, _in(WARSAW), _ISO, _ISO_SCHEMA]
UtcDatetime = Annotated[AwareDatetime, _in(dt.UTC), _ISO, _ISO_SCHEMA]

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(lambda v: _non_blank(v))]
NonNegative = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
TixId = Annotated[str, Field(pattern=r"^\d{1,20}$")]
Rupiah = Annotated[int, Field(ge=0)]


def _has_nul(value: Any) -> bool:
    # Runs on every item (a seat snapshot: ~20 fields and a layout of rows): exact-type checks and a
    # plain loop, not a generator per level; numbers-only lists (seat codes) skipped in C.
    kind = type(value)
    if kind is str:
        return "\x00" in value
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        types = set(map(type, value))
        if types <= _SCALARS:  # numbers only (a seat layout row): nothing to look into
            return False
        if types == _STR:
            return "\x00" in "".join(value)
        if types <= _SEQUENCES and len(set(map(len, value))) == 1:
            # Rows of one length (a seat layout: [name, codes] pairs): looked at column by column,
            # names joined and codes typed in C, instead of a Python step per row.
            return any(map(_has_nul, zip(*value, strict=True)))
        if types <= _SEQUENCES and set(map(type, chain.from_iterable(value))) <= _SCALARS:
            return False  # lists of numbers (the codes column of a layout)
        items = value
    elif isinstance(value, str):
        return "\x00" in value
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    for item in items:
        if type(item) is str:
            if "\x00" in item:
                return True
        elif type(item) not in _SCALARS and _has_nul(item):
            return True
    return False


_SCALARS = frozenset({int, float, bool, type(None)})
_STR = frozenset({str})
_SEQUENCES = frozenset({list, tuple})


# How a field of a stored row combines with the same field of a new row of the same key:
#   latest    the new value (the default)
#   union     lists of strings: the sorted union (what several cities / pages / jobs contribute)
#   or        booleans: true once any row said true
#   max       the greater (dates, numbers): an older job finishing last never moves it back
#   nonnull   the new value unless it is null or an empty list (geocoding, a field one page lacks)
MergeRule = Literal["latest", "union", "or", "max", "nonnull"]


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def D(text: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field with its description (``D("meaning", default)``): docs/data.md prints it."""
    return Field(default, description=text, **kwargs)


class CineItem(BaseModel):
    """Base of every item. Subclasses set ``entity``, ``key`` and ``source``."""

    # defer_build: a model's validator is built on its first use, not at import: every `scrapy`
    # command imports this module (the spiders do), and most commands validate no item (issue 19).
    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=True, defer_build=True)

    entity: ClassVar[str]
    key: ClassVar[tuple[str, ...]]
    source: ClassVar[str]
    merge_rules: ClassVar[dict[str, MergeRule]] = {}

    def natural_key(self) -> str:
        return "|".join(str(getattr(self, name)) for name in self.key)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_bytes(cls, values: Any) -> Any:
        # PostgreSQL refuses NUL in text and would fail the whole batch: reject the one record here.
        if isinstance(values, dict) and _has_nul(values):
            raise ValueError("text contains a NUL byte")
        return values

    @model_validator(mode="after")
    def _union_fields_are_sets(self) -> CineItem:
        # stored as the merge would leave them (sorted, distinct), so a first write equals a merged one
        for name, rule in self.merge_rules.items():
            if rule == "union":
                setattr(self, name, sorted(set(getattr(self, name) or [])))
        return self

    @classmethod
    def validate_constructed(cls, item: CineItem) -> CineItem:
        """Validate an item built with model_construct, from the raw values it holds."""
        raw = ItemAdapter(item)
        return cls.model_validate({name: raw[name] for name in cls.model_fields if name in raw})

    def row(self) -> dict[str, Any]:
        """The storage form: JSON-compatible values, ISO dates, nested as lists/dicts."""
        return self.model_dump(mode="json")


ENTITY_FIELD = "entity"
ENTITY_DESCRIPTION = ("The entity name (this section's title): in feeds only, so a feed of several entities "
                      "can be split (FEEDS `item_classes`, or by this column); not a stored column.")


class CineItemAdapter(PydanticAdapter):
    """How feeds (and everything else reading items through itemadapter) see a CineItem:
    its pydantic fields after a first, read-only ``entity`` field holding the entity name.

    A ClassVar or a computed field is not exported (itemadapter reads ``model_fields``
    only), and a real model field would become a stored column of every table; this
    adapter, registered first in ``ItemAdapter.ADAPTER_CLASSES`` (itemadapter's extension
    point), adds the name where feeds read items and nowhere else.
    """

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return isinstance(item_class, type) and issubclass(item_class, CineItem)

    @classmethod
    def get_field_names_from_class(cls, item_class: type) -> list[str] | None:
        return [ENTITY_FIELD, *item_class.model_fields]  # type: ignore[attr-defined]

    @classmethod
    def get_field_meta_from_class(cls, item_class: type, field_name: str) -> MappingProxyType:
        if field_name == ENTITY_FIELD:
            return MappingProxyType({"description": ENTITY_DESCRIPTION})
        return super().get_field_meta_from_class(item_class, field_name)

    def field_names(self) -> KeysView:
        return KeysView(dict.fromkeys([ENTITY_FIELD, *type(self.item).model_fields]))

    def __getitem__(self, field_name: str) -> Any:
        if field_name == ENTITY_FIELD:
            return self.item.entity
        return super().__getitem__(field_name)

    def __setitem__(self, field_name: str, value: Any) -> None:
        if field_name == ENTITY_FIELD:
            if value != self.item.entity:
                raise KeyError(f"{type(self.item).__name__}: entity is {self.item.entity!r}, not {value!r}")
            return
        super().__setitem__(field_name, value)

    def __delitem__(self, field_name: str) -> None:
        if field_name == ENTITY_FIELD:
            raise KeyError(f"{type(self.item).__name__}: entity cannot be deleted")
        super().__delitem__(field_name)

    def __iter__(self) -> Iterator:
        yield ENTITY_FIELD
        yield from super().__iter__()


if CineItemAdapter not in ItemAdapter.ADAPTER_CLASSES:
    ItemAdapter.ADAPTER_CLASSES.appendleft(CineItemAdapter)  # type: ignore[attr-defined]


# ----------------------------------------------------------------------------- TIX.id
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


class ChainLine(BaseModel):
    """One cinema chain's line of a daily summary."""

    model_config = ConfigDict(extra="forbid")

    merchant: str = D("The cinema chain (`XXI`, `CGV`, `Cinépolis`; `?` when a snapshot named none).")
    showtimes: NonNegative = D("Showtimes of the chain counted (one snapshot each).")
    seats: NonNegative = D("Seats in those showtimes (capacity).")
    audience: NonNegative = D("Seats sold or blocked in those showtimes.")
    occupancy_pct: Percent = D("`audience / seats` in percent, 0-100, one decimal.")


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
    movie_count: NonNegative = D("Distinct movies among them.")
    theatre_count: NonNegative = D("Distinct theatres among them.")
    city_count: NonNegative = D("Distinct cities among them.")
    generated_at: WibDatetime = D("When the summary was computed, ISO 8601 in WIB.")
    chains: list[ChainLine] = D(
        "Per cinema chain, largest capacity first: `{merchant, showtimes, seats, audience, occupancy_pct}` "
        "(the lines `scrapy daily-summary` prints).", [])

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


# ------------------------------------------------------------------------- repertuary
_DATE_PL = "The day (YYYY-MM-DD) in Polish time (Europe/Warsaw)"


class RepertuaryFilm(CineItem):
    """A film as a repertuary.pl city site describes it."""

    entity: ClassVar[str] = "repertuary_films"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty = D("The city site's name (e.g. `krakow`, its subdomain of repertuary.pl).")
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = D("The film's slug in its page URL.")
    title_pl: NonEmpty = D("The Polish title.")
    original_title: NonEmpty = D("The original title (the Polish one when the page gives none).")
    director: str | None = D("Director(s) as listed.", None)
    year: Annotated[int, Field(ge=1880, le=2100)] | None = D("Production year.", None)
    countries: list[str] = D("Production countries as listed (Polish names).", [])
    runtime: Annotated[int, Field(gt=0, le=1000)] | None = D("Running time in minutes.", None)
    cast: list[str] = D("Cast as listed, in order.", [])
    genres: list[str] = D("Genres as listed (Polish names).", [])
    url: str = D("The film page's absolute URL.")


class RepertuaryCinema(CineItem):
    """A cinema of a repertuary.pl city site."""

    entity: ClassVar[str] = "repertuary_cinemas"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty = D("The city site's name (e.g. `krakow`).")
    slug: NonEmpty = D("The cinema's slug in its page URL; may contain `/` (e.g. `cinema-city/bonarka`).")
    name: NonEmpty = D("A name derived from the slug, as the original does.")


class RepertuaryShowtime(CineItem):
    """One screening of a film in a cinema, from a repertuary.pl city site."""

    entity: ClassVar[str] = "repertuary_showtimes"
    key: ClassVar[tuple[str, ...]] = ("external_id",)
    source: ClassVar[str] = "repertuary"

    external_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")] = D(
        "Stable id: city, cinema, film, date and time, every character outside `[A-Za-z0-9_-]` as `_`.")
    city: NonEmpty = D("The city site's name (e.g. `krakow`).")
    film_slug: NonEmpty = D("The film (`repertuary_films.slug` of the same city).")
    cinema_slug: NonEmpty = D("The cinema (`repertuary_cinemas.slug` of the same city).")
    date: dt.date = D(f"{_DATE_PL} of the showtime.")
    time: HHMM = D("The showtime's start as the cinema's clock shows it, HH:MM (24 h), Polish time.")
    starts_at: WarsawDatetime = D("`date` + `time` in Polish time, ISO 8601 with its offset "
                                  "(`+01:00` in winter, `+02:00` in summer).")
    showtime_id: str | None = D("The site's own id of the screening, when its ticket link carries one.", None)
    ticket_url: str | None = D("The absolute URL of the ticket page, when listed.", None)


# ------------------------------------------------------------------------------- TMDB
class TmdbMovie(CineItem):
    """A TMDB movie, from its lists (popular, top_rated, upcoming, now_playing, trending_week) and,
    when enriched, from one details request with credits, keywords, videos, similar and release dates."""

    entity: ClassVar[str] = "tmdb_movies"
    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"
    # A list-only row (not enriched) must not wipe what an enrichment stored; the lists a
    # movie was seen in add up.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "categories": "union", "enriched": "or",
        **dict.fromkeys(("runtime", "imdb_id", "genres", "cast", "crew", "keywords", "similar_ids", "trailer_key",
                         "budget", "revenue", "tagline", "collection", "certification", "local_release_date",
                         "region", "status"), "nonnull")}

    tmdb_id: Annotated[int, Field(gt=0)] = D("TMDB's movie id.")
    title: NonEmpty = D("The title in the crawl's language (`-a language`).")
    original_title: NonEmpty = D("The title in the original language (never translated).")
    release_date: dt.date | None = D("TMDB's primary release date; null when TMDB has none (an empty string).",
                                     None)
    runtime: NonNegative | None = D("Running time in minutes; null when unknown (TMDB's 0 or null).", None)
    imdb_id: str | None = D("IMDb id (`tt...`), or null.", None)
    original_language: str | None = D("ISO 639-1 code of the original language.", None)
    popularity: float | None = D("TMDB's popularity score when last crawled.", None)
    categories: list[str] = D("The lists the movie was seen in (popular, top_rated, upcoming, now_playing, "
                              "trending_week), over every crawl.", [])
    genres: list[str] = D("Genre names in the crawl's language (enriched only).", [])
    cast: list[dict[str, Any]] = D("The top 10 cast in billing order: `{id, name, character, order}`.", [])
    crew: list[dict[str, Any]] = D("Key crew (director, writers, producers, composer), each person once per "
                                   "job: `{id, name, job, department}`.", [])
    keywords: list[str] = D("TMDB keywords.", [])
    similar_ids: list[int] = D("TMDB ids of the first page of similar movies.", [])
    trailer_key: str | None = D("YouTube key of the trailer: an official trailer, else any trailer, else a "
                                "teaser (newest first); null if none.", None)
    budget: NonNegative | None = D("Budget in US dollars; null when unknown (TMDB's 0).", None)
    revenue: NonNegative | None = D("Revenue in US dollars; null when unknown (TMDB's 0).", None)
    tagline: str | None = D("Tagline in the crawl's language; null when empty.", None)
    genre_ids: list[int] = D("TMDB genre ids.", [])
    collection: str | None = D("Name of the collection the movie belongs to, or null.", None)
    certification: str | None = D("Age certification in `region` (from its release dates), or null.", None)
    local_release_date: dt.date | None = D("Release date in `region`: theatrical first, then limited, "
                                           "premiere, digital, physical, TV; null if none.", None)
    region: str | None = D("ISO 3166-1 country of `certification` and `local_release_date`.", None)
    status: str | None = D("TMDB's status (Rumored, Planned, In Production, Post Production, Released, "
                           "Canceled).", None)
    enriched: bool = D("True once details were fetched (else the row is what a list shows).", False)
    gone: bool = D("True when TMDB answered 404 for the id (deleted).", False)


class TmdbShow(CineItem):
    """A TMDB TV show, found by its IMDb id, with its networks, companies and watch providers."""

    entity: ClassVar[str] = "tmdb_shows"
    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"

    tmdb_id: Annotated[int, Field(gt=0)] = D("TMDB's TV show id.")
    name: NonEmpty = D("The show's name.")
    original_name: NonEmpty = D("The name in the original language.")
    imdb_id: str | None = D("IMDb id (`tt...`), from TMDB's external ids.", None)
    first_air_date: dt.date | None = D("First air date.", None)
    last_air_date: dt.date | None = D("Last air date.", None)
    status: str | None = D("TMDB's status (Ended, Returning Series, Canceled, In Production, Planned, Pilot).",
                           None)
    number_of_seasons: NonNegative | None = D("Number of seasons.", None)
    number_of_episodes: NonNegative | None = D("Number of episodes.", None)
    popularity: float | None = D("TMDB's popularity score when last crawled.", None)
    networks: list[dict[str, Any]] = D("`{id, name}` of each network: rows of `tmdb_networks`.", [])
    production_companies: list[dict[str, Any]] = D("`{id, name}` of each company: rows of `tmdb_companies`.", [])
    watch_providers: list[dict[str, Any]] = D(
        "Where to watch, one row per region, offer and provider: `{region, offer (flatrate, rent, buy, ads, "
        "free), provider_id, provider_name, display_priority}` (JustWatch data via TMDB).", [])
    tvdb_id: int | None = D("TheTVDB id, from TMDB's external ids.", None)
    type: str | None = D("TMDB's show type (Scripted, Miniseries, Documentary...).", None)
    original_language: str | None = D("ISO 639-1 code of the original language.", None)
    episode_run_time: list[int] = D("Episode running times in minutes (often empty).", [])
    genres: list[str] = D("Genre names.", [])
    raw: dict[str, Any] = D("The whole `/tv/{id}` answer with external_ids and watch/providers, as TMDB sent "
                            "it.", {})


class TmdbLogoEntity(CineItem):
    """A TMDB network, production company or watch provider, with its logo stored once
    (content-addressed, cineradar/pipelines/logos.py)."""

    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"
    logo_kind: ClassVar[str]
    # A crawl that did not (re)download the logo must not wipe the stored file.
    merge_rules: ClassVar[dict[str, MergeRule]] = {"logo_file": "nonnull", "logo_sha256": "nonnull"}

    tmdb_id: Annotated[int, Field(gt=0)] = D("TMDB's id of the network, company or provider.")
    name: NonEmpty = D("Its name.")
    origin_country: str | None = D("ISO 3166-1 country, or null (TMDB may give an empty string).", None)
    logo_path: str | None = D("TMDB's image path of the logo (the source of `logo_file`), or null.", None)
    logo_file: str | None = D("The stored logo, `logos/{kind}/{id}/{sha256}.{ext}` in FILES_STORE, or null.",
                              None)
    logo_sha256: str | None = D("SHA-256 of the logo's bytes (its file name).", None)
    logo_urls: list[str] = D("The logo URL to download in this crawl (empty once stored).", [])
    logo_files: list[dict[str, Any]] = D("Download results of this crawl (empty once stored).", [])


class TmdbNetwork(TmdbLogoEntity):
    """A TV network (HBO, TVP...) as TMDB lists it, with its logo."""

    entity: ClassVar[str] = "tmdb_networks"
    logo_kind: ClassVar[str] = "network"


class TmdbCompany(TmdbLogoEntity):
    """A production company as TMDB lists it, with its logo."""

    entity: ClassVar[str] = "tmdb_companies"
    logo_kind: ClassVar[str] = "company"


class TmdbWatchProvider(TmdbLogoEntity):
    """A watch provider (a streaming service or store) as TMDB lists it, with its logo."""

    entity: ClassVar[str] = "tmdb_watch_providers"
    logo_kind: ClassVar[str] = "provider"


# matched / needs_review (the queue of `scrapy tmdb-review`) / low_confidence and no_results (no
# match: not searched again for a week) / rejected (a person rejected every candidate).
MatchStatus = Literal["matched", "needs_review", "low_confidence", "no_results", "rejected"]


class TmdbMatch(CineItem):
    """A cinema listing (repertuary film, TIX.id movie) matched to a TMDB movie, or why not."""

    entity: ClassVar[str] = "tmdb_matches"
    key: ClassVar[tuple[str, ...]] = ("listing_source", "listing_key")
    source: ClassVar[str] = "tmdb"

    listing_source: Literal["tix", "repertuary"] = D("Where the listing comes from.")
    listing_key: NonEmpty = D("The listing's key there: a repertuary film slug or a TIX.id movie id.")
    listing_title: NonEmpty = D("The listing's title as the site shows it.")
    tmdb_id: Annotated[int, Field(gt=0)] | None = D("The matched TMDB movie id; null unless matched.", None)
    confidence: Annotated[float, Field(ge=0, le=1)] = D(
        "The best candidate's confidence, 0-1 (the documented 0-100 score divided by 100).")
    status: MatchStatus = D("matched; needs_review (the review queue); low_confidence or no_results (no match, "
                            "not searched again for a week); rejected (by a person).")
    candidates: list[dict[str, Any]] = D("Every candidate: `{tmdb_id, title, original_title, year, score, "
                                         "parts, runtime, directors}` (score 0-100, parts 0-1 each; runtime "
                                         "and directors null unless details were fetched).", [])
    reason: str | None = D("Why this status, in words.", None)
    decided_by: Literal["auto", "person"] = D("`person` when set by `scrapy tmdb-review`: never changed by a "
                                              "crawl.", "auto")
    checked_at: UtcDatetime | None = D("When the listing was last matched: ISO 8601 in UTC (`+00:00`).", None)
    region: str | None = D("The cinema's country (ISO 3166-1), whose now_playing confirms a 60-69 match.", None)


# ------------------------------------------------------------------- geocoding (issue 20)
# Where the theatres and cinemas are (cineradar/spiders/geocode.py, docs/sources/geocoding.md).
# Coordinates come from OpenStreetMap through Nominatim: "© OpenStreetMap contributors".
GeocodeStatus = Literal["found", "not_found", "refused"]
GeocodeConfidence = Literal["exact", "street", "locality", "name"]
_NOMINATIM = "from the geocoder's answer (OpenStreetMap data, © OpenStreetMap contributors)"


class Geocode(CineItem):
    """Where one TIX.id theatre or repertuary cinema is, or why it has no coordinates."""

    entity: ClassVar[str] = "geocodes"
    key: ClassVar[tuple[str, ...]] = ("site", "place_key")
    source: ClassVar[str] = "geocode"
    # What was located is never erased: a later run that finds nothing (a changed address not
    # found, a refused answer) keeps the coordinates and says so in status/reason.
    merge_rules: ClassVar[dict[str, MergeRule]] = dict.fromkeys(
        ("lat", "lng", "display_name", "osm_type", "osm_id", "importance", "confidence", "place_class",
         "place_type", "place_rank", "located_query", "located_at"), "nonnull")

    site: Literal["tix", "repertuary"] = D("Whose place: `tix` (a `tix_theatres` row) or `repertuary` "
                                           "(a `repertuary_cinemas` row).")
    place_key: NonEmpty = D("The place's key there: the TIX.id theatre id, or `{city}|{slug}` of a repertuary "
                            "cinema.")
    name: NonEmpty = D("The theatre's or cinema's name when geocoded.")
    city: NonEmpty = D("Its city as its site names it (`JAKARTA`, `krakow`).")
    address: str | None = D("The address geocoded (TIX.id), whitespace collapsed; null for a repertuary cinema "
                            "(the site publishes none: its name is searched).", None)
    geocoded_input: NonEmpty = D("What the queries were built from (`address|city` or `name|city`, normalized): "
                                 "when it changes (a new address) the place is geocoded again.")
    queries: list[str] = D("Every query sent for it in this decision, in order (the name, then the fallback "
                           "without the cinema word).", [])
    status: GeocodeStatus = D("`found` (coordinates inside the city's box), `not_found` (the geocoder knows no "
                              "such place) or `refused` (its answers all lie outside the city's box).")
    confidence: GeocodeConfidence | None = D(
        "How precise the coordinates are, from the answer's place_rank/class/type/addresstype: `exact` (the "
        "building or address), `street` (the street only), `locality` (a district or the city), `name` (a place "
        "found by its name, no address to confirm it); null until found.", None)
    ambiguous: bool = D("True when another answer inside the city's box is as good (same kind, importance within "
                        "0.05): worth a person's look (`scrapy geocode-review`).", False)
    lat: float | None = D(f"Latitude in decimal degrees (WGS 84), {_NOMINATIM}; null until found.", None)
    lng: float | None = D(f"Longitude in decimal degrees (WGS 84), {_NOMINATIM}; null until found.", None)
    display_name: str | None = D(f"The place's full name and address, {_NOMINATIM}.", None)
    osm_type: Literal["node", "way", "relation"] | None = D("The OpenStreetMap object's type.", None)
    osm_id: int | None = D("The OpenStreetMap object's id (with `osm_type`: openstreetmap.org/{type}/{id}).",
                           None)
    importance: float | None = D("Nominatim's importance of the place (0-1), when given.", None)
    place_class: str | None = D("The main OSM tag's key (`amenity`, `building`, `highway`, `place`...).", None)
    place_type: str | None = D("The main OSM tag's value (`cinema`, `residential`, `city`...).", None)
    place_rank: int | None = D("Nominatim's address rank (30 a building or POI, 26 a street, 16 a city), when "
                               "given (format jsonv2).", None)
    located_query: str | None = D("The query whose answer gave the coordinates.", None)
    located_at: UtcDatetime | None = D("When the coordinates' answer was received, ISO 8601 in UTC.", None)
    refused: list[dict[str, Any]] = D("The answers refused as outside the city's box: `{lat, lng, display_name, "
                                      "osm_type, osm_id}`.", [])
    reason: str | None = D("Why this status, in words.", None)
    checked_at: UtcDatetime = D("When this decision was made, ISO 8601 in UTC.")


class GeocodeAnswer(CineItem):
    """The geocoder's answer to one query, kept so that no query is ever sent twice."""

    entity: ClassVar[str] = "geocode_answers"
    key: ClassVar[tuple[str, ...]] = ("query_key",)
    source: ClassVar[str] = "geocode"

    query_key: NonEmpty = D("`{countrycodes}|{query}`, the query case-folded with whitespace collapsed: the "
                            "cache key (one request per distinct key, ever).")
    query: NonEmpty = D("The query as sent (`q` of /search).")
    countrycodes: str = D("The `countrycodes` it was limited to (`id`, `pl`).")
    status: Literal["found", "not_found"] = D("`found` (one result or more) or `not_found` (an empty answer).")
    results: list[dict[str, Any]] = D(
        "The results as read (at most the request's limit): `{place_id, osm_type, osm_id, lat, lng, "
        "display_name, place_class, place_type, importance, place_rank, addresstype, boundingbox}`.", [])
    answered_at: UtcDatetime = D("When the geocoder answered, ISO 8601 in UTC.")


# -------------------------------------------------------------------------- crawl run
class CrawlRun(CineItem):
    """One crawl: written when it starts (``running``) and again when it ends."""

    entity: ClassVar[str] = "crawl_runs"
    key: ClassVar[tuple[str, ...]] = ("run_id",)
    source: ClassVar[str] = "run"

    run_id: NonEmpty = D("The run's id (unique per crawl).")
    spider: NonEmpty = D("The spider's name (`tix_movies`, `tix_seats`, `repertuary`, ...).")
    status: Literal["running", "success", "partial", "failed"] = D(
        "`running` until it ends; then `success`, `partial` (some data missing or unstored, exit 3) "
        "or `failed` (exit 1).")
    started_at: UtcDatetime = D("When the crawl started, ISO 8601 in UTC (`+00:00`).")
    finished_at: UtcDatetime | None = D("When it ended, ISO 8601 in UTC; null while running.", None)
    args: dict[str, Any] = D("The spider arguments (`-a name=value`), secrets left out.", {})
    reason: str | None = D("Why the run ended as it did: `complete`, or what is missing or what failed; "
                           "null while running.", None)
    duration_s: NonNegativeFloat | None = D("Seconds from start to end; null while running.", None)
    items: dict[str, int] = D("Items that passed validation, per entity (`tix_showtimes`: 12137, ...).", {})
    requests: NonNegative = D("HTTP requests sent (retries included).", 0)
    errors: NonNegative = D("ERROR lines logged.", 0)
    stats: dict[str, Any] = D("Scrapy's stats of the run at its end: counts, and times as ISO 8601 in UTC.", {})

    @field_serializer("stats", when_used="json")
    def _iso_times(self, stats: dict[str, Any]) -> dict[str, Any]:
        # Scrapy's start_time/finish_time are datetimes: the same ISO form as every other datetime
        return {k: _iso(v) if isinstance(v, dt.datetime) else v for k, v in stats.items()}


ALL_ITEMS: tuple[type[CineItem], ...] = (
    TixMovie, TixTheatre, TixShowtime, TixSeatSnapshot, TixSeatFailure, TixDailySummary,
    TixSchedule, TixDaySnapshot,
    RepertuaryFilm, RepertuaryCinema, RepertuaryShowtime,
    TmdbMovie, TmdbShow, TmdbMatch, TmdbNetwork, TmdbCompany, TmdbWatchProvider, CrawlRun,
    Geocode, GeocodeAnswer,  # geocoding (issue 20)
)


def sanitize_id(value: str) -> str:
    """Every character outside [A-Za-z0-9_-] becomes '_' (the original's external_id rule)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)
