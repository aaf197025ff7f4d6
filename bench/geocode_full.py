"""Measure: `scrapy crawl geocode` over the replica's whole default preset at the real rate (1 request/s).

    .venv/bin/python bench/geocode_full.py [--preset default] [--workdir DIR]

Starts the replica in-process, stores its theatres and cinemas as the crawlers would, runs the
geocode crawl (GEOCODER_RATE_LIMIT default: 1/s, about 12 minutes for the default preset), then
runs it again. Prints, measured at the replica (its request log, time.monotonic there): the
requests, the smallest and mean gap between two arrivals, the most requests in any 1 s window,
the outcome per site and status against the replica's truth, and the second run's requests (0).
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from replica import Replica  # noqa: E402
from tests.conftest import open_store, run_crawl  # noqa: E402
from tests.geocode.places import seed_places  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preset", default="default")
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="geocode-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    replica = Replica(preset=args.preset, seed=1, date=dt.date(2026, 11, 21))
    replica.start()
    try:
        keys = seed_places(work / "cineradar.db", replica.truth())
        started = time.monotonic()
        stats = run_crawl("geocode", replica.urls, work, settings={"GEOCODER_CONTACT": "bench@cineradar.example"},
                          timeout=7200)
        took = time.monotonic() - started
        log = [e for e in replica.ctx.log if e["site"] == "nominatim"]
        gaps = [b["t"] - a["t"] for a, b in zip(log, log[1:], strict=False)]
        store = open_store(work / "cineradar.db")
        rows = store.fetch("geocodes")
        store.close()
        truth = {(p["site"], p["key"]): p for p in replica.truth("nominatim")["places"]}
        mark = len(replica.ctx.log)
        again = run_crawl("geocode", replica.urls, work, timeout=600)
        second = [e for e in replica.ctx.log[mark:] if e["site"] == "nominatim"]
    finally:
        replica.stop()
    print(json.dumps({
        "places": len(keys), "decided": len(rows), "requests": len(log), "seconds": round(took, 1),
        "min_gap_s": round(min(gaps), 4) if gaps else None,
        "mean_gap_s": round(sum(gaps) / len(gaps), 4) if gaps else None,
        "max_requests_in_any_1s": max((sum(1 for e in log if a["t"] <= e["t"] < a["t"] + 1) for a in log), default=0),
        "status": {f"{s}/{st}": n for (s, st), n in collections.Counter(
            (r["site"], r["status"]) for r in rows).most_common()},
        "status_not_as_truth": sum(1 for r in rows if r["status"] != truth[(r["site"], r["place_key"])]["status"]),
        "outcome": stats["cineradar/outcome/status"],
        "second_run_requests": len(second), "second_outcome": again["cineradar/outcome/status"],
    }, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
