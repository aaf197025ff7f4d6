"""Profile the seat crawl with py-spy (dev requirement): where each layout's CPU goes.

    .venv/bin/python bench/profile_tix_seats.py [--latency-ms 50] [--rate 100] [--out bench/profiles/NAME.txt]

Same set-up as bench/tix_seats.py (replica default preset, 50 ms latency, store filled by
tix_movies and tix_login, not profiled), then ``py-spy record`` around ``scrapy crawl
tix_seats -a mode=morning``. Prints (and writes to --out) a summary: the share of all
samples per group of code (Scrapy, aiohttp, pydantic, the project's pipelines, parser,
storage...), by inclusive time, and the top functions by own time.
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CREDENTIALS, PYTHON, ROOT, ReplicaProcess, crawl, early_morning, workdir  # noqa: E402

# (label, substring of a frame "function (file:line)"); a sample counts once per group it passes through.
GROUPS = [
    ("item pipelines (all)", "cineradar/pipelines/"),
    ("  validation (pipelines/validate.py)", "pipelines/validate.py"),
    ("  dedup (pipelines/dedup.py)", "pipelines/dedup.py"),
    ("  store (pipelines/store.py)", "pipelines/store.py"),
    ("storage writer (storage/writer.py)", "storage/writer.py"),
    ("pydantic (any caller)", "pydantic"),
    ("parser (parsers/tix.py)", "parsers/tix.py"),
    ("  body decoding (load_json, load_layout_json)", "_json (cineradar/parsers/tix.py"),
    ("  parse_layout", "parse_layout (cineradar/parsers/tix.py"),
    ("  build_snapshot", "build_snapshot (cineradar/parsers/tix.py"),
    ("typed layout decoding (parsers/tix_layouts.py)", "parsers/tix_layouts.py"),
    ("SQLite storage (storage/)", "cineradar/storage/"),
    ("spider (spiders/tix_seats.py)", "spiders/tix_seats.py"),
    ("downloader middlewares (cineradar)", "cineradar/middlewares/"),
    ("  site_rate", "middlewares/site_rate.py"),
    ("  jwt_auth", "middlewares/jwt_auth.py"),
    ("tldextract", "tldextract"),
    ("json decoding", "json/decoder.py"),
    ("Scrapy's item path: pipeline chain", "(scrapy/pipelines/__init__.py"),
    ("Scrapy's item path: signals (pydispatch)", "(pydispatch/"),
    ("stats collector (any caller)", "(scrapy/statscollectors.py"),
    ("extensions (cineradar)", "cineradar/extensions/"),
    ("spidermon", "spidermon/"),
    ("aiohttp", "aiohttp"),
    ("scrapy", "(scrapy/"),
    ("twisted", "(twisted/"),
    ("asyncio event loop", "(asyncio/"),
]


IDLE = "_worker (concurrent/futures/thread.py"


def summarize(raw: Path, top: int = 30) -> str:
    total = 0
    groups: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue  # a storage worker thread waiting for work: not CPU
        total += n
        for label, needle in GROUPS:
            if any(needle in frame for frame in frames):
                groups[label] += n
        own[frames[-1].replace(str(ROOT) + "/", "").replace(sys.prefix + "/", "")] += n
    lines = [f"samples: {total} (idle worker-thread samples left out)", "", "share of all samples, inclusive:"]
    lines += [f"  {label:40s} {groups[label] / max(total, 1) * 100:5.1f}%" for label, _ in GROUPS]
    lines += ["", f"top {top} functions by own time:"]
    lines += [f"  {n / max(total, 1) * 100:5.1f}%  {frame[:150]}" for frame, n in own.most_common(top)]
    return "\n".join(lines) + "\n"


def profiled_python(spy: Path, python: str, wrapper: Path, raw: Path, rate: int) -> str:
    """A stand-in for the Python interpreter that runs it under ``py-spy record``, writing to ``raw``."""
    # py-spy may end with "No child process" once the crawl is over: the crawl's own stats say
    # whether it ran (checked below), not py-spy's exit status.
    wrapper.write_text(f"#!/bin/sh\n{spy} record --rate {rate} --format raw -o {raw} -- {python} \"$@\"\nexit 0\n")
    wrapper.chmod(0o700)
    return str(wrapper)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--out", type=Path, default=None, help="also write the summary here")
    parser.add_argument("--bare", action="store_true",
                        help="also profile the bare reference (bench/bare_layouts.py, tuned as in bench/tix_seats.py)"
                             " right after, and append its summary")
    opts = parser.parse_args()
    day, now = early_morning()
    work = workdir()
    raw = work / "tix_seats.pyspy.txt"
    with ReplicaProcess("--preset", "default", "--latency-ms", str(opts.latency_ms), "--date", day.isoformat(),
                        "--now", now) as replica:
        crawl(["crawl", "tix_movies", "-a", f"date={day}"], work, replica.urls, "tix_movies")
        crawl(["crawl", "tix_login"], work, replica.urls, "tix_login", env=CREDENTIALS)
        spy = Path(PYTHON).parent / "py-spy"
        # common.crawl and common.run_bare run PYTHON -m scrapy ...: point it at a wrapper for the
        # profiled crawls only.
        import common

        python = common.PYTHON
        common.PYTHON = profiled_python(spy, python, work / "profiled-python", raw, opts.rate)
        result = crawl(["crawl", "tix_seats", "-a", "mode=morning", "-a", f"date={day}"], work, replica.urls,
                       "tix_seats", env=CREDENTIALS)
        if opts.bare:
            from tix_seats import DEFAULT_CONCURRENCY, bare_run

            bare_raw = work / "bare.pyspy.txt"
            common.PYTHON = profiled_python(spy, python, work / "profiled-python-bare", bare_raw, opts.rate)
            bare = bare_run(work, replica.urls["tix_api"], DEFAULT_CONCURRENCY, "aiohttp")
    stored = result["stats"].get("cineradar/tix/seats/snapshots", 0)
    if not stored or not raw.exists():
        raise SystemExit(f"the profiled crawl stored nothing or py-spy wrote no profile (see {work})")
    header = (f"tix_seats morning under py-spy ({opts.rate} Hz), {opts.latency_ms:g} ms latency: {stored} snapshots,"
              f" CPU {result['cpu_s']:.1f} s ({result['cpu_s'] / max(stored, 1) * 1000:.2f} ms per layout,"
              f" incl. py-spy's share), load average {os.getloadavg()[0]:.1f}\n")
    text = header + summarize(raw)
    if opts.bare:
        text += (f"\nthe bare reference (bench/bare_layouts.py) right after, under py-spy: {bare['layouts']} layouts,"
                 f" CPU {bare['cpu_s']:.1f} s ({bare['cpu_s'] / max(bare['layouts'], 1) * 1000:.2f} ms per layout),"
                 f" load average {os.getloadavg()[0]:.1f}\n" + summarize(bare_raw))
    print(text)
    print(f"raw py-spy output: {work}")
    if opts.out:
        opts.out.parent.mkdir(parents=True, exist_ok=True)
        opts.out.write_text(text)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summarize":  # re-read a raw py-spy file
        print(summarize(Path(sys.argv[2])))
        sys.exit(0)
    sys.exit(main())
