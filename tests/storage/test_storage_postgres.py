"""PostgresStorage against a real PostgreSQL 15: migrations, upserts, exact round trip, reconnects."""

from __future__ import annotations

import dataclasses
import datetime as dt

import psycopg
import pytest

from cineradar.backends import SPECS
from cineradar.storage.base import StorageError
from cineradar.storage.postgres import MIGRATIONS, PostgresStorage
from tests.storage.storage_samples import FACTORIES, sample_rows, tix_theatre

ENTITIES = sorted(FACTORIES)


def test_every_item_model_has_samples():
    assert {spec.name for spec in SPECS} == set(FACTORIES)


@pytest.mark.parametrize("entity", ENTITIES)
def test_rows_read_back_exactly_as_sqlite_returns_them(entity, pg_store, sqlite_store):
    rows = sample_rows(4)[entity]
    pg_store.upsert(entity, rows)
    sqlite_store.upsert(entity, rows)
    assert pg_store.fetch(entity) == sqlite_store.fetch(entity)
    assert pg_store.fetch(entity) == sorted(rows, key=lambda r: tuple(r[k] for k in _spec(entity).key))


def test_upserting_twice_changes_no_count_and_updates_in_place(pg_store):
    rows = sample_rows(5)
    for _ in range(2):
        for entity, batch in rows.items():
            assert pg_store.upsert(entity, batch) == len(batch)
    assert {e: pg_store.count(e) for e in rows} == {e: len(b) for e, b in rows.items()}
    changed = dict(rows["tix_showtimes"][0], price="Rp99.000", status=2)
    pg_store.upsert("tix_showtimes", [changed])
    assert pg_store.count("tix_showtimes") == 5
    assert pg_store.fetch("tix_showtimes", {"showtime_id": changed["showtime_id"]}) == [changed]


def test_rows_of_one_key_in_one_batch_merge_as_in_sqlite(pg_dsn, sqlite_store):
    first, second = tix_theatre(1, ["2D"]).row(), tix_theatre(1, ["IMAX 2D"]).row() | {"name": "NEW"}
    merged = second | {"room_types": ["2D", "IMAX 2D"]}  # room types unioned, the rest: the last row
    for method in ("copy", "executemany"):
        store = PostgresStorage(pg_dsn, method=method)
        store.open(SPECS)
        store.upsert("tix_theatres", [first, second])
        assert store.fetch("tix_theatres") == [merged]
        store.close()
    sqlite_store.upsert("tix_theatres", [first, second])
    assert sqlite_store.fetch("tix_theatres") == [merged]


def test_copy_and_executemany_write_the_same_rows(pg_server):
    rows = sample_rows(3)
    results = []
    for method in ("copy", "executemany"):
        with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "m_{method}"')
        store = PostgresStorage(f"{pg_server.dsn}?options=-csearch_path%3Dm_{method}", method=method)
        store.open(SPECS)
        for entity, batch in rows.items():
            store.upsert(entity, batch)
        results.append({entity: store.fetch(entity) for entity in rows})
        store.close()
    assert results[0] == results[1]


def test_datetime_columns_are_timestamptz_and_keep_the_written_offset(pg_store, pg_dsn):
    row = sample_rows(1)["tix_showtimes"][0]
    assert row["starts_at"].endswith("+07:00")
    pg_store.upsert("tix_showtimes", [row])
    with psycopg.connect(pg_dsn) as conn:
        starts_at, offset = conn.execute('SELECT starts_at, "starts_at__offset" FROM tix_showtimes').fetchone()
        types = dict(conn.execute("SELECT column_name, data_type FROM information_schema.columns "
                                  "WHERE table_name = 'tix_showtimes' AND table_schema = current_schema()").fetchall())
    assert starts_at == dt.datetime.fromisoformat(row["starts_at"])
    assert offset == 7 * 3600
    assert types["starts_at"] == "timestamp with time zone"
    assert types["date"] == "date"
    assert pg_store.fetch("tix_showtimes")[0]["starts_at"] == row["starts_at"]


def test_json_columns_are_jsonb_and_queryable(pg_store, pg_dsn):
    pg_store.upsert("tmdb_movies", sample_rows(2)["tmdb_movies"])
    with psycopg.connect(pg_dsn) as conn:
        names = conn.execute("SELECT cast_member->>'name' FROM tmdb_movies, jsonb_array_elements(\"cast\") "
                             "AS cast_member ORDER BY tmdb_id").fetchall()
    assert names == [("Ana",), ("Ana",)]


def test_migrations_apply_once_and_reopening_is_idempotent(pg_dsn):
    for _ in range(3):
        store = PostgresStorage(pg_dsn)
        store.open(SPECS)
        store.close()
    with psycopg.connect(pg_dsn) as conn:
        versions = [row[0] for row in conn.execute("SELECT version FROM cineradar_migrations ORDER BY version")]
        tables = {row[0] for row in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
    assert versions == [version for version, _ in MIGRATIONS]
    assert {spec.name for spec in SPECS} | {"cineradar_state", "cineradar_seen", "cineradar_migrations"} <= tables


def test_a_field_added_to_an_item_becomes_a_new_column(pg_dsn):
    spec = next(s for s in SPECS if s.name == "tix_theatres")
    store = PostgresStorage(pg_dsn)
    store.open([spec])
    old_row = tix_theatre(1).row()
    store.upsert("tix_theatres", [old_row])
    store.close()

    grown = dataclasses.replace(spec, columns=spec.columns | {"lat": "float", "geocoded_at": "datetime"})
    store = PostgresStorage(pg_dsn)
    store.open([grown])
    assert store.fetch("tix_theatres") == [old_row | {"lat": None, "geocoded_at": None}]
    new_row = tix_theatre(2).row() | {"lat": -6.2, "geocoded_at": "2026-01-15T06:00:00+00:00"}  # UTC as items write it
    store.upsert("tix_theatres", [new_row])
    assert store.fetch("tix_theatres", {"theatre_id": new_row["theatre_id"]}) == [new_row]
    store.close()


def test_a_column_whose_type_changed_is_a_clear_error(pg_dsn):
    spec = next(s for s in SPECS if s.name == "tix_theatres")
    PostgresStorage(pg_dsn).open([spec])
    changed = dataclasses.replace(spec, columns=spec.columns | {"address": "int"})
    with pytest.raises(StorageError, match=r"tix_theatres\.address is text but the item now needs bigint"):
        PostgresStorage(pg_dsn).open([changed])


def test_state_and_freshness_round_trip(pg_store):
    token = {"token": "eyJ...", "refresh_token": "eyR...", "phone": "6285***",
             "stored_at": "2025-12-23T06:26:40.591620"}
    assert pg_store.get_state("tix_jwt") is None
    pg_store.put_state("tix_jwt", token)
    pg_store.put_state("tix_jwt", {"token": "new", "phone": "6285***"})
    assert pg_store.get_state("tix_jwt") == {"token": "new", "phone": "6285***"}
    now = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    pg_store.mark_seen("repertuary", ["a", "b", "a"], now - dt.timedelta(hours=30))
    pg_store.mark_seen("repertuary", ["b"], now)
    pg_store.mark_seen("tix", ["c"], now)
    assert pg_store.seen_since("repertuary", now - dt.timedelta(hours=24)) == {"b"}
    assert pg_store.seen_since("repertuary", now - dt.timedelta(hours=48)) == {"a", "b"}


def test_fetch_orders_by_key_bytewise_and_filters_like_sqlite(pg_store, sqlite_store):
    rows = [dict(r, slug=slug) for r, slug in zip(sample_rows(4)["repertuary_cinemas"], ["b", "B", "a-z", "a/z"],
                                                    strict=True)]
    for store in (pg_store, sqlite_store):
        store.upsert("repertuary_cinemas", rows)
    assert [r["slug"] for r in pg_store.fetch("repertuary_cinemas")] == ["B", "a-z", "a/z", "b"]
    assert pg_store.fetch("repertuary_cinemas") == sqlite_store.fetch("repertuary_cinemas")
    assert pg_store.fetch("repertuary_cinemas", {"slug": "a/z"}) == sqlite_store.fetch("repertuary_cinemas",
                                                                                         {"slug": "a/z"})
    assert pg_store.fetch("repertuary_cinemas", {"name": None}) == []


def test_bad_values_are_clear_errors_and_leave_the_table_untouched(pg_store):
    good = sample_rows(1)["tix_showtimes"][0]
    pg_store.upsert("tix_showtimes", [good])
    with pytest.raises(StorageError, match=r"starts_at \(datetime\)"):
        pg_store.upsert("tix_showtimes", [dict(good, showtime_id="1", starts_at="yesterday-ish")])
    with pytest.raises(StorageError, match="NUL|0x00"):
        pg_store.upsert("tix_showtimes", [dict(good, showtime_id="2", price="Rp\x00")])
    assert pg_store.fetch("tix_showtimes") == [good]


def test_missing_or_invalid_dsn_is_a_clear_error():
    with pytest.raises(StorageError, match="DATABASE_URL is not set"):
        PostgresStorage(None)
    with pytest.raises(StorageError, match="not a valid PostgreSQL connection string") as info:
        PostgresStorage("postgresql://u:s3cret-pw@host:notaport/db x=")
    assert "s3cret-pw" not in str(info.value)


def test_the_password_never_appears_in_errors(own_pg_server):
    own_pg_server.stop()
    store = PostgresStorage(f"postgresql://cineradar:s3cret-pw@127.0.0.1:{own_pg_server.port}/postgres",
                            connect_timeout=2)
    with pytest.raises(StorageError) as info:
        store.open(SPECS)
    assert "s3cret-pw" not in str(info.value)
    assert "s3cret-pw" not in repr(store)
    assert "postgres" in str(info.value)


def test_reconnects_after_the_server_restarts(own_pg_server):
    store = PostgresStorage(own_pg_server.dsn, connect_timeout=2)
    store.open(SPECS)
    rows = sample_rows(2)["tix_showtimes"]
    store.upsert("tix_showtimes", rows[:1])
    own_pg_server.stop()
    with pytest.raises(StorageError, match="postgres upsert into tix_showtimes failed"):
        store.upsert("tix_showtimes", rows[1:])
    own_pg_server.start()
    store.upsert("tix_showtimes", rows[1:])  # a fresh connection, no reopen by the caller
    assert store.fetch("tix_showtimes") == rows
    own_pg_server.stop()
    own_pg_server.start()
    assert store.count("tix_showtimes") == 2  # a connection the server dropped is replaced on the next call
    store.close()


def _spec(entity: str):  # noqa: ANN202
    return next(s for s in SPECS if s.name == entity)
