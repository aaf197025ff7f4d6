"""Pure parsers of TMDB v3 JSON (docs/sources/tmdb.md#response-shapes): dicts in, items out.

Items are built with ``model_construct`` (never raises); the validation pipeline checks them.
TMDB's "unknown" values become None: ``release_date: ""``, ``runtime: 0``, ``budget: 0``,
``revenue: 0``, ``tagline: ""``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from cineradar.items import TmdbMovie

CAST_SIZE = 10
# Key crew: the jobs kept from credits.crew (one person once per job).
KEY_JOBS = ("Director", "Screenplay", "Writer", "Story", "Novel", "Producer", "Original Music Composer")
# Release types for the local date, most wanted first: theatrical, limited, premiere, then the rest.
RELEASE_TYPE_ORDER = (3, 2, 1, 4, 5, 6)


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _positive(value: Any) -> int | None:
    """A count where TMDB writes 0 (or null) for unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def list_page(body: dict[str, Any]) -> tuple[list[dict[str, Any]], int]:
    """The movie results of a list page (``media_type`` other than movie dropped) and its total_pages."""
    results = [r for r in body.get("results") or [] if isinstance(r, dict) and isinstance(r.get("id"), int)
               and r.get("media_type", "movie") == "movie"]
    total = body.get("total_pages")
    return results, total if isinstance(total, int) and total > 0 else 1


def movie_from_list(item: dict[str, Any], category: str) -> TmdbMovie:
    """A movie as a list shows it (no enrichment); ``category`` is the list's name."""
    return TmdbMovie.model_construct(
        tmdb_id=item.get("id"), title=item.get("title"), original_title=item.get("original_title"),
        release_date=_date(item.get("release_date")), original_language=item.get("original_language"),
        popularity=item.get("popularity"), poster_path=_text(item.get("poster_path")), categories=[category],
        genre_ids=[g for g in item.get("genre_ids") or [] if isinstance(g, int)],
    )


def top_cast(credits: dict[str, Any] | None, size: int = CAST_SIZE) -> list[dict[str, Any]]:
    """The first ``size`` cast members in billing order (``order`` 0 first), with their characters."""
    cast = [c for c in (credits or {}).get("cast") or [] if isinstance(c, dict) and c.get("name")]
    cast.sort(key=lambda c: c["order"] if isinstance(c.get("order"), int) else 1_000_000)
    return [{"id": c.get("id"), "name": c["name"], "character": _text(c.get("character")), "order": c.get("order")}
            for c in cast[:size]]


def key_crew(credits: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Director, writers, producers and composer, each person once per job, in KEY_JOBS order."""
    seen: set[tuple[Any, str]] = set()
    out: list[dict[str, Any]] = []
    crew = [c for c in (credits or {}).get("crew") or [] if isinstance(c, dict) and c.get("job") in KEY_JOBS]
    crew.sort(key=lambda c: KEY_JOBS.index(c["job"]))  # stable: TMDB's order within a job
    for c in crew:
        key = (c.get("id"), c["job"])
        if key in seen or not c.get("name"):
            continue
        seen.add(key)
        out.append({"id": c.get("id"), "name": c["name"], "job": c["job"], "department": c.get("department")})
    return out


def trailer_key(videos: dict[str, Any] | None) -> str | None:
    """YouTube key: an official trailer first, then any trailer, then a teaser (newest within each)."""
    youtube = [v for v in (videos or {}).get("results") or []
               if isinstance(v, dict) and v.get("site") == "YouTube" and v.get("key")]
    youtube.sort(key=lambda v: str(v.get("published_at") or ""), reverse=True)
    rules: tuple[Callable[[dict[str, Any]], bool], ...] = (
        lambda v: v.get("type") == "Trailer" and v.get("official") is True,
        lambda v: v.get("type") == "Trailer",
        lambda v: v.get("type") == "Teaser")
    for wanted in rules:
        for video in youtube:
            if wanted(video):
                return str(video["key"])
    return None


def regional_release(release_dates: dict[str, Any] | None, region: str) -> tuple[str | None, dt.date | None]:
    """(certification, release date) for ``region``: the theatrical release first (type 3, then 2,
    1, 4, 5, 6; earliest within a type); the certification of that release, else any of the region's."""
    entries: list[dict[str, Any]] = []
    for country in (release_dates or {}).get("results") or []:
        if isinstance(country, dict) and country.get("iso_3166_1") == region.upper():
            entries += [r for r in country.get("release_dates") or [] if isinstance(r, dict)]
    dated = [r for r in entries if _date(r.get("release_date"))]
    dated.sort(key=lambda r: (RELEASE_TYPE_ORDER.index(r["type"]) if r.get("type") in RELEASE_TYPE_ORDER else 9,
                              str(r["release_date"])))
    chosen = dated[0] if dated else None
    certification = _text(chosen.get("certification")) if chosen else None
    if certification is None:
        certification = next((c for r in dated + entries if (c := _text(r.get("certification")))), None)
    return certification, _date(chosen.get("release_date")) if chosen else None


def movie_from_details(body: dict[str, Any], region: str, categories: list[str]) -> TmdbMovie:
    """A movie from ``/3/movie/{id}?append_to_response=credits,keywords,videos,similar,release_dates``."""
    certification, local_date = regional_release(body.get("release_dates"), region)
    genres = [g for g in body.get("genres") or [] if isinstance(g, dict)]
    collection = body.get("belongs_to_collection")
    similar = (body.get("similar") or {}).get("results") or []
    return TmdbMovie.model_construct(
        tmdb_id=body.get("id"), title=body.get("title"), original_title=body.get("original_title"),
        release_date=_date(body.get("release_date")), runtime=_positive(body.get("runtime")),
        imdb_id=_text(body.get("imdb_id")), original_language=body.get("original_language"),
        popularity=body.get("popularity"), poster_path=_text(body.get("poster_path")),
        categories=sorted(set(categories)),
        genres=[str(g["name"]) for g in genres if g.get("name")],
        genre_ids=[g["id"] for g in genres if isinstance(g.get("id"), int)],
        cast=top_cast(body.get("credits")), crew=key_crew(body.get("credits")),
        keywords=[str(k["name"]) for k in (body.get("keywords") or {}).get("keywords") or []
                  if isinstance(k, dict) and k.get("name")],
        similar_ids=[s["id"] for s in similar if isinstance(s, dict) and isinstance(s.get("id"), int)],
        trailer_key=trailer_key(body.get("videos")),
        budget=_positive(body.get("budget")), revenue=_positive(body.get("revenue")),
        tagline=_text(body.get("tagline")),
        collection=_text(collection.get("name")) if isinstance(collection, dict) else None,
        certification=certification, local_release_date=local_date, region=region.upper(),
        status=_text(body.get("status")), enriched=True,
    )


# ----------------------------------------------------------------------------------- TV
OFFER_TYPES = ("flatrate", "rent", "buy", "ads", "free")


def find_tv_id(body: dict[str, Any]) -> int | None:
    """The TMDB id of the first TV hit of ``/3/find/{imdb id}`` (a miss: five empty arrays)."""
    hits = [r for r in body.get("tv_results") or [] if isinstance(r, dict) and isinstance(r.get("id"), int)]
    return hits[0]["id"] if hits else None


def watch_offers(providers: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One row per region, offer type and provider, from a ``watch/providers`` answer."""
    rows = []
    for region, entry in sorted(((providers or {}).get("results") or {}).items()):
        if not isinstance(entry, dict):
            continue
        for offer in OFFER_TYPES:
            for p in entry.get(offer) or []:
                if isinstance(p, dict) and isinstance(p.get("provider_id"), int):
                    rows.append({"region": region, "offer": offer, "provider_id": p["provider_id"],
                                 "provider_name": p.get("provider_name"),
                                 "display_priority": p.get("display_priority")})
    return rows


def show_from_details(body: dict[str, Any]) -> tuple[Any, list[Any], list[Any], list[Any]]:
    """(show, networks, companies, watch providers) from ``/3/tv/{id}?append_to_response=
    external_ids,watch/providers``; the show keeps the whole answer in ``raw``."""
    from cineradar.items import TmdbCompany, TmdbNetwork, TmdbShow, TmdbWatchProvider

    external = body.get("external_ids") or {}
    providers = body.get("watch/providers")
    networks = [n for n in body.get("networks") or [] if isinstance(n, dict) and isinstance(n.get("id"), int)]
    companies = [c for c in body.get("production_companies") or []
                 if isinstance(c, dict) and isinstance(c.get("id"), int)]
    offers = watch_offers(providers)
    show = TmdbShow.model_construct(
        tmdb_id=body.get("id"), name=body.get("name"), original_name=body.get("original_name"),
        imdb_id=_text(external.get("imdb_id")),
        tvdb_id=external.get("tvdb_id") if isinstance(external.get("tvdb_id"), int) else None,
        first_air_date=_date(body.get("first_air_date")), last_air_date=_date(body.get("last_air_date")),
        status=_text(body.get("status")), type=_text(body.get("type")),
        number_of_seasons=body.get("number_of_seasons"), number_of_episodes=body.get("number_of_episodes"),
        popularity=body.get("popularity"), original_language=body.get("original_language"),
        episode_run_time=[r for r in body.get("episode_run_time") or [] if isinstance(r, int)],
        genres=[str(g["name"]) for g in body.get("genres") or [] if isinstance(g, dict) and g.get("name")],
        networks=[{"id": n["id"], "name": n.get("name")} for n in networks],
        production_companies=[{"id": c["id"], "name": c.get("name")} for c in companies],
        watch_providers=offers, raw=body,
    )

    def entity(cls: Any, row: dict[str, Any], ident: int, name: Any) -> Any:
        return cls.model_construct(tmdb_id=ident, name=name, origin_country=_text(row.get("origin_country")),
                                   logo_path=_text(row.get("logo_path")))

    seen: dict[int, Any] = {}
    for region_entry in ((providers or {}).get("results") or {}).values():
        for offer in OFFER_TYPES:
            for p in (region_entry or {}).get(offer) or []:
                if isinstance(p, dict) and isinstance(p.get("provider_id"), int):
                    seen.setdefault(p["provider_id"], entity(TmdbWatchProvider, p, p["provider_id"],
                                                             p.get("provider_name")))
    return (show, [entity(TmdbNetwork, n, n["id"], n.get("name")) for n in networks],
            [entity(TmdbCompany, c, c["id"], c.get("name")) for c in companies], list(seen.values()))
