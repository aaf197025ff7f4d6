"""FirestoreStorage against the Firestore emulator: the original's layout, batches, exact round trip."""

from __future__ import annotations

import datetime as dt

import pytest
from google.cloud.firestore_v1.batch import WriteBatch

from cineradar import aggregates
from cineradar.backends import SPECS
from cineradar.storage.base import StorageError
from cineradar.storage.firestore import FirestoreStorage, doc_id
from tests.storage.storage_samples import (
    DAY,
    FACTORIES,
    crawl_run,
    repertuary_cinema,
    sample_rows,
    showtime_rows,
    tix_daily_summary,
    tix_movie,
    tix_seat_snapshot,
    tix_showtime,
    tix_theatre,
)

ENTITIES = sorted(FACTORIES)


@pytest.fixture
def commits(monkeypatch):  # noqa: ANN001, ANN201
    """Sizes of every WriteBatch commit (the writes sent in one Commit RPC)."""
    sizes: list[int] = []
    real = WriteBatch.commit

    def commit(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        results = real(self, *args, **kwargs)
        sizes.append(len(results))  # one WriteResult per write of the commit
        return results

    monkeypatch.setattr(WriteBatch, "commit", commit)
    return sizes


@pytest.mark.parametrize("entity", ENTITIES)
def test_rows_read_back_exactly_as_sqlite_returns_them(entity, fs_store, sqlite_store):
    rows = sample_rows(4)[entity]
    fs_store.upsert(entity, rows)
    sqlite_store.upsert(entity, rows)
    assert fs_store.fetch(entity) == sqlite_store.fetch(entity)
    assert fs_store.count(entity) == len(rows)


def test_upserting_twice_changes_no_count(fs_store):
    rows = sample_rows(3)
    for _ in range(2):
        for entity, batch in rows.items():
            fs_store.upsert(entity, batch)
    assert {e: fs_store.count(e) for e in rows} == {e: len(b) for e, b in rows.items()}


def test_fetch_filters_like_sqlite(fs_store, sqlite_store):
    rows = [tix_showtime(i).row() for i in range(20)]
    for store in (fs_store, sqlite_store):
        store.upsert("tix_showtimes", rows)
    for where in ({"date": "2026-01-15", "movie_id": "1001"}, {"is_available": True, "status": 2},
                  {"date": DAY}, {"price": None}, {"city": "nowhere"}):
        assert fs_store.fetch("tix_showtimes", where) == sqlite_store.fetch("tix_showtimes", where), where
    with pytest.raises(StorageError, match="no column 'nope'"):
        fs_store.fetch("tix_showtimes", {"nope": 1})


def test_documents_use_the_original_collections_and_ids(fs_store, fs_client):
    fs_store.upsert("tix_theatres", [tix_theatre(1).row()])
    fs_store.upsert("tix_seat_snapshots", [tix_seat_snapshot(1).row()])
    fs_store.upsert("tix_daily_summaries", [tix_daily_summary(0).row()])
    run = crawl_run(3).row() | {"run_id": "2025-12-23T06-00-00_movies"}
    fs_store.upsert("crawl_runs", [run])
    fs_store.upsert("tix_movies", [tix_movie(1).row()])
    fs_store.upsert("tix_showtimes", [tix_showtime(1).row()])
    fs_store.upsert("repertuary_cinemas", [repertuary_cinema(1).row()])
    fs_store.put_state("tix_jwt", {"token": "t"})
    aggregates.rebuild([fs_store], [DAY.isoformat()])  # what a crawl does at its close

    def ids(collection: str) -> list[str]:
        return sorted(d.id for d in fs_client.collection(collection).stream())

    assert ids("theatres") == ["900001"]
    assert ids("seat_snapshots") == ["2000000001_morning_0640"]
    assert ids("daily_summaries") == ["2026-01-15"]
    assert ids("scraper_runs") == ["2025-12-23T06-00-00_movies"]
    assert ids("auth_tokens") == ["tix_jwt"]
    assert ids("snapshots") == ["2026-01-15", "latest"]
    assert sorted(d.id for d in fs_client.collection("schedules/2026-01-15/movies").stream()) == ["1001"]
    assert ids("repertuary_cinemas") == ["krakow|cinema-city%2Fbonarka-1"]  # '/' escaped
    assert ids("tix_movies") == ["2026-01-15|1001"]
    assert ids("tix_showtimes") == ["2000000001"]
    seat = fs_client.document("seat_snapshots/2000000001_morning_0640").get().to_dict()
    assert seat["occupancy_pct"] == 30.0 and seat["scraped_at"] == tix_seat_snapshot(1).row()["scraped_at"]


def test_document_ids_are_deterministic_and_valid():
    assert doc_id("900001") == "900001"
    assert doc_id("krakow", "cinema-city/bonarka") == "krakow|cinema-city%2Fbonarka"
    assert doc_id("a|b", "c") == "a%7Cb|c"
    assert doc_id("100%") == "100%25"
    assert doc_id(".") == "%2E" and doc_id("..") == "%2E%2E"
    assert doc_id("__id__") == "%5F_id__"
    long_id = doc_id("x" * 3000)
    assert len(long_id.encode()) <= 1500 and long_id == doc_id("x" * 3000) != doc_id("x" * 2999)


def test_every_commit_holds_at_most_500_writes(fs_store, commits):
    rows = showtime_rows(1234)
    fs_store.upsert("tix_showtimes", rows)
    assert commits == [500, 500, 234]
    assert fs_store.count("tix_showtimes") == 1234
    fs_store.mark_seen("repertuary", [f"k{i}" for i in range(501)], dt.datetime.now(dt.UTC))
    assert commits[3:] == [500, 1]


def test_room_types_are_a_list_that_accumulates_and_lat_lng_survive(fs_store, fs_client):
    fs_store.upsert("tix_theatres", [tix_theatre(1, ["2D", "IMAX 2D"]).row()])
    ref = fs_client.document("theatres/900001")
    created = ref.get().to_dict()["created_at"]
    ref.update({"lat": -6.2, "lng": 106.8, "place_id": "ChIJ"})  # what the monthly geocoding writes
    renamed = tix_theatre(1, ["VELVET.SUITE", "2D"]).row() | {"name": "RENAMED XXI"}
    fs_store.upsert("tix_theatres", [renamed | {"lat": None, "lng": None}])
    doc = ref.get().to_dict()
    assert doc["room_types"] == ["2D", "IMAX 2D", "VELVET.SUITE"]  # the admin reads room_types.length
    assert (doc["lat"], doc["lng"], doc["place_id"]) == (-6.2, 106.8, "ChIJ")
    assert doc["name"] == "RENAMED XXI" and doc["created_at"] == created
    assert fs_store.fetch("tix_theatres")[0]["room_types"] == ["2D", "IMAX 2D", "VELVET.SUITE"]


def test_room_types_stored_as_a_map_by_an_earlier_version_are_merged_into_a_list(fs_store, fs_client):
    ref = fs_client.document("theatres/900001")
    ref.set(tix_theatre(1).row() | {"room_types": {"IMAX 2D": True, "2D": True}})
    fs_store.upsert("tix_theatres", [tix_theatre(1, ["SATIN 2D"]).row()])
    assert ref.get().to_dict()["room_types"] == ["2D", "IMAX 2D", "SATIN 2D"]


def test_token_document_is_overwritten_whole(fs_store, fs_client):
    first = {"token": "eyJhbGciOiJIUzI1NiIs...", "refresh_token": "eyR...", "phone": "6285***",
             "stored_at": "2025-12-23T06:26:40.591620"}
    fs_store.put_state("tix_jwt", first)
    assert fs_client.document("auth_tokens/tix_jwt").get().to_dict() == first
    second = {"token": "new", "phone": "6285***", "stored_at": "2025-12-23T07:00:00"}
    fs_store.put_state("tix_jwt", second)
    assert fs_client.document("auth_tokens/tix_jwt").get().to_dict() == second  # no refresh_token left
    assert fs_store.get_state("tix_jwt") == second
    fs_store.put_state("other", {"nested": [[1, 2], []]})
    assert fs_store.get_state("other") == {"nested": [[1, 2], []]}
    assert fs_store.get_state("missing") is None


def test_seat_layout_has_no_array_directly_inside_an_array(fs_store, fs_client):
    row = tix_seat_snapshot(1).row()
    fs_store.upsert("tix_seat_snapshots", [row])
    raw = fs_client.document(f"seat_snapshots/{row['snapshot_id']}").get().to_dict()["layout"]
    assert raw[0] == {"row": "A", "seats": [1, 0, 1, 1, 0]}  # a reader: layout.map(r => [r.row, r.seats])
    layout = [["A", [1, 0, 1, 1, 0]], ["B", [1, 1, 1, 0, 1]], ["", []]]
    assert fs_store.fetch("tix_seat_snapshots")[0]["layout"] == layout


def test_schedules_and_snapshots_are_the_aggregate_entities_at_the_original_paths(fs_store, fs_client,
                                                                                   sqlite_store):
    """The aggregates are computed once (cineradar/aggregates.py) and stored as entities;
    Firestore only maps them to schedules/{date}/movies/{id} and snapshots/{id}."""
    movies = [tix_movie(i).row() for i in range(3)]
    showtimes = [tix_showtime(i).row() for i in range(15)]
    theatres = [tix_theatre(i).row() for i in range(7)]
    for store in (sqlite_store, fs_store):
        store.upsert("tix_movies", movies)
        store.upsert("tix_showtimes", showtimes)
        store.upsert("tix_theatres", theatres)
    counts, errors = aggregates.rebuild([sqlite_store, fs_store], [DAY.isoformat()])
    assert errors == {} and counts == {"tix_schedules": 5, "tix_day_snapshots": 2}
    for entity in ("tix_schedules", "tix_day_snapshots"):
        assert fs_store.fetch(entity) == sqlite_store.fetch(entity)
    assert fs_store.count("tix_schedules") == 5

    doc = fs_client.document("schedules/2026-01-15/movies/1000").get().to_dict()
    expected = [row for row in showtimes if row["movie_id"] == "1000"]
    flat = {s["showtime_id"] for city in doc["cities"].values() for theatre in city for room in theatre["rooms"]
            for s in room["all_showtimes"]}
    assert flat == {row["showtime_id"] for row in expected}
    one = expected[1]
    theatre = next(t for t in doc["cities"][one["city"]] if t["theatre_id"] == one["theatre_id"])
    assert (theatre["theatre_name"], theatre["address"]) == ("MALL 5 XXI", "Jl. Sudirman No. 5")
    room = next(r for r in theatre["rooms"] if r["category"] == one["room_category"])
    assert room["price"] == one["price"]
    assert (doc["title"], doc["poster"], doc["date"]) == ("Film 0 — Ñandú", "https://img.example/p/0.jpg", "2026-01-15")

    snapshot = fs_client.document("snapshots/2026-01-15").get().to_dict()
    assert snapshot["summary"] == {"total_cities": 3, "total_movies": 3, "presale_count": 1}
    assert [m["id"] for m in snapshot["movies"]] == ["1002", "1001", "1000"]  # most cities first
    assert snapshot["city_stats"] == {"JAKARTA": 3, "BANDUNG": 2, "SURABAYA": 1}
    assert fs_client.document("snapshots/latest").get().to_dict()["date"] == "2026-01-15"

    older = DAY - dt.timedelta(days=1)
    for store in (sqlite_store, fs_store):
        store.upsert("tix_movies", [tix_movie(0, older).row()])
    aggregates.rebuild([sqlite_store, fs_store], [older.isoformat()])  # an older date never moves latest back
    assert fs_client.document("snapshots/latest").get().to_dict()["date"] == "2026-01-15"
    assert fs_client.document("snapshots/2026-01-14").get().exists


def test_token_stored_at_is_naive_utc_as_the_original_wrote_it(fs_store, fs_client):
    doc = {"token": "t", "refresh_token": "r", "phone": "6281***", "stored_at": "2026-01-15T06:26:40.591620+07:00"}
    fs_store.put_state("tix_jwt", doc)
    raw = fs_client.document("auth_tokens/tix_jwt").get().to_dict()
    assert raw["stored_at"] == "2026-01-14T23:26:40.591620"  # naive UTC: the original's check subtracts utcnow()
    assert dt.datetime.fromisoformat(raw["stored_at"]).tzinfo is None
    assert raw["stored_at_utc"] == doc["stored_at"]
    assert fs_store.get_state("tix_jwt") == doc  # ours reads back unchanged


def test_theatre_last_seen_is_an_instant_and_reads_back_as_the_day(fs_store, fs_client):
    fs_store.upsert("tix_theatres", [tix_theatre(1).row()])
    raw = fs_client.document("theatres/900001").get().to_dict()
    assert raw["last_seen"] == "2026-01-14T17:00:00"  # the day's start in WIB, naive UTC like the original's
    assert fs_store.fetch("tix_theatres")[0]["last_seen"] == "2026-01-15"
    later = tix_theatre(1).row() | {"last_seen": "2026-01-16"}
    fs_store.upsert("tix_theatres", [later])
    fs_store.upsert("tix_theatres", [tix_theatre(1).row()])  # an older job finishing last
    assert fs_client.document("theatres/900001").get().to_dict()["last_seen"] == "2026-01-15T17:00:00"


def test_freshness_state(fs_store):
    now = dt.datetime(2026, 1, 15, 12, tzinfo=dt.UTC)
    fs_store.mark_seen("repertuary", ["repertuary_cinemas:krakow|a/b", "x"], now - dt.timedelta(hours=30))
    fs_store.mark_seen("repertuary", ["x"], now)
    fs_store.mark_seen("tix", ["y"], now)
    assert fs_store.seen_since("repertuary", now - dt.timedelta(hours=24)) == {"x"}
    assert fs_store.seen_since("repertuary", now - dt.timedelta(hours=48)) == {"x", "repertuary_cinemas:krakow|a/b"}


def test_missing_project_and_down_emulator_are_clear_errors(fs_emulator):
    with pytest.raises(StorageError, match="GOOGLE_CLOUD_PROJECT is not set"):
        FirestoreStorage(None)
    from tools.local_servers import free_port

    store = FirestoreStorage("cineradar-test", emulator_host=f"127.0.0.1:{free_port()}", timeout=1)
    store.open(SPECS)
    with pytest.raises(StorageError, match="firestore upsert into tix_movies failed"):
        store.upsert("tix_movies", [tix_movie(1).row()])
    store.close()
