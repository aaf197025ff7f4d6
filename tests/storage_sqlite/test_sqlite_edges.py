"""SQLite edges mutation testing found open: the exact stored time format (UTC whatever the
machine's zone), 0/1 in bool columns, a text "[]" under the nonnull rule, a real constraint
refusal and a real lock told apart, reopening after close, a rename onto a column already there."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

import pytest

from cineradar.backends import SPECS
from cineradar.storage.base import COLUMN_RENAMES, RejectedDataError, StorageError
from cineradar.storage.sqlite import SQLiteStorage
from tests.storage_sqlite.test_sqlite_batches import MOVIE, THEATRE


@pytest.fixture
def store(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    store.open(SPECS)
    yield store
    store.close()


@pytest.fixture
def warsaw_local_time(monkeypatch):
    """The machine's local zone is Europe/Warsaw (not UTC) for the test."""
    monkeypatch.setenv("TZ", "Europe/Warsaw")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_seen_times_are_stored_as_fixed_width_utc_text_whatever_the_local_zone(store, warsaw_local_time):
    jakarta = dt.timezone(dt.timedelta(hours=7))
    store.mark_seen("tix", ["a"], dt.datetime(2026, 1, 2, 10, 4, 5, 678, tzinfo=jakarta))
    (stamp,) = store.conn.execute("SELECT last_seen_at FROM cineradar_seen").fetchone()
    assert stamp == "2026-01-02T03:04:05.000678Z"


def test_rows_and_migrations_are_stamped_with_the_current_utc_time(store):
    before = dt.datetime.now(dt.UTC)
    store.upsert("tix_movies", [MOVIE])
    (stamp,) = store.conn.execute("SELECT updated_at FROM tix_movies").fetchone()
    written = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)
    assert before <= written <= dt.datetime.now(dt.UTC)
    applied = [row[0] for row in store.conn.execute("SELECT applied_at FROM cineradar_migrations")]
    assert applied and all(a.endswith("Z") and len(a) == len("2026-01-02T03:04:05.000678Z") for a in applied)


def test_a_bool_column_holds_0_or_1_whatever_truthy_value_it_is_given(store):
    store.upsert("tix_movies", [MOVIE | {"is_presale": "yes"}])
    assert store.conn.execute("SELECT is_presale, typeof(is_presale) FROM tix_movies").fetchone() == (1, "integer")
    assert store.fetch("tix_movies")[0]["is_presale"] is True


def test_a_text_that_looks_like_an_empty_list_is_a_value_under_the_nonnull_rule(store):
    store.upsert("tix_theatres", [THEATRE | {"address": "Jl. A"}])
    store.upsert("tix_theatres", [THEATRE | {"address": "[]"}])
    assert store.fetch("tix_theatres")[0]["address"] == "[]"


def test_a_constraint_the_database_enforces_refuses_the_data_not_the_file(store):
    with pytest.raises(RejectedDataError, match="NOT NULL constraint failed"):
        store.mark_seen("tix", [None], dt.datetime.now(dt.UTC))   # type: ignore[list-item]


def test_a_locked_database_is_an_outage_that_says_what_and_where(store, tmp_path):
    store.conn.execute("PRAGMA busy_timeout = 0")   # fail at once instead of waiting 5 s for the lock
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")   # another process holds the write lock
    try:
        with pytest.raises(StorageError) as raised:
            store.upsert("tix_movies", [MOVIE])
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert type(raised.value) is StorageError   # neither permanent nor refused data: retried, then spooled
    assert str(raised.value) == f"sqlite upsert into tix_movies failed ({tmp_path / 'x.db'}): database is locked"
    store.upsert("tix_movies", [MOVIE])   # the lock gone, the same write goes through
    assert store.count("tix_movies") == 1


def test_a_closed_store_opens_again(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    store.open(SPECS)
    store.close()
    with pytest.raises(StorageError, match="not open"):
        store.count("tix_movies")
    store.open(SPECS)
    assert store.count("tix_movies") == 0
    store.close()


def test_a_rename_onto_a_column_already_added_keeps_the_old_values_in_it(tmp_path):
    path = tmp_path / "x.db"
    (version, step), = [(v, s) for v, s in COLUMN_RENAMES if s.table == "tix_schedules"]
    spec = next(s for s in SPECS if s.name == step.table)
    row = {c: None for c in spec.columns} | {"date": "2026-11-21", "title": "T", "uploaded_at": "x"}
    store = SQLiteStorage(path)
    store.open(SPECS)
    store.upsert(step.table, [row | {"movie_id": "1"}, row | {"movie_id": "2", step.new: "new.jpg"}])
    store.close()
    # As a database where the new column was added (a newer item) before the rename ran:
    with sqlite3.connect(path) as conn:
        conn.execute(f"ALTER TABLE {step.table} ADD COLUMN {step.old} TEXT")
        conn.execute(f"UPDATE {step.table} SET {step.old} = 'old-' || movie_id")
        conn.execute("DELETE FROM cineradar_migrations WHERE version = ?", (version,))
    conn.close()
    store = SQLiteStorage(path)
    store.open(SPECS)
    got = {r["movie_id"]: r[step.new] for r in store.fetch(step.table)}
    assert got == {"1": "old-1", "2": "new.jpg"}   # filled from the old column, a newer value kept
    store.close()
