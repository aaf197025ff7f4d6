"""Typed items: one pydantic model per entity, each with a natural key.

Parsers build items with ``Model.model_construct(...)`` (no validation, never raises),
so one bad record cannot break a callback; the validation pipeline validates each item
and drops the invalid ones with a counted reason. ``entity`` names the table /
collection, ``key`` the natural-key fields that make every write an idempotent upsert,
``source`` the freshness threshold that applies. ``merge_rules`` says how a stored row
and a new row of the same key combine (every backend applies the same rules in its
upsert, see cineradar/storage/merge.py); a field without a rule: the latest row wins.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, ClassVar, Literal

from itemadapter import ItemAdapter
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(lambda v: _non_blank(v))]
NonNegative = Annotated[int, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
TixId = Annotated[str, Field(pattern=r"^\d{1,20}$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        if set(map(type, value)) <= _SCALARS:  # numbers only (a seat layout row): nothing to look into
            return False
        return any(_has_nul(v) for v in value)
    return False


_SCALARS = {int, float, bool, type(None)}


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


class CineItem(BaseModel):
    """Base of every item. Subclasses set ``entity``, ``key`` and ``source``."""

    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=True)

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


# ----------------------------------------------------------------------------- TIX.id
Merchant = Literal["XXI", "CGV", "Cinépolis"]


class TixMovie(CineItem):
    entity: ClassVar[str] = "tix_movies"
    key: ClassVar[tuple[str, ...]] = ("date", "movie_id")
    source: ClassVar[str] = "tix"
    # One movie is listed by every city (and batch job) showing it: each contributes its part.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "merchants": "union", "cities": "union", "is_presale": "or",
        "genres": "nonnull", "poster_url": "nonnull", "age_category": "nonnull", "country": "nonnull"}

    date: dt.date
    movie_id: TixId
    title: NonEmpty
    genres: list[str] = []
    poster_url: str | None = None
    age_category: str | None = None
    country: str | None = None
    merchants: list[Merchant] = []  # union over every city crawled (the original kept the first city's)
    cities: list[str] = []
    is_presale: bool = False


class TixTheatre(CineItem):
    entity: ClassVar[str] = "tix_theatres"
    key: ClassVar[tuple[str, ...]] = ("theatre_id",)
    source: ClassVar[str] = "tix"
    # Room types accumulate over movies, pages, jobs and days (the original's existing ∪ new);
    # lat/lng/place_id come from geocoding and are never erased by a crawl that lacks them.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "room_types": "union", "last_seen": "max", "merchant": "nonnull", "address": "nonnull",
        "lat": "nonnull", "lng": "nonnull", "place_id": "nonnull"}

    theatre_id: TixId
    name: NonEmpty
    merchant: Merchant | None = None  # None: the page named a chain never seen (the theatre is kept)
    city: NonEmpty
    address: str | None = None
    room_types: list[str] = []  # a set, kept sorted
    last_seen: dt.date
    lat: float | None = None
    lng: float | None = None
    place_id: str | None = None


class TixShowtime(CineItem):
    entity: ClassVar[str] = "tix_showtimes"
    key: ClassVar[tuple[str, ...]] = ("showtime_id",)
    source: ClassVar[str] = "tix"

    showtime_id: TixId
    movie_id: TixId
    theatre_id: TixId
    city: NonEmpty
    merchant: Merchant
    room_category: NonEmpty
    price: str | None = None
    date: dt.date
    time: HHMM
    starts_at: AwareDatetime
    status: Annotated[int, Field(ge=0, le=2)]
    is_available: bool


SnapshotMode = Literal["morning", "jit", "final"]


class TixSeatSnapshot(CineItem):
    entity: ClassVar[str] = "tix_seat_snapshots"
    key: ClassVar[tuple[str, ...]] = ("snapshot_id",)
    source: ClassVar[str] = "tix"

    snapshot_id: NonEmpty  # {showtime_id}_{mode}_{HHMM}, HHMM = scrape time in WIB
    showtime_id: TixId
    mode: SnapshotMode
    scraped_at: AwareDatetime
    date: dt.date
    showtime: HHMM
    movie_id: TixId | None = None
    movie_title: str | None = None
    theatre_id: TixId | None = None
    theatre_name: str | None = None
    city: str | None = None
    merchant: Merchant
    room_category: str | None = None
    total_seats: NonNegative
    unavailable_seats: NonNegative
    available_seats: NonNegative
    occupancy_pct: Percent
    layout: list[tuple[str, list[Literal[0, 1]]]] = []

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

    failure_id: NonEmpty  # {showtime_id}_{mode}_{HHMM}, like the snapshot it replaces
    showtime_id: TixId
    mode: SnapshotMode
    scraped_at: AwareDatetime
    date: dt.date
    showtime: HHMM | None = None
    movie_id: TixId | None = None
    theatre_id: TixId | None = None
    merchant: str | None = None
    reason: Annotated[str, Field(pattern=r"^[a-z0-9_]+$")]
    detail: str | None = None


class TixDailySummary(CineItem):
    entity: ClassVar[str] = "tix_daily_summaries"
    key: ClassVar[tuple[str, ...]] = ("date",)
    source: ClassVar[str] = "tix"

    date: dt.date
    total_audience: NonNegative
    total_seats: NonNegative
    total_available: NonNegative
    occupancy_pct: Percent
    showtime_count: NonNegative
    movie_count: NonNegative
    theatre_count: NonNegative
    city_count: NonNegative
    generated_at: AwareDatetime

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

    date: dt.date
    movie_id: TixId
    title: str | None = None
    poster: str | None = None
    genres: list[str] = []
    age_category: str | None = None
    merchants: list[str] = []
    is_presale: bool = False
    uploaded_at: AwareDatetime
    cities: dict[str, list[dict[str, Any]]] = {}


class TixDaySnapshot(CineItem):
    """The original's ``snapshots/{date}`` (``snapshot_id`` = the date) and ``snapshots/latest``
    (``snapshot_id`` = "latest", the newest date): slim movies, per-city counts, a summary."""

    entity: ClassVar[str] = "tix_day_snapshots"
    key: ClassVar[tuple[str, ...]] = ("snapshot_id",)
    source: ClassVar[str] = "tix"

    snapshot_id: Annotated[str, Field(pattern=r"^(latest|\d{4}-\d{2}-\d{2})$")]
    date: dt.date
    scraped_at: AwareDatetime  # with its zone (WIB): a reader in any time zone shows the right hour
    summary: dict[str, int]
    movies: list[dict[str, Any]] = []
    city_stats: dict[str, int] = {}


# ------------------------------------------------------------------------- repertuary
class RepertuaryFilm(CineItem):
    entity: ClassVar[str] = "repertuary_films"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title_pl: NonEmpty
    original_title: NonEmpty
    director: str | None = None
    year: Annotated[int, Field(ge=1880, le=2100)] | None = None
    countries: list[str] = []
    runtime: Annotated[int, Field(gt=0, le=1000)] | None = None
    cast: list[str] = []
    genres: list[str] = []
    url: str


class RepertuaryCinema(CineItem):
    entity: ClassVar[str] = "repertuary_cinemas"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty
    slug: NonEmpty  # may contain "/", e.g. cinema-city/bonarka
    name: NonEmpty  # derived from the slug, as the original does


class RepertuaryShowtime(CineItem):
    entity: ClassVar[str] = "repertuary_showtimes"
    key: ClassVar[tuple[str, ...]] = ("external_id",)
    source: ClassVar[str] = "repertuary"

    external_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")]
    city: NonEmpty
    film_slug: NonEmpty
    cinema_slug: NonEmpty
    date: dt.date
    time: HHMM
    starts_at: AwareDatetime
    showtime_id: str | None = None
    ticket_url: str | None = None


# ------------------------------------------------------------------------------- TMDB
class TmdbMovie(CineItem):
    entity: ClassVar[str] = "tmdb_movies"
    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"

    tmdb_id: Annotated[int, Field(gt=0)]
    title: NonEmpty
    original_title: NonEmpty
    release_date: dt.date | None = None
    runtime: NonNegative | None = None
    imdb_id: str | None = None
    original_language: str | None = None
    popularity: float | None = None
    categories: list[str] = []
    genres: list[str] = []
    cast: list[dict[str, Any]] = []
    crew: list[dict[str, Any]] = []
    keywords: list[str] = []
    similar_ids: list[int] = []
    trailer_key: str | None = None
    budget: NonNegative | None = None  # TMDB's 0 (unknown) is stored as None
    revenue: NonNegative | None = None
    tagline: str | None = None
    genre_ids: list[int] = []
    collection: str | None = None
    certification: str | None = None  # for ``region``
    local_release_date: dt.date | None = None  # for ``region``
    region: str | None = None
    status: str | None = None
    enriched: bool = False  # details fetched (else: as a list shows it)
    gone: bool = False  # TMDB answered 404 for the id

    # A list-only row (not enriched) must not wipe what an enrichment stored; the lists a
    # movie was seen in add up.
    merge_rules: ClassVar[dict[str, MergeRule]] = {
        "categories": "union", "enriched": "or",
        **dict.fromkeys(("runtime", "imdb_id", "genres", "cast", "crew", "keywords", "similar_ids", "trailer_key",
                         "budget", "revenue", "tagline", "collection", "certification", "local_release_date",
                         "region", "status"), "nonnull")}


class TmdbShow(CineItem):
    entity: ClassVar[str] = "tmdb_shows"
    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"

    tmdb_id: Annotated[int, Field(gt=0)]
    name: NonEmpty
    original_name: NonEmpty
    imdb_id: str | None = None
    first_air_date: dt.date | None = None
    last_air_date: dt.date | None = None
    status: str | None = None
    number_of_seasons: NonNegative | None = None
    number_of_episodes: NonNegative | None = None
    popularity: float | None = None
    networks: list[dict[str, Any]] = []  # [{id, name}]: the tmdb_networks rows
    production_companies: list[dict[str, Any]] = []  # [{id, name}]: the tmdb_companies rows
    # One row per region and offer type: {region, offer (flatrate|rent|buy|ads|free), provider_id,
    # provider_name, display_priority}; the providers themselves are tmdb_watch_providers rows.
    watch_providers: list[dict[str, Any]] = []
    tvdb_id: int | None = None
    type: str | None = None
    original_language: str | None = None
    episode_run_time: list[int] = []
    genres: list[str] = []
    raw: dict[str, Any] = {}  # the whole /tv/{id} answer with its appends, as TMDB sent it


class TmdbLogoEntity(CineItem):
    """A TMDB network, production company or watch provider, with its logo stored once
    (content-addressed, cineradar/pipelines/logos.py)."""

    key: ClassVar[tuple[str, ...]] = ("tmdb_id",)
    source: ClassVar[str] = "tmdb"
    logo_kind: ClassVar[str]
    # A crawl that did not (re)download the logo must not wipe the stored file.
    merge_rules: ClassVar[dict[str, MergeRule]] = {"logo_file": "nonnull", "logo_sha256": "nonnull"}

    tmdb_id: Annotated[int, Field(gt=0)]
    name: NonEmpty
    origin_country: str | None = None
    logo_path: str | None = None  # TMDB's image path (the source of the stored file)
    logo_file: str | None = None  # logos/{kind}/{id}/{sha256}.{ext} in FILES_STORE
    logo_sha256: str | None = None
    logo_urls: list[str] = []  # for the logo pipeline only: the one URL to download this crawl
    logo_files: list[dict[str, Any]] = []


class TmdbNetwork(TmdbLogoEntity):
    entity: ClassVar[str] = "tmdb_networks"
    logo_kind: ClassVar[str] = "network"


class TmdbCompany(TmdbLogoEntity):
    entity: ClassVar[str] = "tmdb_companies"
    logo_kind: ClassVar[str] = "company"


class TmdbWatchProvider(TmdbLogoEntity):
    entity: ClassVar[str] = "tmdb_watch_providers"
    logo_kind: ClassVar[str] = "provider"


# matched / needs_review (the queue of `scrapy tmdb-review`) / low_confidence and no_results (no
# match: not searched again for a week) / rejected (a person rejected every candidate).
MatchStatus = Literal["matched", "needs_review", "low_confidence", "no_results", "rejected"]


class TmdbMatch(CineItem):
    entity: ClassVar[str] = "tmdb_matches"
    key: ClassVar[tuple[str, ...]] = ("listing_source", "listing_key")
    source: ClassVar[str] = "tmdb"

    listing_source: Literal["tix", "repertuary"]
    listing_key: NonEmpty
    listing_title: NonEmpty
    tmdb_id: Annotated[int, Field(gt=0)] | None = None
    confidence: Annotated[float, Field(ge=0, le=1)]  # the documented 0-100 score / 100 (cineradar/matching.py)
    status: MatchStatus
    candidates: list[dict[str, Any]] = []  # every candidate with its score and score parts
    reason: str | None = None
    decided_by: Literal["auto", "person"] = "auto"  # a person's choice is never overwritten by a crawl
    checked_at: AwareDatetime | None = None
    region: str | None = None  # the cinema's country (now_playing confirmation)


# -------------------------------------------------------------------------- crawl run
class CrawlRun(CineItem):
    entity: ClassVar[str] = "crawl_runs"
    key: ClassVar[tuple[str, ...]] = ("run_id",)
    source: ClassVar[str] = "run"

    run_id: NonEmpty
    spider: NonEmpty
    status: Literal["running", "success", "partial", "failed"]
    started_at: AwareDatetime
    finished_at: AwareDatetime | None = None
    args: dict[str, Any] = {}
    stats: dict[str, Any] = {}


ALL_ITEMS: tuple[type[CineItem], ...] = (
    TixMovie, TixTheatre, TixShowtime, TixSeatSnapshot, TixSeatFailure, TixDailySummary,
    TixSchedule, TixDaySnapshot,
    RepertuaryFilm, RepertuaryCinema, RepertuaryShowtime,
    TmdbMovie, TmdbShow, TmdbMatch, TmdbNetwork, TmdbCompany, TmdbWatchProvider, CrawlRun,
)


def sanitize_id(value: str) -> str:
    """Every character outside [A-Za-z0-9_-] becomes '_' (the original's external_id rule)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)
