"""Freshness and store behaviours the older tests left open (found by mutation testing):
thresholds, feeds, the drop's log level, the retry schedule, spool counts, seen marks."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from scrapy.exceptions import DropItem
from scrapy.settings import Settings

from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import StorageHub
from cineradar.pipelines import store as store_module
from cineradar.pipelines.freshness import FreshnessPipeline, thresholds
from cineradar.pipelines.store import StorePipeline
from cineradar.storage.base import PermanentStorageError, StorageError
from tests.conftest import open_store
from tests.pipelines.test_pipelines import showtime


def _spider(crawler, force=False):
    crawler.spider = type("S", (), {"force": force, "name": "t"})()
    return crawler


def _seen_now(store_path, *items):
    store = open_store(store_path)
    store.mark_seen("repertuary", [f"repertuary_showtimes:{i.natural_key()}" for i in items], dt.datetime.now(dt.UTC))
    store.close()


def test_only_positive_thresholds_count_fractions_included():
    settings = Settings({"FRESHNESS_HOURS": {"a": 0, "b": 0.5, "c": -3, "d": "12"}})
    assert thresholds(settings) == {"b": 0.5, "d": 12.0}


async def test_a_seen_item_is_dropped_at_debug_level_and_counted(make_crawler, store_path):
    _seen_now(store_path, showtime())
    crawler = _spider(make_crawler())
    pipeline = FreshnessPipeline.from_crawler(crawler)
    with pytest.raises(DropItem) as dropped:
        await pipeline.process_item(showtime())
    assert dropped.value.log_level == "DEBUG"
    assert crawler.stats.get_value("cineradar/fresh_skipped/repertuary_showtimes") == 1
    other = showtime(time="22:00")
    assert await pipeline.process_item(other) is other
    await crawler.get_extension(StorageHub).close()


async def test_a_crawl_with_a_feed_keeps_items_seen_before(make_crawler, store_path, tmp_path):
    _seen_now(store_path, showtime())
    crawler = _spider(make_crawler(FEEDS={str(tmp_path / "out.jsonl"): {"format": "jsonlines"}}))
    pipeline = FreshnessPipeline.from_crawler(crawler)
    pipeline.open_spider()
    item = showtime()
    assert await pipeline.process_item(item) is item
    await crawler.get_extension(StorageHub).close()


async def test_sources_without_a_threshold_are_never_skipped(make_crawler, store_path):
    _seen_now(store_path, showtime())
    crawler = _spider(make_crawler(FRESHNESS_HOURS={"tix": 6}))
    item = showtime()
    assert await FreshnessPipeline.from_crawler(crawler).process_item(item) is item
    await crawler.get_extension(StorageHub).close()


async def test_the_state_is_asked_for_the_threshold_window_in_utc(make_crawler):
    crawler = _spider(make_crawler(FRESHNESS_HOURS={"repertuary": 6}))
    pipeline = FreshnessPipeline.from_crawler(crawler)
    asked = []
    crawler.get_extension(StorageHub).backends["sqlite"].seen_since = (  # type: ignore[method-assign]
        lambda source, since: asked.append((source, since)) or set())
    before = dt.datetime.now(dt.UTC)
    await pipeline.process_item(showtime())
    (source, since), = asked
    assert source == "repertuary" and since.utcoffset() == dt.timedelta(0)
    assert abs((before - dt.timedelta(hours=6)) - since) < dt.timedelta(seconds=5)
    await crawler.get_extension(StorageHub).close()


async def test_an_unreadable_state_is_flagged_in_the_stats(make_crawler):
    crawler = _spider(make_crawler())
    pipeline = FreshnessPipeline.from_crawler(crawler)

    def down(*args):
        raise StorageError("connection refused")

    crawler.get_extension(StorageHub).backends["sqlite"].seen_since = down  # type: ignore[method-assign]
    await pipeline.process_item(showtime())
    assert crawler.stats.get_value("cineradar/freshness/repertuary/unavailable") == 1
    await crawler.get_extension(StorageHub).close()


# ------------------------------------------------------------------ store
async def test_a_write_is_retried_with_doubling_backoff_then_stored(make_crawler, store_path, monkeypatch):
    crawler = make_crawler(STORAGE_BATCH_SIZE=2, STORAGE_RETRY_TIMES=3, STORAGE_RETRY_BACKOFF=0.25)
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    real, calls = backend.upsert, []

    def flaky(entity, rows):
        calls.append(len(rows))
        if len(calls) <= 2:
            raise StorageError("locked")
        return real(entity, rows)

    backend.upsert = flaky  # type: ignore[method-assign]
    delays = []

    async def no_wait(delay):
        delays.append(delay)

    monkeypatch.setattr(store_module.asyncio, "sleep", no_wait)
    await pipeline.process_item(showtime(time="18:00"))
    await pipeline.process_item(showtime(time="18:01"))
    assert delays == [0.25, 0.5]
    assert calls == [2, 2, 2]
    assert crawler.stats.get_value("cineradar/storage/sqlite/errors") == 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/repertuary_showtimes") == 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") is None
    assert open_store(store_path).count("repertuary_showtimes") == 2
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()


async def test_the_last_failed_attempt_spools_every_row_it_counts(make_crawler, tmp_path, monkeypatch):
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=3, STORAGE_RETRY_TIMES=1, STORAGE_RETRY_BACKOFF=0.01))
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    backend.upsert = lambda *a: (_ for _ in ()).throw(StorageError("down"))  # type: ignore[method-assign]
    for m in range(3):
        await pipeline.process_item(showtime(time=f"18:0{m}"))
    spooled = (tmp_path / "spool" / "sqlite.jsonl").read_text().splitlines()
    rows = [json.loads(line) for line in spooled]
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") == 3
    assert [r["row"]["time"] for r in rows] == ["18:00", "18:01", "18:02"]
    assert all(r["seen"][0] == "repertuary" for r in rows)  # the primary's spool carries the keys
    assert crawler.stats.get_value("cineradar/storage/sqlite/errors") == 2
    await crawler.get_extension(StorageHub).close()


async def test_a_failed_seen_mark_is_counted_and_the_rows_stay_stored(make_crawler, store_path):
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=2))
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]

    def refuse(*args):
        raise StorageError("locked")

    backend.mark_seen = refuse  # type: ignore[method-assign]
    await pipeline.process_item(showtime(time="18:00"))
    await pipeline.process_item(showtime(time="18:01"))
    assert crawler.stats.get_value("cineradar/freshness/repertuary/unrecorded") == 2
    assert open_store(store_path).count("repertuary_showtimes") == 2
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()


async def test_only_items_of_sources_with_a_threshold_are_marked_seen(make_crawler, store_path):
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=1, FRESHNESS_HOURS={"tix": 6}))
    pipeline = StorePipeline.from_crawler(crawler)
    await pipeline.process_item(showtime())
    await pipeline.close_spider()
    store = open_store(store_path)
    assert store.seen_since("repertuary", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == set()
    assert store.count("repertuary_showtimes") == 1
    await crawler.get_extension(StorageHub).close()


async def test_a_permanent_error_at_open_fails_the_crawl_and_counts_what_is_not_written(make_crawler, store_path,
                                                                                      monkeypatch):
    failures: list[str] = []
    monkeypatch.setattr(store_module.outcome, "fail", lambda crawler, message, **kw: failures.append(message))
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=1))
    pipeline = StorePipeline.from_crawler(crawler)
    hub = crawler.get_extension(StorageHub)
    real_call = hub.call

    async def broken(name, fn, *args):
        raise PermanentStorageError("attempt to write a readonly database")

    hub.call = broken  # type: ignore[method-assign]
    await pipeline.open_spider()
    assert failures == ["storage sqlite: attempt to write a readonly database"]
    await pipeline.process_item(showtime())
    await pipeline.process_item(showtime(time="19:00"))
    assert crawler.stats.get_value("cineradar/storage/sqlite/not_written") == 2
    hub.call = real_call  # type: ignore[method-assign]
    await pipeline.close_spider()
    assert open_store(store_path).count("repertuary_showtimes") == 0
    await hub.close()


async def test_an_outage_at_open_only_warns(make_crawler, caplog):
    crawler = _spider(make_crawler())
    pipeline = StorePipeline.from_crawler(crawler)
    hub = crawler.get_extension(StorageHub)
    real_call = hub.call

    async def down(name, fn, *args):
        raise StorageError("connection refused")

    hub.call = down  # type: ignore[method-assign]
    await pipeline.open_spider()
    assert crawler.stats.get_value(outcome.FAILED_KEY) is None
    assert "not reachable at start" in caplog.text
    hub.call = real_call  # type: ignore[method-assign]
    await hub.close()


async def test_a_spool_that_cannot_be_made_fails_the_crawl_and_counts_the_rows(make_crawler, tmp_path, monkeypatch):
    failures: list[str] = []
    monkeypatch.setattr(store_module.outcome, "fail", lambda crawler, message, **kw: failures.append(message))
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")   # the spool folder's path is a file: every spool write fails with an OSError
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=2, STORAGE_RETRY_TIMES=0, STORAGE_SPOOL_DIR=str(blocker)))
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    backend.upsert = lambda *a: (_ for _ in ()).throw(StorageError("down"))  # type: ignore[method-assign]
    for m in range(4):
        await pipeline.process_item(showtime(time=f"18:0{m}"))
    assert len(failures) == 1 and failures[0].startswith("storage sqlite: 2 repertuary_showtimes rows could not")
    assert crawler.stats.get_value("cineradar/storage/sqlite/not_written") == 4
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") is None
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()


async def test_new_rows_queue_behind_an_earlier_spool_and_are_replayed_in_order(make_crawler, store_path, tmp_path):
    from cineradar.storage.spool import Spool
    old = showtime(time="17:00")
    Spool(tmp_path / "spool", "sqlite").append("repertuary_showtimes", [old.row()])
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=2))
    pipeline = StorePipeline.from_crawler(crawler)
    await pipeline.process_item(showtime(time="18:00"))
    await pipeline.process_item(showtime(time="18:01"))
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") == 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/replayed") == 3
    assert not (tmp_path / "spool" / "sqlite.jsonl").exists()
    assert open_store(store_path).count("repertuary_showtimes") == 3
    seen = open_store(store_path).seen_since("repertuary", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert seen == {f"repertuary_showtimes:{showtime(time=t).natural_key()}" for t in ("18:00", "18:01")}
    await pipeline.close_spider()
    await crawler.get_extension(StorageHub).close()


async def test_a_spool_is_not_replayed_again_before_its_interval(make_crawler, store_path, tmp_path):
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=1, STORAGE_RETRY_TIMES=0, STORAGE_SPOOL_RETRY_INTERVAL=600))
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    real = backend.upsert
    backend.upsert = lambda *a: (_ for _ in ()).throw(StorageError("down"))  # type: ignore[method-assign]
    await pipeline.process_item(showtime(time="18:00"))   # fails, spooled; next replay in 600 s
    backend.upsert = real  # type: ignore[method-assign]
    await pipeline.process_item(showtime(time="18:01"))   # queued behind it, not replayed yet
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") == 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/replayed") is None
    assert open_store(store_path).count("repertuary_showtimes") == 0
    await pipeline.close_spider()   # at close the replay is forced
    assert crawler.stats.get_value("cineradar/storage/sqlite/replayed") == 2
    assert open_store(store_path).count("repertuary_showtimes") == 2
    await crawler.get_extension(StorageHub).close()


async def test_refused_rows_that_cannot_be_set_aside_fail_the_crawl(make_crawler, tmp_path, monkeypatch):
    failures: list[str] = []
    monkeypatch.setattr(store_module.outcome, "fail", lambda crawler, message, **kw: failures.append(message))
    (tmp_path / "spool" / "sqlite.rejected.jsonl").mkdir(parents=True)   # a folder where the file goes
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=2))
    pipeline = StorePipeline.from_crawler(crawler)
    await pipeline.process_item(showtime(time="18:00"))
    with pytest.warns(UserWarning):
        await pipeline.process_item(showtime(time="18:01", showtime_id={"not": "text"}))
    assert len(failures) == 1 and "1 refused repertuary_showtimes rows could not be set aside" in failures[0]
    assert crawler.stats.get_value("cineradar/storage/sqlite/not_written") == 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/rejected") is None
    await crawler.get_extension(StorageHub).close()


def test_a_spider_without_a_thresholded_entity_runs_without_the_pipeline(make_crawler):
    """tix_seats' items (source tix) would only pass through: the pipeline is left out for it."""
    from scrapy.exceptions import NotConfigured

    from cineradar.spiders.repertuary import RepertuarySpider
    from cineradar.spiders.tix_seats import TixSeatsSpider

    crawler = make_crawler()
    crawler.spider = type("S", (), {"name": "tix_seats", "entities": TixSeatsSpider.entities})()
    with pytest.raises(NotConfigured):
        FreshnessPipeline.from_crawler(crawler)
    crawler.spider = type("S", (), {"name": "repertuary", "entities": RepertuarySpider.entities})()
    assert isinstance(FreshnessPipeline.from_crawler(crawler), FreshnessPipeline)
    crawler.spider = type("S", (), {"name": "undeclared"})()  # no declaration: kept
    assert isinstance(FreshnessPipeline.from_crawler(crawler), FreshnessPipeline)
