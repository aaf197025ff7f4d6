"""Server time of every `scrapy web` page over 30 days of history, on SQLite and PostgreSQL, and the
time to write a day's report; beside a reference: the page's main query through sqlite3 directly.

    .venv/bin/python bench/web_pages.py [--days 30] [--requests 15] [--base DIR] [--keep DIR] [--no-postgres]

History: one real crawl of the replica (default preset: tix_movies over all 83 cities, repertuary
Kraków for 7 days, TMDB lists and matching) is the base day. The 30 days are that day's rows moved
back one day at a time (showtime ids offset, dates and instants shifted), with synthetic seat
snapshots for every showtime (a morning one each; jit and final for one in ten; room sizes and
occupancy drawn from a seeded generator, layouts of 16-seat rows), a daily summary per day computed
by `scrapy daily-summary`'s own code, and the day's crawl runs. So the store holds what 30 days of
production would (about 12,000 showtimes and 14,000 snapshots a day), with real names and shapes.

Each page is requested ``--requests`` times per backend, over different days and ids, through
Flask's test client in this process: the time measured is the server's (routing, queries,
templates, charts), no network. Exit 1 when a page's p95 is above 300 ms or a report takes
above 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cineradar.backends import SPECS  # noqa: E402
from cineradar.commands.daily_summary import latest_per_showtime, summarize  # noqa: E402
from cineradar.storage.base import Storage  # noqa: E402
from cineradar.storage.read import Reader  # noqa: E402
from cineradar.storage.sqlite import SQLiteStorage  # noqa: E402

PAGE_BUDGET_MS = 300.0
REPORT_BUDGET_S = 5.0
ID_STEP = 10**15  # showtime id offset per day back: ids stay 19 digits and distinct
ROOM_SEATS = {"IMAX": (250, 400), "GOLD": (30, 50), "PREMIERE": (40, 60), "VELVET": (30, 50), "4DX": (60, 120),
              "SATIN": (40, 80), "STARIUM": (250, 350)}


# ----------------------------------------------------------------------------- history
def crawl_base(workdir: Path, day: dt.date) -> None:
    """The base day: real crawls of the replica into workdir/cineradar.db."""
    import os

    from replica import Knobs, Replica
    from replica.core import JAKARTA
    from tests.conftest import run_crawl

    replica = Replica(preset="default", seed=1, date=day, now=dt.datetime.combine(day, dt.time(5), JAKARTA),
                      knobs=Knobs(faults=[]))
    replica.start()
    try:
        fast = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}
        run_crawl("tix_movies", replica.urls, workdir, f"date={day}", timeout=1800)
        run_crawl("repertuary", replica.urls, workdir, "city=krakow", "days=7", f"date={day}", settings=fast)
        os.environ.setdefault("TMDB_READ_TOKEN", Knobs().tmdb_bearer)
        run_crawl("tmdb_movies", replica.urls, workdir, "preset=daily", "pages=1")
        run_crawl("tmdb_match", replica.urls, workdir)
    finally:
        replica.stop()


def _seats(category: str, rng: random.Random) -> int:
    for word, (low, high) in ROOM_SEATS.items():
        if word in category.upper():
            return rng.randint(low, high)
    return rng.randint(120, 260)


def _layout(total: int, taken: int, rng: random.Random) -> list[list[Any]]:
    codes = [0] * taken + [1] * (total - taken)
    rng.shuffle(codes)
    names = [c for c in "ABCDEFGHJKLMNOPQRSTUVWXYZ"] + [f"A{c}" for c in "ABCDEFGH"]
    return [[names[i // 16], codes[i:i + 16]] for i in range(0, total, 16)]


def history(base: Storage, days: int, seed: int = 7) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """The rows of each of the 30 days, day by day, derived from the base day's stored rows (see
    the module's doc); one day at a time in memory."""
    rng = random.Random(seed)
    shows = base.fetch("tix_showtimes")
    movies = base.fetch("tix_movies")
    theatres = {t["theatre_id"]: t for t in base.fetch("tix_theatres")}
    titles = {m["movie_id"]: m["title"] for m in movies}
    day0 = dt.date.fromisoformat(shows[0]["date"])
    popularity = {m: rng.uniform(0.05, 0.7) for m in titles}
    for back in range(days):
        out: dict[str, list[dict[str, Any]]] = {"tix_showtimes": [], "tix_movies": [], "tix_seat_snapshots": [],
                                                "tix_daily_summaries": [], "crawl_runs": []}
        day = day0 - dt.timedelta(days=back)
        shift = dt.timedelta(days=-back)
        snaps = []
        for s in shows:
            sid = str(int(s["showtime_id"]) + back * ID_STEP)
            starts = dt.datetime.fromisoformat(s["starts_at"]) + shift
            out["tix_showtimes"].append(s | {"showtime_id": sid, "date": day.isoformat(),
                                             "starts_at": starts.isoformat()})
            total = _seats(s["room_category"], rng)
            base_taken = popularity[s["movie_id"]] * rng.uniform(0.2, 1.6)
            modes = ["morning"] + (["jit", "final"] if rng.random() < 0.1 else [])
            for mode in modes:
                taken = min(total, int(total * min(1.0, base_taken * {"morning": 1, "jit": 1.3, "final": 1.5}[mode])))
                scraped = dt.datetime.combine(day, dt.time(6, 30) if mode == "morning" else
                                              (starts - dt.timedelta(minutes=30 if mode == "jit" else 10)).time(),
                                              starts.tzinfo)
                theatre = theatres.get(s["theatre_id"], {})
                snap = {"snapshot_id": f"{sid}_{mode}_{scraped:%H%M}", "showtime_id": sid, "mode": mode,
                        "scraped_at": scraped.isoformat(), "date": day.isoformat(), "time": s["time"],
                        "movie_id": s["movie_id"], "movie_title": titles.get(s["movie_id"]),
                        "theatre_id": s["theatre_id"], "theatre_name": theatre.get("name"), "city": s["city"],
                        "merchant": s["merchant"], "room_category": s["room_category"], "total_seats": total,
                        "unavailable_seats": taken, "available_seats": total - taken,
                        "occupancy_pct": round(taken / total * 100, 1) if total else 0.0,
                        "layout": _layout(total, taken, rng)}
                snaps.append(snap)
        out["tix_seat_snapshots"] += snaps
        out["tix_movies"] += [m | {"date": day.isoformat()} for m in movies]
        now = dt.datetime.combine(day, dt.time(12), dt.UTC)
        morning = [s for s in snaps if s["mode"] == "morning"]
        summary = summarize(latest_per_showtime(morning), day, now, len(morning))
        if summary is not None:
            out["tix_daily_summaries"].append(summary.row())
        for spider, hour, n in (("tix_movies", 0, len(shows)), ("tix_seats", 1, len(snaps))):
            status = "partial" if rng.random() < 0.1 else "success"
            start = dt.datetime.combine(day, dt.time(hour), dt.UTC)
            out["crawl_runs"].append({
                "run_id": f"{spider}-{day}", "spider": spider, "status": status, "started_at": start.isoformat(),
                "finished_at": (start + dt.timedelta(minutes=20)).isoformat(), "args": {"date": day.isoformat()},
                "reason": "complete" if status == "success" else "3 cities not listed (retries exhausted)",
                "duration_s": 1200.0, "items": {"tix_showtimes" if spider == "tix_movies" else "tix_seat_snapshots": n},
                "requests": n // 10, "errors": 0 if status == "success" else 3, "stats": {"item_scraped_count": n}})
        yield out


def fill(targets: list[Storage], base: Storage, days: int) -> tuple[dict[str, int], list[str]]:
    """Write the base day's other entities and the 30 days to every target; rows per entity, the days."""
    counts: dict[str, int] = {}
    dates: set[str] = set()

    def put(entity: str, data: list[dict[str, Any]]) -> None:
        counts[entity] = counts.get(entity, 0) + len(data)
        for target in targets:
            for i in range(0, len(data), 5000):
                target.upsert(entity, data[i:i + 5000])

    for rows in history(base, days):
        dates |= {r["date"] for r in rows["tix_showtimes"]}
        for entity, data in rows.items():
            put(entity, data)
    for spec in SPECS:
        if spec.name not in ("tix_showtimes", "tix_movies", "tix_seat_snapshots", "tix_daily_summaries"):
            put(spec.name, base.fetch(spec.name))
    return counts, sorted(dates, reverse=True)


# ----------------------------------------------------------------------------- measuring
def pages(reader: Reader, days: list[str], rng: random.Random) -> dict[str, Callable[[], str]]:
    """Page name -> a function giving the next URL to request (a different day or id each time)."""
    shows = reader.rows("tix_showtimes", where={"date": days[0]}, columns=("showtime_id", "movie_id", "theatre_id"))
    runs = [r["run_id"] for r in reader.rows("crawl_runs", columns=("run_id",))]
    films = [f["slug"] for f in reader.rows("repertuary_films", columns=("slug",))]
    pick = rng.choice
    return {
        "today": lambda: "/", "today?status=partial": lambda: "/?status=partial",
        "run": lambda: f"/runs/{pick(runs)}", "tix-day": lambda: f"/tix/{pick(days)}",
        "showtime": lambda: f"/showtimes/{int(pick(shows)['showtime_id']) + ID_STEP * rng.randrange(len(days))}",
        "theatres": lambda: "/theatres", "theatres?chain=XXI": lambda: "/theatres?chain=XXI",
        "theatre": lambda: f"/theatres/{pick(shows)['theatre_id']}?date={pick(days)}",
        "movies": lambda: "/movies", "movie-tix": lambda: f"/movies/tix/{pick(shows)['movie_id']}",
        "movie-repertuary": lambda: f"/movies/repertuary/{pick(films)}", "repertuary": lambda: "/repertuary",
        "review": lambda: "/review", "data": lambda: "/data",
        "data/tix_seat_snapshots": lambda: "/data/tix_seat_snapshots",
    }


REFERENCE_SQL = {  # the page's main query, through sqlite3 directly
    "tix-day": ("SELECT snapshot_id, showtime_id, mode, scraped_at, date, time, movie_id, movie_title, theatre_id, "
                "theatre_name, city, merchant, room_category, total_seats, unavailable_seats, available_seats, "
                "occupancy_pct FROM tix_seat_snapshots WHERE date = ? AND mode = 'morning'"),
    "theatres": "SELECT * FROM tix_theatres ORDER BY city, name",
    "data/tix_seat_snapshots": "SELECT date, count(*) FROM tix_seat_snapshots GROUP BY date",
    "today": "SELECT * FROM crawl_runs ORDER BY started_at DESC LIMIT 200",
}


def measure(reader: Reader, days: list[str], n: int, seed: int = 3) -> dict[str, dict[str, float]]:
    from cineradar.web.app import create_app

    client = create_app(reader, secret_key="bench").test_client()
    rng = random.Random(seed)
    results = {}
    for name, next_url in pages(reader, days, rng).items():
        times, cpu = [], []
        for _ in range(n):
            url = next_url()
            start, start_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.thread_time() - start_cpu) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {url} answered {response.status_code}")
        times.sort()
        cpu.sort()
        results[name] = {"p50": statistics.median(times), "p95": times[max(0, int(len(times) * 0.95 + 0.5) - 1)],
                         "max": times[-1], "cpu_p95": cpu[max(0, int(len(cpu) * 0.95 + 0.5) - 1)]}
    return results


def reference(db: Path, days: list[str], n: int) -> dict[str, float]:
    conn = sqlite3.connect(db)
    out = {}
    for name, sql in REFERENCE_SQL.items():
        times = []
        for i in range(n):
            start = time.perf_counter()
            conn.execute(sql, (days[i % len(days)],) if "?" in sql else ()).fetchall()
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        out[name] = times[max(0, int(len(times) * 0.95 + 0.5) - 1)]
    conn.close()
    return out


def report_times(reader: Reader, days: list[str], workdir: Path) -> list[float]:
    from cineradar.web.report import write

    out = []
    for day in days[:5]:
        start = time.perf_counter()
        write(reader, day, workdir / f"report-{day}.html")
        out.append(time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--base", type=Path, help="a folder whose cineradar.db holds the base crawl (else crawled)")
    parser.add_argument("--keep", type=Path, help="a folder to keep the 30 days in (SQLite file, PostgreSQL cluster) "
                        "and to reuse them from on the next run, instead of a temporary one filled each time")
    parser.add_argument("--no-postgres", action="store_true")
    opts = parser.parse_args()
    if opts.keep:
        opts.keep.mkdir(parents=True, exist_ok=True)
    workdir = opts.keep or Path(tempfile.mkdtemp(prefix="bench-web-"))
    filled = workdir / "filled.json"  # written once both stores hold the 30 days
    reuse = opts.keep is not None and filled.exists()
    day0 = dt.date(2026, 1, 15)
    base_dir = opts.base or workdir / "base"
    if opts.base is None and not reuse:
        base_dir.mkdir(exist_ok=True)
        t = time.perf_counter()
        crawl_base(base_dir, day0)
        print(f"base crawl: {time.perf_counter() - t:.0f} s", flush=True)
    base = None
    if not reuse:
        base = SQLiteStorage(base_dir / "cineradar.db")
        base.open(SPECS)
    backends: dict[str, Any] = {}
    lite = SQLiteStorage(workdir / "history.db")
    lite.open(SPECS)
    backends["sqlite"] = lite
    server = None
    if not opts.no_postgres:
        from cineradar.storage.postgres import PostgresStorage
        from tools.local_servers import PostgresServer

        server = PostgresServer()
        if opts.keep:  # the cluster lives in the kept folder (and stays there after the run)
            shutil.rmtree(server.dir, ignore_errors=True)
            server.dir = workdir / "pg"
            server.data = server.dir / "data"
            if not reuse:
                shutil.rmtree(server.dir, ignore_errors=True)
                server.dir.mkdir()
                server.init()
            server.start()
        else:
            server.__enter__()
        pg = PostgresStorage(server.dsn)
        pg.open(SPECS)
        backends["postgres"] = pg
    if reuse:
        counts, days = (lambda kept: (kept["counts"], kept["days"]))(json.loads(filled.read_text()))
        print(f"history ({', '.join(backends)}) kept in {workdir}: {json.dumps(counts)}", flush=True)
    else:
        t = time.perf_counter()
        assert base is not None
        counts, days = fill(list(backends.values()), base, opts.days)
        print(f"history ({', '.join(backends)}): {json.dumps(counts)} in {time.perf_counter() - t:.0f} s", flush=True)
        if "postgres" in backends:  # settled as autovacuum leaves a store: visibility map set, statistics fresh
            backends["postgres"]._run(lambda conn: conn.execute("VACUUM (ANALYZE)"), "vacuum")
        if opts.keep:
            filled.write_text(json.dumps({"counts": counts, "days": days}))
    import os

    print(f"load average before measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    failed = []
    try:
        results: dict[str, Any] = {}
        for name, backend in backends.items():
            reader = Reader(backend, SPECS)
            reader.ensure_indexes()
            results[name] = {"pages": measure(reader, days, opts.requests),
                             "report_s": report_times(reader, days, workdir)}
        ref = reference(workdir / "history.db", days, opts.requests)
        print(f"\n{'page':28} " + " ".join(f"{b + ' p50':>13} {b + ' p95':>13}" for b in backends)
              + f" {'sqlite3 ref p95':>16}")
        for page in results["sqlite"]["pages"]:
            cols = []
            for b in backends:
                r = results[b]["pages"][page]
                cols.append(f"{r['p50']:10.1f} ms {r['p95']:10.1f} ms ({r['cpu_p95']:6.1f} cpu)")
                if r["p95"] > PAGE_BUDGET_MS:
                    failed.append(f"{b} {page} p95 {r['p95']:.0f} ms")
            print(f"{page:28} " + " ".join(cols) + (f" {ref[page]:13.1f} ms" if page in ref else ""))
        for b in backends:
            worst = max(results[b]["report_s"])
            print(f"report ({b}): {', '.join(f'{x:.2f}' for x in results[b]['report_s'])} s (max {worst:.2f} s)")
            if worst > REPORT_BUDGET_S:
                failed.append(f"{b} report {worst:.1f} s")
        (workdir / "results.json").write_text(json.dumps({"counts": counts, "results": results, "reference": ref},
                                                         indent=1))
        print(f"results: {workdir / 'results.json'}")
    finally:
        for backend in backends.values():
            backend.close()
        if server is not None:
            if opts.keep:
                server.stop()
            else:
                server.__exit__(None, None, None)
    if failed:
        print("OVER BUDGET: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
