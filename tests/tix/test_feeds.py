"""Feeds of a real ``scrapy crawl``: every item carries its entity; per-entity FEEDS split them.

Two real ``scrapy crawl tix_movies`` subprocesses against the replica (three cities): one
with ``-o all.jsonl`` (one mixed feed), one with ``FEEDS`` whose ``item_classes`` send the
showtimes to a CSV and the movies to another. Counts and ids are checked against the
replica's truth, the CSV header against the showtime model (docs/data.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter

import pytest

from cineradar.items import TixMovie, TixShowtime
from tests.tix.helpers import CREDENTIALS, DAY, crawl, open_store, scrapy

pytestmark = pytest.mark.e2e
CITIES = "cities=AMBON,BANDUNG,JAKARTA"


def test_a_mixed_jsonl_feed_names_the_entity_of_every_line(replica, tmp_path):
    feed = tmp_path / "all.jsonl"
    scrapy(["crawl", "tix_movies", "-a", CITIES, "-a", f"date={DAY}", "-o", str(feed)], replica.urls, tmp_path,
           name="jsonl", settings={"CRAWL_TODAY": DAY})
    truth = replica.truth("tix")
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert lines and all("entity" in line for line in lines)
    by_entity = Counter(line["entity"] for line in lines)
    assert set(by_entity) == {"tix_movies", "tix_theatres", "tix_showtimes"}
    showtimes = [line for line in lines if line["entity"] == "tix_showtimes"]
    assert {s["showtime_id"] for s in showtimes} == {s["showtime_id"] for s in truth["showtimes"]}
    assert len(showtimes) == len(truth["showtimes"])
    for show in showtimes:
        assert set(show) == {"entity", *TixShowtime.model_fields}
        assert dt.datetime.fromisoformat(show["starts_at"]).isoformat() == show["starts_at"]
        assert show["starts_at"].endswith("+07:00")


def test_per_entity_feeds_give_a_showtime_csv_with_the_showtime_columns(replica, tmp_path):
    feeds = {str(tmp_path / "showtimes.csv"): {"format": "csv", "item_classes": ["cineradar.items.TixShowtime"]},
             str(tmp_path / "movies.csv"): {"format": "csv", "item_classes": ["cineradar.items.TixMovie"]}}
    crawl("tix_movies", replica.urls, tmp_path, CITIES, f"date={DAY}", settings={"FEEDS": json.dumps(feeds)})
    truth = replica.truth("tix")
    with (tmp_path / "showtimes.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        assert reader.fieldnames == ["entity", *TixShowtime.model_fields]
    assert {r["entity"] for r in rows} == {"tix_showtimes"}
    expected = {s["showtime_id"]: s for s in truth["showtimes"]}
    assert sorted(r["showtime_id"] for r in rows) == sorted(expected)
    for row in rows:
        assert row["time"] == expected[row["showtime_id"]]["time"]
        start = dt.datetime.fromisoformat(row["starts_at"])  # ISO 8601 with its offset, a T, no space
        assert "T" in row["starts_at"] and start.utcoffset() == dt.timedelta(hours=7)
        if row["price"]:
            assert int(row["price_min"]) <= int(row["price_max"])
    with (tmp_path / "movies.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        movies = list(reader)
        assert reader.fieldnames == ["entity", *TixMovie.model_fields]
    assert {m["movie_id"] for m in movies} == {m["movie_id"] for m in truth["movies"]}


def test_a_csv_feed_of_several_entities_is_refused_at_start(replica, tmp_path):
    # Issue 17: `-O out.csv` wrote every row under the first entity's header; now one line, exit 2,
    # before the feed file exists or any request is made.
    feed = tmp_path / "all.csv"
    before = len(replica.ctx.log)
    result = scrapy(["crawl", "tix_movies", "-a", CITIES, "-a", f"date={DAY}", "-O", str(feed)], replica.urls,
                    tmp_path, name="csv", settings={"CRAWL_TODAY": DAY}, check=False)
    assert result["returncode"] == 2
    line = result["stderr"].strip().splitlines()[-1]
    assert line.startswith(f"scrapy crawl: tix_movies: the CSV feed {feed} would get 3 entities "
                           "(tix_movies, tix_theatres, tix_showtimes) under one header; write one CSV per entity")
    assert '"item_classes": ["cineradar.items.TixMovie"]' in line
    assert "Traceback" not in result["stderr"]
    assert not feed.exists() and len(replica.ctx.log) == before


def test_nested_fields_in_a_per_entity_csv_are_json(replica, tmp_path):
    # Issue 17: a seat layout in a CSV was a Python repr ([('A', [1, 1])]); now JSON.
    crawl("tix_movies", replica.urls, tmp_path, "cities=AMBON", f"date={DAY}")
    feeds = {str(tmp_path / "snapshots.csv"): {"format": "csv", "item_classes": ["cineradar.items.TixSeatSnapshot"]}}
    crawl("tix_seats", replica.urls, tmp_path, "cities=AMBON", f"date={DAY}", settings={"FEEDS": json.dumps(feeds)},
          env=CREDENTIALS)
    with (tmp_path / "snapshots.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    truth = replica.truth("tix")["seats"]
    assert rows
    for row in rows:
        layout = json.loads(row["layout"])
        assert all(isinstance(r, list) and isinstance(r[0], str) and isinstance(r[1], list) for r in layout)
        assert sum(seat == 1 for _, seats in layout for seat in seats) == truth[row["showtime_id"]]["available"]


def test_every_seat_item_is_one_feed_line_and_counted_once(replica, tmp_path):
    # item_scraped_count is counted by the item processor (cineradar/pipelines/manager.py), not by an
    # item_scraped receiver; the signal still reaches the feed exporter for every item.
    crawl("tix_movies", replica.urls, tmp_path, "cities=AMBON", f"date={DAY}")
    feed = tmp_path / "seats.jsonl"
    result = crawl("tix_seats", replica.urls, tmp_path, "cities=AMBON", f"date={DAY}",
                   settings={"FEEDS": json.dumps({str(feed): {"format": "jsonlines"}})}, env=CREDENTIALS)
    lines = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    stored = open_store(tmp_path / "cineradar.db")
    try:
        in_store = stored.count("tix_seat_snapshots") + stored.count("tix_seat_failures")
    finally:
        stored.close()
    ambon = [s for s in replica.truth("tix")["showtimes"] if s["city"] == "AMBON"]
    assert len(lines) == result["stats"]["item_scraped_count"] == in_store == len(ambon) > 0
    assert Counter(line["entity"] for line in lines)["tix_seat_snapshots"] == result["stats"][
        "cineradar/tix/seats/snapshots"]
