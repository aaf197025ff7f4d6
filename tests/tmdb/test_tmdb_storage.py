"""TMDB rows in every backend (SQLite, real PostgreSQL, the Firestore emulator): merge rules and
nested raw JSON come back the same everywhere."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cineradar.items import TmdbMatch, TmdbMovie, TmdbShow
from cineradar.parsers import tmdb as parse
from tests.storage.conftest import (  # noqa: F401 - the real servers, as fixtures
    fs_emulator,
    fs_host,
    fs_store,
    pg_dsn,
    pg_server,
    pg_store,
    sqlite_store,
)

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "tmdb" / "real"
STORES = ("sqlite_store", "pg_store", "fs_store")


def real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


@pytest.mark.parametrize("store", STORES)
def test_a_list_row_never_wipes_an_enrichment(store, request):
    backend = request.getfixturevalue(store)
    enriched = TmdbMovie.validate_constructed(parse.movie_from_details(real("movie_12313_append.json"), "DE",
                                                                       ["popular"])).row()
    listed = TmdbMovie.validate_constructed(parse.movie_from_list(
        {"id": 12313, "title": "Rock Crystal", "original_title": "Bergkristall", "release_date": "2004-11-18",
         "popularity": 9.5, "genre_ids": [12, 18]}, "top_rated")).row()
    backend.upsert("tmdb_movies", [enriched])
    backend.upsert("tmdb_movies", [listed])
    backend.upsert("tmdb_movies", [listed])  # idempotent
    (row,) = backend.fetch("tmdb_movies")
    assert row["categories"] == ["popular", "top_rated"] and row["popularity"] == 9.5
    assert (row["enriched"], row["runtime"], row["certification"], row["trailer_key"]) == (True, 92, "6",
                                                                                             "LgZ2MDuJvhc")
    assert row["cast"] == enriched["cast"] and row["crew"] == enriched["crew"]


@pytest.mark.parametrize("store", STORES)
def test_a_real_show_with_its_raw_answer_round_trips(store, request):
    backend = request.getfixturevalue(store)
    show, networks, companies, providers = parse.show_from_details(real("tv_append.json"))
    row = TmdbShow.validate_constructed(show).row()
    backend.upsert("tmdb_shows", [row, row])
    (stored,) = backend.fetch("tmdb_shows")
    assert stored["raw"] == row["raw"] and "watch/providers" in stored["raw"]
    assert stored["watch_providers"] == row["watch_providers"]


@pytest.mark.parametrize("store", STORES)
def test_a_persons_match_round_trips(store, request):
    backend = request.getfixturevalue(store)
    row = TmdbMatch(listing_source="repertuary", listing_key="wicked", listing_title="Wicked", tmdb_id=402431,
                    confidence=0.62, status="matched", decided_by="person", reason="accepted by a person",
                    checked_at=dt.datetime(2026, 11, 21, 6, tzinfo=dt.UTC),
                    candidates=[{"tmdb_id": 402431, "score": 62.0, "parts": {"title": 1.0}}]).row()
    backend.upsert("tmdb_matches", [row])
    (stored,) = backend.fetch("tmdb_matches")
    assert {k: stored[k] for k in ("tmdb_id", "status", "decided_by", "candidates")} == {
        k: row[k] for k in ("tmdb_id", "status", "decided_by", "candidates")}
