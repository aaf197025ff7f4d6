"""End to end: real `scrapy crawl repertuary` runs against the replica's Kraków site."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from replica import Fault, Knobs, Replica
from tests.conftest import open_store, run_crawl

DAY0 = dt.date(2026, 11, 21)
pytestmark = pytest.mark.e2e
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}  # no politeness: test_site_rate.py times it


def start_replica(**knobs: object) -> Replica:
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs(**knobs))  # type: ignore[arg-type]
    replica.start()
    return replica


@pytest.fixture(scope="module")
def replica():
    replica = start_replica()
    yield replica
    replica.stop()


def showtime_keys(rows: list[dict]) -> Counter:
    return Counter((r["film_slug"], r["cinema_slug"], r["date"], r["time"], r["showtime_id"]) for r in rows)


def truth_keys(truth: dict) -> Counter:
    return Counter((s["film_slug"], s["cinema_slug"], s["date"], s["time"], s["showtime_id"])
                   for s in truth["showtimes"])


def crawl(replica: Replica, tmp_path: Path, *args: str, **settings: str) -> dict:
    return run_crawl("repertuary", replica.urls, tmp_path, "city=krakow", "days=7", f"date={DAY0}", *args,
                     settings=FAST | settings)


def test_seven_days_equal_the_ground_truth(replica, tmp_path):
    stats = crawl(replica, tmp_path)
    truth = replica.truth("repertuary")["cities"]["krakow"]
    store = open_store(tmp_path / "cineradar.db")
    assert replica.knobs.session_race  # the server-side selected day is shared per session
    assert showtime_keys(store.fetch("repertuary_showtimes")) == truth_keys(truth)
    assert {r["date"] for r in store.fetch("repertuary_showtimes")} == {
        (DAY0 + dt.timedelta(days=n)).isoformat() for n in range(7)}
    assert stats["cineradar/days_covered/krakow"] == 7
    assert "cineradar/repertuary/day_mismatch" not in stats


def test_film_metadata_equals_the_ground_truth(replica, tmp_path):
    crawl(replica, tmp_path)
    truth = replica.truth("repertuary")["cities"]["krakow"]
    stored = {r["slug"]: r for r in open_store(tmp_path / "cineradar.db").fetch("repertuary_films")}
    fields = ("title_pl", "original_title", "director", "year", "countries", "runtime", "cast", "genres")
    expected = {f["slug"]: {k: f[k] for k in fields} for f in truth["films"]}
    assert {slug: {k: row[k] for k in fields} for slug, row in stored.items()} == expected


def test_cinemas_come_from_slugs(replica, tmp_path):
    crawl(replica, tmp_path)
    truth = replica.truth("repertuary")["cities"]["krakow"]
    stored = {r["slug"] for r in open_store(tmp_path / "cineradar.db").fetch("repertuary_cinemas")}
    assert stored == {s["cinema_slug"] for s in truth["showtimes"]}


def test_each_film_page_is_fetched_once(replica, tmp_path):
    stats = crawl(replica, tmp_path)
    films = len(replica.truth("repertuary")["cities"]["krakow"]["films"])
    # 1 GET for day 0; each other day opens on a film page, then POST + GET; the rest are film pages.
    assert stats["downloader/request_count"] == 1 + 6 * 2 + films


def test_a_second_run_leaves_row_counts_unchanged(replica, tmp_path):
    crawl(replica, tmp_path)
    store = open_store(tmp_path / "cineradar.db")
    before = {e: store.count(e) for e in ("repertuary_showtimes", "repertuary_films", "repertuary_cinemas")}
    stats = crawl(replica, tmp_path)
    after = {e: store.count(e) for e in before}
    assert after == before
    assert stats["cineradar/fresh_skipped/repertuary_showtimes"] == before["repertuary_showtimes"]


def test_the_original_shared_session_races_and_the_day_check_recovers(replica, tmp_path):
    stats = crawl(replica, tmp_path, REPERTUARY_SHARE_SESSION="True")
    truth = replica.truth("repertuary")["cities"]["krakow"]
    assert stats["cineradar/repertuary/day_mismatch"] > 0  # the race happened...
    assert showtime_keys(open_store(tmp_path / "cineradar.db").fetch("repertuary_showtimes")) == truth_keys(truth)


def test_faults_cost_retries_not_data(tmp_path):
    # Scheduled (not random) faults, so each bad-input path is taken on every run.
    faulty = start_replica(faults=[
        Fault.parse("garbage:at=2+3,site=repertuary,path=by_movie"),
        Fault.parse("html_drift:at=4,site=repertuary,path=by_movie"),
        Fault.parse("set_day_500:at=1+2+3+4,site=repertuary"),  # outlasts RetryMiddleware's 3 retries
        Fault.parse("set_day_422:at=6,site=repertuary"),
        Fault.parse("5xx:at=2,site=repertuary,path=/film/"),
    ])
    try:
        stats = crawl(faulty, tmp_path)
        truth = faulty.truth("repertuary")["cities"]["krakow"]
        store = open_store(tmp_path / "cineradar.db")
        assert showtime_keys(store.fetch("repertuary_showtimes")) == truth_keys(truth)
        assert store.count("repertuary_films") == len(truth["films"])
        # Which chain meets which fault depends on timing; the counts do not.
        garbage_seen = stats.get("cineradar/repertuary/bad_page", 0) + stats.get(
            "cineradar/repertuary/no_csrf_token", 0)
        assert garbage_seen == 2
        assert stats["cineradar/repertuary/set_day_422"] == 1
        assert stats["retry/count"] >= 5  # four 500s on set_day and one on a film page
        assert "cineradar/repertuary/day_failed" not in stats
        assert stats["finish_reason"] == "finished"
    finally:
        faulty.stop()


def test_kino_krakow_is_the_krakow_crawl(replica, tmp_path):
    stats = run_crawl("kino_krakow", replica.urls, tmp_path, "days=2", f"date={DAY0}", settings=FAST)
    truth = replica.truth("repertuary")["cities"]["krakow"]
    first_two = Counter(k for k in truth_keys(truth).elements() if k[2] <= (DAY0 + dt.timedelta(days=1)).isoformat())
    assert showtime_keys(open_store(tmp_path / "cineradar.db").fetch("repertuary_showtimes")) == first_two
    assert stats["cineradar/days_covered/krakow"] == 2


def test_kino_krakow_refuses_other_cities():
    from cineradar.spiders.kino_krakow import KinoKrakowSpider

    # Reported by start() as one line and exit 1 (tests/test_args_endpoints.py runs the crawl).
    assert "kino_krakow crawls Kraków only, not 'gdansk'" in KinoKrakowSpider(city="gdansk").start_error
