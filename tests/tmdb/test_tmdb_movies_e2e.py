"""End to end: real `scrapy crawl tmdb_movies` runs against the replica's TMDB, counted at the
replica (its truth, request log and rate limiter)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

from replica import Knobs, Replica
from tests.conftest import open_store, run_crawl
from tests.tmdb.conftest import uncapped

KNOBS = Knobs()
pytestmark = pytest.mark.e2e


def tmdb_log(replica: Replica) -> list[dict]:
    return [e for e in replica.ctx.log if e["site"] == "tmdb"]


def crawl(replica: Replica, tmp_path: Path, *args: str, returncode: int = 0, capped: bool = True,
          **settings: str) -> dict:
    """capped=False: TMDB's rate cap lifted, in the crawl and at the replica (tests/tmdb/conftest.py)."""
    settings = settings if capped else uncapped(replica) | settings
    return run_crawl("tmdb_movies", replica.urls, tmp_path, *args, settings=settings, returncode=returncode)


def first_pages(truth: dict, pages: int, region: str) -> dict[str, list[int]]:
    lists = truth["lists"]
    full = {"popular": lists["popular"], "top_rated": lists["top_rated"],
            "now_playing": lists["now_playing_by_region"].get(region, []),
            "upcoming": lists["upcoming_by_region"].get(region, []), "trending_week": lists["trending_week"]}
    return {name: ids[: pages * 20] for name, ids in full.items()}


def test_missing_credentials_fail_before_any_request(replica, tmp_path, monkeypatch):
    monkeypatch.delenv("TMDB_READ_TOKEN", raising=False)
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    stats = crawl(replica, tmp_path, "preset=full", returncode=1)
    assert "no TMDB credentials" in stats["cineradar/outcome/failed"]
    assert tmdb_log(replica) == []
    errors = [line for line in (tmp_path / "tmdb_movies.log").read_text().splitlines() if "] ERROR: " in line]
    assert len(errors) == 2 and "TMDB_READ_TOKEN" in errors[0] and "crawl FAILED" in errors[1]  # cause, outcome


def test_full_preset_equals_the_truth(replica, tmp_path, token):
    stats = crawl(replica, tmp_path, "preset=full", "pages=2", "region=PL", capped=False)
    truth = replica.truth("tmdb")
    expected = first_pages(truth, 2, "PL")
    rows = {r["tmdb_id"]: r for r in open_store(tmp_path / "cineradar.db").fetch("tmdb_movies")}
    want: dict[int, set[str]] = defaultdict(set)
    for name, ids in expected.items():
        for movie_id in ids:
            want[movie_id].add(name)
    assert {i: set(r["categories"]) for i, r in rows.items()} == want
    assert all(r["enriched"] for r in rows.values())
    movies = {m["id"]: m for m in truth["movies"]}
    for movie_id, row in rows.items():
        m = movies[movie_id]
        assert (row["title"], row["original_title"], row["imdb_id"]) == (m["title"], m["original_title"],
                                                                         m["imdb_id"])
        assert row["runtime"] == (m["runtime"] or None)
        assert row["poster_path"] == m["poster_path"]
        assert [c["name"] for c in row["cast"]] == m["cast"][:10]
        assert [c["name"] for c in row["crew"] if c["job"] == "Director"] == list(dict.fromkeys(m["directors"]))
    # One details request per movie, no more: counted at the replica.
    details = [e for e in tmdb_log(replica) if e["path"].startswith("/3/movie/") and e["path"][9:10].isdigit()]
    assert len(details) == len(want) == stats["cineradar/tmdb/enriched"]
    # Progress counted every request the replica answered (list pages and details), and knew them all.
    assert stats["progress/done"] == stats["progress/total"] == len(tmdb_log(replica))
    assert all("append_to_response=credits%2Ckeywords%2Cvideos%2Csimilar%2Crelease_dates" in e["path"]
               for e in details)


def test_unchanged_movies_are_not_rewritten(replica, tmp_path, token):
    first = crawl(replica, tmp_path, "preset=daily", "pages=1", capped=False)
    second = crawl(replica, tmp_path, "preset=daily", "pages=1", capped=False)
    assert first["cineradar/tmdb/new"] > 0
    assert "item_scraped_count" not in second and second["cineradar/tmdb/unchanged"] == first["cineradar/tmdb/new"]


def test_api_key_never_leaves_the_download_handler(replica, tmp_path, monkeypatch):
    monkeypatch.delenv("TMDB_READ_TOKEN", raising=False)
    monkeypatch.setenv("TMDB_API_KEY", KNOBS.tmdb_api_key)
    feed = tmp_path / "feed.jsonl"
    # A 5xx and a timeout each put the URL in a logged message (retry lines, the timeout's text).
    replica.knobs.update({"faults": ["5xx:at=3,site=tmdb", "hang:at=5,site=tmdb,seconds=3"]})
    stats = crawl(replica, tmp_path, "lists=popular", "pages=1", LOG_LEVEL="DEBUG", DOWNLOAD_TIMEOUT="1",
                  FEEDS=json.dumps({str(feed): {"format": "jsonlines"}}))
    assert stats.get("retry/count", 0) >= 2, {k: v for k, v in stats.items() if "retry" in k or "download" in k}
    assert all(f"api_key={KNOBS.tmdb_api_key}" in e["path"] for e in tmdb_log(replica))  # the key was used
    key = KNOBS.tmdb_api_key.encode()
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert key not in path.read_bytes(), path.name  # log, stats, feed, SQLite file, spool
    assert "took longer than" in (tmp_path / "tmdb_movies.log").read_text()


def test_bad_credentials_stop_at_once(replica, tmp_path, monkeypatch):
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    monkeypatch.setenv("TMDB_READ_TOKEN", "eyJ.wrong.token")
    stats = crawl(replica, tmp_path, "preset=full", "pages=5", returncode=1)
    assert "refused the credentials" in stats["cineradar/outcome/failed"]
    assert replica.ctx.requests["tmdb 401"] == len(tmdb_log(replica)) <= 5  # the first pages only, no retries


def test_429_with_retry_after_is_honoured(replica, tmp_path, token):
    replica.knobs.update({"tmdb_rate_limit": 8})  # the replica's limiter, well under our 35/s
    stats = crawl(replica, tmp_path, "preset=full", "pages=1", RETRY_TIMES="30")
    log = tmdb_log(replica)
    assert replica.ctx.requests["tmdb 429"] > 0 and stats["retry/after_wait"] > 0
    rows = open_store(tmp_path / "cineradar.db").fetch("tmdb_movies")
    expected = set().union(*first_pages(replica.truth("tmdb"), 1, "PL").values())
    assert {r["tmdb_id"] for r in rows} == expected and all(r["enriched"] for r in rows)
    # The retry of a 429 (same path) never came back before its Retry-After (1 s here).
    by_path: dict[str, list[dict]] = defaultdict(list)
    for e in log:
        by_path[e["path"]].append(e)
    gaps = [b["t"] - a["t"] for seq in by_path.values() for a, b in zip(seq, seq[1:], strict=False)
            if a.get("status") == 429]
    assert gaps and min(gaps) >= 0.99


def test_404_marks_the_stored_movie_gone(replica, tmp_path, token):
    crawl(replica, tmp_path, "lists=popular", "pages=1", capped=False)
    victim = replica.truth("tmdb")["lists"]["popular"][3]
    replica.knobs.update({"faults": [f"5xx:p=1,site=tmdb,path=^/3/movie/{victim}$,status=404"]})
    stats = crawl(replica, tmp_path, "lists=popular", "pages=1", capped=False)
    rows = {r["tmdb_id"]: r for r in open_store(tmp_path / "cineradar.db").fetch("tmdb_movies")}
    assert rows[victim]["gone"] is True or rows[victim]["gone"] == 1
    assert sum(bool(r["gone"]) for r in rows.values()) == 1
    assert stats["cineradar/tmdb/gone"] == 1 and "cineradar/outcome/partial" not in json.dumps(stats)


def test_default_rate_stays_under_tmdbs_limit(replica, tmp_path, token):
    """35/s against the replica's 40/s sliding window (rejected requests counted): no 429 at all."""
    stats = crawl(replica, tmp_path, "preset=full", "pages=5")
    assert replica.ctx.requests["tmdb 429"] == 0 and "retry/count" not in stats
    assert replica.ctx.requests["tmdb peak_1s"] <= 40


def test_a_429_storm_and_5xx_lose_nothing(replica, tmp_path, token):
    replica.knobs.update({"faults": ["429_storm:p=0.08,site=tmdb,seconds=1", "5xx:p=0.05,site=tmdb,status=502"]})
    stats = crawl(replica, tmp_path, "preset=full", "pages=1", RETRY_TIMES="10", RETRY_BACKOFF_BASE="0.05")
    statuses = [e["status"] for e in tmdb_log(replica)]
    assert statuses.count(429) > 3 and statuses.count(502) > 2  # counted at the replica
    rows = {r["tmdb_id"]: r for r in open_store(tmp_path / "cineradar.db").fetch("tmdb_movies")}
    expected = set().union(*first_pages(replica.truth("tmdb"), 1, "PL").values())
    assert set(rows) == expected and all(r["enriched"] for r in rows.values())
    assert stats["retry/after_wait"] > 3 and "cineradar/outcome/failed" not in stats


def test_a_feed_or_force_gets_every_movie_on_a_later_run(replica, tmp_path, token):
    # Issue 17: after the first run, a feed was empty (every movie "unchanged"), even with -a force=1.
    first = crawl(replica, tmp_path, "preset=daily", "pages=1", capped=False)
    feed = tmp_path / "movies.jsonl"
    second = crawl(replica, tmp_path, "preset=daily", "pages=1", capped=False,
                   FEEDS=json.dumps({str(feed): {"format": "jsonlines"}}))
    ids = {json.loads(line)["tmdb_id"] for line in feed.read_text().splitlines()}
    stored = {r["tmdb_id"] for r in open_store(tmp_path / "cineradar.db").fetch("tmdb_movies")}
    assert first["item_scraped_count"] > 0 and ids == stored  # (a movie of several lists: one item per list)
    assert second["item_scraped_count"] == first["item_scraped_count"]
    forced = crawl(replica, tmp_path, "preset=daily", "pages=1", "force=1", capped=False)
    assert forced["item_scraped_count"] == first["item_scraped_count"]
