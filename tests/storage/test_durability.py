"""Freshness after storage, with real crawls: kill -9 mid-crawl, then the same command again.

Also: a re-run within the freshness threshold that writes a feed (``-o``) still gets
every item in the feed. Counts come from the replica's truth, not the crawler's stats.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from replica import Knobs, Replica
from tests.conftest import ROOT, open_store, replica_today, run_crawl

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
ENV = os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


def crawl_cmd(endpoints: dict, tmp_path: Path, *args: str, **settings: str) -> list[str]:
    """The same ``scrapy crawl repertuary`` command as tests.conftest.run_crawl, for Popen."""
    endpoints_file = tmp_path / "endpoints.json"
    endpoints_file.write_text(json.dumps(endpoints))
    values = {"ENDPOINTS": str(endpoints_file), "SQLITE_PATH": str(tmp_path / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(tmp_path / "spool"), "REMOTE_CONTROL_ENABLED": "False",
              "LOG_FILE": str(tmp_path / "killed.log")} | replica_today(args) | settings
    cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary"]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def count_rows(db: Path, table: str) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)) as conn:
            return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])  # noqa: S608 - test constant
    except sqlite3.Error:  # not created yet
        return 0


def showtime_key(city: str, row: dict) -> tuple:
    return (city, row["film_slug"], row["cinema_slug"], row["date"], row["time"], row["showtime_id"])


def assert_store_equals_truth(db: Path, replica: Replica, cities: list[str]) -> None:
    truth = replica.truth("repertuary")["cities"]
    store = open_store(db)
    try:
        showtimes = {showtime_key(r["city"], r) for r in store.fetch("repertuary_showtimes")}
        films = {(r["city"], r["slug"]) for r in store.fetch("repertuary_films")}
        cinemas = {(r["city"], r["slug"]) for r in store.fetch("repertuary_cinemas")}
    finally:
        store.close()
    want_showtimes = {showtime_key(c, s) for c in cities for s in truth[c]["showtimes"]}
    assert len(want_showtimes) == sum(len(truth[c]["showtimes"]) for c in cities)  # keys are unique
    assert showtimes == want_showtimes
    assert films == {(c, f["slug"]) for c in cities for f in truth[c]["films"]}
    assert cinemas == {(c, s["cinema_slug"]) for c in cities for s in truth[c]["showtimes"]}


# ------------------------------------------------------------------ 1. kill -9, then again
def test_kill_9_mid_crawl_then_the_same_command_stores_everything(tmp_path):
    """Keys are recorded as seen only once their rows are stored: a crash in between costs a rewrite."""
    cities = ["krakow", "warszawa"]
    replica = Replica(preset="default", seed=1, date=DAY0, knobs=Knobs(latency_ms=40))
    replica.start()
    try:
        args = (f"city={','.join(cities)}", "days=7", f"date={DAY0}")
        fast = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}
        db = tmp_path / "cineradar.db"
        crawl = subprocess.Popen(crawl_cmd(replica.urls, tmp_path, *args, **fast), cwd=ROOT, env=ENV,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 180
            # Kill as soon as anything was recorded as seen (today's code flushes the seen keys of
            # 1,000 items while the store still buffers most of their rows).
            while count_rows(db, "cineradar_seen") == 0 and crawl.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            crawl.send_signal(signal.SIGKILL)
            crawl.wait(timeout=30)
        finally:
            if crawl.poll() is None:
                crawl.kill()
                crawl.wait()
        stored_before = count_rows(db, "repertuary_showtimes")
        total = sum(len(replica.truth("repertuary")["cities"][c]["showtimes"]) for c in cities)
        assert stored_before < total, "killed too late to test anything"

        stats = run_crawl("repertuary", replica.urls, tmp_path, *args, settings=fast)  # the same command: rc 0
        assert stats["cineradar/outcome/status"] == "success"
        assert_store_equals_truth(db, replica, cities)
    finally:
        replica.stop()


# ------------------------------------------------------------------ 13. feeds
def test_a_re_run_with_a_feed_exports_every_item_and_without_one_skips_fresh_items(tmp_path):
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    try:
        args = ("city=krakow", "days=7", f"date={DAY0}")
        fast = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}
        first = run_crawl("repertuary", replica.urls, tmp_path, *args, settings=fast)
        feed = tmp_path / "items.jsonl"
        feeds = json.dumps({str(feed): {"format": "jsonlines"}})  # what `-o items.jsonl` sets
        again = run_crawl("repertuary", replica.urls, tmp_path, *args,
                          settings=fast | {"FEEDS": feeds})
        without = run_crawl("repertuary", replica.urls, tmp_path, *args, settings=fast)
        truth = replica.truth("repertuary")["cities"]["krakow"]
    finally:
        replica.stop()
    assert first["item_scraped_count"] == again["item_scraped_count"]
    exported = [json.loads(line) for line in feed.read_text().splitlines()]
    assert len(exported) == first["item_scraped_count"]
    assert sum("showtime_id" in row for row in exported) == len(truth["showtimes"])
    assert "item_scraped_count" not in without  # no feed: fresh items are skipped as before
    assert without["cineradar/fresh_skipped/repertuary_showtimes"] == len(truth["showtimes"])
