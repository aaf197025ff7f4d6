"""Benchmark: ``scrapy crawl tix_seats -a mode=morning`` over a whole day of the default preset.

    .venv/bin/python bench/tix_seats.py [--latency-ms 50] [--concurrency N]

Starts ``python -m replica --preset default --latency-ms 50`` (frozen at 05:00 WIB today,
so no showtime has started), fills the store with ``scrapy crawl tix_movies`` and logs
in with ``scrapy crawl tix_login`` (neither timed), then times the seat crawl end to end:
every layout fetched, parsed, validated and written to SQLite. Prints layouts/s and the
crawler's peak RSS beside the original's figures (one call at a time, 0.3-0.5 s apart,
i.e. 2-3 layouts/s per job).

An absolute rate does not hold on a shared machine (290/s on one run, 489/s on the next),
so the gate is relative: in the same run, a bare Scrapy spider (bench/bare_layouts.py: no
project settings, pipelines or middlewares; the same concurrency, HTTP handler and reactor)
fetches the same layout URLs, and the project must reach at least 0.9 x its rate, with
every truth showtime stored and at most 300 MB peak RSS.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))  # cineradar, for the bare run's URLs

from common import (  # noqa: E402
    CREDENTIALS,
    ReplicaProcess,
    crawl,
    early_morning,
    open_store,
    run_bare,
    workdir,
)

MIN_RATIO, MAX_RSS_MB = 0.9, 300.0
DEFAULT_CONCURRENCY = 32  # TixSeatsSpider.default_concurrency
REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"  # the project's TWISTED_REACTOR
from cineradar.compat import AIOHTTP_DOWNLOAD_HANDLER as AIOHTTP_HANDLER  # noqa: E402 - what tix_seats installs

ORIGINAL = "1 call at a time, 0.3-0.5 s apart: 2-3 layouts/s per job (9 jobs: ~20/s at best)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=None, help="TIX_SEATS_CONCURRENCY (default: the spider's)")
    parser.add_argument("--http-handler", choices=("aiohttp", "twisted"), default=None,
                        help="TIX_SEATS_HTTP_HANDLER (default: the project's, aiohttp)")
    parser.add_argument("--rounds", type=int, default=2,
                        help="project/bare pairs, run in alternating order; the gate is on the median ratio")
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
        truth = json.load(urllib.request.urlopen(f"{replica.urls['tix_api']}/_replica/truth?source=tix"))
        rounds = []  # (result, stored, bare): the machine is shared, so the pairs alternate their order
        for number in range(max(1, opts.rounds)):
            run_dir = workdir()
            shutil.copy(work / "cineradar.db", run_dir / "cineradar.db")  # movies + token, no snapshots yet
            pair: dict[str, Any] = {}
            for which in (("project", "bare") if number % 2 == 0 else ("bare", "project")):
                if which == "project":
                    pair["result"] = crawl(["crawl", "tix_seats", "-a", "mode=morning", "-a", f"date={day}"],
                                           run_dir, replica.urls, "tix_seats", env=CREDENTIALS, settings=settings)
                    pair["stored"] = sqlite3.connect(run_dir / "cineradar.db").execute(
                        "SELECT COUNT(*) FROM tix_seat_snapshots").fetchone()[0]
                else:
                    pair["bare"] = bare_run(work, replica.urls["tix_api"], opts.concurrency or DEFAULT_CONCURRENCY,
                                            opts.http_handler or "aiohttp")
                replica.check_alive()
            rounds.append(pair)
    ratios = []
    for pair in rounds:
        seconds = float(pair["result"]["stats"].get("elapsed_time_seconds") or pair["result"]["wall_s"])
        bare_rate = pair["bare"]["layouts"] / pair["bare"]["seconds"] if pair["bare"]["seconds"] else 0.0
        ratios.append((pair["stored"] / seconds if seconds else 0.0) / bare_rate if bare_rate else 0.0)
    median = sorted(range(len(ratios)), key=ratios.__getitem__)[(len(ratios) - 1) // 2]  # the lower of two
    result, stored, bare = rounds[median]["result"], rounds[median]["stored"], rounds[median]["bare"]
    stats = result["stats"]
    seconds = float(stats.get("elapsed_time_seconds") or result["wall_s"])
    rate = stored / seconds if seconds else 0.0
    wall_rate = stored / result["wall_s"]
    rss = max(pair["result"]["peak_rss_mb"] for pair in rounds)
    bare_rate = bare["layouts"] / bare["seconds"] if bare["seconds"] else 0.0
    ratio = ratios[median]
    ok = (ratio >= MIN_RATIO and rss <= MAX_RSS_MB
          and all(p["stored"] == p["bare"]["layouts"] == len(truth["showtimes"]) for p in rounds))
    concurrency = opts.concurrency or f"default ({DEFAULT_CONCURRENCY})"
    print(f"tix_seats morning, replica default preset, {opts.latency_ms:g} ms latency, concurrency {concurrency},"
          f" HTTP handler {opts.http_handler or 'default (aiohttp)'}")
    failed = sum(v for k, v in stats.items() if k.startswith("cineradar/tix/seats/failed/"))
    print(f"  showtimes requested {stats.get('cineradar/tix/seats/requested', 0)}, snapshots stored {stored}"
          f" (truth {len(truth['showtimes'])}), failed {failed}, unaccounted"
          f" {stats.get('cineradar/tix/seats/unaccounted', 0)}")
    print(f"  project             {seconds:.1f} s -> {rate:.0f} layouts/s"
          f" (process wall time {result['wall_s']:.1f} s incl. start-up -> {wall_rate:.0f}/s)")
    print(f"  bare Scrapy         {bare['seconds']:.1f} s -> {bare_rate:.0f} layouts/s ({bare['layouts']} layouts,"
          f" same URLs, concurrency, handler and reactor; no project code;"
          f" CPU {bare['cpu_s'] / max(bare['layouts'], 1) * 1000:.1f} ms per layout)")
    print(f"  peak RSS            {rss:.0f} MB (crawler process); CPU {result['cpu_s']:.1f} s"
          f" = {result['cpu_s'] / max(stored, 1) * 1000:.1f} ms per layout (the crawl is CPU-bound)")
    print(f"  original            {ORIGINAL}")
    print(f"  ratios by round     {', '.join(f'{r:.2f}' for r in ratios)} (alternating order; median shown above)")
    print(f"  limits              project >= {MIN_RATIO:g} x bare (median {ratio:.2f}), <= {MAX_RSS_MB:.0f} MB,"
          f" every showtime -> {'PASS' if ok else 'FAIL'}")
    print(f"  work dir            {work}")
    return 0 if ok else 1


def bare_run(work: Path, api: str, concurrency: int, handler: str) -> dict[str, float]:
    """The bare spider over the same layout URLs as the project's crawl, with its stored user token."""
    from cineradar.auth.tokens import TOKEN_STATE
    from cineradar.parsers.tix import merchant_path

    store = open_store(work / "cineradar.db")
    urls = [f"{api}/v1/movies/{merchant_path(r['merchant'])}/layout?show_time_id={r['showtime_id']}&tz=7"
            for r in store.fetch("tix_showtimes")]
    token = store.get_state(TOKEN_STATE)["token"]
    store.close()
    spec = work / "bare-urls.json"
    spec.write_text(json.dumps({"urls": urls, "token": token}))
    out = work / "bare-stats.json"
    settings = {"CONCURRENT_REQUESTS": str(concurrency), "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency),
                "DOWNLOAD_DELAY": "0", "TWISTED_REACTOR": REACTOR, "COOKIES_ENABLED": "False",
                "REDIRECT_ENABLED": "False", "TELNETCONSOLE_ENABLED": "False", "LOG_LEVEL": "INFO"}
    if handler == "aiohttp":
        settings["DOWNLOAD_HANDLERS"] = json.dumps({"http": AIOHTTP_HANDLER, "https": AIOHTTP_HANDLER})
    process = run_bare(Path(__file__).resolve().parent / "bare_layouts.py", work, "bare",
                       {"urls": str(spec), "out": str(out)}, settings)
    stats = json.loads(out.read_text())
    return {"layouts": stats.get("bare/layouts", 0), "seconds": float(stats["bare/elapsed_s"]),
            "cpu_s": process["cpu_s"]}


if __name__ == "__main__":
    sys.exit(main())
