"""Quiet logs: a crawl of every spider on a healthy replica logs no WARNING or ERROR line at all.

Real `scrapy crawl` subprocesses with the project's settings (only the replica's ENDPOINTS, a
temporary store and no download delay given), so a warning about something that is not about
the crawl (a disabled component, a deprecation, a monitor of another spider) fails here."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from replica import Knobs, Replica
from tests.tix.helpers import CREDENTIALS, DAY, MORNING, crawl, seed_token
from tests.tmdb.matching_truth import seed_listings

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
FAST = {"DOWNLOAD_DELAY": "0"}
TMDB = {"TMDB_READ_TOKEN": Knobs().tmdb_bearer}


@pytest.fixture(scope="module")
def cinemas():
    with Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs()) as replica:
        yield replica


@pytest.fixture(scope="module")
def tix():
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


def loud(result: dict) -> list[str]:
    lines = [ln for ln in result["log"].splitlines() if re.search(r"\] (WARNING|ERROR|CRITICAL): ", ln)]
    assert result["log"], result["stderr"][-2000:]
    return lines


def test_repertuary(cinemas, tmp_path):
    result = crawl("repertuary", cinemas.urls, tmp_path, "city=krakow", "days=1", f"date={DAY0}", settings=FAST)
    assert loud(result) == []


def test_kino_krakow(cinemas, tmp_path):
    result = crawl("kino_krakow", cinemas.urls, tmp_path, "days=1", f"date={DAY0}", settings=FAST)
    assert loud(result) == []


def test_tix_movies_on_a_day_where_cities_list_nothing(tix, tmp_path):
    # All 83 cities: most list no movie on the tiny day; that is said once, not once per city.
    result = crawl("tix_movies", tix.urls, tmp_path, f"date={DAY}", settings=FAST)
    assert loud(result) == []
    assert len(re.findall(r"listed no movies", result["log"])) == 1


def test_tix_login_and_tix_seats(tix, tmp_path):
    crawl("tix_movies", tix.urls, tmp_path, "cities=AMBON,BANDUNG,JAKARTA", f"date={DAY}", name="movies",
          settings=FAST)
    login = crawl("tix_login", tix.urls, tmp_path, env=CREDENTIALS, settings=FAST)
    assert loud(login) == []
    seats = crawl("tix_seats", tix.urls, tmp_path, "mode=morning", f"date={DAY}", name="seats", settings=FAST)
    assert loud(seats) == []


def test_tix_seats_with_a_seeded_token(tix, tmp_path):
    crawl("tix_movies", tix.urls, tmp_path, "cities=AMBON", f"date={DAY}", name="movies", settings=FAST)
    seed_token(tmp_path / "cineradar.db", tix.urls["tix_api"])
    seats = crawl("tix_seats", tix.urls, tmp_path, "mode=morning", f"date={DAY}", name="seats", settings=FAST)
    assert loud(seats) == []


def test_tmdb_movies(cinemas, tmp_path):
    result = crawl("tmdb_movies", cinemas.urls, tmp_path, "pages=1", env=TMDB,
                   settings=FAST | {"TMDB_IMAGE_URL": cinemas.urls["tmdb"] + "/t/p/original",
                                    "FILES_STORE": str(tmp_path / "files")})
    assert loud(result) == []


def test_tmdb_tv(cinemas, tmp_path):
    ids = ",".join(s["imdb_id"] for s in cinemas.truth("tmdb")["tv"][:3])
    result = crawl("tmdb_tv", cinemas.urls, tmp_path, f"imdb_ids={ids}", env=TMDB,
                   settings=FAST | {"TMDB_IMAGE_URL": cinemas.urls["tmdb"] + "/t/p/original",
                                    "FILES_STORE": str(tmp_path / "files")})
    assert loud(result) == []


def test_tmdb_match(cinemas, tmp_path: Path):
    seed_listings(tmp_path / "cineradar.db", cinemas.truth())
    result = crawl("tmdb_match", cinemas.urls, tmp_path, "force=1", env=TMDB, settings=FAST)
    assert loud(result) == []
