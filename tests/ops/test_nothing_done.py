""""Nothing to do" and "nothing stored of what was listed" are failures by rule (docs/reliability.md):
a morning seat run with 0 showtimes to snapshot, and a tmdb_movies run that stored none of the movies
its lists gave (every details page 404). Real `scrapy crawl` subprocesses against the replica."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from replica import Knobs, Replica
from tests.tix.helpers import DAY, MORNING, crawl, seed_token

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
FAST = {"DOWNLOAD_DELAY": "0"}


def last_line(result: dict) -> str:
    return result["log"].rstrip("\n").splitlines()[-1]


def record(work) -> tuple[str, str]:  # noqa: ANN001
    with sqlite3.connect(work / "cineradar.db") as db:
        return db.execute("SELECT status, reason FROM crawl_runs ORDER BY started_at DESC").fetchone()


def test_a_morning_seat_run_with_no_showtime_to_snapshot_fails(tmp_path):
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])  # logged in; only the day is missing
        since = len(replica.ctx.log)
        result = crawl("tix_seats", replica.urls, tmp_path, "mode=morning", f"date={DAY}", check=False,
                       settings=FAST)
        layouts = [e for e in replica.ctx.log[since:] if "/layout" in e["path"]]
    assert result["returncode"] == 1, result["log"][-2000:]
    assert layouts == []
    assert "crawl FAILED: tix_seats: monitors failed: tix_seats morning: nothing to do: 0 showtimes" in last_line(
        result)
    status, reason = record(tmp_path)
    assert status == "failed" and "nothing to do" in reason
    assert result["stats"]["finish_reason"] == "failed"


def test_tmdb_movies_storing_none_of_the_listed_movies_fails(tmp_path):
    with Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs()) as replica:
        replica.knobs.update({"faults": ["5xx:p=1,site=tmdb,path=^/3/movie/[0-9]+$,status=404"]})
        since = len(replica.ctx.log)
        result = crawl("tmdb_movies", replica.urls, tmp_path, "pages=1", check=False, settings=FAST,
                       env={"TMDB_READ_TOKEN": Knobs().tmdb_bearer})
        details = [e for e in replica.ctx.log[since:] if re.match(r"^/3/movie/[0-9]+$", e["path"].split("?")[0])]
    assert details and all(e["status"] == 404 for e in details)
    assert result["returncode"] == 1, result["log"][-2000:]
    assert re.search(rf"crawl FAILED: tmdb_movies: monitors failed: tmdb_movies: 0 movies stored of \d+ listed "
                     rf"\({len(details)} details answered 404, 0 failed\)", last_line(result)), last_line(result)
    assert record(tmp_path)[0] == "failed"
