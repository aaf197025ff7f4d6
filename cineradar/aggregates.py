"""Backend-neutral day aggregates of TIX.id, computed from what is STORED. No Scrapy.

``schedules(...)`` gives one ``TixSchedule`` per movie of a date (the original's
``schedules/{date}/movies/{id}``), ``day_snapshot(...)`` the ``TixDaySnapshot`` of the
date (``snapshots/{date}``) and ``rebuild(backends, dates)`` recomputes both from the
primary backend's stored movies, theatres and showtimes and writes the same items to
every backend (Firestore maps them to the original's paths). Because the input is the
store, not one crawl's items, batch jobs finishing in any order converge: each
recomputes the day at its close from everything stored so far. ``snapshots/latest``
(``snapshot_id="latest"``) moves to a date only if it is not older than the one it holds.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from cineradar.items import TixDaySnapshot, TixSchedule
from cineradar.storage.base import Storage

WIB = ZoneInfo("Asia/Jakarta")


def schedules(date: str, movies: list[dict[str, Any]], theatres: list[dict[str, Any]],
              showtimes: list[dict[str, Any]], now: dt.datetime) -> list[TixSchedule]:
    """One schedule per movie: city -> theatres (by name) -> rooms (by category) -> showtimes (by time)."""
    by_theatre = {t["theatre_id"]: t for t in theatres}
    tree: dict[str, dict[str, dict[str, dict[str, list[dict[str, Any]]]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(list))))
    prices: dict[tuple[str, str, str], str | None] = {}
    merchants: dict[str, str | None] = {}
    for row in showtimes:
        tree[row["movie_id"]][row["city"]][row["theatre_id"]][row["room_category"]].append(row)
        prices.setdefault((row["movie_id"], row["theatre_id"], row["room_category"]), row.get("price"))
        merchants.setdefault(row["theatre_id"], row.get("merchant"))
    meta = {m["movie_id"]: m for m in movies}
    out = []
    for movie_id in sorted(set(meta) | set(tree)):
        movie = meta.get(movie_id, {})
        cities: dict[str, list[dict[str, Any]]] = {}
        for city, theatre_map in sorted(tree.get(movie_id, {}).items()):
            entries = []
            for theatre_id, rooms in theatre_map.items():
                theatre = by_theatre.get(theatre_id, {})
                entries.append({
                    "theatre_id": theatre_id, "theatre_name": theatre.get("name"),
                    "merchant": theatre.get("merchant") or merchants.get(theatre_id),
                    "address": theatre.get("address"),
                    "rooms": [_room(category, prices[(movie_id, theatre_id, category)], shows)
                              for category, shows in sorted(rooms.items())]})
            entries.sort(key=lambda e: (e["theatre_name"] or "", e["theatre_id"]))
            cities[city] = entries
        out.append(TixSchedule(
            date=dt.date.fromisoformat(date), movie_id=movie_id, title=movie.get("title"),
            poster_url=movie.get("poster_url"), genres=movie.get("genres") or [],
            age_category=movie.get("age_category"), merchants=movie.get("merchants") or [],
            is_presale=bool(movie.get("is_presale")), uploaded_at=now, cities=cities))
    return out


def _room(category: str, price: str | None, shows: list[dict[str, Any]]) -> dict[str, Any]:
    shows = sorted(shows, key=lambda s: (s["time"], s["showtime_id"]))
    return {"category": category, "price": price,
            "showtimes": [s["time"] for s in shows if s.get("is_available")],
            "all_showtimes": [{"time": s["time"], "status": s.get("status"),
                               "is_available": bool(s.get("is_available")), "showtime_id": s["showtime_id"]}
                              for s in shows],
            "past_showtimes": [s["time"] for s in shows if not s.get("is_available")]}


def day_snapshot(date: str, movies: list[dict[str, Any]], showtimes: list[dict[str, Any]],
                 now: dt.datetime, snapshot_id: str | None = None) -> TixDaySnapshot:
    """The original's snapshots/{date}: slim movies (most cities first), city_stats, summary."""
    theatres: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in showtimes:
        theatres[row["movie_id"]][row["city"]].add(row["theatre_id"])
    slim = []
    city_stats: dict[str, int] = defaultdict(int)
    for movie in movies:
        for city in movie.get("cities") or []:
            city_stats[city] += 1
        slim.append({"id": movie["movie_id"], "title": movie["title"], "genres": movie.get("genres") or [],
                     "poster": movie.get("poster_url"), "age_category": movie.get("age_category"),
                     "country": movie.get("country"), "merchants": movie.get("merchants") or [],
                     "is_presale": bool(movie.get("is_presale")), "cities": movie.get("cities") or [],
                     "theatre_counts": {c: len(ids) for c, ids in sorted(theatres[movie["movie_id"]].items())}})
    slim.sort(key=lambda m: (-len(m["cities"]), m["id"]))
    return TixDaySnapshot(
        snapshot_id=snapshot_id or date, date=dt.date.fromisoformat(date), scraped_at=now.astimezone(WIB),
        movies=slim, city_stats=dict(sorted(city_stats.items())),
        summary={"total_cities": len(city_stats), "total_movies": len(slim),
                 "presale_count": sum(1 for m in slim if m["is_presale"])})


def compute(primary: Storage, dates: Iterable[str], now: dt.datetime | None = None
            ) -> dict[str, list[dict[str, Any]]]:
    """entity -> rows of the aggregates of these dates, from the primary backend's rows."""
    now = now or dt.datetime.now(dt.UTC)
    dates = sorted(set(dates))
    out: dict[str, list[dict[str, Any]]] = {TixSchedule.entity: [], TixDaySnapshot.entity: []}
    if not dates:
        return out
    theatres = primary.fetch("tix_theatres")
    latest = primary.fetch(TixDaySnapshot.entity, {"snapshot_id": "latest"})
    latest_date = str(latest[0]["date"]) if latest else None
    for date in dates:
        movies = primary.fetch("tix_movies", {"date": date})
        showtimes = primary.fetch("tix_showtimes", {"date": date})
        if not movies and not showtimes:
            continue
        out[TixSchedule.entity] += [s.row() for s in schedules(date, movies, theatres, showtimes, now)]
        snapshot = day_snapshot(date, movies, showtimes, now)
        out[TixDaySnapshot.entity].append(snapshot.row())
        if latest_date is None or latest_date <= date:
            out[TixDaySnapshot.entity].append(snapshot.model_copy(update={"snapshot_id": "latest"}).row())
            latest_date = date
    return out


def rebuild(backends: Sequence[Storage], dates: Iterable[str], now: dt.datetime | None = None
            ) -> tuple[dict[str, int], dict[str, str]]:
    """Recompute the dates' aggregates from ``backends[0]`` and write them to every backend.

    Returns (entity -> rows computed, backend -> error of the backends that refused them)."""
    rows = compute(backends[0], dates, now)
    errors: dict[str, str] = {}
    for backend in backends:
        try:
            for entity, batch in rows.items():
                for start in range(0, len(batch), 100):  # schedule documents are large
                    backend.upsert(entity, batch[start:start + 100])
        except Exception as exc:  # noqa: BLE001 - reported per backend; the others still get theirs
            errors[backend.name] = str(exc)
    return {entity: len(batch) for entity, batch in rows.items()}, errors
