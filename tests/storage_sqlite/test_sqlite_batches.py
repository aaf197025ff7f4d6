"""SQLite: a failed batch leaves nothing behind, values come back with their types, errors
are classified, seen keys honour their window, files are private."""

from __future__ import annotations

import datetime as dt
import os
import stat

import pytest

from cineradar.backends import SPECS
from cineradar.storage.base import PermanentStorageError, RejectedDataError, StorageError
from cineradar.storage.sqlite import SQLiteStorage
from tests.storage_sqlite.test_sqlite import ROW

MOVIE = {"date": "2026-11-21", "movie_id": "1", "title": "T", "genres": ["Drama"], "poster_url": None,
         "age_category": "R", "country": "", "merchants": ["XXI"], "cities": ["JAKARTA"], "is_presale": False}


@pytest.fixture
def store(tmp_path):
    store = SQLiteStorage(tmp_path / "db" / "x.db")
    store.open(SPECS)
    yield store
    store.close()


def test_a_failed_batch_leaves_no_partial_rows(store):
    good = [ROW | {"external_id": f"r{i}"} for i in range(3)]
    poison = ROW | {"external_id": "bad", "showtime_id": {"not": "bindable"}}
    with pytest.raises(RejectedDataError, match=r"sqlite upsert into repertuary_showtimes failed \("):
        store.upsert("repertuary_showtimes", [*good, poison])
    assert store.count("repertuary_showtimes") == 0
    assert store.upsert("repertuary_showtimes", good) == 3   # the connection is usable: no open transaction
    assert store.count("repertuary_showtimes") == 3


def test_bools_come_back_as_bools_and_json_as_lists(store):
    store.upsert("tix_movies", [MOVIE, MOVIE | {"movie_id": "2", "is_presale": True}])
    rows = store.fetch("tix_movies")
    assert [r["is_presale"] for r in rows] == [False, True]
    assert all(type(r["is_presale"]) is bool for r in rows)
    assert rows[0]["genres"] == ["Drama"]
    assert store.fetch("tix_movies", {"is_presale": True}) == [MOVIE | {"movie_id": "2", "is_presale": True}]


def test_an_empty_batch_writes_nothing_and_counts_zero(store):
    assert store.upsert("repertuary_showtimes", []) == 0
    assert store.count("repertuary_showtimes") == 0


def test_unknown_entities_are_refused_as_data(store):
    with pytest.raises(RejectedDataError, match="unknown entity 'nope'"):
        store.upsert("nope", [ROW])
    with pytest.raises(RejectedDataError):
        store.count("nope")


def test_a_closed_store_says_so(tmp_path):
    store = SQLiteStorage(tmp_path / "x.db")
    with pytest.raises(StorageError, match="not open"):
        store.get_state("daily")
    store.close()   # closing twice is harmless


def test_a_file_that_is_not_a_database_is_permanent(tmp_path):
    path = tmp_path / "x.db"
    path.write_bytes(b"this is not sqlite" * 100)
    store = SQLiteStorage(path)
    with pytest.raises(PermanentStorageError, match=r"sqlite open failed"):
        store.open(SPECS)
    assert store._conn is None   # noqa: SLF001 - the half-open connection was dropped


def test_files_are_private(store, tmp_path):
    assert stat.S_IMODE(os.stat(tmp_path / "db" / "x.db").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "db").st_mode) == 0o700


def test_seen_keys_honour_the_window_and_time_zones(store):
    jakarta = dt.timezone(dt.timedelta(hours=7))
    when = dt.datetime(2026, 11, 21, 13, 0, tzinfo=jakarta)   # 06:00 UTC
    store.mark_seen("tix", ["a", "b"], when)
    store.mark_seen("repertuary", ["c"], when)
    assert store.seen_since("tix", dt.datetime(2026, 11, 21, 6, 0, tzinfo=dt.UTC)) == {"a", "b"}
    assert store.seen_since("tix", dt.datetime(2026, 11, 21, 6, 0, 0, 1, tzinfo=dt.UTC)) == set()
    store.mark_seen("tix", ["a"], when + dt.timedelta(hours=1))   # seen again: the later time wins
    assert store.seen_since("tix", when + dt.timedelta(minutes=30)) == {"a"}


def test_state_documents_round_trip_and_a_missing_one_is_none(store):
    assert store.get_state("nope") is None
    store.put_state("daily", {"b": 1, "a": [1, 2]})
    assert store.get_state("daily") == {"a": [1, 2], "b": 1}


THEATRE = {"theatre_id": "5", "name": "MALL", "merchant": "XXI", "city": "BALI", "address": "Jl. A",
           "room_types": ["2D"], "last_seen": "2026-11-21", "lat": 1.5, "lng": 2.5, "place_id": "p"}


def test_each_merge_rule_in_sql(store):
    store.upsert("tix_theatres", [THEATRE])
    store.upsert("tix_theatres", [THEATRE | {"name": "MALL 2", "merchant": None, "address": None,
                                             "room_types": ["IMAX", "2D"], "last_seen": "2026-11-20",
                                             "lat": None, "lng": None, "place_id": None}])
    (row,) = store.fetch("tix_theatres")
    assert row == THEATRE | {"name": "MALL 2", "room_types": ["2D", "IMAX"]}   # latest, union, max, nonnull
    store.upsert("tix_theatres", [THEATRE | {"last_seen": "2026-11-22", "merchant": "CGV"}])
    (row,) = store.fetch("tix_theatres")
    assert (row["last_seen"], row["merchant"], row["name"]) == ("2026-11-22", "CGV", "MALL")
    store.upsert("tix_movies", [MOVIE | {"is_presale": True, "genres": ["Drama"]}])
    store.upsert("tix_movies", [MOVIE | {"is_presale": False, "genres": [], "merchants": ["CGV"],
                                         "cities": ["BALI"]}])
    (movie,) = store.fetch("tix_movies")
    assert movie["is_presale"] is True and movie["genres"] == ["Drama"]   # or; an empty list is no value
    assert movie["merchants"] == ["CGV", "XXI"] and movie["cities"] == ["BALI", "JAKARTA"]


def test_json_is_stored_sorted_and_unescaped(store):
    store.upsert("tix_schedules", [{"date": "2026-11-21", "movie_id": "1", "title": "Zoë", "poster_url": None,
                                    "genres": [], "age_category": None, "merchants": [], "is_presale": False,
                                    "uploaded_at": "2026-11-21T06:00:00+07:00",
                                    "cities": {"BALI": [{"z": 1, "a": "é"}]}}])
    raw = store.conn.execute("SELECT cities FROM tix_schedules").fetchone()[0]
    assert raw == '{"BALI":[{"a":"é","z":1}]}'  # compact, as SQLite's own JSON functions write it


def test_json_values_orjson_does_not_take_plainly_are_written_as_json_does(store):
    from cineradar.storage.sqlite import json_text

    class Name(str):
        pass

    assert json_text({2: [2**70, Name("x"), None]}) == '{"2": [1180591620717411303424, "x", null]}'
    with pytest.raises(TypeError):
        json_text({"when": dt.date(2026, 11, 21)})  # refused as json.dumps refuses it, not written as orjson would


def test_names_with_quotes_are_quoted():
    from cineradar.storage.sqlite import _quote
    assert _quote('a"b') == '"a""b"'


def test_a_default_path_under_data(tmp_path):
    assert str(SQLiteStorage().path) == "data/cineradar.db"
