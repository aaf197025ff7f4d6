"""Benchmark: repertuary, 7 days, against the replica's default preset at a politeness delay.

Kraków alone (the default) prints the wall time beside the politeness floor
(requests x delay / sessions) and beside the original's design (7 day jobs staggered 10 s
apart, about 70 s). ``--city all`` (or a comma list) crawls the 29 cities as one site: the
floor is then the site cap (requests / SITE_RATE_LIMITS["repertuary"]), and the replica's
request log gives the busiest second. Both check that every day equals the ground truth.

    .venv/bin/python bench/repertuary.py [--delay 2] [--sessions 7] [--city all] [--rate 3.5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
    parser.add_argument("--city", default="krakow", help="krakow, a comma list, or all (29 cities, one site)")
    parser.add_argument("--rate", type=float, default=3.5, help="SITE_RATE_LIMITS for repertuary, requests/s")
    parser.add_argument("--preset", default="default", choices=("tiny", "default"))
    opts = parser.parse_args()
    if opts.city != "krakow":
        return site(opts)
    date = dt.date(2026, 11, 21)
    with ReplicaProcess("--preset", opts.preset, "--date", date.isoformat()) as replica:
        urls = replica.urls
        truth = admin(urls["repertuary"]["krakow"], "truth?source=repertuary")["cities"]["krakow"]
        work = workdir()
        run = crawl(["crawl", "repertuary", "-a", "city=krakow", "-a", "days=7", "-a", f"date={date}"], work, urls,
                    "repertuary", settings={"DOWNLOAD_DELAY": str(opts.delay),
                                            "REPERTUARY_SESSIONS": str(opts.sessions),
                                            "SITE_RATE_LIMITS": json.dumps({"repertuary": opts.rate})})
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


def busiest(times: list[float], window: float) -> int:
    """Most requests that started within any ``window`` seconds."""
    times, most, first = sorted(times), 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= window:
            first += 1
        most = max(most, last - first + 1)
    return most


def site(opts: argparse.Namespace) -> int:
    """Several cities (or all 29) as one site under the cap."""
    date = dt.date(2026, 11, 21)
    with ReplicaProcess("--preset", opts.preset, "--date", date.isoformat()) as replica:
        urls = replica.urls
        first = next(iter(urls["repertuary"].values()))
        cities = list(urls["repertuary"]) if opts.city == "all" else opts.city.split(",")
        truth = admin(first, "truth?source=repertuary")["cities"]
        work = workdir()
        run = crawl(["crawl", "repertuary", "-a", f"city={opts.city}", "-a", "days=7", "-a", f"date={date}"], work,
                    urls, "repertuary", settings={"DOWNLOAD_DELAY": str(opts.delay),
                                                  "REPERTUARY_SESSIONS": str(opts.sessions),
                                                  "SITE_RATE_LIMITS": json.dumps({"repertuary": opts.rate})})
        log = admin(first, "requests?log=1")["log"]
    wall, stats = run["wall_s"], run["stats"]
    times = [t for t, name, _method, _path in log if name.startswith("repertuary:")]
    rows = open_store(work / "cineradar.db").fetch("repertuary_showtimes")
    got = Counter((r["city"], r["film_slug"], r["cinema_slug"], r["date"], r["time"], r["showtime_id"]) for r in rows)
    want = Counter((c, s["film_slug"], s["cinema_slug"], s["date"], s["time"], s["showtime_id"])
                   for c in cities for s in truth[c]["showtimes"])
    requests = stats["downloader/request_count"]
    cap_floor = requests / opts.rate
    slot_floor = requests * opts.delay / (opts.sessions * len(cities))
    floor = max(cap_floor, slot_floor)
    uncapped = opts.sessions * len(cities) / opts.delay if opts.delay else float("inf")
    print(f"repertuary {len(cities)} cities x 7 days as one site, cap {opts.rate:g}/s, delay {opts.delay:g} s, "
          f"{opts.sessions} sessions/city, {requests} requests ({len(times)} in the replica's log)")
    print(f"  wall time        {wall:7.1f} s")
    print(f"  politeness floor {floor:7.1f} s   (requests / cap {cap_floor:.1f} s; per session {slot_floor:.1f} s)")
    print(f"  vs floor: {wall / floor - 1:+.1%}")
    print(f"  busiest second {busiest(times, 1.0)} requests; mean {len(times) / (max(times) - min(times)):.2f}/s "
          f"(sessions alone would allow {uncapped:.1f}/s)")
    print(f"  showtimes {sum(got.values())} stored / {sum(want.values())} in ground truth; exact match: {got == want}")
    return 0 if got == want else 1


if __name__ == "__main__":
    sys.exit(main())
