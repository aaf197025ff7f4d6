"""Benchmark: TMDB enrichment throughput against the replica's rate limiter (40 requests/s).

    .venv/bin/python bench/tmdb_enrich.py [--latency-ms 100] [--rate 35] [--languages en-US,pl-PL,id-ID]

Starts ``python -m replica --preset default --tmdb-rate-limit 40 --latency-ms 100``, then runs
``scrapy crawl tmdb_movies -a preset=full -a pages=500`` once per language: every movie of the
five lists (the replica has 428) gets its one details request, so three languages make about
1,300 enrichment requests. Measured at the replica (its request log): details requests per
second between the first and the last one, against the allowed rate, and the 429s it sent.
The original ran one request at a time with 0.25 s between (at most 4/s).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ReplicaProcess, admin, crawl, workdir  # noqa: E402

BEARER = "eyJhbGciOiJIUzI1NiJ9.replica-read-access-token.signature"  # the replica's default read token
DETAILS = re.compile(r"^/3/movie/\d+\?")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--rate", type=float, default=35.0, help="TMDB_RATE_LIMIT")
    parser.add_argument("--replica-limit", type=float, default=40.0)
    parser.add_argument("--languages", default="en-US,pl-PL,id-ID")
    opts = parser.parse_args()
    work = workdir()
    ok = True
    with ReplicaProcess("--preset", "default", "--latency-ms", str(opts.latency_ms), "--tmdb-rate-limit",
                        str(opts.replica_limit)) as replica:
        base = replica.urls["tmdb"]
        total, seconds = 0, 0.0
        for language in opts.languages.split(","):
            seen = len(admin(base, "requests?log=1")["log"])
            result = crawl(["crawl", "tmdb_movies", "-a", "preset=full", "-a", "pages=500", "-a",
                            f"language={language}"], work, replica.urls, f"tmdb_movies-{language}",
                           env={"TMDB_READ_TOKEN": BEARER}, settings={"TMDB_RATE_LIMIT": str(opts.rate)})
            log = admin(base, "requests?log=1")["log"][seen:]
            details = [t for t, site, _, path in log if site == "tmdb" and DETAILS.match(path)]
            span = max(details) - min(details)
            rate = (len(details) - 1) / span if span > 0 else 0.0
            # The cap counts every TMDB request: list pages share the span with the details.
            every = sum(1 for t, site, _, _ in log if site == "tmdb" and min(details) <= t <= max(details))
            total += every
            seconds += span
            print(f"{language}: {len(details)} movies enriched in {span:.1f} s = {rate:.1f} details/s, "
                  f"{(every - 1) / span:.1f} TMDB requests/s in all "
                  f"({100 * (every - 1) / span / opts.rate:.0f}% of {opts.rate:g}/s); "
                  f"crawl wall {result['wall_s']:.1f} s, "
                  f"stored {result['stats'].get('item_scraped_count', 0)} items, "
                  f"unchanged {result['stats'].get('cineradar/tmdb/unchanged', 0)}")
        counts = admin(base, "requests")
        sustained = total / seconds if seconds else 0.0
        print(f"total: {total} TMDB requests while enriching, sustained {sustained:.1f}/s = "
              f"{100 * sustained / opts.rate:.0f}% of the allowed {opts.rate:g}/s; "
              f"replica 429s: {counts.get('tmdb 429', 0)}, peak in one second: {counts.get('tmdb peak_1s')}")
        print("original: one request at a time, 0.25 s apart (at most 4 requests/s)")
        ok = sustained >= 0.9 * opts.rate and not counts.get("tmdb 429")
        replica.check_alive()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
