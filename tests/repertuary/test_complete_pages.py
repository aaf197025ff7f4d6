"""Complete pages only: a day or film page cut short or garbled is fetched again, never stored half.

Real faults from the replica (its truncate and garbage knobs), three cities of the tiny preset;
what is stored is compared with the replica's ground truth, not with the crawl's own counters.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from replica import Fault, Knobs, Replica
from tests.conftest import open_store, run_crawl

DAY0 = dt.date(2026, 11, 21)
CITIES = ("krakow", "warszawa", "gdansk")
pytestmark = pytest.mark.e2e
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}"}  # no politeness: test_site_rate.py times it


def start_replica(*faults: str) -> Replica:
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs(faults=[Fault.parse(f) for f in faults]))
    replica.start()
    return replica


def crawl(replica: Replica, tmp_path: Path, returncode: int = 0, **settings: str) -> dict:
    # 16 sessions per day: a 50% truncation then leaves a day missing with odds of 21 x 2^-16.
    return run_crawl("repertuary", replica.urls, tmp_path, f"city={','.join(CITIES)}", "days=7", f"date={DAY0}",
                     settings=FAST | {"REPERTUARY_MAX_ATTEMPTS": "16"} | settings,
                     returncode=returncode)


def stored_showtimes(tmp_path: Path) -> Counter:
    rows = open_store(tmp_path / "cineradar.db").fetch("repertuary_showtimes")
    return Counter((r["city"], r["film_slug"], r["cinema_slug"], r["date"], r["time"], r["showtime_id"])
                   for r in rows)


def true_showtimes(replica: Replica, cities=CITIES) -> Counter:
    truth = replica.truth("repertuary")["cities"]
    return Counter((c, s["film_slug"], s["cinema_slug"], s["date"], s["time"], s["showtime_id"])
                   for c in cities for s in truth[c]["showtimes"])


def stored_films(tmp_path: Path) -> set[tuple[str, str, str]]:
    rows = open_store(tmp_path / "cineradar.db").fetch("repertuary_films")
    return {(r["city"], r["slug"], r["title_pl"]) for r in rows}


def true_films(replica: Replica, cities=CITIES) -> set[tuple[str, str, str]]:
    truth = replica.truth("repertuary")["cities"]
    return {(c, f["slug"], f["title_pl"]) for c in cities for f in truth[c]["films"]}


def cut_pages(replica: Replica, path: str) -> int:
    """How many responses the replica's truncate fault cut short on ``path`` (its request log)."""
    return sum(1 for e in replica.ctx.log if e.get("cut_short") and e["path"] == path)


def test_truncated_day_pages_are_fetched_again_until_whole(tmp_path):
    # The cut arrives as a real one (headers, part of a chunked body, connection closed), so
    # Scrapy's download layer sees the data loss and the request is fetched again.
    replica = start_replica("truncate:p=0.5,site=repertuary,path=/cinema_program/by_movie")
    try:
        crawl(replica, tmp_path)
        assert stored_showtimes(tmp_path) == true_showtimes(replica)
        assert stored_films(tmp_path) == true_films(replica)
        assert cut_pages(replica, "/cinema_program/by_movie") > 0  # the fault did fire
    finally:
        replica.stop()


def test_truncated_day_pages_that_reach_the_spider_are_fetched_again(tmp_path):
    # With DOWNLOAD_FAIL_ON_DATALOSS off, a cut page reaches the spider as a response (as one
    # whose end no framing announces would): the missing </html> must stop it being stored.
    replica = start_replica("truncate:p=0.5,site=repertuary,path=/cinema_program/by_movie")
    try:
        stats = crawl(replica, tmp_path, DOWNLOAD_FAIL_ON_DATALOSS="False")
        assert stored_showtimes(tmp_path) == true_showtimes(replica)
        assert stored_films(tmp_path) == true_films(replica)
        cut = cut_pages(replica, "/cinema_program/by_movie")
        assert cut > 0
        assert stats["cineradar/repertuary/incomplete_page"] == cut  # every cut page recognised
    finally:
        replica.stop()


def test_garbled_film_pages_are_fetched_again_not_dropped(tmp_path):
    replica = start_replica("garbage:p=0.2,site=repertuary,path=/film/")
    try:
        stats = crawl(replica, tmp_path)
        assert stored_films(tmp_path) == true_films(replica)
        assert stored_showtimes(tmp_path) == true_showtimes(replica)
        assert stats["cineradar/repertuary/film_retried"] > 0
    finally:
        replica.stop()


def test_a_fault_that_never_heals_ends_the_crawl_partial(tmp_path):
    truth = Replica(preset="tiny", seed=1, date=DAY0).truth("repertuary")["cities"]
    lost_film = truth["krakow"]["films"][0]["slug"]
    replica = start_replica("truncate:p=1,site=repertuary:gdansk,path=/cinema_program/by_movie",
                            f"truncate:p=1,site=repertuary:krakow,path=/film/{lost_film}\\.html")
    try:
        crawl(replica, tmp_path, returncode=3, REPERTUARY_MAX_ATTEMPTS="3")
        log = (tmp_path / "repertuary.log").read_text()
        closing = [line for line in log.splitlines() if "crawl PARTIAL" in line]
        assert len(closing) == 1
        assert "repertuary days not crawled: 7" in closing[0]
        assert "repertuary films not crawled: 1" in closing[0]
        runs = open_store(tmp_path / "cineradar.db").fetch("crawl_runs")
        assert [r["status"] for r in runs] == ["partial"]
        # What could be read is all there: the other cities whole, Kraków less one film.
        assert stored_showtimes(tmp_path) == true_showtimes(replica, ("krakow", "warszawa"))
        assert stored_films(tmp_path) == true_films(replica, ("krakow", "warszawa")) - {
            ("krakow", lost_film, truth["krakow"]["films"][0]["title_pl"])}
    finally:
        replica.stop()
