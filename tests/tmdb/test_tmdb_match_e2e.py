"""End to end: `scrapy crawl tmdb_match` and `scrapy tmdb_review` against the replica's TMDB, with
the listings of the replica's default preset in the store, judged by the replica's truth."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from cineradar.backends import SPECS
from cineradar.items import RepertuaryFilm
from cineradar.storage.sqlite import SQLiteStorage
from replica import Knobs, Replica
from tests.conftest import ROOT, open_store, run_crawl
from tests.tmdb.conftest import UNCAPPED_KNOBS, UNCAPPED_SETTINGS
from tests.tmdb.matching_truth import confusion, seed_listings

DAY0 = dt.date(2026, 11, 21)
pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("token")]


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset="default", seed=1, date=DAY0, knobs=Knobs(**UNCAPPED_KNOBS))  # the rate: not here
    replica.start()
    yield replica
    replica.stop()


def match(replica: Replica, tmp_path: Path, *args: str, returncode: int = 0, **settings: str) -> dict:
    return run_crawl("tmdb_match", replica.urls, tmp_path, *args, settings=UNCAPPED_SETTINGS | settings,
                     returncode=returncode)


# `scrapy tmdb-review` once setup.py's entry point is installed; until then the same Command class,
# run the way Scrapy runs it (settings, options, main).
INSTALLED = any(e.name == "tmdb-review" for e in entry_points(group="scrapy.commands"))
DIRECT = ("import argparse, sys\n"
          "from scrapy.utils.project import get_project_settings\n"
          "from cineradar.commands.tmdb_review import Command\n"
          "settings = get_project_settings(); settings.set('SQLITE_PATH', sys.argv[1], 'cmdline')\n"
          "cmd = Command(); cmd.settings = settings; parser = argparse.ArgumentParser(); cmd.add_options(parser)\n"
          "sys.exit(cmd.main(settings, parser.parse_args(sys.argv[2:])))\n")


def review(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    db = str(tmp_path / "cineradar.db")
    cmd = ["-m", "scrapy", "tmdb-review", "-s", f"SQLITE_PATH={db}", *args] if INSTALLED else ["-c", DIRECT, db, *args]
    return subprocess.run([sys.executable, *cmd], cwd=ROOT, capture_output=True, text=True,
                          env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=120)


def rows(tmp_path: Path) -> dict[tuple[str, str], dict]:
    return {(r["listing_source"], r["listing_key"]): r for r in open_store(tmp_path / "cineradar.db").fetch(
        "tmdb_matches")}


def searches(replica: Replica, since: int, text: str) -> int:
    return sum(1 for e in replica.ctx.log[since:] if e["path"].startswith("/3/search/movie") and text in e["path"])


def test_accuracy_on_every_listing_of_the_replica(replica, tmp_path):
    expected = seed_listings(tmp_path / "cineradar.db", replica.truth())
    stats = match(replica, tmp_path)
    stored = rows(tmp_path)
    assert set(stored) == set(expected)  # every listing has an outcome
    assert stats["progress/done"] == stats["progress/total"] == len(expected)  # progress: every listing matched
    assert all(r["reason"] and r["confidence"] is not None for r in stored.values())
    table = confusion(list(stored.values()), expected)
    assert table["wrong"] == []
    for source in ("repertuary", "tix"):
        assert table[source]["precision"] >= 99 and table[source]["recall"] >= 90, table
        assert stats[f"cineradar/tmdb_match/{source}/match_rate"] > 90
    run = [r for r in open_store(tmp_path / "cineradar.db").fetch("crawl_runs") if r["spider"] == "tmdb_match"][-1]
    assert run["stats"]["cineradar/tmdb_match/repertuary/match_rate"] == table["repertuary"]["recall"]


def add_film(tmp_path: Path, slug: str, title: str, year: int | None) -> None:
    store = SQLiteStorage(tmp_path / "cineradar.db")
    store.open(SPECS)
    store.upsert("repertuary_films", [RepertuaryFilm.model_validate({
        "city": "krakow", "slug": slug, "title_pl": title, "original_title": title, "year": year,
        "url": f"https://www.kino.krakow.pl/film/{slug}.html"}).row()])
    store.close()


def test_review_queue_and_a_persons_choice_survive_forced_runs(replica, tmp_path):
    # A homonym title with a year that fits no candidate: 60-69 and not showing -> review.
    add_film(tmp_path, "nobodys-fool", "Nobody's Fool", 2010)
    match(replica, tmp_path, "source=repertuary")
    queued = rows(tmp_path)[("repertuary", "nobodys-fool")]
    assert queued["status"] == "needs_review" and queued["tmdb_id"] is None
    assert 390122 in [c["tmdb_id"] for c in queued["candidates"]]
    listed = review(tmp_path)
    assert "repertuary:nobodys-fool" in listed.stdout and "390122" in listed.stdout
    done = review(tmp_path, "--accept", "repertuary:nobodys-fool=390122")
    assert done.returncode == 0, done.stderr
    before = len(replica.ctx.log)
    stats = match(replica, tmp_path, "source=repertuary", "force=1")
    row = rows(tmp_path)[("repertuary", "nobodys-fool")]
    assert (row["status"], row["tmdb_id"], row["decided_by"]) == ("matched", 390122, "person")
    assert stats["cineradar/tmdb_match/repertuary/skipped_person"] == 1
    assert searches(replica, before, "Nobody") == 0
    assert review(tmp_path).stdout.startswith("0 listings to review")
    assert review(tmp_path, "--reject", "repertuary:no-such-film").returncode == 2


def test_no_match_is_not_searched_again_within_a_week(replica, tmp_path):
    seed_listings(tmp_path / "cineradar.db", replica.truth())
    match(replica, tmp_path, "source=tix")
    konser = [r for r in rows(tmp_path).values() if r["listing_title"].startswith("KONSER")]
    assert [r["status"] for r in konser] == ["no_results"]
    before = len(replica.ctx.log)
    stats = match(replica, tmp_path, "source=tix")
    assert searches(replica, before, "KONSER") == 0 and stats["cineradar/tmdb_match/tix/skipped_recent_no_match"] == 1
    before = len(replica.ctx.log)
    match(replica, tmp_path, "source=tix", "force=1")
    assert searches(replica, before, "KONSER") > 0


def test_failed_searches_record_no_outcome_and_the_crawl_is_partial(replica, tmp_path):
    seed_listings(tmp_path / "cineradar.db", replica.truth())
    replica.knobs.update({"faults": ["5xx:p=1,site=tmdb,path=^/3/search/movie"]})
    try:
        stats = match(replica, tmp_path, "source=tix", returncode=3, RETRY_TIMES="1", RETRY_BACKOFF_BASE="0.01")
    finally:
        replica.knobs.update({"faults": []})
    assert rows(tmp_path) == {}  # not "no match": nothing was learned
    assert stats["cineradar/tmdb_match/tix/failed"] == 29


def test_bad_credentials_stop_the_matching_at_once(replica, tmp_path, monkeypatch):
    seed_listings(tmp_path / "cineradar.db", replica.truth())
    monkeypatch.setenv("TMDB_READ_TOKEN", "eyJ.bad")
    before = len(replica.ctx.log)
    stats = match(replica, tmp_path, returncode=1)
    assert "refused the credentials" in stats["cineradar/outcome/failed"]
    assert len(replica.ctx.log) - before == 1 and rows(tmp_path) == {}
