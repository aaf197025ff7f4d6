"""Scrapy's debugging tools on the project's spiders: `scrapy parse` on a repertuary URL with no --meta."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest

from replica import Replica
from tests.conftest import ROOT

DAY0 = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset="tiny", seed=1, date=DAY0)
    replica.start()
    yield replica
    replica.stop()


def parse(replica: Replica, tmp_path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
    cmd = [sys.executable, "-m", "scrapy", "parse", "--spider=repertuary", "--nolog", *extra,
           "-s", f"ENDPOINTS={tmp_path / 'endpoints.json'}", "-s", f"SQLITE_PATH={tmp_path / 'c.db'}",
           "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", "DOWNLOAD_DELAY=0", url]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})


def test_parse_a_day_page_without_meta(replica, tmp_path):
    base = replica.urls["repertuary"]["krakow"]
    proc = parse(replica, tmp_path, f"{base}/cinema_program/by_movie", "-a", f"date={DAY0}")
    assert "NotImplementedError" not in proc.stderr + proc.stdout
    assert "'showtime_id'" in proc.stdout and "'cinema_slug'" in proc.stdout


@pytest.mark.parametrize("callback", [[], ["-c", "on_film_page"]])
def test_parse_a_film_page_without_meta(replica, tmp_path, callback):
    base = replica.urls["repertuary"]["krakow"]
    slug = replica.truth("repertuary")["cities"]["krakow"]["showtimes"][0]["film_slug"]
    proc = parse(replica, tmp_path, f"{base}/film/{slug}.html", *callback)
    assert "KeyError" not in proc.stderr + proc.stdout
    assert f"'slug': '{slug}'" in proc.stdout and "'city': 'krakow'" in proc.stdout
