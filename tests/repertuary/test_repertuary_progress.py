"""A real repertuary crawl against the replica (with latency) logs progress in pages: the 7 day
pages plus each film page, the total counted at the replica."""

from __future__ import annotations

import re

import pytest

from tests.conftest import run_crawl
from tests.repertuary.test_e2e import DAY0, FAST, start_replica


@pytest.mark.e2e
def test_repertuary_progress_counts_the_pages_the_replica_served(tmp_path):
    replica = start_replica(latency_ms=250)
    try:
        run_crawl("repertuary", replica.urls, tmp_path, "city=krakow", "days=7", f"date={DAY0}",
                  settings=FAST | {"PROGRESS_INTERVAL": "0.5", "REPERTUARY_SESSIONS": "2"})
        paths = [e["path"] for e in replica.ctx.log]
    finally:
        replica.stop()
    films = {p for p in paths if p.startswith("/film/")}
    day_pages = [p for p in paths if p == "/cinema_program/by_movie"]
    lines = [tuple(map(int, m.groups())) for m in
             re.finditer(r"progress: (\d+)/(\d+) day and film pages", (tmp_path / "repertuary.log").read_text())]
    assert (len(day_pages), max(total for _, total in lines)) == (7, 7 + len(films)), (lines, len(films))
    assert [d for d, _ in lines] == sorted(d for d, _ in lines) and any(0 < d < t for d, t in lines), lines
