"""Benchmark: ``scrapy crawl tix_seats -a mode=morning`` over a whole day of the default preset.

    .venv/bin/python bench/tix_seats.py [--latency-ms 50] [--concurrency N]

Starts ``python -m replica --preset default --latency-ms 50`` (frozen at 05:00 WIB today,
so no showtime has started), fills the store with ``scrapy crawl tix_movies`` and logs
in with ``scrapy crawl tix_login`` (neither timed), then times the seat crawl end to end:
every layout fetched, parsed, validated and written to SQLite. Prints layouts/s and the
crawler's peak RSS beside the original's figures (one call at a time, 0.3-0.5 s apart,
i.e. 2-3 layouts/s per job) and the limits (>= 300 layouts/s, <= 300 MB).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CREDENTIALS, ReplicaProcess, crawl, early_morning, workdir  # noqa: E402

MIN_RATE, MAX_RSS_MB = 300.0, 300.0
ORIGINAL = "1 call at a time, 0.3-0.5 s apart: 2-3 layouts/s per job (9 jobs: ~20/s at best)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=None, help="TIX_SEATS_CONCURRENCY (default: the spider's)")
    parser.add_argument("--http-handler", choices=("aiohttp", "twisted"), default=None,
                        help="TIX_SEATS_HTTP_HANDLER (default: the project's, aiohttp)")
    opts = parser.parse_args()
    day, now = early_morning()
    work = workdir()
    settings = {"TIX_SEATS_CONCURRENCY": str(opts.concurrency)} if opts.concurrency else {}
    if opts.http_handler:
        settings["TIX_SEATS_HTTP_HANDLER"] = opts.http_handler
    with ReplicaProcess("--preset", "default", "--latency-ms", str(opts.latency_ms), "--date", day.isoformat(),
                        "--now", now) as replica:
        crawl(["crawl", "tix_movies", "-a", f"date={day}"], work, replica.urls, "tix_movies")
        crawl(["crawl", "tix_login"], work, replica.urls, "tix_login", env=CREDENTIALS)
        result = crawl(["crawl", "tix_seats", "-a", "mode=morning", "-a", f"date={day}"], work, replica.urls,
                       "tix_seats", env=CREDENTIALS, settings=settings)
        replica.check_alive()
        truth = json.load(urllib.request.urlopen(f"{replica.urls['tix_api']}/_replica/truth?source=tix"))
    stats = result["stats"]
    db = sqlite3.connect(work / "cineradar.db")
    stored = db.execute("SELECT COUNT(*) FROM tix_seat_snapshots").fetchone()[0]
    seconds = float(stats.get("elapsed_time_seconds") or result["wall_s"])
    rate = stored / seconds if seconds else 0.0
    wall_rate = stored / result["wall_s"]
    rss = result["peak_rss_mb"]
    ok = rate >= MIN_RATE and rss <= MAX_RSS_MB and stored == len(truth["showtimes"])
    concurrency = opts.concurrency or "default (32)"
    print(f"tix_seats morning, replica default preset, {opts.latency_ms:g} ms latency, concurrency {concurrency},"
          f" HTTP handler {opts.http_handler or 'default (aiohttp)'}")
    failed = sum(v for k, v in stats.items() if k.startswith("cineradar/tix/seats/failed/"))
    print(f"  showtimes requested {stats.get('cineradar/tix/seats/requested', 0)}, snapshots stored {stored}"
          f" (truth {len(truth['showtimes'])}), failed {failed}, unaccounted"
          f" {stats.get('cineradar/tix/seats/unaccounted', 0)}")
    print(f"  crawl time          {seconds:.1f} s -> {rate:.0f} layouts/s"
          f" (process wall time {result['wall_s']:.1f} s incl. start-up -> {wall_rate:.0f}/s)")
    print(f"  peak RSS            {rss:.0f} MB (crawler process); CPU {result['cpu_s']:.1f} s"
          f" = {result['cpu_s'] / max(stored, 1) * 1000:.1f} ms per layout (the crawl is CPU-bound)")
    print(f"  original            {ORIGINAL}")
    print(f"  limits              >= {MIN_RATE:.0f} layouts/s, <= {MAX_RSS_MB:.0f} MB -> {'PASS' if ok else 'FAIL'}")
    print(f"  work dir            {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
