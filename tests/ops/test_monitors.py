"""Spidermon monitors (cineradar/monitors.py): each passes on a complete crawl and fails its fault.

Real `scrapy crawl` subprocesses against the replica; faults are the replica's knobs.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from replica import Knobs, Replica
from tests.tix.helpers import DAY as TIX_DAY
from tests.tix.helpers import MORNING, crawl, seed_token
from tests.tmdb.conftest import uncapped
from tests.tmdb.matching_truth import seed_listings

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
TIX_CITIES = "cities=AMBON,BANDUNG,JAKARTA"  # the tiny day's cities with data
NOON = MORNING.replace(hour=12)
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
    assert "previous successful run" in record["reason"]  # the finding itself, not "monitors failed: 1"


def test_tix_movies_complete_passes(tix, tmp_path):
    tix.knobs.update({"faults": []})
    result = crawl("tix_movies", tix.urls, tmp_path, f"date={TIX_DAY}", "batch=0/9", check=False)
    assert result["returncode"] == 0, result["log"][-2000:]
    assert "monitors failed" not in result["log"]


def test_tix_movies_failed_schedule_pages_are_partial(tix, tmp_path):
    tix.knobs.update({"faults": ["5xx:p=0.7,site=tix_api,path=/schedules,status=500"]})
    since = len(tix.ctx.log)
    try:
        result = crawl("tix_movies", tix.urls, tmp_path, f"date={TIX_DAY}", "batch=0/9", check=False,
                       settings={"RETRY_TIMES": "0", "TIX_PAYLOAD_RETRIES": "0"})
    finally:
        tix.knobs.update({"faults": []})
    assert result["returncode"] in (1, 3), result["log"][-2000:]
    pages = [e for e in tix.ctx.log[since:] if e["site"] == "tix_api" and e["path"].startswith("/v1/schedules/")]
    failed = sum(1 for e in pages if e["status"] == 500)
    if runs(tmp_path)[-1]["status"] == "partial":  # (a lost guest token instead makes it FAILED, its own line)
        # The last line says what is missing, in numbers counted at the replica.
        assert (f"crawl PARTIAL: tix_movies: {failed} of {len(pages)} schedule pages never answered"
                in result["log"].splitlines()[-1])
    assert runs(tmp_path)[-1]["status"] in ("partial", "failed")


# ------------------------------------------------------------------ ERROR lines
def test_error_lines_over_the_limit_are_partial(repertuary, tmp_path):
    repertuary.knobs.update({"faults": []})
    clean = rep_crawl(repertuary, tmp_path, "clean", MONITOR_MAX_ERRORS="0")
    assert clean["returncode"] == 0 and "monitors failed" not in clean["log"]
    # The first film page answers 500 once: the spider fetches it again and the data is complete,
    # but the give-up is an ERROR line: with at most 0 allowed, the crawl is PARTIAL (exit 3).
    repertuary.knobs.update({"faults": ["5xx:at=1,site=repertuary,path=^/film/,status=500"]})
    try:
        result = rep_crawl(repertuary, tmp_path, "errors", check=False, MONITOR_MAX_ERRORS="0",
                           REPERTUARY_MAX_ATTEMPTS="2")
    finally:
        repertuary.knobs.update({"faults": []})
    assert result["returncode"] == 3, result["log"][-2000:]
    before = result["log"].split("[Spidermon]")[0]
    errors = sum(1 for ln in before.splitlines() if "] ERROR: " in ln)  # the crawl's, up to the monitors' report
    assert errors >= 1 and "Gave up retrying" in before
    # Spidermon's stock error-count monitor, its limit from MONITOR_MAX_ERRORS; its own words.
    finding = f"Expecting 'log_count/ERROR' to be '<=' to '0.0'. Current value: '{float(errors)}'"
    assert summary(result) == f"repertuary: monitors failed: {finding}"
    record = runs(tmp_path)[-1]
    assert (record["status"], record["reason"]) == ("partial", finding)


def summary(result: dict) -> str:
    """The one summary line of the failed monitors (and there is one only)."""
    lines = re.findall(r"\] ERROR: (\w+: monitors failed: .*)$", result["log"], re.MULTILINE)
    assert len(lines) == 1, lines
    return lines[0]


# ------------------------------------------------------------------ validation drops
def test_validation_drops_over_the_limit_are_partial(tix, tmp_path):
    tix.knobs.update({"faults": []})
    limit = {"MONITOR_MAX_INVALID_RATIO": "0.02"}  # the tiny day's 9 pages drop 4% of its items
    clean = crawl("tix_movies", tix.urls, tmp_path, TIX_CITIES, f"date={TIX_DAY}", name="clean", settings=limit)
    assert clean["returncode"] == 0 and "monitors failed" not in clean["log"]
    # Every schedule page's first showtime has a status outside 0..2: validation drops it.
    tix.knobs.update({"faults": ["bad_status:p=1.0,site=tix_api"]})
    since = len(tix.ctx.log)
    try:
        result = crawl("tix_movies", tix.urls, tmp_path, TIX_CITIES, f"date={TIX_DAY}", name="bad", check=False,
                       settings=limit)
    finally:
        tix.knobs.update({"faults": []})
    pages = sum(1 for e in tix.ctx.log[since:] if e["site"] == "tix_api" and e["path"].startswith("/v1/schedules/")
                and e["status"] == 200)  # one showtime dropped per page served
    items = sum(v for k, v in clean["stats"].items() if k.startswith("cineradar/valid/"))
    assert result["returncode"] == 3, result["log"][-2000:]
    assert summary(result) == (f"tix_movies: monitors failed: {pages} of {items} items dropped by validation "
                               "(at most 2%)")
    assert runs(tmp_path)[-1]["status"] == "partial"


# ------------------------------------------------------------------ theatres per city
def test_theatres_per_city_are_compared_with_the_previous_run_of_the_same_arguments(tix, tmp_path):
    truth = tix.truth("tix")
    ambon = next(c["id"] for c in truth["cities"] if c["name"] == "AMBON")
    theatres = Counter(t["city"] for t in truth["theatres"])
    assert theatres["AMBON"] and theatres["AMBON"] < 0.3 * sum(theatres.values())  # the total hardly moves
    tix.knobs.update({"faults": []})
    first = crawl("tix_movies", tix.urls, tmp_path, TIX_CITIES, f"date={TIX_DAY}", name="first")
    assert "monitors failed" not in first["log"]
    # AMBON's schedule pages now list no theatre (success, nothing failed).
    tix.knobs.update({"faults": [f"theatres_missing:p=1.0,site=tix_api,path=city_id={ambon}"]})
    try:
        # Other arguments: no previous run to compare with, AMBON's loss is not judged.
        other = crawl("tix_movies", tix.urls, tmp_path, "cities=AMBON,JAKARTA", f"date={TIX_DAY}", name="other",
                      check=False)
        same = crawl("tix_movies", tix.urls, tmp_path, TIX_CITIES, f"date={TIX_DAY}", name="same", check=False)
    finally:
        tix.knobs.update({"faults": []})
    assert other["returncode"] == 0 and "monitors failed" not in other["log"], other["log"][-2000:]
    assert same["returncode"] == 3, same["log"][-2000:]
    first_id = runs(tmp_path)[0]["run_id"]
    assert summary(same) == (f"tix_movies: monitors failed: tix_movies: theatres below 70% of the previous run "
                             f"{first_id}: AMBON 0 (was {theatres['AMBON']})")
    assert [r["status"] for r in runs(tmp_path)] == ["success", "success", "partial"]


# ------------------------------------------------------------------ tix_seats failures
@pytest.fixture(scope="module")
def tix_store(tix, tmp_path_factory) -> Path:
    """The tiny day's tix_movies in a store (the seat crawls' input)."""
    work = tmp_path_factory.mktemp("tix-store")
    tix.knobs.update({"faults": []})
    crawl("tix_movies", tix.urls, work, TIX_CITIES, f"date={TIX_DAY}")
    return work / "cineradar.db"


def seats(tix, store: Path, work: Path, name: str, **settings: str) -> dict:  # noqa: ANN001
    work.mkdir(exist_ok=True)
    shutil.copy(store, work / "cineradar.db")
    seed_token(work / "cineradar.db", tix.urls["tix_api"])
    since = len(tix.ctx.log)
    result = crawl("tix_seats", tix.urls, work, "mode=morning", f"date={TIX_DAY}", name=name, check=False,
                   settings=settings)
    layouts = [e for e in tix.ctx.log[since:] if "/layout?" in e["path"]]
    return result | {"layouts": layouts}


def test_seat_failures_other_than_started_over_1_percent_are_partial(tix, tix_store, tmp_path):
    tix.knobs.update({"faults": []})
    tix.clock.set(NOON)  # the showtimes before noon have started: 'started' failures do not count
    try:
        ok = seats(tix, tix_store, tmp_path / "ok", "ok")
        tix.knobs.update({"faults": ["5xx:p=0.1,site=tix_api,path=/layout,status=500"]})
        bad = seats(tix, tix_store, tmp_path / "bad", "bad", RETRY_TIMES="0")
    finally:
        tix.knobs.update({"faults": []})
        tix.clock.set(MORNING)
    started = sum(1 for e in ok["layouts"] if e["status"] == 401)
    assert ok["returncode"] == 0 and started > 0 and "monitors failed" not in ok["log"], ok["log"][-2000:]
    failed = sum(1 for e in bad["layouts"] if e["status"] == 500)
    assert failed > 0.01 * len(bad["layouts"])
    assert bad["returncode"] == 3, bad["log"][-2000:]
    assert summary(bad) == (f"tix_seats: monitors failed: tix_seats: {failed} of {len(bad['layouts'])} seat maps "
                            "failed (at most 1%)")
    assert runs(tmp_path / "bad")[-1]["status"] == "partial"


# ------------------------------------------------------------------ TMDB match rate
def test_tmdb_match_rate_below_80_percent_is_partial(repertuary, tmp_path):
    expected = seed_listings(tmp_path / "cineradar.db", repertuary.truth())
    listings = sum(1 for source, _ in expected if source == "repertuary")
    env = {"TMDB_READ_TOKEN": Knobs().tmdb_bearer}
    repertuary.knobs.update({"faults": []})
    fast = uncapped(repertuary)  # TMDB's rate cap lifted: the monitors are the point here
    ok = crawl("tmdb_match", repertuary.urls, tmp_path, "force=1", name="ok", env=env, check=False, settings=fast)
    assert ok["returncode"] == 0 and "monitors failed" not in ok["log"], ok["log"][-2000:]
    assert ok["stats"]["cineradar/tmdb_match/repertuary/match_rate"] >= 80
    # Every title search answers 200 with no results: every request succeeds, nothing matches.
    repertuary.knobs.update({"faults": ["search_empty:p=1.0,site=tmdb,path=^/3/search/movie"]})
    try:
        bad = crawl("tmdb_match", repertuary.urls, tmp_path, "force=1", name="bad", env=env, check=False,
                    settings=fast)
    finally:
        repertuary.knobs.update({"faults": []})
    assert bad["returncode"] == 3, bad["log"][-2000:]
    # The tix source has 5 listings on the tiny replica: below MONITOR_MATCH_RATE_MIN_LISTINGS, not judged.
    assert summary(bad) == (f"tmdb_match: monitors failed: tmdb_match: match rate below 80%: repertuary 0 of "
                            f"{listings} (0%)")
    record = runs(tmp_path)[-1]
    assert (record["spider"], record["status"], record["reason"]) == (
        "tmdb_match", "partial", f"tmdb_match: match rate below 80%: repertuary 0 of {listings} (0%)")
