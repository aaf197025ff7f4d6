"""The store pipeline over real backends: one code path for all three, and nothing lost in an outage."""

from __future__ import annotations

import asyncio

from cineradar.backends import SPECS
from cineradar.extensions.storage_hub import StorageHub
from cineradar.pipelines.freshness import FreshnessPipeline
from cineradar.pipelines.store import StorePipeline
from cineradar.storage.firestore import FirestoreStorage
from cineradar.storage.postgres import PostgresStorage
from cineradar.storage.sqlite import SQLiteStorage
from tests.storage.conftest import FIRESTORE_PROJECT
from tests.storage.storage_samples import FACTORIES, repertuary_showtime, sample_items, tix_showtime


async def _feed(pipeline: StorePipeline, items, pause: float = 0.0) -> None:  # noqa: ANN001
    for item in items:
        await pipeline.process_item(item)
        if pause:
            await asyncio.sleep(pause)


async def test_the_same_items_give_the_same_rows_in_all_three_backends(make_crawler, store_path, pg_dsn, fs_host):
    crawler = make_crawler(STORAGE_BACKENDS=["sqlite", "postgres", "firestore"], DATABASE_URL=pg_dsn,
                           GOOGLE_CLOUD_PROJECT=FIRESTORE_PROJECT, FIRESTORE_EMULATOR_HOST=fs_host,
                           STORAGE_BATCH_SIZE=7)
    pipeline = StorePipeline.from_crawler(crawler)
    items = sample_items(9)
    await _feed(pipeline, items)
    await _feed(pipeline, items[::3])  # repeats: upserts, no duplicates
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()

    stores = [SQLiteStorage(store_path), PostgresStorage(pg_dsn), FirestoreStorage(FIRESTORE_PROJECT, fs_host)]
    for store in stores:
        store.open(SPECS)
    for entity in FACTORIES:
        expected = stores[0].fetch(entity)
        assert len(expected) == 9, entity
        assert stores[1].fetch(entity) == expected, entity
        assert stores[2].fetch(entity) == expected, entity
        assert stores[1].count(entity) == stores[2].count(entity) == 9
    for name in ("sqlite", "postgres", "firestore"):
        assert crawler.stats.get_value(f"cineradar/storage/{name}/tix_showtimes") == 12
        assert crawler.stats.get_value(f"cineradar/storage/{name}/spooled") is None
    for store in stores:
        store.close()


class LoopClock:
    """The event loop's clock, moved on by the test: the store pipeline schedules its spool
    replays on ``loop.time()``, so the retry interval passes without sleeping through it."""

    def __init__(self, monkeypatch) -> None:  # noqa: ANN001
        loop = asyncio.get_running_loop()
        real, self.offset = loop.time, 0.0
        monkeypatch.setattr(loop, "time", lambda: real() + self.offset)

    def advance(self, seconds: float) -> None:
        self.offset += seconds


async def test_postgres_stopped_mid_crawl_loses_nothing_and_stores_each_item_once(make_crawler, own_pg_server,
                                                                                   tmp_path, monkeypatch):
    interval = 60.0
    crawler = make_crawler(STORAGE_BACKENDS=["sqlite", "postgres"], DATABASE_URL=own_pg_server.dsn,
                           STORAGE_BATCH_SIZE=10, STORAGE_RETRY_TIMES=1, STORAGE_RETRY_BACKOFF=0.05,
                           STORAGE_SPOOL_RETRY_INTERVAL=interval)
    clock = LoopClock(monkeypatch)
    pipeline = StorePipeline.from_crawler(crawler)
    spool = tmp_path / "spool" / "postgres.jsonl"

    await _feed(pipeline, [tix_showtime(i) for i in range(100)])
    own_pg_server.stop()
    during = [tix_showtime(i) for i in range(100, 200)] + [tix_showtime(5).model_copy(update={"price": "during"})]
    await _feed(pipeline, during[:50])
    clock.advance(interval + 1)  # a replay falls due while the server is still down: it fails, rows stay
    await _feed(pipeline, during[50:])
    assert spool.exists()
    spooled = crawler.stats.get_value("cineradar/storage/postgres/spooled")
    assert spooled >= 90
    assert crawler.stats.get_value("cineradar/storage/postgres/replayed") is None
    own_pg_server.start()
    after = [tix_showtime(i) for i in range(200, 300)] + [tix_showtime(5).model_copy(update={"price": "after"})]
    await _feed(pipeline, after[:10])
    assert spool.exists()  # back up, but the next replay is not due yet: new rows queue behind the spooled
    clock.advance(interval + 1)  # due now: the next batch replays the spool first
    await _feed(pipeline, after[10:])
    assert not spool.exists()  # caught up mid-crawl, before close
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()

    store = PostgresStorage(own_pg_server.dsn)
    store.open(SPECS)
    rows = store.fetch("tix_showtimes")
    assert len(rows) == store.count("tix_showtimes") == 300
    assert len({row["showtime_id"] for row in rows}) == 300
    by_id = {row["showtime_id"]: row for row in rows}
    assert by_id[tix_showtime(5).showtime_id]["price"] == "after"  # the spooled older version did not win
    reference = SQLiteStorage(tmp_path / "cineradar.db")
    reference.open(SPECS)
    assert rows == reference.fetch("tix_showtimes")  # sqlite never went down: same rows
    assert crawler.stats.get_value("cineradar/storage/postgres/replayed") == crawler.stats.get_value(
        "cineradar/storage/postgres/spooled")
    assert crawler.stats.get_value("cineradar/storage/postgres/unwritten") is None
    store.close()
    reference.close()


async def test_postgres_down_when_the_crawl_starts_does_not_stop_it(make_crawler, own_pg_server, tmp_path):
    own_pg_server.stop()
    crawler = make_crawler(STORAGE_BACKENDS=["postgres"], DATABASE_URL=own_pg_server.dsn, STORAGE_BATCH_SIZE=5,
                           STORAGE_RETRY_TIMES=1, STORAGE_RETRY_BACKOFF=0.05, STORAGE_SPOOL_RETRY_INTERVAL=0.3)
    freshness = FreshnessPipeline.from_crawler(crawler)
    pipeline = StorePipeline.from_crawler(crawler)
    items = [repertuary_showtime(i) for i in range(40)]
    for item in items[:20]:  # the primary (postgres) is down: freshness must not drop or raise
        await pipeline.process_item(await freshness.process_item(item))
    assert crawler.stats.get_value("cineradar/storage/postgres/spooled") == 20
    assert crawler.stats.get_value("cineradar/freshness/repertuary/unavailable") == 1
    own_pg_server.start()
    await asyncio.sleep(0.4)
    for item in items[20:]:
        await pipeline.process_item(await freshness.process_item(item))
    assert crawler.stats.get_value("cineradar/storage/postgres/replayed") >= 20  # before close
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()

    store = PostgresStorage(own_pg_server.dsn)
    store.open(SPECS)
    assert store.count("repertuary_showtimes") == 40
    assert store.fetch("repertuary_showtimes") == sorted((i.row() for i in items), key=lambda r: r["external_id"])
    assert len(store.seen_since("repertuary", freshness.started)) == 40  # freshness state caught up too
    assert not (tmp_path / "spool" / "postgres.jsonl").exists()
    store.close()


async def test_rows_still_spooled_at_close_wait_for_storage_replay(make_crawler, own_pg_server, tmp_path):
    crawler = make_crawler(STORAGE_BACKENDS=["postgres"], DATABASE_URL=own_pg_server.dsn, STORAGE_BATCH_SIZE=4,
                           STORAGE_RETRY_TIMES=1, STORAGE_RETRY_BACKOFF=0.05)
    pipeline = StorePipeline.from_crawler(crawler)
    own_pg_server.stop()
    await _feed(pipeline, [tix_showtime(i) for i in range(10)])
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()
    assert crawler.stats.get_value("cineradar/storage/postgres/unwritten") == 10
    assert (tmp_path / "spool" / "postgres.jsonl").read_text().count("\n") == 10
