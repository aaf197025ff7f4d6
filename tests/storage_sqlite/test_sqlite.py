"""The embedded SQLite backend: schema, migration, upsert idempotence, round trips."""

from __future__ import annotations

import sqlite3

from cineradar.backends import SPECS
from cineradar.storage.base import EntitySpec
from cineradar.storage.sqlite import SQLiteStorage

ROW = {"external_id": "a", "city": "krakow", "film_slug": "f", "cinema_slug": "cinema-city/bonarka",
       "date": "2026-11-21", "time": "18:00", "starts_at": "2026-11-21T18:00:00+01:00", "showtime_id": None,
       "ticket_url": None}


def test_upsert_twice_keeps_one_row_with_the_new_values(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    store.open(SPECS)
    store.upsert("repertuary_showtimes", [ROW])
    store.upsert("repertuary_showtimes", [ROW | {"showtime_id": "42"}])
    assert store.fetch("repertuary_showtimes") == [ROW | {"showtime_id": "42"}]


def test_json_and_bool_columns_round_trip(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    store.open(SPECS)
    row = {"date": "2026-11-21", "movie_id": "1", "title": "T", "genres": ["Drama"], "poster_url": None,
           "age_category": "R", "country": "", "merchants": ["XXI", "CGV"], "cities": ["JAKARTA"], "is_presale": True}
    store.upsert("tix_movies", [row])
    assert store.fetch("tix_movies", {"movie_id": "1"}) == [row]


def test_a_field_added_to_an_item_is_migrated_in(tmp_path):
    path = tmp_path / "x.db"
    old = EntitySpec("things", ("id",), {"id": "text"})
    store = SQLiteStorage(path)
    store.open([old])
    store.upsert("things", [{"id": "1"}])
    store.close()
    new = EntitySpec("things", ("id",), {"id": "text", "colour": "text"})
    store = SQLiteStorage(path)
    store.open([new])
    assert store.fetch("things") == [{"id": "1", "colour": None}]


def test_migrations_are_applied_once(tmp_path):
    path = tmp_path / "x.db"
    applied = []
    for _ in range(2):
        store = SQLiteStorage(path)
        store.open(SPECS)
        store.close()
        applied.append(sqlite3.connect(path).execute(
            "SELECT version, applied_at FROM cineradar_migrations ORDER BY version").fetchall())
    # Each structural table/index the store relies on exists, recorded under one version ...
    schema = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}
    assert {"cineradar_state", "cineradar_seen", "cineradar_seen_time"} <= schema
    assert [v for v, _ in applied[0]] == [1, 2, 3]
    # ... and the second open re-applied none of them (same rows, same applied_at).
    assert applied[1] == applied[0]


def test_state_documents_are_replaced(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    store.open(SPECS)
    store.put_state("tix_jwt", {"token": "a"})
    store.put_state("tix_jwt", {"token": "b"})
    assert store.get_state("tix_jwt") == {"token": "b"}
    assert store.get_state("missing") is None
