"""The TMDB crawls into every backend at once (SQLite, real PostgreSQL, the Firestore emulator):
the same rows in each, the run record in each."""

from __future__ import annotations

import datetime as dt

import pytest

from cineradar.backends import open_backends
from replica import Knobs, Replica
from tests.conftest import run_crawl
from tests.storage.conftest import FIRESTORE_PROJECT, fs_emulator, fs_host, pg_dsn, pg_server  # noqa: F401
from tests.tmdb.conftest import UNCAPPED_KNOBS, UNCAPPED_SETTINGS
from tests.tmdb.matching_truth import seed_listings

pytestmark = pytest.mark.e2e
ENTITIES = ("tmdb_movies", "tmdb_matches", "tmdb_shows", "tmdb_networks", "tmdb_companies", "tmdb_watch_providers")


def test_movies_matches_and_shows_land_alike_in_every_backend(tmp_path, pg_dsn, fs_host, monkeypatch):  # noqa: F811
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    monkeypatch.setenv("TMDB_READ_TOKEN", Knobs().tmdb_bearer)
    replica = Replica(preset="default", seed=1, date=dt.date(2026, 11, 21), knobs=Knobs(**UNCAPPED_KNOBS))
    replica.start()
    try:
        seed_listings(tmp_path / "cineradar.db", replica.truth())
        settings = UNCAPPED_SETTINGS | {"STORAGE_BACKENDS": "sqlite,postgres,firestore", "DATABASE_URL": pg_dsn,
                    "GOOGLE_CLOUD_PROJECT": FIRESTORE_PROJECT, "FIRESTORE_EMULATOR_HOST": fs_host,
                    "TMDB_IMAGE_URL": replica.urls["tmdb"] + "/t/p/original", "FILES_STORE": str(tmp_path / "f")}
        shows = ",".join(s["imdb_id"] for s in replica.truth("tmdb")["tv"][:3])
        for spider, args in (("tmdb_movies", ("preset=full", "pages=1")), ("tmdb_match", ("source=tix",)),
                             ("tmdb_tv", (f"imdb_ids={shows}",))):
            run_crawl(spider, replica.urls, tmp_path, *args, settings=settings)
    finally:
        replica.stop()

    from scrapy.settings import Settings

    backends = open_backends(Settings({**settings, "SQLITE_PATH": str(tmp_path / "cineradar.db")}))
    try:
        def rows(backend, entity):  # noqa: ANN001, ANN202
            key = {"tmdb_matches": ("listing_source", "listing_key")}.get(entity, ("tmdb_id",))
            return sorted((tuple(r[k] for k in key), r) for r in backend.fetch(entity))

        reference = {e: rows(backends[0], e) for e in ENTITIES}
        assert all(reference[e] for e in ENTITIES)
        for backend in backends[1:]:
            for entity in ENTITIES:
                theirs = rows(backend, entity)
                assert [k for k, _ in theirs] == [k for k, _ in reference[entity]], (backend.name, entity)
                diffs = {(k, f) for (k, a), (_, b) in zip(theirs, reference[entity], strict=True)
                         for f in a.keys() | b.keys() if a.get(f) != b.get(f)}
                assert diffs == set(), (backend.name, entity, sorted(diffs)[:5])
            runs = {r["spider"]: r["status"] for r in backend.fetch("crawl_runs")}
            assert runs == {"tmdb_movies": "success", "tmdb_match": "success", "tmdb_tv": "success"}
    finally:
        for backend in backends:
            backend.close()
