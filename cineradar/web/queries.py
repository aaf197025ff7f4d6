"""What each page (and the report) shows, computed from the store through ``storage.read.Reader``.

Plain functions returning plain dicts, so the web view, the report and the tests read the
same figures. Occupancy follows ``scrapy daily-summary``: each showtime counts once, through
its latest ``morning`` snapshot of the day (audience = unavailable seats).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from cineradar.commands.daily_summary import WIB, latest_per_showtime
from cineradar.storage.read import Range, Reader

SOURCES = {  # source -> its spiders, in the order the cards show them
    "TIX.id": ("tix_movies", "tix_seats"),
    "repertuary.pl": ("repertuary", "kino_krakow"),
    "TMDB": ("tmdb_movies", "tmdb_match", "tmdb_tv"),
}
SNAPSHOT_COLUMNS = ("snapshot_id", "showtime_id", "mode", "scraped_at", "date", "time", "movie_id", "movie_title",
                    "theatre_id", "theatre_name", "city", "merchant", "room_category", "total_seats",
                    "unavailable_seats", "available_seats", "occupancy_pct")
TREND_DAYS = 30


def pct(audience: int, seats: int) -> float:
    return round(audience / seats * 100, 1) if seats else 0.0


def today_wib() -> str:
    return dt.datetime.now(WIB).date().isoformat()


def days_back(day: str, n: int) -> str:
    return (dt.date.fromisoformat(day) - dt.timedelta(days=n)).isoformat()


# --------------------------------------------------------------------------- runs
def run_cards(reader: Reader) -> list[dict[str, Any]]:
    """One card per source: the latest run of each of its spiders, and what it says is missing."""
    cards = []
    for source, spiders in SOURCES.items():
        latest = []
        for spider in spiders:
            rows = reader.rows("crawl_runs", where={"spider": spider}, order=("started_at",), desc=True, limit=1,
                               columns=("run_id", "spider", "status", "started_at", "finished_at", "reason",
                                        "items", "duration_s", "errors"))
            if rows:
                run = rows[0]
                run["item_count"] = sum((run.get("items") or {}).values())
                latest.append(run)
        worst = next((s for s in ("failed", "partial", "running", "success") if any(r["status"] == s for r in latest)),
                     "never run")
        cards.append({"source": source, "runs": latest, "status": worst})
    return cards


def run_history(reader: Reader, *, status: str | None = None, spider: str | None = None, day: str | None = None,
                limit: int = 200) -> list[dict[str, Any]]:
    where: dict[str, Any] = {}
    if status:
        where["status"] = status
    if spider:
        where["spider"] = spider
    between = None
    if day:
        start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
        between = Range("started_at", start.isoformat(), (start + dt.timedelta(days=1, microseconds=-1)).isoformat())
    rows = reader.rows("crawl_runs", where=where, between=between, order=("started_at",), desc=True, limit=limit,
                       columns=("run_id", "spider", "status", "started_at", "finished_at", "reason", "items",
                                "duration_s", "requests", "errors"))
    for row in rows:
        row["item_count"] = sum((row.get("items") or {}).values())
    return rows


def run_detail(reader: Reader, run_id: str) -> dict[str, Any] | None:
    rows = reader.rows("crawl_runs", where={"run_id": run_id})
    if not rows:
        return None
    run = rows[0]
    stats = run.get("stats") or {}
    run["monitors"] = {k: v for k, v in sorted(stats.items()) if "monitor" in k or k.startswith("spidermon")}
    return run


def spiders(reader: Reader) -> list[str]:
    return sorted(k for k in reader.count_by("crawl_runs", "spider") if k)


# --------------------------------------------------------------------------- TIX.id day
def tix_dates(reader: Reader) -> list[str]:
    return reader.cached(("tix_dates",), lambda: sorted(reader.distinct("tix_showtimes", "date"), reverse=True))


def day_snapshots(reader: Reader, day: str) -> list[dict[str, Any]]:
    """The latest morning snapshot of each showtime of the day (the daily summary's input)."""
    return latest_per_showtime(reader.rows("tix_seat_snapshots", columns=SNAPSHOT_COLUMNS,
                                           where={"date": day, "mode": "morning"}))


def morning_sums(reader: Reader, group: tuple[str, ...], where: dict[str, Any],
                 between: Range | None = None) -> list[dict[str, Any]]:
    """Audience and seats per ``group`` over each showtime's latest morning snapshot, in SQL."""
    return reader.latest_sums("tix_seat_snapshots", per="showtime_id", latest="scraped_at", group=group,
                              sums=("unavailable_seats", "total_seats"), where=where | {"mode": "morning"},
                              between=between)


def movie_day_sums(reader: Reader, movie_ids: list[str], between: Range | None = None
                   ) -> dict[tuple[str, str], tuple[int, int, int]]:
    """(movie, day) -> (showtimes, audience, seats), each of the movie's showtimes of the day once
    through its latest morning snapshot.

    One pass over the (movie_id, mode, date, ...) index: summed over every morning snapshot with
    the count of distinct showtimes beside the count of rows; only a (movie, day) where they
    differ (a showtime snapshotted twice that morning) is summed again one snapshot per showtime."""
    lines = reader.aggregate("tix_seat_snapshots", group=("movie_id", "date"),
                             where={"movie_id": movie_ids, "mode": "morning"}, between=between,
                             values={"rows": ("count", "showtime_id"), "showtimes": ("count_distinct", "showtime_id"),
                                     "audience": ("sum", "unavailable_seats"), "seats": ("sum", "total_seats")})
    out = {}
    for line in lines:
        movie, day = line["movie_id"], line["date"]
        if line["rows"] == line["showtimes"]:
            out[(movie, day)] = (int(line["rows"]), int(line["audience"] or 0), int(line["seats"] or 0))
            continue
        for exact in morning_sums(reader, ("movie_id", "date"), {"movie_id": movie, "date": day}):
            out[(movie, day)] = (exact["rows"], exact["unavailable_seats"], exact["total_seats"])
    return out


def _lines(sums: Iterable[dict[str, Any]], key: str, names: dict[str, str] | None = None) -> list[dict[str, Any]]:
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in sums:
        name = str(row.get(key) or "?")
        line = totals[(names or {}).get(name, name)]
        line[0] += row["rows"]
        line[1] += row["unavailable_seats"]
        line[2] += row["total_seats"]
    return [{"name": name, "showtimes": n, "audience": aud, "seats": seats, "occupancy_pct": pct(aud, seats)}
            for name, (n, aud, seats) in sorted(totals.items(), key=lambda kv: (-kv[1][2], kv[0]))]


def tix_day(reader: Reader, day: str, *, top: int = 10) -> dict[str, Any]:
    """The day's figures, summed in SQL over each showtime's latest morning snapshot (kept until
    the store changes: ``Reader.cached``)."""
    return reader.cached(("tix_day", day, top), lambda: _tix_day(reader, day, top))


def stored_lines(reader: Reader, day: str) -> dict[str, Any] | None:
    """The day's stored daily summary when it still holds what the store holds: its lines per chain,
    city and movie as ``morning_sums`` rows; None when there is none, it predates the city and movie
    lines, or the day's morning snapshots changed since (their latest ones no longer add up to its
    showtimes, audience and seats): then the page sums the snapshots itself.

    When the summary read one snapshot per showtime (``snapshot_count == showtime_count``), one pass
    over the covering index tells: the same number of morning snapshots (rows are only ever added or
    updated, never deleted) with the same sums means the same snapshots, still one per showtime
    (``unique``: no superseded one to look for). Otherwise the latest ones are summed (``morning_sums``)."""
    rows = reader.rows("tix_daily_summaries", where={"date": day},
                       columns=("showtime_count", "snapshot_count", "total_audience", "total_seats", "chains",
                                "cities", "movies", "generated_at"))
    if not rows or not rows[0]["cities"] or not rows[0]["movies"]:
        return None
    summary = rows[0]
    stored = (summary["showtime_count"], summary["total_audience"], summary["total_seats"])
    unique = summary["snapshot_count"] == summary["showtime_count"]
    if unique:
        every = reader.aggregate("tix_seat_snapshots", group=(), where={"date": day, "mode": "morning"},
                                 values={"rows": ("count", "showtime_id"), "audience": ("sum", "unavailable_seats"),
                                         "seats": ("sum", "total_seats")})[0]
        now = (int(every["rows"]), int(every["audience"] or 0), int(every["seats"] or 0))
    else:
        live = morning_sums(reader, (), {"date": day})  # the covering index, minus the superseded snapshots
        now = (live[0]["rows"], live[0]["unavailable_seats"], live[0]["total_seats"]) if live else (0, 0, 0)
    if now != stored:
        return None

    def as_sums(lines: list[dict[str, Any]], key: str, column: str) -> list[dict[str, Any]]:
        return [{column: line[key], "rows": line["showtimes"], "unavailable_seats": line["audience"],
                 "total_seats": line["seats"]} for line in lines]

    return {"by_chain": as_sums(summary["chains"], "merchant", "merchant"),
            "by_city": as_sums(summary["cities"], "city", "city"),
            "by_movie": as_sums(summary["movies"], "movie_id", "movie_id"), "generated_at": summary["generated_at"],
            "unique": unique}


def _minute(when: Any) -> str:
    """An instant as people read it: ``2026-01-16 00:05+07:00``."""
    stamp = when if isinstance(when, dt.datetime) else dt.datetime.fromisoformat(str(when))
    return stamp.isoformat(sep=" ", timespec="minutes")


def _tix_day(reader: Reader, day: str, top: int) -> dict[str, Any]:
    movies = reader.rows("tix_movies", where={"date": day}, columns=("movie_id", "title", "is_presale", "cities"))
    titles = {m["movie_id"]: m["title"] for m in movies}
    stored = stored_lines(reader, day)
    if stored is not None:  # one row: the lines the daily summary stored, still current
        lines = {"by_chain": _lines(stored["by_chain"], "merchant"), "by_city": _lines(stored["by_city"], "city"),
                 "by_movie": _lines(stored["by_movie"], "movie_id", titles)}
        sums = stored["by_chain"]
    else:  # no current summary (today, a day written since, an older store): summed from the snapshots
        sums = morning_sums(reader, ("merchant", "city", "movie_id"), {"date": day})
        lines = {"by_city": _lines(sums, "city"), "by_chain": _lines(sums, "merchant"),
                 "by_movie": _lines(sums, "movie_id", titles)}
    columns = ("showtime_id", "movie_id", "movie_title", "theatre_id", "theatre_name", "time", "occupancy_pct")
    ranked = {}
    for name, desc in (("top", True), ("bottom", False)):
        ranked[name] = reader.latest_rows("tix_seat_snapshots", per="showtime_id", latest="scraped_at",
                                          columns=columns, order=("occupancy_pct", "showtime_id"), desc=desc,
                                          limit=top, where={"date": day, "mode": "morning"},
                                          unique=stored is not None and stored["unique"])
        if desc:  # highest first, ties by id ascending as the bottom list
            ranked[name].sort(key=lambda s: (-float(s["occupancy_pct"]), s["showtime_id"]))
        for snap in ranked[name]:
            snap["title"] = titles.get(snap.get("movie_id") or "", snap.get("movie_title") or "?")
    prices = reader.aggregate("tix_showtimes", group=("merchant", "room_category"), where={"date": day},
                              values={"min": ("min", "price_min"), "max": ("max", "price_max"),
                                      "showtimes": ("count", "price_min")})
    listed = reader.aggregate("tix_showtimes", group=("city", "theatre_id"), where={"date": day},
                              values={"showtimes": ("count", "showtime_id")})
    audience = sum(r["unavailable_seats"] for r in sums)
    seats = sum(r["total_seats"] for r in sums)
    return {
        "date": day,
        "totals": {"showtimes": sum(r["showtimes"] for r in listed),
                   "snapshotted": sum(r["rows"] for r in sums), "movies": len(movies),
                   "theatres": len({r["theatre_id"] for r in listed}), "cities": len({r["city"] for r in listed}),
                   "audience": audience, "seats": seats, "occupancy_pct": pct(audience, seats),
                   "failures": reader.count("tix_seat_failures", where={"date": day})},
        **lines,
        "summary_at": _minute(stored["generated_at"]) if stored is not None else None,
        "top": ranked["top"],
        "bottom": ranked["bottom"],
        "prices": [{"merchant": p["merchant"], "room_category": p["room_category"], "min": p["min"],
                    "max": p["max"], "showtimes": p["showtimes"]} for p in prices if p["min"] is not None],
        "presales": sorted(({"movie_id": m["movie_id"], "title": m["title"], "city_count": len(m.get("cities") or [])}
                            for m in movies if m.get("is_presale")), key=lambda m: m["title"]),
    }


def chain_trend(reader: Reader, day: str, days: int = TREND_DAYS) -> dict[str, Any]:
    """Occupancy per chain per day over ``days`` days up to ``day``, from the stored daily summaries."""
    rows = reader.rows("tix_daily_summaries", columns=("date", "chains", "occupancy_pct"),
                       between=Range("date", days_back(day, days - 1), day))
    dates = [r["date"] for r in rows]
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for row in rows:
        for line in row.get("chains") or []:
            series[line["merchant"]][row["date"]] = line["occupancy_pct"]
    return {"dates": dates, "series": {k: [v.get(d) for d in dates] for k, v in sorted(series.items())}}


def movie_trend(reader: Reader, day: str, movie_ids: list[str], days: int = TREND_DAYS) -> dict[str, Any]:
    """Occupancy per movie per day over ``days`` days up to ``day``: a day's stored daily summary's
    movie lines (as the chain trend reads its chain lines), else, for a day without them (no summary
    yet, or one stored before they were kept), the latest morning snapshot of each showtime."""
    if not movie_ids:
        return {"dates": [], "series": {}}
    window = [days_back(day, n) for n in range(days - 1, -1, -1)]
    wanted = set(movie_ids)
    summaries = reader.cached(("summary_movies", window[0], day, tuple(movie_ids)), lambda: {
        r["date"]: {line["movie_id"]: (line["audience"], line["seats"]) for line in r["movies"]
                    if line["movie_id"] in wanted}
        for r in reader.rows("tix_daily_summaries", columns=("date", "movies"), between=Range("date", window[0], day))
        if r["movies"]})

    def compute(missing: list[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
        dates = sorted({d for _, _, d in missing})
        sums = movie_day_sums(reader, sorted({m for _, m, _ in missing}), Range("date", dates[0], dates[-1]))
        return {("movie_day", m, d): v for (m, d), v in sums.items()}

    # each (movie, day) of a day without summary lines kept until the store changes
    summed = [d for d in window if d not in summaries]
    cells = reader.cached_many([("movie_day", m, d) for m in movie_ids for d in summed], compute) if summed else {}
    per = {(m, d): (v[1], v[2]) for (_, m, d), v in cells.items() if v is not None}
    per |= {(m, d): line for d, lines in summaries.items() for m in movie_ids if (line := lines.get(m))}
    dates = sorted({d for _, d in per})
    return {"dates": dates, "series": {m: [pct(*per[(m, d)]) if (m, d) in per else None for d in dates]
                                       for m in movie_ids}}


# --------------------------------------------------------------------------- showtime
def showtime(reader: Reader, showtime_id: str) -> dict[str, Any] | None:
    rows = reader.rows("tix_showtimes", where={"showtime_id": showtime_id})
    snaps = reader.rows("tix_seat_snapshots", where={"showtime_id": showtime_id}, order=("scraped_at",))
    if not rows and not snaps:
        return None
    show = rows[0] if rows else {k: snaps[0].get(k) for k in ("showtime_id", "movie_id", "theatre_id", "city",
                                                                "merchant", "room_category", "date", "time")}
    movie = reader.rows("tix_movies", where={"movie_id": show.get("movie_id"), "date": show.get("date")},
                        columns=("title", "poster_url"))
    theatre = reader.rows("tix_theatres", where={"theatre_id": show.get("theatre_id")}, columns=("name", "address"))
    failures = reader.rows("tix_seat_failures", where={"showtime_id": showtime_id}, order=("scraped_at",),
                           columns=("mode", "scraped_at", "reason", "detail"))
    latest = snaps[-1] if snaps else None
    return {"show": show, "title": (movie[0]["title"] if movie else (latest or {}).get("movie_title")),
            "theatre": theatre[0] if theatre else None, "snapshots": snaps, "latest": latest, "failures": failures}


# --------------------------------------------------------------------------- theatres
def theatres(reader: Reader, *, chain: str | None = None, city: str | None = None) -> dict[str, Any]:
    where: dict[str, Any] = {}
    if chain:
        where["merchant"] = chain
    if city:
        where["city"] = city
    rows = reader.rows("tix_theatres", where=where, order=("city", "name"))
    everything = reader.rows("tix_theatres", columns=("merchant", "city"))
    return {"rows": rows, "chains": sorted({r["merchant"] for r in everything if r["merchant"]}),
            "cities": sorted({r["city"] for r in everything}), "chain": chain, "city": city}


def theatre(reader: Reader, theatre_id: str, day: str | None = None) -> dict[str, Any] | None:
    rows = reader.rows("tix_theatres", where={"theatre_id": theatre_id})
    if not rows:
        return None
    days = sorted(reader.count_by("tix_showtimes", "date", where={"theatre_id": theatre_id}), reverse=True)
    day = day or (days[0] if days else None)
    shows = reader.rows("tix_showtimes", where={"theatre_id": theatre_id, "date": day}, order=("time", "showtime_id"),
                        columns=("showtime_id", "movie_id", "room_category", "time", "price", "status")) if day else []
    titles = {m["movie_id"]: m["title"] for m in reader.rows("tix_movies", where={"date": day},
                                                             columns=("movie_id", "title"))} if day else {}
    rooms: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for show in shows:
        show["title"] = titles.get(show["movie_id"], show["movie_id"])
        rooms[show["room_category"]].append(show)
    return {"theatre": rows[0], "day": day, "days": days, "rooms": dict(sorted(rooms.items())),
            "showtime_count": len(shows)}


# --------------------------------------------------------------------------- movies
def movies(reader: Reader) -> dict[str, Any]:
    """Every movie across sources: the TIX.id movies of their latest day, the repertuary films, with
    their TMDB match."""
    matches = {(m["listing_source"], m["listing_key"]): m for m in reader.rows(
        "tmdb_matches", columns=("listing_source", "listing_key", "tmdb_id", "status"))}
    latest: dict[str, dict[str, Any]] = {}
    for row in reader.rows("tix_movies", columns=("movie_id", "date", "title", "cities", "is_presale"),
                           order=("date",)):
        latest[row["movie_id"]] = row
    tix = sorted(latest.values(), key=lambda m: m["title"])
    for m in tix:
        m["match"] = matches.get(("tix", m["movie_id"]))
    films = reader.rows("repertuary_films", columns=("city", "slug", "title_pl", "original_title", "year"),
                        order=("title_pl", "city"))
    for f in films:
        f["match"] = matches.get(("repertuary", f["slug"]))
    return {"tix": tix, "repertuary": films}


def movie(reader: Reader, *, tix: str | None = None, repertuary: str | None = None,
          tmdb: int | None = None) -> dict[str, Any] | None:
    """One movie across sources: from a TIX.id movie id, a repertuary slug or a TMDB id, every
    listing matched to the same TMDB movie."""
    match = None
    if tix or repertuary:
        key = ("tix", tix) if tix else ("repertuary", repertuary)
        found = reader.rows("tmdb_matches", where={"listing_source": key[0], "listing_key": key[1]})
        match = found[0] if found else None
        if match and match.get("tmdb_id") and match["status"] == "matched":
            tmdb = int(match["tmdb_id"])
    listings = (reader.rows("tmdb_matches", where={"tmdb_id": tmdb, "status": "matched"}) if tmdb else [])
    if match and match not in listings:
        listings.insert(0, match)
    tix_ids = sorted({m["listing_key"] for m in listings if m["listing_source"] == "tix"} | ({tix} if tix else set()))
    slugs = sorted({m["listing_key"] for m in listings if m["listing_source"] == "repertuary"}
                   | ({repertuary} if repertuary else set()))
    details = reader.rows("tmdb_movies", where={"tmdb_id": tmdb}) if tmdb else []
    tix_movies = reader.rows("tix_movies", where={"movie_id": tix_ids}, order=("date",)) if tix_ids else []
    tix_days = []
    if tix_ids:
        shows = reader.count_by("tix_showtimes", "date", where={"movie_id": tix_ids})
        occ: dict[str, tuple[int, int]] = {}
        for (_, d), (_, aud, seats) in movie_day_sums(reader, tix_ids).items():
            occ[d] = (occ.get(d, (0, 0))[0] + aud, occ.get(d, (0, 0))[1] + seats)
        tix_days = [{"date": d, "showtimes": shows[d], "audience": occ.get(d, (0, 0))[0],
                     "seats": occ.get(d, (0, 0))[1], "occupancy_pct": pct(*occ.get(d, (0, 0)))} for d in sorted(shows)]
    films = reader.rows("repertuary_films", where={"slug": slugs}) if slugs else []
    programme = reader.rows("repertuary_showtimes", where={"film_slug": slugs}, order=("starts_at", "external_id"),
                            columns=("city", "cinema_slug", "date", "time", "ticket_url")) if slugs else []
    if not (details or tix_movies or films or listings):
        return None
    title = (details[0]["title"] if details else tix_movies[-1]["title"] if tix_movies
             else films[0]["title_pl"] if films else (listings[0]["listing_title"] if listings else "?"))
    return {"title": title, "tmdb": details[0] if details else None, "tmdb_id": tmdb, "listings": listings,
            "tix_movies": tix_movies, "tix_days": tix_days, "films": films, "programme": programme}


# --------------------------------------------------------------------------- repertuary
def repertuary_cities(reader: Reader) -> list[str]:
    return sorted(k for k in reader.count_by("repertuary_showtimes", "city") if k)


def repertuary_week(reader: Reader, city: str, start: str) -> dict[str, Any]:
    days = [(dt.date.fromisoformat(start) + dt.timedelta(days=i)).isoformat() for i in range(7)]
    shows = reader.rows("repertuary_showtimes", where={"city": city}, between=Range("date", days[0], days[-1]),
                        columns=("film_slug", "cinema_slug", "date", "time"), order=("date", "time"))
    films = {f["slug"]: f["title_pl"] for f in reader.rows("repertuary_films", where={"city": city},
                                                           columns=("slug", "title_pl"))}
    grid: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in shows:
        grid[(s["film_slug"], s["cinema_slug"])][s["date"]].append(s["time"])
    rows = [{"film_slug": f, "title": films.get(f, f), "cinema": c, "days": [grid[(f, c)].get(d, []) for d in days]}
            for f, c in sorted(grid, key=lambda k: (films.get(k[0], k[0]), k[1]))]
    per_day = Counter(s["date"] for s in shows)
    return {"city": city, "days": days, "rows": rows, "showtimes": len(shows),
            "per_day": [per_day.get(d, 0) for d in days]}


def repertuary_coverage(reader: Reader, start: str) -> list[dict[str, Any]]:
    """Per city: showtimes on each of the 7 days from ``start`` and how many of them have any."""
    end = days_back(start, -6)
    out = []
    for city in repertuary_cities(reader):
        per_day = reader.count_by("repertuary_showtimes", "date", where={"city": city},
                                  between=Range("date", start, end))
        days = [(dt.date.fromisoformat(start) + dt.timedelta(days=i)).isoformat() for i in range(7)]
        counts = [per_day.get(d, 0) for d in days]
        out.append({"city": city, "counts": counts, "covered": sum(1 for n in counts if n), "showtimes": sum(counts)})
    return out


# --------------------------------------------------------------------------- TMDB
def review_queue(reader: Reader) -> list[dict[str, Any]]:
    """The listings waiting for a person, each candidate with its ``poster_path``: the candidate's own
    (kept by tmdb_match), else the stored TMDB movie's (candidates matched before posters were kept)."""
    queue = reader.rows("tmdb_matches", where={"status": "needs_review"})
    missing = sorted({c["tmdb_id"] for row in queue for c in row.get("candidates") or []
                      if not c.get("poster_path") and isinstance(c.get("tmdb_id"), int)})
    stored = {m["tmdb_id"]: m["poster_path"] for m in reader.rows(
        "tmdb_movies", where={"tmdb_id": missing}, columns=("tmdb_id", "poster_path"))} if missing else {}
    for row in queue:
        for c in row.get("candidates") or []:
            c["poster_path"] = c.get("poster_path") or stored.get(c.get("tmdb_id"))
    return queue


def match_rate(reader: Reader) -> list[dict[str, Any]]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for row in reader.rows("tmdb_matches", columns=("listing_source", "status")):
        counts[row["listing_source"]][row["status"]] += 1
    out = []
    for source, c in sorted(counts.items()):
        total = sum(c.values())
        out.append({"source": source, "total": total, "matched": c["matched"], "needs_review": c["needs_review"],
                    "other": total - c["matched"] - c["needs_review"], "rate_pct": pct(c["matched"], total)})
    return out


# --------------------------------------------------------------------------- explorer
def row_count(reader: Reader, entity: str) -> int:
    """Rows of ``entity`` (a full count: kept until the store changes)."""
    return reader.cached(("count", entity), lambda: reader.count(entity))


def explorer(reader: Reader) -> list[dict[str, Any]]:
    out = []
    for name, spec in reader.specs.items():
        entry: dict[str, Any] = {"entity": name, "rows": row_count(reader, name), "dated": "date" in spec.columns}
        out.append(entry)
    return out


def entity_view(reader: Reader, entity: str, *, limit: int = 20) -> dict[str, Any]:
    """Rows per day, the row count and the latest ``limit`` rows (kept until the store changes)."""
    return reader.cached(("entity_view", entity, limit), lambda: _entity_view(reader, entity, limit))


def _entity_view(reader: Reader, entity: str, limit: int) -> dict[str, Any]:
    spec = reader.specs[entity]
    per_day = (reader.cached(("count_by", entity, "date"), lambda: reader.count_by(entity, "date"))
               if "date" in spec.columns else {})
    # by key (its index): ordering a large table by another column would sort all of it
    order = ("started_at",) if entity == "crawl_runs" else spec.key
    latest = reader.rows(entity, order=order, desc=True, limit=limit)
    return {"entity": entity, "rows": row_count(reader, entity), "per_day": per_day, "latest": latest,
            "columns": list(spec.columns), "key": spec.key}
