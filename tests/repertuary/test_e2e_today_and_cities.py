"""End to end: repertuary without ``-a date`` (day 0 is the site's today) and several cities
in one crawl, each compared with the replica's ground truth."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

from replica import Knobs, Replica
from tests.conftest import open_store, run_crawl

pytestmark = pytest.mark.e2e
WARSAW = ZoneInfo("Europe/Warsaw")
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}


def keys(rows: list[dict]) -> Counter:
    return Counter((r["film_slug"], r["cinema_slug"], r["date"], r["time"], r["showtime_id"]) for r in rows)


@pytest.mark.parametrize("shift", [1, -1])
def test_without_a_date_day_zero_is_the_sites_today(tmp_path, shift):
    """The site's day 0 is a day off the crawler's own (Warsaw) date, just past Warsaw's midnight,
    when UTC is still on the day before: the stored dates are the site's, none is UTC's."""
    site_today = dt.datetime.now(WARSAW).date() + dt.timedelta(days=shift)
    just_past_midnight = dt.datetime.combine(site_today, dt.time(0, 30), WARSAW)
    assert just_past_midnight.astimezone(dt.UTC).date() == site_today - dt.timedelta(days=1)
    with Replica(preset="tiny", seed=1, date=site_today, now=just_past_midnight, knobs=Knobs()) as replica:
        stats = run_crawl("repertuary", replica.urls, tmp_path, "city=krakow", "days=7", settings=FAST)
        truth = replica.truth("repertuary")["cities"]["krakow"]
    rows = open_store(tmp_path / "cineradar.db").fetch("repertuary_showtimes")
    assert keys(rows) == keys(truth["showtimes"])
    assert {r["date"] for r in rows} == {(site_today + dt.timedelta(days=n)).isoformat() for n in range(7)}
    assert "cineradar/repertuary/day_mismatch" not in stats  # no day taken for another and retried


def test_two_cities_equal_the_truth_of_both(tmp_path):
    day0 = dt.date(2026, 11, 21)
    with Replica(preset="tiny", seed=1, date=day0, knobs=Knobs()) as replica:
        run_crawl("repertuary", replica.urls, tmp_path, "city=krakow,gdansk", "days=7", f"date={day0}",
                  settings=FAST)
        truth = replica.truth("repertuary")["cities"]
    store = open_store(tmp_path / "cineradar.db")
    rows = store.fetch("repertuary_showtimes")
    for city in ("krakow", "gdansk"):
        assert keys([r for r in rows if r["city"] == city]) == keys(truth[city]["showtimes"]), city
    assert {r["city"] for r in rows} == {"krakow", "gdansk"}
    films = {(r["city"], r["slug"]) for r in store.fetch("repertuary_films")}
    assert films == {(c, f["slug"]) for c in ("krakow", "gdansk") for f in truth[c]["films"]}
