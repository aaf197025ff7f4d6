"""`scrapy crawl geocode` into every backend at once (SQLite, real PostgreSQL, the Firestore emulator): the
same geocodes, answers and theatre coordinates in each; Firestore's theatres/{id} with lat/lng."""

from __future__ import annotations

import datetime as dt

import pytest
from scrapy.settings import Settings

from cineradar.backends import open_backends
from replica import Knobs, Replica
from tests.conftest import open_store, run_crawl
from tests.geocode.places import seed_places
from tests.storage.conftest import FIRESTORE_PROJECT, fs_emulator, fs_host, pg_dsn, pg_server  # noqa: F401

pytestmark = pytest.mark.e2e
KEYS = {"geocodes": ("site", "place_key"), "geocode_answers": ("query_key",), "tix_theatres": ("theatre_id",)}


def test_geocodes_land_alike_in_every_backend(tmp_path, pg_dsn, fs_host):  # noqa: F811
    settings = {"STORAGE_BACKENDS": "sqlite,postgres,firestore", "DATABASE_URL": pg_dsn,
                "GOOGLE_CLOUD_PROJECT": FIRESTORE_PROJECT, "FIRESTORE_EMULATOR_HOST": fs_host,
                "GEOCODER_RATE_LIMIT": "25"}
    replica = Replica(preset="tiny", seed=1, date=dt.date(2026, 11, 21), knobs=Knobs())
    replica.start()
    backends = open_backends(Settings({**settings, "SQLITE_PATH": str(tmp_path / "cineradar.db")}))
    try:
        seed_places(tmp_path / "cineradar.db", replica.truth(), {"JAKARTA", "AMBON"}, {"krakow"})
        sqlite = open_store(tmp_path / "cineradar.db")
        for backend in backends[1:]:  # the crawls wrote the theatres and cinemas to every backend
            for entity in ("tix_theatres", "repertuary_cinemas"):
                backend.upsert(entity, sqlite.fetch(entity))
        sqlite.close()
        for backend in backends:
            backend.close()
        run_crawl("geocode", replica.urls, tmp_path, settings=settings)
        backends = open_backends(Settings({**settings, "SQLITE_PATH": str(tmp_path / "cineradar.db")}))

        def rows(backend, entity):  # noqa: ANN001, ANN202
            return sorted((tuple(r[k] for k in KEYS[entity]), r) for r in backend.fetch(entity))

        reference = {e: rows(backends[0], e) for e in KEYS}
        assert len(reference["geocodes"]) == 11 + 1 + 5
        for backend in backends[1:]:
            for entity in ("geocodes", "geocode_answers"):
                assert rows(backend, entity) == reference[entity], (backend.name, entity)
            coordinates = {k: (r["lat"], r["lng"]) for k, r in rows(backend, "tix_theatres")}
            assert coordinates == {k: (r["lat"], r["lng"]) for k, r in reference["tix_theatres"]}, backend.name
        found = [r for _, r in reference["geocodes"] if r["site"] == "tix" and r["status"] == "found"]
        assert found
        client = backends[2].client
        for row in found:
            doc = client.collection("theatres").document(row["place_key"]).get().to_dict()
            assert (doc["lat"], doc["lng"]) == (row["lat"], row["lng"]) and doc["room_types"] and doc["merchant"]
    finally:
        for backend in backends:
            backend.close()
        replica.stop()
