"""The original's clients read our Firestore unchanged (docs/firestore.md lists their reads).

tix-token --refresh, tix_movies, tix_seats and daily-summary write into the Firestore
emulator (the only backend) against the replica; then each read below is done with the
query shape and the field expectations of the original's web app, admin dashboard and
Python scripts, and compared with the replica's truth.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from google.cloud.firestore_v1.base_query import FieldFilter

from cineradar.backends import SPECS
from cineradar.storage.firestore import FirestoreStorage
from replica.core import Knobs
from replica.server import Replica
from tests.storage.conftest import FIRESTORE_PROJECT
from tests.tix.helpers import DAY, MORNING, PHONE, api_login, crawl, scrapy

pytestmark = pytest.mark.e2e
WIB = ZoneInfo("Asia/Jakarta")
HHMM = "%H:%M"


@pytest.fixture
def day_in_firestore(fs_host: str, tmp_path) -> dict[str, Any]:  # noqa: ANN001
    from cineradar.auth.tokens import TOKEN_STATE, Tokens, token_doc

    settings = {"STORAGE_BACKENDS": "firestore", "GOOGLE_CLOUD_PROJECT": FIRESTORE_PROJECT,
                "FIRESTORE_EMULATOR_HOST": fs_host}
    with Replica(preset="tiny", date=DAY, now=MORNING, knobs=Knobs(faults=[])) as replica:
        store = FirestoreStorage(FIRESTORE_PROJECT, emulator_host=fs_host, timeout=10)
        store.open(SPECS)
        data = api_login(replica.urls["tix_api"])  # test setup: a logged-in token, as tix_login stores it
        store.put_state(TOKEN_STATE, token_doc(Tokens(data["token"], data["refresh_token"]), phone=PHONE,
                                               now=dt.datetime.now(dt.UTC), source="login"))
        store.close()
        urls = replica.urls
        scrapy(["tix-token", "--refresh"], urls, tmp_path, name="token", settings=settings)
        crawl("tix_movies", urls, tmp_path, "cities=AMBON,BANDUNG,JAKARTA", f"date={DAY}", settings=settings)
        crawl("tix_seats", urls, tmp_path, "mode=morning", f"date={DAY}", settings=settings)
        scrapy(["daily-summary", "--date", DAY.isoformat()], urls, tmp_path, name="summary", settings=settings)
        truth = replica.truth("tix")
    client = FirestoreStorage(FIRESTORE_PROJECT, emulator_host=fs_host, timeout=10)
    client.open(SPECS)
    yield {"db": client.client, "truth": truth}
    client.close()


def test_the_original_clients_read_every_document_they_need(day_in_firestore):
    db, truth = day_in_firestore["db"], day_in_firestore["truth"]
    date = DAY.isoformat()

    # web app, movie list: doc(snapshots/latest), then movies[], summary, city_stats, scraped_at
    latest = db.document("snapshots/latest").get().to_dict()
    assert latest["date"] == date
    scraped_at = dt.datetime.fromisoformat(latest["scraped_at"])
    assert scraped_at.tzinfo is not None  # `new Date(scraped_at)` shows WIB hours on any server clock
    assert latest["summary"] == {"total_cities": 3, "total_movies": len(truth["movies"]),
                                 "presale_count": sum(1 for m in truth["movies"] if m["presale"])}
    assert {m["id"] for m in latest["movies"]} == {m["movie_id"] for m in truth["movies"]}
    for movie in latest["movies"]:
        assert set(movie) >= {"id", "title", "genres", "poster", "age_category", "country", "merchants",
                              "is_presale", "cities", "theatre_counts"}
        assert all(isinstance(n, int) for n in movie["theatre_counts"].values())
    assert [len(m["cities"]) for m in latest["movies"]] == sorted((len(m["cities"]) for m in latest["movies"]),
                                                                   reverse=True)
    assert db.document(f"snapshots/{date}").get().to_dict()["movies"] == latest["movies"]

    # web app, showtimes of a movie: doc(schedules/{date}/movies/{id}).cities[city] -> TheaterSchedule[]
    shown: dict[str, tuple[str, str]] = {}
    truth_theatres = {t["theatre_id"]: t for t in truth["theatres"]}
    for movie in latest["movies"]:
        doc = db.document(f"schedules/{date}/movies/{movie['id']}").get().to_dict()
        assert (doc["movie_id"], doc["title"], doc["date"]) == (movie["id"], movie["title"], date)
        assert doc["poster"] == movie["poster"] and "poster_url" not in doc
        assert set(doc["cities"]) == set(movie["cities"])
        for city, theatres in doc["cities"].items():
            assert isinstance(theatres, list) and theatres
            for theatre in theatres:
                assert theatre["theatre_name"] == truth_theatres[theatre["theatre_id"]]["name"]
                assert theatre["merchant"] == truth_theatres[theatre["theatre_id"]]["merchant"]
                assert "address" in theatre
                for room in theatre["rooms"]:
                    assert isinstance(room["category"], str) and "price" in room
                    assert all(dt.datetime.strptime(t, HHMM) for t in room["showtimes"])
                    for show in room["all_showtimes"]:
                        shown[show["showtime_id"]] = (show["time"], city)
                    assert room["showtimes"] == [s["time"] for s in room["all_showtimes"] if s["is_available"]]
    assert shown == {s["showtime_id"]: (s["time"], s["city"]) for s in truth["showtimes"]}

    # admin, theatre list: collection(theatres) -> room_types.length, last_seen as a Date, lat/lng optional
    theatres = {snap.id: snap.to_dict() for snap in db.collection("theatres").stream()}
    assert set(theatres) == set(truth_theatres)
    for theatre_id, doc in theatres.items():
        assert isinstance(doc["room_types"], list) and len(doc["room_types"]) > 0
        assert all(isinstance(r, str) for r in doc["room_types"])
        seen = dt.datetime.fromisoformat(doc["last_seen"])  # an instant, naive UTC like the original's
        assert seen.replace(tzinfo=dt.UTC).astimezone(WIB).date() == DAY
        assert (doc["name"], doc["merchant"], doc["city"]) == tuple(
            truth_theatres[theatre_id][k] for k in ("name", "merchant", "city"))

    # admin, seat snapshots of a day: where(date == D); layout back to [[row, seats]] in one line
    query = db.collection("seat_snapshots").where(filter=FieldFilter("date", "==", date))
    snaps = [s.to_dict() for s in query.stream()]
    assert {s["showtime_id"] for s in snaps} == set(truth["seats"])
    times = {s["showtime_id"]: s["time"] for s in truth["showtimes"]}
    for snap in snaps:
        assert snap["showtime"] == times[snap["showtime_id"]] and "time" not in snap  # the original's field name
        layout = [[r["row"], r["seats"]] for r in snap["layout"]]
        assert sum(len(seats) for _, seats in layout) == snap["total_seats"]
        assert snap["unavailable_seats"] == truth["seats"][snap["showtime_id"]]["unavailable"]

    # the original's daily-summary script and its own result document
    summary = db.document(f"daily_summaries/{date}").get().to_dict()
    assert summary["showtime_count"] == len(truth["seats"])
    assert summary["total_seats"] == sum(s["total"] for s in truth["seats"].values())

    # the original's token check: utcnow() - fromisoformat(stored_at), no TypeError
    token = db.document("auth_tokens/tix_jwt").get().to_dict()
    age = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.datetime.fromisoformat(token["stored_at"])
    assert dt.timedelta(0) <= age < dt.timedelta(minutes=10)
    assert token["token"] and token["refresh_token"] and token["phone"]

    # admin, scraper runs: ordered by timestamp, read by run_type with the run's counts
    from google.cloud.firestore import Query

    runs = [s.to_dict() for s in db.collection("scraper_runs").order_by("timestamp", direction=Query.DESCENDING)
            .stream()]
    assert {r["spider"] for r in runs} >= {"tix_movies", "tix_seats"}
    assert all(r["status"] in ("running", "success", "partial", "failed") for r in runs)
    assert all(dt.datetime.fromisoformat(r["timestamp"]).tzinfo is None for r in runs)  # naive UTC, as the original
    movies_run = next(r for r in runs if r["run_type"] == "movies" and r["status"] == "success")
    assert movies_run["date"] == date
    assert movies_run["movies"] == len({m["movie_id"] for m in truth["movies"]})
    assert movies_run["theatres_success"] == movies_run["theatres_total"] == len(truth["theatres"])
    assert movies_run["theatres_failed"] == 0
    assert movies_run["presales"] == sum(1 for m in truth["movies"] if m["presale"])
    seats_run = next(r for r in runs if r["run_type"] == "seats" and r["status"] == "success")
    assert seats_run["showtimes_scraped"] == seats_run["showtimes_success"] == len(truth["seats"])
