"""Benchmark: Kraków, 7 days, against the replica's default preset at a politeness delay.

Prints the wall time beside the politeness floor (requests x delay / sessions) and
beside the original's design (7 day jobs staggered 10 s apart, about 70 s), and checks
that all 7 days equal the replica's ground truth.

    .venv/bin/python bench/repertuary.py [--delay 2] [--sessions 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ReplicaProcess, admin, crawl, open_store, workdir  # noqa: E402

ORIGINAL_SECONDS = 70.0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=2.0)
    parser.add_argument("--sessions", type=int, default=7)
    opts = parser.parse_args()
    date = dt.date(2026, 11, 21)
    with ReplicaProcess("--preset", "default", "--date", date.isoformat()) as replica:
        urls = replica.urls
        truth = admin(urls["repertuary"]["krakow"], "truth?source=repertuary")["cities"]["krakow"]
        work = workdir()
        run = crawl(["crawl", "repertuary", "-a", "city=krakow", "-a", "days=7", "-a", f"date={date}"], work, urls,
                    "repertuary", settings={"DOWNLOAD_DELAY": str(opts.delay),
                                            "REPERTUARY_SESSIONS": str(opts.sessions)})
        wall, stats = run["wall_s"], run["stats"]
    rows = open_store(work / "cineradar.db").fetch("repertuary_showtimes")
    got = Counter((r["film_slug"], r["cinema_slug"], r["date"], r["time"], r["showtime_id"]) for r in rows)
    want = Counter((s["film_slug"], s["cinema_slug"], s["date"], s["time"], s["showtime_id"])
                   for s in truth["showtimes"])
    requests = stats["downloader/request_count"]
    floor = requests * opts.delay / opts.sessions
    print(f"repertuary krakow 7 days, delay {opts.delay:g} s, {opts.sessions} sessions, {requests} requests")
    print(f"  wall time        {wall:6.1f} s")
    print(f"  politeness floor {floor:6.1f} s   (requests x delay / sessions; target: within 15%)")
    print(f"  original design  {ORIGINAL_SECONDS:6.1f} s   (7 day jobs staggered 10 s; target: 2x faster)")
    print(f"  vs floor: {wall / floor - 1:+.1%}; speed-up vs original: {ORIGINAL_SECONDS / wall:.2f}x")
    print(f"  showtimes {sum(got.values())} stored / {sum(want.values())} in ground truth; "
          f"days {len({r['date'] for r in rows})}; exact match: {got == want}")
    return 0 if got == want else 1


if __name__ == "__main__":
    sys.exit(main())
