"""`scrapy bench` inside the project runs at framework speed: politeness is the project spiders' own."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.e2e
@pytest.mark.serial  # counts requests per second at the wire: run alone
def test_bench_is_not_held_to_the_project_politeness(tmp_path):
    stats = tmp_path / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "bench", "-s", "CLOSESPIDER_TIMEOUT=5",
           "-s", f"SQLITE_PATH={tmp_path / 'c.db'}", "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}",
           "-s", f"STATS_DUMP_PATH={stats}", "-s", "LOG_LEVEL=INFO"]
    subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120,
                   env=os.environ | {"PYTHONPATH": str(ROOT)})
    pages = json.loads(stats.read_text())["response_received_count"]
    # With DOWNLOAD_DELAY 2 s and one request per domain (the repertuary politeness) 5 s are 3 pages.
    assert pages > 100
