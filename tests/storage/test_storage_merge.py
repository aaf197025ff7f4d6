"""One key written twice with different values: every backend keeps the same merged row.

The merge rules live on the items (``merge_rules``); SQLite and PostgreSQL apply them in
``ON CONFLICT DO UPDATE``, Firestore in a transaction. Real PostgreSQL and the Firestore
emulator (tests/storage/conftest.py). Each case is written in both orders, as two batches
and as one batch holding the key twice (PostgreSQL refuses that in one INSERT).
"""

from __future__ import annotations

from typing import Any

import pytest

from cineradar.backends import SPECS
from cineradar.storage import merge
from cineradar.storage.base import EntitySpec, StorageError
from tests.storage.storage_samples import tix_movie, tix_showtime, tix_theatre

SPEC = {spec.name: spec for spec in SPECS}


def theatre(rooms: list[str], **changes: Any) -> dict[str, Any]:
    return tix_theatre(1, rooms).row() | changes


def movie(**changes: Any) -> dict[str, Any]:
    return tix_movie(2).row() | changes


# (entity, first row, second row, fields expected after either order)
CASES = [
    ("tix_theatres", theatre(["2D", "IMAX 2D"]), theatre(["2D"]), {"room_types": ["2D", "IMAX 2D"]}),
    ("tix_theatres", theatre(["VELVET.SUITE"], last_seen="2026-01-16", lat=-6.2, lng=106.8, place_id="ChIJ"),
     theatre(["2D"], last_seen="2026-01-14", address=None, merchant=None),
     {"room_types": ["2D", "VELVET.SUITE"], "last_seen": "2026-01-16", "lat": -6.2, "lng": 106.8,
      "place_id": "ChIJ", "address": "Jl. Sudirman No. 1", "merchant": "CGV"}),
    ("tix_movies", movie(cities=["JAKARTA"], merchants=["XXI"], is_presale=False, genres=["Drama"]),
     movie(cities=["AMBON", "BANDUNG"], merchants=["CGV", "Cinépolis"], is_presale=True, genres=[], country=None),
     {"cities": ["AMBON", "BANDUNG", "JAKARTA"], "merchants": ["CGV", "Cinépolis", "XXI"], "is_presale": True,
      "genres": ["Drama"], "country": "Indonesia"}),
]


def write_all(stores: list[Any], entity: str, batches: list[list[dict[str, Any]]]) -> list[list[dict[str, Any]]]:
    for store in stores:
        for batch in batches:
            store.upsert(entity, batch)
    return [store.fetch(entity) for store in stores]


@pytest.mark.parametrize("how", ["two_batches", "one_batch"])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_same_key_twice_gives_the_same_row_in_every_backend_in_either_order(
        case, how, sqlite_store, pg_store, fs_store, tmp_path):
    entity, first, second, expected = CASES[case]
    results = []
    for order in ((first, second), (second, first)):
        batches = [list(order)] if how == "one_batch" else [[row] for row in order]
        # a fresh database per order: the previous order's row must not count
        from cineradar.storage.sqlite import SQLiteStorage
        sqlite = SQLiteStorage(tmp_path / f"{len(results)}.db")
        sqlite.open(SPECS)
        stores = [sqlite, pg_store, fs_store]
        for store in (pg_store, fs_store):
            for row in store.fetch(entity):  # emptied between orders
                _delete(store, entity, row)
        rows = write_all(stores, entity, batches)
        sqlite.close()
        assert rows[0] == rows[1] == rows[2], f"backends disagree ({how}, {order[0] is first})"
        assert len(rows[0]) == 1
        assert {k: rows[0][0][k] for k in expected} == expected
        results.append(rows[0])
    assert results[0] == results[1]  # the order does not matter either


def _delete(store: Any, entity: str, row: dict[str, Any]) -> None:
    if store.name == "postgres":
        store._run(lambda conn: conn.execute(f'DELETE FROM "{entity}"'))  # test cleanup only
    else:
        from cineradar.storage.firestore import doc_id
        spec = SPEC[entity]
        store.client.collection(store.collection_of(entity)).document(
            doc_id(*(row[k] for k in spec.key))).delete()


def test_room_types_written_twice_reported_case(sqlite_store, pg_store, fs_store):
    """The issue's own example: ["2D","IMAX 2D"] then ["2D"] is ["2D","IMAX 2D"] everywhere."""
    for store in (sqlite_store, pg_store, fs_store):
        store.upsert("tix_theatres", [theatre(["2D", "IMAX 2D"])])
        store.upsert("tix_theatres", [theatre(["2D"])])
        assert store.fetch("tix_theatres")[0]["room_types"] == ["2D", "IMAX 2D"], store.name


def test_fields_without_a_rule_take_the_latest_value(sqlite_store, pg_store, fs_store):
    first, second = tix_showtime(1).row(), tix_showtime(1).row() | {"price": None, "status": 2}
    rows = write_all([sqlite_store, pg_store, fs_store], "tix_showtimes", [[first], [second]])
    assert rows[0] == rows[1] == rows[2] == [second]


def test_premerge_folds_rows_of_one_key_in_order():
    spec = SPEC["tix_theatres"]
    rows = [theatre(["B"], last_seen="2026-01-02"), theatre(["A"], name="NEW", last_seen="2026-01-01"),
            tix_theatre(2).row()]
    merged = merge.premerge(spec, rows)
    assert [r["theatre_id"] for r in merged] == ["900001", "900002"]
    assert (merged[0]["room_types"], merged[0]["name"], merged[0]["last_seen"]) == (["A", "B"], "NEW", "2026-01-02")


def test_a_rule_that_cannot_apply_is_refused_at_open(tmp_path):
    from cineradar.storage.sqlite import SQLiteStorage

    bad = EntitySpec("things", ("id",), {"id": "text", "n": "datetime"}, merge={"n": "max"})
    store = SQLiteStorage(tmp_path / "x.db")
    with pytest.raises(StorageError, match="does not apply"):
        store.open([bad])
    store.close()


def test_aggregates_are_the_same_rows_in_every_backend(sqlite_store, pg_store, fs_store):
    """cineradar/aggregates.py computes the day once, from the primary, and writes it everywhere."""
    from cineradar import aggregates
    from tests.storage.storage_samples import DAY

    stores = [sqlite_store, pg_store, fs_store]
    for store in stores:
        store.upsert("tix_movies", [tix_movie(i).row() for i in range(3)])
        store.upsert("tix_theatres", [tix_theatre(i).row() for i in range(7)])
        store.upsert("tix_showtimes", [tix_showtime(i).row() for i in range(30)])
    counts, errors = aggregates.rebuild(stores, [DAY.isoformat()])
    assert errors == {} and counts == {"tix_schedules": 5, "tix_day_snapshots": 2}
    for entity in ("tix_schedules", "tix_day_snapshots"):
        rows = [store.fetch(entity) for store in stores]
        assert rows[0] == rows[1] == rows[2] and rows[0], entity
