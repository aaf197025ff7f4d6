"""`scrapy tmdb-review --interactive` in a pseudo-terminal (pexpect), on a real SQLite store filled
through the storage API: what is shown to decide with, bad answers asked again, every decision
stored as it is made, Ctrl-C and Ctrl-D ending cleanly (issue 17 point 7), titles' control
characters escaped (issue 16 point 4)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pexpect
import pytest

from cineradar.items import (
    RepertuaryCinema,
    RepertuaryFilm,
    RepertuaryShowtime,
    TixMovie,
    TixShowtime,
    TixTheatre,
    TmdbMatch,
)
from tests.conftest import ROOT, open_store

CHECKED = dt.datetime(2026, 11, 21, 6, tzinfo=dt.UTC)
EVIL = "Nobody's Fool\x1b[2J\x1b]0;pwned\x07"  # clears the screen and retitles the terminal if printed raw


def candidate(tmdb_id: int, title: str, original: str, year: int, score: float, runtime: int | None,
              directors: list[str] | None) -> dict:
    return {"tmdb_id": tmdb_id, "title": title, "original_title": original, "year": year, "score": score,
            "parts": {"title": 1.0, "year": 0.4, "runtime": 1.0, "director": 0.5, "language": 0.5},
            "runtime": runtime, "directors": directors}


def fill(db: Path) -> None:
    store = open_store(db)
    d1, d2 = dt.date(2026, 11, 21), dt.date(2026, 11, 23)
    store.upsert("repertuary_films", [RepertuaryFilm(
        city="krakow", slug="nobodys-fool", title_pl=EVIL, original_title="Nobody's Fool", director="Tyler Perry",
        year=2010, runtime=110, url="https://www.kino.krakow.pl/film/nobodys-fool.html").row()])
    store.upsert("repertuary_cinemas", [RepertuaryCinema(city="krakow", slug="kino-pod-baranami",
                                                         name="Kino Pod Baranami").row()])
    store.upsert("repertuary_showtimes", [RepertuaryShowtime(
        external_id=f"krakow_kpb_nobodys-fool_{d}_1800", city="krakow", film_slug="nobodys-fool",
        cinema_slug="kino-pod-baranami", date=d, time="18:00",
        starts_at=dt.datetime.combine(d, dt.time(18), dt.timezone(dt.timedelta(hours=1)))).row() for d in (d1, d2)])
    store.upsert("tix_movies", [TixMovie(date=d1, movie_id="1980786174982879062", title="WICKED: FOR GOOD",
                                         country="USA").row()])
    store.upsert("tix_theatres", [TixTheatre(theatre_id="11", name="AEON MALL JGC CGV", city="JAKARTA",
                                             merchant="CGV", last_seen=d1).row()])
    store.upsert("tix_showtimes", [TixShowtime(
        showtime_id="77", movie_id="1980786174982879062", theatre_id="11", city="JAKARTA", merchant="CGV",
        room_category="REGULAR 2D", date=d1, time="19:30", status=1, is_available=True,
        starts_at=dt.datetime.combine(d1, dt.time(19, 30), dt.timezone(dt.timedelta(hours=7)))).row()])
    store.upsert("tmdb_matches", [
        TmdbMatch(listing_source="repertuary", listing_key="nobodys-fool", listing_title=EVIL, confidence=0.64,
                  status="needs_review", reason="confidence 64.0 (not in now_playing): a person decides",
                  checked_at=CHECKED, candidates=[
                      candidate(390122, "Nobody's Fool", "Nobody's Fool", 2018, 64.0, 110, ["Tyler Perry"]),
                      candidate(42, "Nobody's Fool", "Nobody's Fool\x1b[31m", 1994, 61.5, None, None)]).row(),
        TmdbMatch(listing_source="tix", listing_key="1980786174982879062", listing_title="WICKED: FOR GOOD",
                  confidence=0.55, status="needs_review", reason="confidence 55.0 (50-59): a person decides",
                  checked_at=CHECKED, candidates=[
                      candidate(967941, "Wicked: For Good", "Wicked: For Good", 2025, 55.0, 137,
                                ["Jon M. Chu"])]).row(),
    ])
    store.close()


def stored(db: Path) -> dict[str, dict]:
    store = open_store(db)
    try:
        return {f"{r['listing_source']}:{r['listing_key']}": r for r in store.fetch("tmdb_matches")}
    finally:
        store.close()


def spawn(db: Path) -> pexpect.spawn:
    return pexpect.spawn(sys.executable, ["-m", "scrapy", "tmdb-review", "--interactive", "-s", f"SQLITE_PATH={db}"],
                         cwd=str(ROOT), env=os.environ | {"TERM": "xterm", "PYTHONPATH": str(ROOT)},
                         encoding="utf-8", timeout=30, dimensions=(50, 200))


@pytest.fixture
def db(tmp_path):
    fill(tmp_path / "cineradar.db")
    return tmp_path / "cineradar.db"


def test_what_is_shown_bad_answers_asked_again_and_each_decision_stored_at_once(db):
    child = spawn(db)
    child.expect("2 listings to review")
    child.expect(r"1-2 to accept, r reject all, s skip, q stop:")
    shown = child.before
    # The listing: cinema, dates, year, original title; each candidate: year, original title, director,
    # runtime, the score's parts. Escape bytes of stored titles shown escaped, never sent raw.
    assert "cinemas: Kino Pod Baranami (krakow)" in shown
    assert "dates: 2026-11-21 to 2026-11-23 (2 days)" in shown
    assert "year: 2010" in shown and "original title: Nobody's Fool" in shown
    assert "original title: Nobody's Fool; year 2018; director Tyler Perry; runtime 110 min" in shown
    assert "original title: Nobody's Fool\\x1b[31m; year 1994; director unknown; runtime unknown" in shown
    assert "parts: director 0.50 language 0.50 runtime 1.00 title 1.00 year 0.40" in shown
    assert "\x1b[2J" not in shown and "\x1b]0;" not in shown and "Nobody's Fool\\x1b[2J\\x1b]0;pwned\\x07" in shown
    for bad in ("9", "yes"):  # not a choice: asked again, nothing stored
        child.sendline(bad)
        child.expect("answer 1-2 to accept, r to reject all, s to skip, q to stop")
        assert stored(db)["repertuary:nobodys-fool"]["status"] == "needs_review"
    child.sendcontrol("u")  # the rejected text stays in the line (prompt_toolkit): clear it
    child.sendline("1")
    child.expect("stored: repertuary:nobodys-fool -> matched 390122")
    child.expect(r"to accept, r reject all, s skip, q stop:")
    # Stored the moment it was made, while the session goes on.
    row = stored(db)["repertuary:nobodys-fool"]
    assert (row["status"], row["tmdb_id"], row["decided_by"]) == ("matched", 390122, "person")
    assert "cinemas: AEON MALL JGC CGV (JAKARTA)" in child.before and "dates: 2026-11-21" in child.before
    assert "runtime 137 min" in child.before and "director Jon M. Chu" in child.before
    child.sendintr()  # Ctrl-C at the second listing
    child.expect("1 decisions stored; 1 listings left in the queue")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before and "storage failed" not in child.before
    assert stored(db)["tix:1980786174982879062"]["status"] == "needs_review"


def test_ctrl_d_ends_cleanly_keeping_the_decisions(db):
    child = spawn(db)
    child.expect(r"to accept, r reject all, s skip, q stop:")
    child.sendline("r")
    child.expect("stored: repertuary:nobodys-fool -> rejected")
    child.expect(r"to accept, r reject all, s skip, q stop:")
    child.sendeof()  # Ctrl-D
    child.expect("1 decisions stored; 1 listings left in the queue")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0 and "storage failed" not in (child.before or "")
    row = stored(db)["repertuary:nobodys-fool"]
    assert (row["status"], row["decided_by"]) == ("rejected", "person")
