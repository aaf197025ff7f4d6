"""Debugging is read-only: shell, fetch, parse, check, bench and view write no run record, store
no item and never create a store. Real `scrapy` subprocesses against the replica of the contracts' day."""

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
from tests.tix.helpers import seed_token

pytestmark = pytest.mark.e2e
DAY0 = dt.date.fromisoformat(REPLICA_DAY["date"])
NOW = dt.datetime.fromisoformat(REPLICA_DAY["now"])
JAKARTA = "967969975509716992"


@pytest.fixture(scope="module")
def replica():
    with Replica(preset=REPLICA_DAY["preset"], seed=REPLICA_DAY["seed"], date=DAY0, now=NOW) as server:
        yield server


def scrapy(tmp_path: Path, replica: Replica, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
    command, rest = args[0], list(args[1:])
    settings = ["-s", f"ENDPOINTS={tmp_path / 'endpoints.json'}", "-s", f"SQLITE_PATH={db}",
                "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", "DOWNLOAD_DELAY=0",
                "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False",
                "-s", f"CRAWL_TODAY={DAY0}"]
    return subprocess.run([sys.executable, "-m", "scrapy", command, *settings, *rest], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False, env=os.environ | {
                              "PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
                              "BROWSER": "true"})


def test_scrapy_check_tix_movies_creates_no_store(replica, tmp_path):
    db = tmp_path / "data" / "cineradar.db"
    proc = scrapy(tmp_path, replica, db, "check", "-a", f"date={DAY0}", "tix_movies")
    assert proc.returncode == 0 and proc.stderr.rstrip().endswith("OK"), proc.stderr[-3000:]
    assert not db.exists() and not db.parent.exists()


def movies_url(replica: Replica) -> str:
    return f"{replica.urls['tix_api']}/v1/movies?city_id={JAKARTA}&movie_type=NOW_PLAYING&timezone=7"


@pytest.mark.parametrize("command", [
    ["check", "-a", f"date={DAY0}", "tix_movies"],
    ["parse", "--spider=tix_movies", "--pipelines", "-a", f"date={DAY0}", "URL"],
    ["fetch", "--spider=tix_movies", "URL"],
    ["shell", "--spider=tix_movies", "-c", "response.status", "URL"],
    ["view", "--spider=tix_movies", "URL"],
], ids=["check", "parse", "fetch", "shell", "view"])
def test_debugging_commands_leave_a_store_as_they_found_it(replica, tmp_path, command):
    db = tmp_path / "cineradar.db"
    seed_token(db, replica.urls["tix_api"])  # an existing store, as production's
    before = {t: sqlite3.connect(db).execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
              for t in ("crawl_runs", "tix_movies", "tix_theatres", "tix_showtimes")}
    proc = scrapy(tmp_path, replica, db, *[movies_url(replica) if a == "URL" else a for a in command])
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = {t: sqlite3.connect(db).execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608
             for t in before}
    assert after == before == {"crawl_runs": 0, "tix_movies": 0, "tix_theatres": 0, "tix_showtimes": 0}


def test_scrapy_bench_writes_no_run_record(tmp_path):
    db = tmp_path / "cineradar.db"
    proc = subprocess.run([sys.executable, "-m", "scrapy", "bench", "-s", f"SQLITE_PATH={db}",
                           "-s", "CLOSESPIDER_TIMEOUT=2", "-s", "REMOTE_CONTROL_ENABLED=False"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert "Closing spider (closespider_timeout)" in proc.stderr, proc.stderr[-3000:]
    assert not db.exists()
