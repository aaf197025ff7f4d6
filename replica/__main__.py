"""``python -m replica --host 127.0.0.1 --port PORT --preset NAME [--seed N] [--date YYYY-MM-DD]``.

The first line on stdout is one JSON object with the base URLs served: keys tix_app,
tix_api, tmdb, nominatim (the geocoder) and repertuary (city key -> base URL). Save it to a file and pass it to
the crawler: ``scrapy crawl NAME -s ENDPOINTS=replica.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import signal
import sys

from replica.core import Fault, Knobs
from replica.server import HOST, PRESETS, Replica


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m replica", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default=HOST, help="only 127.0.0.1 is accepted")
    parser.add_argument("--port", type=int, default=0,
                        help="first port; the sites take PORT, PORT+1, ... (0: free ports)")
    parser.add_argument("--preset", default="default", choices=PRESETS)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=None,
                        help="crawl day (default: today in Asia/Jakarta)")
    parser.add_argument("--now", type=dt.datetime.fromisoformat, default=None,
                        help="freeze the replica clock at this ISO instant (with offset)")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--jitter-ms", type=float, default=0.0)
    parser.add_argument("--access-ttl", type=int, default=30 * 60, help="TIX.id access-token TTL, seconds")
    parser.add_argument("--refresh-ttl", type=int, default=91 * 86400, help="TIX.id refresh-token TTL, seconds")
    parser.add_argument("--tmdb-rate-limit", type=float, default=40.0, help="TMDB requests/s before 429")
    parser.add_argument("--no-session-race", action="store_true",
                        help="repertuary: keep the selected day in the cookie (no server-side race)")
    parser.add_argument("--tix-phone", default=Knobs.tix_phone, help="the account the TIX.id login accepts")
    parser.add_argument("--tix-password", default=Knobs.tix_password)
    parser.add_argument("--tmdb-api-key", default=Knobs.tmdb_api_key)
    parser.add_argument("--tmdb-bearer", default=Knobs.tmdb_bearer)
    parser.add_argument("--fault", action="append", default=[], metavar="SPEC",
                        help="kind[:p=0.05,at=3+7,site=tix_api,path=/layout,status=503,seconds=60]")
    parser.add_argument("--site", action="append", default=[], metavar="MODULE:FACTORY",
                        help="also serve a source's replica site kept outside replica/ (docs/adding-a-source.md)")
    args = parser.parse_args(argv)
    if args.host != HOST:
        parser.error("the replica binds 127.0.0.1 only")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    knobs = Knobs(latency_ms=args.latency_ms, jitter_ms=args.jitter_ms, access_ttl_s=args.access_ttl,
                  refresh_ttl_s=args.refresh_ttl, tmdb_rate_limit=args.tmdb_rate_limit,
                  session_race=not args.no_session_race, tix_phone=args.tix_phone,
                  tix_password=args.tix_password, tmdb_api_key=args.tmdb_api_key, tmdb_bearer=args.tmdb_bearer,
                  faults=[Fault.parse(s) for s in args.fault])
    replica = Replica(preset=args.preset, seed=args.seed, date=args.date, port=args.port, knobs=knobs,
                      now=args.now, sites=tuple(args.site))

    def ready(urls: dict) -> None:
        print(json.dumps(urls), flush=True)

    loop = asyncio.new_event_loop()
    task = loop.create_task(replica.serve_forever(ready))
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, task.cancel)
    try:
        loop.run_until_complete(task)
    except asyncio.CancelledError:
        pass
    finally:
        loop.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
