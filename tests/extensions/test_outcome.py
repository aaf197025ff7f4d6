"""The crawl's status (success / partial / failed), its run record and the `scrapy crawl` exit code."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest

from cineradar.extensions.outcome import FAILED_KEY, PARTIAL_PREFIX, status_of
from replica import Replica
from tests.conftest import ROOT


def test_a_finished_crawl_with_nothing_missing_is_a_success():
    assert status_of({"item_scraped_count": 3}, "finished") == ("success", "complete")


def test_a_recorded_failure_makes_the_crawl_failed_whatever_the_reason():
    assert status_of({FAILED_KEY: "storage sqlite: read-only"}, "finished") == ("failed", "storage sqlite: read-only")


def test_missing_data_makes_the_crawl_partial_and_says_what():
    stats = {PARTIAL_PREFIX + "days_missing/krakow": 2, PARTIAL_PREFIX + "unwritten/postgres": 10}
    assert status_of(stats, "finished") == ("partial", "days_missing/krakow: 2; unwritten/postgres: 10")


def test_a_zero_count_is_not_missing_data():
    assert status_of({PARTIAL_PREFIX + "unwritten/postgres": 0}, "finished")[0] == "success"


@pytest.mark.parametrize("reason", ["shutdown", "closespider_pagecount"])
def test_a_crawl_stopped_early_is_partial(reason):
    assert status_of({}, reason) == ("partial", f"stopped before the end ({reason})")


@pytest.mark.parametrize("reason", ["cancelled", "failed", "out_of_memory"])
def test_any_other_close_reason_is_a_failure(reason):
    assert status_of({}, reason)[0] == "failed"


def crawl_krakow(tmp_path, days: int, **settings):
    """`scrapy crawl repertuary` against a tiny replica: (exit status, stderr, crawl_runs rows)."""
    with Replica(preset="tiny") as replica:
        (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
        cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary", "-a", "city=krakow", "-a", f"days={days}"]
        for key, value in {"ENDPOINTS": tmp_path / "endpoints.json", "SQLITE_PATH": tmp_path / "db.sqlite",
                           "STORAGE_SPOOL_DIR": tmp_path / "spool", "DOWNLOAD_DELAY": 0, "SITE_RATE_LIMITS": "{}",
                           "REMOTE_CONTROL_ENABLED": False, **settings}.items():
            cmd += ["-s", f"{key}={value}"]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    runs = sqlite3.connect(tmp_path / "db.sqlite").execute("select spider, status from crawl_runs").fetchall()
    return proc.returncode, proc.stderr, runs


@pytest.mark.e2e
def test_a_crawl_stopped_by_a_limit_exits_3_with_a_partial_run_record(tmp_path):
    returncode, stderr, runs = crawl_krakow(tmp_path, 2, CLOSESPIDER_PAGECOUNT=2)
    assert returncode == 3
    assert "crawl PARTIAL: stopped before the end (closespider_pagecount)" in stderr
    assert runs == [("repertuary", "partial")]


@pytest.mark.e2e
def test_a_complete_crawl_exits_0_with_a_success_run_record(tmp_path):
    returncode, _, runs = crawl_krakow(tmp_path, 1)
    assert (returncode, runs) == (0, [("repertuary", "success")])
