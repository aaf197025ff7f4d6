"""Spidermon monitors (cineradar/monitors.py): each passes on a complete crawl and fails its fault.

Real `scrapy crawl` subprocesses against the replica; faults are the replica's knobs.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from replica import Knobs, Replica
from tests.tix.helpers import DAY as TIX_DAY
from tests.tix.helpers import MORNING, crawl

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}


@pytest.fixture(scope="module")
def repertuary():
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture(scope="module")
def tix():
    with Replica(preset="tiny", date=TIX_DAY, now=MORNING) as replica:
        yield replica


def runs(work: Path) -> list[dict]:
    with sqlite3.connect(work / "cineradar.db") as db:
        db.row_factory = sqlite3.Row
        return [dict(r) for r in db.execute("SELECT * FROM crawl_runs ORDER BY started_at")]


def rep_crawl(replica: Replica, work: Path, name: str, *, days: int = 2, check: bool = True, **settings: str) -> dict:
    return crawl("repertuary", replica.urls, work, "city=krakow", f"days={days}", f"date={DAY0}", "force=1",
                 name=name, settings=FAST | {"REPERTUARY_MAX_ATTEMPTS": "1", "RETRY_TIMES": "0"} | settings,
                 check=check)


def test_complete_repertuary_crawl_passes_every_monitor(repertuary, tmp_path):
    repertuary.knobs.update({"faults": []})
    result = rep_crawl(repertuary, tmp_path, "ok")
    assert result["returncode"] == 0
    assert "monitors failed" not in result["log"]
    assert "[Spidermon]" in result["log"] or "spidermon" in result["log"].lower()
    assert runs(tmp_path)[-1]["status"] == "success"


def test_repertuary_without_data_fails(repertuary, tmp_path):
    repertuary.knobs.update({"faults": ["5xx:p=1.0,site=repertuary,status=500"]})
    try:
        result = rep_crawl(repertuary, tmp_path, "nodata", check=False)
    finally:
        repertuary.knobs.update({"faults": []})
    assert result["returncode"] == 1
    assert "repertuary: monitors failed: 0 items stored, at least 1 expected" in result["log"]
    assert "days covered below the 2 requested: krakow 0" in result["log"]
    assert runs(tmp_path)[-1]["status"] == "failed"


def test_item_drop_against_the_previous_run_is_partial(repertuary, tmp_path):
    repertuary.knobs.update({"faults": []})
    first = rep_crawl(repertuary, tmp_path, "first")
    assert first["returncode"] == 0
    # Half the requests fail: on the tiny replica the same arguments bring 53 items instead of 57
    # (film pages lost); the drop threshold is set to 95% so this small drop is a visible one.
    repertuary.knobs.update({"faults": ["5xx:p=0.5,site=repertuary,status=500"]})
    try:
        second = rep_crawl(repertuary, tmp_path, "second", check=False, MONITOR_MIN_ITEMS_RATIO="0.95")
    finally:
        repertuary.knobs.update({"faults": []})
    assert second["returncode"] in (1, 3)
    assert "monitors failed" in second["log"]
    assert f"previous successful run {runs(tmp_path)[0]['run_id']} with the same arguments had" in second["log"]
    record = runs(tmp_path)[-1]
    assert record["status"] in ("partial", "failed")
    assert "monitors failed" in record["reason"]


def test_tix_movies_complete_passes(tix, tmp_path):
    tix.knobs.update({"faults": []})
    result = crawl("tix_movies", tix.urls, tmp_path, f"date={TIX_DAY}", "batch=0/9", check=False)
    assert result["returncode"] == 0, result["log"][-2000:]
    assert "monitors failed" not in result["log"]


def test_tix_movies_failed_schedule_pages_are_partial(tix, tmp_path):
    tix.knobs.update({"faults": ["5xx:p=0.7,site=tix_api,path=/schedules,status=500"]})
    try:
        result = crawl("tix_movies", tix.urls, tmp_path, f"date={TIX_DAY}", "batch=0/9", check=False,
                       settings={"RETRY_TIMES": "0", "TIX_PAYLOAD_RETRIES": "0"})
    finally:
        tix.knobs.update({"faults": []})
    assert result["returncode"] in (1, 3), result["log"][-2000:]
    assert "tix_movies: monitors failed: tix_movies: schedule pages failed" in result["log"]
    assert runs(tmp_path)[-1]["status"] in ("partial", "failed")
