"""TIX.id (docs/sources/tix.md): the app site (login), the B2B API (movies, schedules, seat maps).

Its auth and speed settings (TIX_AUTH_*, TIX_MOVIES_*, TIX_SEATS_*) are still in settings.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cineradar.sources import Matching, Source, declare

if TYPE_CHECKING:
    from cineradar.matching import Listing


def listings(rows: list[dict[str, Any]]) -> list[Listing]:
    """One listing per TIX.id movie id (a movie is listed on every date): the latest date's row."""
    from cineradar.matching import Listing

    by_id: dict[str, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: (r["movie_id"], str(r["date"]))):
        by_id[row["movie_id"]] = row
    return [Listing(source="tix", key=movie_id, title=r["title"],
                    countries=[r["country"]] if r.get("country") else [], region="ID")
            for movie_id, r in sorted(by_id.items())]


def facts(backend: Any, row: dict[str, Any]) -> dict[str, str]:
    """What the store knows of a TIX.id movie (tmdb-review --interactive)."""
    from cineradar.commands.tmdb_review import _some, _span

    key = row["listing_key"]
    movies = backend.fetch("tix_movies", {"movie_id": key})
    shows = backend.fetch("tix_showtimes", {"movie_id": key})
    theatres = {t["theatre_id"]: t["name"] for t in backend.fetch("tix_theatres")}
    country = next((m["country"] for m in movies if m.get("country")), None)
    return {"cinemas": _some([f"{theatres.get(s['theatre_id'], s['theatre_id'])} ({s['city']})" for s in shows]),
            "dates": _span([s["date"] for s in shows] or [m["date"] for m in movies]),
            "year": "unknown (TIX.id lists none)", "original title": "unknown (TIX.id lists none)",
            "country": str(country or "unknown")}


SOURCE = declare(Source(
    name="tix",
    endpoints={"tix_app": "TIX_APP_URL", "tix_api": "TIX_API_URL"},
    urls={"TIX_APP_URL": "https://app.tix.id", "TIX_API_URL": "https://api-b2b.tix.id"},
    monitor_min_items={"tix_movies": 1},
    matching=Matching(region="ID", language="id-ID", entity="tix_movies", listings=listings,
                      key_help="the TIX.id movie id", search_english=True, facts=facts),
    replica="replica.tix",
))
