"""Each backend on its own at close: PostgreSQL (a real initdb cluster) stopped before a tix_movies crawl
with STORAGE_BACKENDS=sqlite,postgres ends. SQLite still gets the final run record and the day
aggregates; PostgreSQL's share waits in its spool, and `scrapy storage-replay` writes it once it is back.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cineradar.backends import SPECS
from cineradar.storage.postgres import PostgresStorage
from replica import Replica
from tests.tix.helpers import DAY, MORNING

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def sqlite_rows(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(path) as db:
        return db.execute(sql).fetchall()


def test_postgres_down_at_close_costs_sqlite_nothing_and_its_share_is_replayed(own_pg_server, tmp_path):
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
        settings = {"ENDPOINTS": tmp_path / "endpoints.json", "SQLITE_PATH": tmp_path / "cineradar.db",
                    "STORAGE_SPOOL_DIR": tmp_path / "spool", "REMOTE_CONTROL_ENABLED": False,
                    "LOG_FILE": tmp_path / "crawl.log", "CRAWL_TODAY": DAY, "STORAGE_BACKENDS": "sqlite,postgres",
                    "STORAGE_BATCH_SIZE": 2, "STORAGE_RETRY_TIMES": 0, "STORAGE_RETRY_BACKOFF": 0.1,
                    "STORAGE_SPOOL_RETRY_INTERVAL": 600, "SITE_RATE_LIMITS": "{}",
                    # one request at a time, 0.5 s apart: still crawling when PostgreSQL goes down
                    "TIX_MOVIES_CONCURRENCY": 1, "TIX_MOVIES_DELAY": 0.5}
        cmd = [sys.executable, "-m", "scrapy", "crawl", "tix_movies", "-a", f"date={DAY}",
               "-a", "cities=AMBON,BANDUNG,JAKARTA"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIX_")} | {
            "PYTHONPATH": str(ROOT), "DATABASE_URL": own_pg_server.dsn}
        crawl = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                 text=True)
        try:
            probe = PostgresStorage(own_pg_server.dsn, connect_timeout=2)
            deadline = time.monotonic() + 120
            while True:  # until the crawl has written showtimes to PostgreSQL (polling, not timing)
                assert time.monotonic() < deadline and crawl.poll() is None, "no showtime reached PostgreSQL"
                try:
                    probe.open(SPECS)
                    if probe.count("tix_showtimes") >= 2:
                        break
                except Exception:  # noqa: BLE001, S110 - tables not made yet
                    pass
                time.sleep(0.1)
            probe.close()
            assert crawl.poll() is None, "the crawl ended before PostgreSQL went down"
            own_pg_server.stop()  # down from here to the crawl's end, its close included
            _, stderr = crawl.communicate(timeout=300)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
    log = (tmp_path / "crawl.log").read_text()
    assert crawl.returncode == 3, stderr[-3000:]  # PARTIAL: PostgreSQL's rows wait in its spool
    db = tmp_path / "cineradar.db"
    ((status, reason),) = sqlite_rows(db, "SELECT status, reason FROM crawl_runs")
    assert status == "partial" and "postgres.jsonl" in reason  # not stuck at `running`
    assert sqlite_rows(db, "SELECT count(*) FROM tix_schedules")[0][0] > 0
    assert sqlite_rows(db, "SELECT count(*) FROM tix_day_snapshots")[0][0] == 2  # the day and `latest`
    # The error names the backend that is down, and only that one.
    assert re.search(r"\] ERROR: storage postgres: \d+ \w+ rows ", log), log[-3000:]
    assert "storage sqlite" not in log
    spooled = [json.loads(line)["entity"] for line in (tmp_path / "spool" / "postgres.jsonl").read_text().splitlines()]
    assert spooled[-1] == "crawl_runs" and "tix_day_snapshots" in spooled

    # `scrapy tix-aggregates` by hand, PostgreSQL still down: SQLite's are rebuilt, PostgreSQL is named.
    by_hand = subprocess.run([sys.executable, "-m", "scrapy", "tix-aggregates", "--date", str(DAY),
                              "-s", "STORAGE_BACKENDS=sqlite,postgres", "-s", f"SQLITE_PATH={db}"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert by_hand.returncode == 1, by_hand.stdout + by_hand.stderr[-2000:]
    assert f"tix-aggregates {DAY}: not written to postgres: " in by_hand.stdout
    assert re.search(rf"tix-aggregates {DAY}: [1-9]\d* tix_schedules, 2 tix_day_snapshots", by_hand.stdout)

    own_pg_server.start()
    replay = subprocess.run([sys.executable, "-m", "scrapy", "storage-replay", "-s",
                             f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", "STORAGE_BACKENDS=sqlite,postgres",
                             "-s", f"SQLITE_PATH={db}"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert replay.returncode == 0, replay.stdout + replay.stderr[-2000:]
    store = PostgresStorage(own_pg_server.dsn)
    store.open(SPECS)
    try:
        assert [(r["status"], r["reason"]) for r in store.fetch("crawl_runs")] == [(status, reason)]
        assert store.count("tix_schedules") == sqlite_rows(db, "SELECT count(*) FROM tix_schedules")[0][0]
        assert store.count("tix_day_snapshots") == 2
        assert store.count("tix_showtimes") == sqlite_rows(db, "SELECT count(*) FROM tix_showtimes")[0][0]
    finally:
        store.close()
