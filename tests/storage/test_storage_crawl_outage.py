"""End to end: a real ``scrapy crawl repertuary`` against the replica, PostgreSQL stopped mid-crawl."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cineradar.backends import SPECS
from cineradar.storage.postgres import PostgresStorage
from replica import Knobs, Replica
from tests.conftest import open_store

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
DAY0 = dt.date(2026, 11, 21)


def test_a_crawl_survives_postgres_going_down_and_stores_every_item_once(own_pg_server, tmp_path):
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    try:
        endpoints = tmp_path / "endpoints.json"
        endpoints.write_text(json.dumps(replica.urls))
        stats_file = tmp_path / "stats.json"
        settings = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(tmp_path / "cineradar.db"),
                    "STORAGE_SPOOL_DIR": str(tmp_path / "spool"), "STATS_DUMP_PATH": str(stats_file),
                    "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(tmp_path / "crawl.log"),
                    "STORAGE_BACKENDS": "sqlite,postgres", "STORAGE_BATCH_SIZE": "2",
                    "STORAGE_RETRY_TIMES": "1", "STORAGE_RETRY_BACKOFF": "0.1",
                    "STORAGE_SPOOL_RETRY_INTERVAL": "1", "DOWNLOAD_DELAY": "2",
                    "REPERTUARY_SESSIONS": "3"}  # about 16 s of crawling
        cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary", "-a", "city=krakow", "-a", "days=7",
               "-a", f"date={DAY0}", "-s", f"CRAWL_TODAY={DAY0}"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        env = os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
                            "DATABASE_URL": own_pg_server.dsn}
        crawl = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
        try:
            probe = PostgresStorage(own_pg_server.dsn, connect_timeout=2)
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:  # wait until the crawl has written to PostgreSQL
                time.sleep(0.2)
                try:
                    probe.open(SPECS)
                    if probe.count("repertuary_showtimes") >= 10:
                        break
                except Exception:  # noqa: BLE001, S110 - tables not made yet
                    pass
            probe.close()
            assert crawl.poll() is None, "the crawl ended before the outage"
            own_pg_server.stop()
            # The outage lasts until the crawl has gone on without its database: rows spooled and
            # more pages served by the replica (its request log), however fast or slow the machine.
            served, spool = len(replica.ctx.log), tmp_path / "spool" / "postgres.jsonl"
            deadline = time.monotonic() + 120
            while not (spool.exists() and len(replica.ctx.log) >= served + 4):
                assert crawl.poll() is None, "the crawl ended during the outage"
                assert time.monotonic() < deadline, "the crawl made no progress during the outage"
                time.sleep(0.05)  # polling, not driving time
            assert crawl.poll() is None, "the crawl ended during the outage"
            own_pg_server.start()
            _, stderr = crawl.communicate(timeout=300)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        assert crawl.returncode == 0, stderr[-3000:]
        stats = json.loads(stats_file.read_text())
        truth = replica.truth("repertuary")["cities"]["krakow"]
    finally:
        replica.stop()

    assert stats["cineradar/storage/postgres/spooled"] > 0  # batches did go to the spool
    assert stats["cineradar/storage/postgres/replayed"] == stats["cineradar/storage/postgres/spooled"]
    assert "cineradar/storage/postgres/unwritten" not in stats
    store = PostgresStorage(own_pg_server.dsn)
    store.open(SPECS)
    reference = open_store(tmp_path / "cineradar.db")
    for entity in ("repertuary_showtimes", "repertuary_films", "repertuary_cinemas"):
        rows = store.fetch(entity)
        assert rows == reference.fetch(entity), entity  # sqlite stayed up: same rows, each once
        assert store.count(entity) == len(rows)
    assert store.count("repertuary_showtimes") == len(truth["showtimes"])
    assert not (tmp_path / "spool" / "postgres.jsonl").exists()
    store.close()
    reference.close()


def test_a_crawl_with_postgres_down_throughout_keeps_the_password_out_of_logs_and_stats(own_pg_server, tmp_path):
    secret = "pw-Never-Logged-42"
    own_pg_server.stop()
    dsn = own_pg_server.dsn.replace("postgres@", f"postgres:{secret}@")
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    try:
        endpoints = tmp_path / "endpoints.json"
        endpoints.write_text(json.dumps(replica.urls))
        log, stats_file = tmp_path / "crawl.log", tmp_path / "stats.json"
        settings = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(tmp_path / "cineradar.db"),
                    "STORAGE_SPOOL_DIR": str(tmp_path / "spool"), "STATS_DUMP_PATH": str(stats_file),
                    "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(log), "LOG_LEVEL": "DEBUG",
                    "STORAGE_BACKENDS": "postgres", "DATABASE_URL": dsn, "STORAGE_RETRY_TIMES": "0",
                    "DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}
        cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary", "-a", "city=krakow", "-a", "days=1",
               "-a", f"date={DAY0}", "-s", f"CRAWL_TODAY={DAY0}"]
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
                                env=os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})
    finally:
        replica.stop()
    assert result.returncode == 3, result.stderr[-3000:]  # partial: the rows wait in the spool
    stats = json.loads(stats_file.read_text())
    assert stats["cineradar/storage/postgres/unwritten"] == stats["item_scraped_count"] > 0  # all kept in the spool
    assert "rows left in" in log.read_text().split("crawl PARTIAL:", 1)[1]
    assert "Connection refused" in log.read_text()
    for text in (log.read_text(), stats_file.read_text(), result.stdout, result.stderr):
        assert secret not in text
