"""Benchmark: ``scrapy crawl tix_movies`` for all 83 cities against the replica's default preset.

    .venv/bin/python bench/tix_movies.py [--latency-ms 50] [--concurrency N]

Starts ``python -m replica --preset default --latency-ms 50`` (frozen at 05:00 WIB today),
crawls every city through validation and SQLite storage, checks the store against the
replica's truth, and prints the time beside the original's (about 15 minutes in 9
parallel GitHub Actions jobs, docs/sources/tix.md#scale) and the limit (2 minutes).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ReplicaProcess, crawl, early_morning, workdir  # noqa: E402

LIMIT_S = 120.0
ORIGINAL = "about 15 min (9 parallel jobs of Playwright page loads; 45-75 min sequentially)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=None, help="TIX_MOVIES_CONCURRENCY (default: the spider's)")
    opts = parser.parse_args()
    day, now = early_morning()
    work = workdir()
    settings = {"TIX_MOVIES_CONCURRENCY": str(opts.concurrency)} if opts.concurrency else {}
    with ReplicaProcess("--preset", "default", "--latency-ms", str(opts.latency_ms), "--date", day.isoformat(),
                        "--now", now) as replica:
        result = crawl(["crawl", "tix_movies", "-a", f"date={day}"], work, replica.urls, "tix_movies",
                       settings=settings)
        replica.check_alive()
        truth = json.load(urllib.request.urlopen(f"{replica.urls['tix_api']}/_replica/truth?source=tix"))
    stats = result["stats"]
    db = sqlite3.connect(work / "cineradar.db")
    stored = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("tix_movies", "tix_theatres", "tix_showtimes")}
    expected = {"tix_movies": len(truth["movies"]), "tix_theatres": len(truth["theatres"]),
                "tix_showtimes": len(truth["showtimes"])}
    crawl_s = stats.get("elapsed_time_seconds", result["wall_s"])
    print(f"tix_movies, 83 cities, replica default preset, {opts.latency_ms:g} ms latency")
    print(f"  requests            {stats.get('downloader/request_count', 0)}"
          f" ({stats.get('cineradar/tix/movies/pages', 0)} schedule pages)")
    print(f"  stored              {stored}  (truth {expected})")
    print(f"  crawl time          {crawl_s:.1f} s (process wall time {result['wall_s']:.1f} s),"
          f" peak RSS {result['peak_rss_mb']:.0f} MB")
    print(f"  original            {ORIGINAL}")
    print(f"  limit               {LIMIT_S:.0f} s -> {'PASS' if result['wall_s'] <= LIMIT_S else 'FAIL'}")
    print(f"  work dir            {work}")
    return 0 if result["wall_s"] <= LIMIT_S and stored == expected else 1


if __name__ == "__main__":
    sys.exit(main())
