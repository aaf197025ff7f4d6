"""tix_movies killed with -9 mid-crawl: every stored showtime has its movie and theatre stored.

A real `scrapy crawl tix_movies` subprocess against the replica's tiny day, a real SIGKILL once
showtimes are in the store; STORAGE_BATCH_SIZE is small so batches are written while it runs."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from replica import Replica
from tests.tix.helpers import DAY, MORNING, ROOT

pytestmark = pytest.mark.e2e


def count(db, sql: str) -> int:  # noqa: ANN001
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:  # no store or no table yet
        return 0


def test_a_kill_9_never_leaves_a_showtime_without_its_movie_and_theatre(tmp_path):
    db = tmp_path / "cineradar.db"
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
        settings = {"ENDPOINTS": tmp_path / "endpoints.json", "SQLITE_PATH": db,
                    "STORAGE_SPOOL_DIR": tmp_path / "spool", "REMOTE_CONTROL_ENABLED": False,
                    "LOG_FILE": tmp_path / "crawl.log", "CRAWL_TODAY": DAY, "STORAGE_BATCH_SIZE": 20,
                    "TIX_MOVIES_CONCURRENCY": 1, "TIX_MOVIES_DELAY": 0.3, "SITE_RATE_LIMITS": "{}"}
        cmd = [sys.executable, "-m", "scrapy", "crawl", "tix_movies", "-a", f"date={DAY}",
               "-a", "cities=AMBON,BANDUNG,JAKARTA"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIX_")} | {"PYTHONPATH": str(ROOT)}
        crawl = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while count(db, "SELECT count(*) FROM tix_showtimes") < 20:  # polling the store, not timing
                assert crawl.poll() is None, "the crawl ended before showtimes were stored"
                assert time.monotonic() < deadline, "no showtime stored"
                time.sleep(0.02)
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=30)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        truth = replica.truth("tix")
    stored = count(db, "SELECT count(*) FROM tix_showtimes")
    assert 20 <= stored < len(truth["showtimes"])  # killed mid-crawl
    assert count(db, "SELECT count(*) FROM tix_showtimes s WHERE NOT EXISTS (SELECT 1 FROM tix_movies m "
                     "WHERE m.movie_id = s.movie_id AND m.date = s.date)") == 0
    assert count(db, "SELECT count(*) FROM tix_showtimes s WHERE NOT EXISTS (SELECT 1 FROM tix_theatres t "
                     "WHERE t.theatre_id = s.theatre_id)") == 0
    assert count(db, "SELECT count(*) FROM crawl_runs WHERE status = 'running'") == 1  # it never finished
