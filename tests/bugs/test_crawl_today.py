"""CRAWL_TODAY (CINERADAR_TODAY) moves the default day, not only the date window: a replay of a
fixed day needs no -a date, and `scrapy check` passes every contract with only the environment
(issue 17: the crawl was refused, and 6 contracts failed)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from cineradar.contracts import REPLICA_DAY
from replica import Replica
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
DAY0 = dt.date.fromisoformat(REPLICA_DAY["date"])
NOW = dt.datetime.fromisoformat(REPLICA_DAY["now"])
TMDB_TOKEN = "eyJhbGciOiJIUzI1NiJ9.replica-read-access-token.signature"  # the replica's default knob


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset=REPLICA_DAY["preset"], seed=REPLICA_DAY["seed"], date=DAY0, now=NOW)
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture
def workdir(tmp_path, replica) -> Path:
    from tests.tix.helpers import seed_token

    (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
    seed_token(tmp_path / "c.db", replica.urls["tix_api"])
    return tmp_path


def scrapy(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The replica's day only through the environment, as a replay server would have it.
    env = {k: v for k, v in os.environ.items() if not k.startswith("CINERADAR_")} | {
        "PYTHONPATH": str(ROOT), "TMDB_READ_TOKEN": TMDB_TOKEN, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
        "CINERADAR_TODAY": DAY0.isoformat(), "CINERADAR_ENDPOINTS": str(workdir / "endpoints.json"),
        "CINERADAR_SQLITE_PATH": str(workdir / "c.db"), "CINERADAR_SPOOL_DIR": str(workdir / "spool")}
    return subprocess.run([sys.executable, "-m", "scrapy", *args, "-s", "DOWNLOAD_DELAY=0"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_replay_of_a_fixed_day_needs_no_date_argument(workdir, replica):
    assert dt.date.today() != DAY0  # the replica's day is not the machine's
    proc = scrapy(workdir, "crawl", "repertuary", "-a", "city=krakow", "-a", "days=1")
    assert proc.returncode == 0, proc.stderr[-3000:]
    truth = replica.truth("repertuary")["cities"]["krakow"]["showtimes"]
    wanted = {s["showtime_id"] for s in truth if s["date"] == DAY0.isoformat()}
    with sqlite3.connect(workdir / "c.db") as db:
        stored = {r[0] for r in db.execute("SELECT showtime_id FROM repertuary_showtimes")}
        dates = {r[0] for r in db.execute("SELECT DISTINCT date FROM repertuary_showtimes")}
    assert wanted and wanted == stored and dates == {DAY0.isoformat()}


def test_scrapy_check_passes_with_the_day_from_the_environment(workdir):
    proc = scrapy(workdir, "check")
    assert proc.returncode == 0 and proc.stderr.rstrip().endswith("OK"), proc.stderr[-3000:]
