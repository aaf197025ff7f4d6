"""The read side on PostgreSQL gives what it gives on SQLite: the demo store copied row for row into
a real PostgreSQL 15 (initdb, 127.0.0.1), then every page's query and the pages themselves compared."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cineradar.backends import SPECS
from cineradar.storage.postgres import PostgresStorage
from cineradar.storage.read import Range, Reader
from cineradar.storage.sqlite import SQLiteStorage
from cineradar.web import queries
from cineradar.web.app import create_app
from tests.web.demo_store import DAY
from tools.local_servers import PostgresServer, postgres_missing

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def readers(demo: dict[str, Any]) -> Iterator[tuple[Reader, Reader]]:
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    sqlite = SQLiteStorage(demo["db"])
    sqlite.open(SPECS)
    with PostgresServer() as server:
        pg = PostgresStorage(server.dsn)
        pg.open(SPECS)
        for spec in SPECS:
            pg.upsert(spec.name, sqlite.fetch(spec.name))
        pg_reader = Reader(pg, SPECS)
        pg_reader.ensure_indexes()
        yield Reader(sqlite, SPECS), pg_reader
        pg.close()
    sqlite.close()


def test_every_query_is_the_same_on_postgres(readers, demo):
    lite, pg = readers
    day = DAY.isoformat()
    for spec in SPECS:
        assert pg.rows(spec.name) == lite.rows(spec.name), spec.name
        assert pg.count(spec.name) == lite.count(spec.name)
        if "date" in spec.columns:
            assert pg.count_by(spec.name, "date") == lite.count_by(spec.name, "date")
    assert pg.rows("crawl_runs", between=Range("started_at", "2000-01-01T00:00:00+00:00", None),
                   order=("started_at",), desc=True, limit=3) == \
        lite.rows("crawl_runs", between=Range("started_at", "2000-01-01T00:00:00+00:00", None),
                  order=("started_at",), desc=True, limit=3)
    sid = lite.rows("tix_seat_snapshots", where={"date": day}, limit=1)[0]["showtime_id"]
    theatre = lite.rows("tix_theatres", limit=1)[0]["theatre_id"]
    movie = lite.rows("tix_movies", where={"date": day}, limit=1)[0]["movie_id"]
    for name, call in {
        "cards": lambda r: queries.run_cards(r), "history": lambda r: queries.run_history(r, status="success"),
        "day": lambda r: queries.tix_day(r, day), "trend": lambda r: queries.chain_trend(r, day),
        "showtime": lambda r: queries.showtime(r, sid), "theatres": lambda r: queries.theatres(r),
        "theatre": lambda r: queries.theatre(r, theatre), "movies": lambda r: queries.movies(r),
        "week": lambda r: queries.repertuary_week(r, "krakow", day), "review": queries.review_queue,
        "coverage": lambda r: queries.repertuary_coverage(r, day), "explorer": queries.explorer,
        "entity": lambda r: queries.entity_view(r, "tix_showtimes"),
        "movie": lambda r: queries.movie(r, tix=movie), "movie_trend": lambda r: queries.movie_trend(r, day, [movie]),
        "sums": lambda r: queries.morning_sums(r, ("merchant", "date"), {}),
    }.items():
        assert call(pg) == call(lite), name


def test_pages_served_from_postgres_equal_those_from_sqlite(readers):
    lite, pg = readers
    pages = ["/", f"/tix/{DAY}", "/theatres", "/movies", "/repertuary", "/review", "/data", "/data/crawl_runs"]
    clients = [create_app(r, secret_key="x").test_client() for r in (lite, pg)]
    for path in pages:
        a, b = (c.get(path) for c in clients)
        assert a.status_code == b.status_code == 200, path
        # pygal gives each chart a random id: compare the pages without them
        import re

        strip = re.compile(rb"chart-[0-9a-f-]{36}")
        assert strip.sub(b"", a.data) == strip.sub(b"", b.data), path
