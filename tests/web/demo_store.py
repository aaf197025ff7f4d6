"""A demo store filled by real crawls of the replica (default preset): TIX.id movies and morning seat
maps of three cities, the daily summary, repertuary Kraków (3 days), TMDB lists and matching.
Built once per test session (tests/web/conftest.py) and by bench/web_pages.py."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from replica import Knobs, Replica
from replica.core import JAKARTA
from tests.conftest import ROOT, run_crawl

DAY = dt.date(2026, 1, 15)
MORNING = dt.datetime.combine(DAY, dt.time(5), JAKARTA)
CITIES = "cities=AMBON,MANADO,PONTIANAK"  # 10 theatres of the default preset, three chains
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}


def scrapy_command(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", *args, "-s", f"SQLITE_PATH={workdir / 'cineradar.db'}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})
    if check and proc.returncode != 0:
        raise AssertionError(f"scrapy {' '.join(args)} failed ({proc.returncode}): {proc.stdout[-2000:]}"
                             f"{proc.stderr[-2000:]}")
    return proc


def build(workdir: Path, replica: Replica) -> dict[str, Any]:
    """Crawl ``replica`` into ``workdir/cineradar.db``; return the replica's truth."""
    from tests.tix.helpers import seed_token

    workdir.mkdir(parents=True, exist_ok=True)
    urls = replica.urls
    run_crawl("tix_movies", urls, workdir, CITIES, f"date={DAY}")
    seed_token(workdir / "cineradar.db", urls["tix_api"], now=replica.clock.now())
    run_crawl("tix_seats", urls, workdir, "mode=morning", f"date={DAY}")
    scrapy_command(workdir, "daily-summary", "--date", DAY.isoformat())
    run_crawl("repertuary", urls, workdir, "city=krakow", "days=3", f"date={DAY}", settings=FAST)
    add_homonyms(workdir / "cineradar.db")
    env_token = os.environ.get("TMDB_READ_TOKEN")
    os.environ["TMDB_READ_TOKEN"] = Knobs().tmdb_bearer
    try:
        run_crawl("tmdb_movies", urls, workdir, "preset=daily", "pages=1")
        run_crawl("tmdb_match", urls, workdir)
    finally:
        if env_token is None:
            os.environ.pop("TMDB_READ_TOKEN", None)
        else:
            os.environ["TMDB_READ_TOKEN"] = env_token
    return replica.truth()


HOMONYMS = [("nobodys-fool", "Nobody's Fool", 2010), ("nobodys-fool-2012", "Nobody's Fool", 2012)]


def add_homonyms(db: Path) -> None:
    """Two film listings whose titles several TMDB movies share, with a year none of them has:
    tmdb_match puts them in the review queue (as tests/tmdb/test_tmdb_match_e2e.py shows)."""
    from cineradar.backends import SPECS
    from cineradar.items import RepertuaryFilm
    from cineradar.storage.sqlite import SQLiteStorage

    store = SQLiteStorage(db)
    store.open(SPECS)
    store.upsert("repertuary_films", [RepertuaryFilm.model_validate({
        "city": "krakow", "slug": slug, "title_pl": title, "original_title": title, "year": year,
        "url": f"https://www.kino.krakow.pl/film/{slug}.html"}).row() for slug, title, year in HOMONYMS])
    store.close()


def start_replica() -> Replica:
    replica = Replica(preset="default", seed=1, date=DAY, now=MORNING, knobs=Knobs(faults=[]))
    replica.start()
    return replica


if __name__ == "__main__":  # python -m tests.web.demo_store DIR: a store to look at with scrapy web
    target = Path(sys.argv[1])
    r = start_replica()
    try:
        build(target, r)
    finally:
        r.stop()
    print(target / "cineradar.db")
