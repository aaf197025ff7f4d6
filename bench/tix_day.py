"""Benchmark: the whole TIX.id day as the timeline runs it, each step beside its floor.

    .venv/bin/python bench/tix_day.py [--batches 2] [--latency-ms 0] [--limit-s 40]

Against the replica's default preset (83 cities, 11,502 showtimes; no added latency unless
--latency-ms), frozen at 05:00 WIB today, from an empty store:

1. ``scrapy tix-token --refresh --min-ttl 25`` (the 05:50 token check: it logs in, the store
   holding no token yet);
2. ``scrapy crawl tix_movies -a batch=i/N`` for i < N, the N batches at once (06:00; timeline.toml
   runs 9 batches on Scrapyd; here N = --batches, default 2: this machine's cores);
3. ``scrapy crawl tix_seats -a mode=morning -a batch=i/N``, the N batches at once;
4. ``scrapy daily-summary --date DAY``.

The day's wall time (the four steps one after the other) must be at most --limit-s. The
floor printed beside each step, measured in the same run right after it:

* a crawl: a bare Scrapy spider (bench/bare_layouts.py, tuned as the project's spider: same
  concurrency, handler, reactor, CONCURRENT_ITEMS=1) fetching the same URLs (those the
  replica logged for the step) in the same number of parallel processes: the HTTP and JSON
  work without the project's parsing, validation and storage (and without the order the
  project must follow: a schedule page is known only from the movie list);
* a command: ``scrapy version`` in the project (start-up alone).

The time is CPU on this machine (the replica answers at once): load from other processes
slows every figure; the load average is printed beside them. Prints PASS/FAIL on the limit.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))

from common import CREDENTIALS, PYTHON, ROOT, ReplicaProcess, admin, crawl, early_morning, run_bare, workdir  # noqa: E402
from tix_seats import bare_settings  # noqa: E402

LIMIT_S = 40.0
ORIGINAL = ("original: movies ~15 min in 9 parallel GitHub Actions jobs; seats 2-3 layouts/s per job "
            "(~20/s at best over 9 jobs: ~10 min for 11,502 showtimes)")


def parallel(runs: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(len(runs)) as pool:
        futures = [pool.submit(run) for run in runs]
        return [f.result() for f in futures]


def command_floor(work: Path) -> float:
    """Wall seconds of ``scrapy version`` in the project: what any command pays to start."""
    started = time.perf_counter()
    subprocess.run([PYTHON, "-m", "scrapy", "version"], cwd=ROOT, check=True, capture_output=True,
                   env=os.environ | {"PYTHONPATH": str(ROOT)})
    return time.perf_counter() - started


def bare_floor(work: Path, urls: list[str], token: str, batches: int, concurrency: int, name: str) -> float:
    """Wall seconds for the bare spider to fetch ``urls`` in ``batches`` processes at once."""
    chunks = [urls[i::batches] for i in range(batches)]

    def one(index: int) -> float:
        spec = work / f"{name}-{index}-urls.json"
        spec.write_text(json.dumps({"urls": chunks[index], "token": token}))
        out = work / f"{name}-{index}-stats.json"
        return run_bare(Path(__file__).resolve().parent / "bare_layouts.py", work, f"{name}-{index}",
                        {"urls": str(spec), "out": str(out)}, bare_settings(concurrency, "aiohttp"))["wall_s"]

    started = time.perf_counter()
    parallel([lambda i=i: one(i) for i in range(batches)])
    return time.perf_counter() - started


def logged_urls(base: str, since: int, prefix: str) -> list[str]:
    """URLs of the replica's request log from entry ``since`` on whose path starts with ``prefix``."""
    log = admin(base, "requests?log=1")["log"][since:]
    return [f"{base}{path}" for _t, _site, method, path in log if method == "GET" and path.startswith(prefix)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--batches", type=int, default=2, help="parallel batches of tix_movies and tix_seats")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--limit-s", type=float, default=LIMIT_S)
    opts = parser.parse_args()
    day, now = early_morning()
    work = workdir()
    n = max(1, opts.batches)
    steps: list[tuple[str, float, float, str]] = []  # (step, seconds, floor, detail)
    with ReplicaProcess("--preset", "default", "--latency-ms", str(opts.latency_ms), "--date", day.isoformat(),
                        "--now", now) as replica:
        api = replica.urls["tix_api"]
        truth = admin(api, "truth?source=tix")
        started_day = time.perf_counter()

        # 1. the token check (05:50 in the timeline; it logs in: the store holds no token yet)
        began = time.perf_counter()
        crawl(["tix-token", "--refresh", "--min-ttl", "25"], work, replica.urls, "tix-token", env=CREDENTIALS)
        token_s = time.perf_counter() - began

        # 2. movies, theatres, showtimes: N batches at once (06:00)
        mark = len(admin(api, "requests?log=1")["log"])
        began = time.perf_counter()
        movies = parallel([lambda i=i: crawl(["crawl", "tix_movies", "-a", f"date={day}", "-a", f"batch={i}/{n}"],
                                             work, replica.urls, f"tix_movies-{i}") for i in range(n)])
        movies_s = time.perf_counter() - began
        movie_urls = logged_urls(api, mark, "/v1/")

        # 3. seats, morning: N batches at once
        mark = len(admin(api, "requests?log=1")["log"])
        began = time.perf_counter()
        seats = parallel([lambda i=i: crawl(["crawl", "tix_seats", "-a", "mode=morning", "-a", f"date={day}",
                                             "-a", f"batch={i}/{n}"], work, replica.urls, f"tix_seats-{i}",
                                            env=CREDENTIALS) for i in range(n)])
        seats_s = time.perf_counter() - began
        seat_urls = logged_urls(api, mark, "/v1/movies/")

        # 4. the day's summary
        began = time.perf_counter()
        crawl(["daily-summary", "--date", day.isoformat()], work, replica.urls, "daily-summary")
        summary_s = time.perf_counter() - began
        day_s = time.perf_counter() - started_day
        replica.check_alive()

        # Floors, measured now (not counted in the day)
        from common import open_store

        from cineradar.auth.tokens import TOKEN_STATE

        store = open_store(work / "cineradar.db")
        token = (store.get_state(TOKEN_STATE) or {}).get("token", "")
        snapshots = store.count("tix_seat_snapshots")
        showtimes = store.count("tix_showtimes")
        store.close()
        floor_movies = bare_floor(work, movie_urls, token, n, 4, "bare-movies")
        floor_seats = bare_floor(work, seat_urls, token, n, 32, "bare-seats")
        floor_command = command_floor(work)

    load = os.getloadavg()[0]
    movie_requests = sum(int(r["stats"].get("downloader/request_count", 0)) for r in movies)
    seat_requests = sum(int(r["stats"].get("downloader/request_count", 0)) for r in seats)
    steps = [
        ("tix-token --refresh --min-ttl 25", token_s, floor_command, "logs in (no stored token)"),
        (f"tix_movies, {n} batches at once", movies_s, floor_movies,
         f"{movie_requests} requests, {showtimes} showtimes stored (truth {len(truth['showtimes'])})"),
        (f"tix_seats morning, {n} batches at once", seats_s, floor_seats,
         f"{seat_requests} requests, {snapshots} snapshots stored"),
        ("daily-summary", summary_s, floor_command, ""),
    ]
    print(f"TIX.id day, replica default preset, {opts.latency_ms:g} ms latency, {n} parallel batches;"
          f" load average {load:.2f} on {os.cpu_count()} cores (shared machine: all figures are wall time)")
    print(f"  {'step':40s} {'seconds':>8s} {'floor':>8s}  floor is")
    for name, seconds, floor, detail in steps:
        what = "scrapy version (start-up)" if floor is floor_command else "bare Scrapy, same URLs and batches"
        print(f"  {name:40s} {seconds:8.1f} {floor:8.1f}  {what}; {detail}".rstrip("; "))
    print(f"  {'the day':40s} {day_s:8.1f} {floor_movies + floor_seats + 2 * floor_command:8.1f}  sum of the floors")
    print(f"  {ORIGINAL}")
    ok = day_s <= opts.limit_s and snapshots == len(truth["showtimes"]) == showtimes
    print(f"{'PASS' if ok else 'FAIL'} TIX.id day {day_s:.1f} s (limit {opts.limit_s:g} s), {snapshots} snapshots"
          f" of {len(truth['showtimes'])} showtimes; load average {load:.2f}")
    print(f"  work dir {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
