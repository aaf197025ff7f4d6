"""TMDB's items (cineradar/spiders/tmdb_*.py, docs/sources/tmdb.md): movies, shows, logo entities and the
cinema listings' matches."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field

from cineradar.items.base import (
    CineItem,
    D,
    MergeRule,
    NonEmpty,
    NonNegative,
    UtcDatetime,
)


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
    poster_path: str | None = D("TMDB's image path of the poster (`/<27 characters>.jpg`), as its lists, search "
                                "and details give it; the image is the image host + a size (`w342`, "
                                "`original`...) + this path. Null when TMDB has none.", None)
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
                                         "parts, runtime, directors, poster_path}` (score 0-100, parts 0-1 "
                                         "each; runtime and directors null unless details were fetched; "
                                         "poster_path TMDB's, null when none or stored before it was kept).",
                                         [])
    reason: str | None = D("Why this status, in words.", None)
    decided_by: Literal["auto", "person"] = D("`person` when set by `scrapy tmdb-review`: never changed by a "
                                              "crawl.", "auto")
    checked_at: UtcDatetime | None = D("When the listing was last matched: ISO 8601 in UTC (`+00:00`).", None)
    region: str | None = D("The cinema's country (ISO 3166-1), whose now_playing confirms a 60-69 match.", None)


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
