"""Fields renamed for the data contract keep every stored row (storage/base.py COLUMN_RENAMES).

A database made before the rename is built with the old columns (the specs of that time:
``showtime`` in the seat snapshots and failures, ``poster`` in the schedules) and only the
migrations of that time recorded; opening it with today's specs must rename the columns in
place, with every value under its new name, on SQLite and on a real PostgreSQL.
"""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

import psycopg
import pytest

from cineradar.backends import SPECS
from cineradar.storage.base import COLUMN_RENAMES, EntitySpec
from cineradar.storage.postgres import PostgresStorage
from cineradar.storage.sqlite import SQLiteStorage
from tests.storage.storage_samples import tix_schedule, tix_seat_failure, tix_seat_snapshot

RENAMED = {step.table: step for _, step in COLUMN_RENAMES}
N = 6


def old_spec(spec: EntitySpec) -> EntitySpec:
    step = RENAMED.get(spec.name)
    if step is None:
        return spec
    columns = {step.old if c == step.new else c: k for c, k in spec.columns.items()}
    merge = {step.old if c == step.new else c: r for c, r in spec.merge.items()}
    return EntitySpec(spec.name, spec.key, columns, merge)


def old_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    step = RENAMED[table]
    return {step.old if c == step.new else c: v for c, v in row.items()}


def samples() -> dict[str, list[dict[str, Any]]]:
    rows = {"tix_seat_snapshots": [tix_seat_snapshot(i).row() for i in range(N)],
            "tix_seat_failures": [tix_seat_failure(i).row() for i in range(N)],
            "tix_schedules": [tix_schedule(i).row() | {"poster_url": f"https://img.example/{i}.jpg"}
                              for i in range(N)]}
    assert set(rows) == set(RENAMED)
    return rows


def write_old_database(store: Any) -> dict[str, list[dict[str, Any]]]:
    rows = samples()
    store.open([old_spec(s) for s in SPECS])
    for table, batch in rows.items():
        store.upsert(table, [old_row(table, r) for r in batch])
    store.close()
    return rows


def check_renamed(store: Any, rows: dict[str, list[dict[str, Any]]], again: bool = False) -> None:
    store.open(SPECS)
    for table, batch in rows.items():
        step = RENAMED[table]
        stored = {tuple(r[k] for k in store._specs[table].key): r for r in store.fetch(table)}
        assert len(stored) == len(batch) + (again and table == "tix_seat_snapshots"), table
        for row in batch:
            got = stored[tuple(row[k] for k in store._specs[table].key)]
            assert got[step.new] == row[step.new], (table, row)
            assert step.old not in got
    # written anew under the new name, next to the migrated rows
    store.upsert("tix_seat_snapshots", [tix_seat_snapshot(N).row()])
    assert store.fetch("tix_seat_snapshots", {"snapshot_id": tix_seat_snapshot(N).snapshot_id})[0]["time"] == "19:30"
    assert store.count("tix_seat_snapshots") == N + 1
    store.close()


def test_sqlite_renames_columns_and_keeps_every_row(tmp_path):
    path = tmp_path / "old.db"
    rows = write_old_database(SQLiteStorage(path))
    with sqlite_conn(path) as conn:  # as a database of that time: the renames not yet applied
        conn.execute("DELETE FROM cineradar_migrations WHERE version >= ?", (min(v for v, _ in COLUMN_RENAMES),))
        columns = {r[1] for r in conn.execute("PRAGMA table_info(tix_seat_snapshots)")}
        assert "showtime" in columns and "time" not in columns
    check_renamed(SQLiteStorage(path), rows)
    check_renamed(SQLiteStorage(path), rows, again=True)  # opening again: nothing renamed twice, nothing lost
    with sqlite_conn(path) as conn:
        versions = {r[0] for r in conn.execute("SELECT version FROM cineradar_migrations")}
    assert versions >= {v for v, _ in COLUMN_RENAMES}


def test_postgres_renames_columns_and_keeps_every_row(pg_dsn):
    rows = write_old_database(PostgresStorage(pg_dsn))
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DELETE FROM cineradar_migrations WHERE version >= %s", (min(v for v, _ in COLUMN_RENAMES),))
    check_renamed(PostgresStorage(pg_dsn), rows)
    check_renamed(PostgresStorage(pg_dsn), rows, again=True)


def sqlite_conn(path: Any) -> contextlib.closing[sqlite3.Connection]:
    return contextlib.closing(sqlite3.connect(path, isolation_level=None))


@pytest.mark.parametrize("table", sorted(RENAMED))
def test_every_renamed_column_is_a_field_of_today(table):
    spec = next(s for s in SPECS if s.name == table)
    assert RENAMED[table].new in spec.columns and RENAMED[table].old not in spec.columns


def test_firestore_keeps_the_originals_field_names(fs_store, fs_client):
    """Firestore documents keep ``showtime`` and ``poster`` (docs/firestore.md); rows read back,
    and filters on the item's names, use today's names."""
    snapshot, schedule = tix_seat_snapshot(1).row(), tix_schedule(1).row() | {"poster_url": "https://img.example/1.jpg"}
    fs_store.upsert("tix_seat_snapshots", [snapshot])
    fs_store.upsert("tix_schedules", [schedule])
    doc = fs_client.document(f"seat_snapshots/{snapshot['snapshot_id']}").get().to_dict()
    assert doc["showtime"] == "19:30" and "time" not in doc
    movie = fs_client.document(f"schedules/{schedule['date']}/movies/{schedule['movie_id']}").get().to_dict()
    assert movie["poster"] == "https://img.example/1.jpg" and "poster_url" not in movie
    assert fs_store.fetch("tix_seat_snapshots", {"time": "19:30"}) == [snapshot]
    stored = fs_store.fetch("tix_schedules", {"movie_id": schedule["movie_id"]})
    assert stored[0]["poster_url"] == schedule["poster_url"]
