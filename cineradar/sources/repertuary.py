"""repertuary.pl (docs/sources/repertuary.md): one site per Polish city (kino.krakow.pl for Kraków)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cineradar.sources import EndpointGroup, Matching, Source, declare

if TYPE_CHECKING:
    from cineradar.matching import Listing


def real_hosts() -> dict[str, str]:
    from cineradar.cities import REPERTUARY_CITIES, repertuary_host

    return {city: repertuary_host(city) for city in REPERTUARY_CITIES}


def listings(rows: list[dict[str, Any]]) -> list[Listing]:
    """One listing per film slug (the same film in several cities), the fullest row first."""
    from cineradar.matching import Listing

    by_slug: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["slug"], -sum(1 for v in r.values() if v), r["city"])):
        by_slug.setdefault(row["slug"], row)
    return [Listing(source="repertuary", key=slug, title=r["title_pl"], original_title=r.get("original_title"),
                    year=r.get("year"), runtime=r.get("runtime"), director=r.get("director"),
                    countries=list(r.get("countries") or []), region="PL") for slug, r in sorted(by_slug.items())]


def facts(backend: Any, row: dict[str, Any]) -> dict[str, str]:
    """What the store knows of a repertuary film (tmdb-review --interactive)."""
    from cineradar.commands.tmdb_review import _some, _span

    key = row["listing_key"]
    films = backend.fetch("repertuary_films", {"slug": key})
    shows = backend.fetch("repertuary_showtimes", {"film_slug": key})
    cinemas = {(c["city"], c["slug"]): c["name"] for c in backend.fetch("repertuary_cinemas")}
    film = films[0] if films else {}
    return {"cinemas": _some([f"{cinemas.get((s['city'], s['cinema_slug']), s['cinema_slug'])} ({s['city']})"
                              for s in shows]),
            "dates": _span([s["date"] for s in shows]),
            "year": str(film.get("year") or "unknown"),
            "original title": str(film.get("original_title") or "unknown"),
            "director": str(film.get("director") or "unknown"),
            "runtime": f"{film['runtime']} min" if film.get("runtime") else "unknown"}


SOURCE = declare(Source(
    name="repertuary",
    endpoint_group=EndpointGroup(key="repertuary", setting="REPERTUARY_URLS", defaults=real_hosts),
    site="repertuary",
    # 3.5/s is what the original put on one city (7 sessions, one request each every 2 s); the 29
    # cities are one site, so `-a city=all` stays at it.
    rate_limit=3.5,
    domains=("repertuary.pl", "kino.krakow.pl"),
    freshness_hours=24,
    settings={
        "REPERTUARY_SHARE_SESSION": False,  # True reproduces the original's race (all days in one session)
        "REPERTUARY_SESSIONS": 7,  # parallel sessions per city (the original ran 7 day tasks at once)
        # A day page (fresh session each time) or film page cut short, garbled or failed is fetched
        # again up to this many times in all; then it is reported missing (crawl PARTIAL, exit 3).
        "REPERTUARY_MAX_ATTEMPTS": 8,
    },
    monitor_min_items={"repertuary": 1, "kino_krakow": 1},
    matching=Matching(region="PL", language="pl-PL", entity="repertuary_films", listings=listings,
                      key_help="the film's slug", facts=facts),
    replica="replica.repertuary",
))
