"""The store pipeline around the storage writer: its defaults without the project's settings (read
from cineradar/settings.py), the replay schedule on an injected clock, and what the writer reports
reaching the crawl's outcome (a permanent fault FAILED, rows left or refused PARTIAL). The write
policy itself is tested without a crawler in tests/storage/test_writer.py."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import PATH, StorageHub, StorageHubDisabled
from cineradar.pipelines import store as store_module
from cineradar.pipelines.store import StorePipeline
from cineradar.storage.base import StorageError
from cineradar.storage.spool import Spool
from tests.conftest import TEST_SETTINGS, open_store
from tests.pipelines.test_pipelines import showtime

ENTITY = "repertuary_showtimes"


def _spider(crawler):
    crawler.spider = type("S", (), {"force": False, "name": "t"})()
    return crawler


@pytest.fixture
def failures(monkeypatch):
    """What outcome.fail was told, in order; the real one still records it (no engine here to close)."""
    told: list[str] = []
    real = outcome.fail

    def fail(crawler, message, **kw):
        told.append(message)
        real(crawler, message, close=False)

    monkeypatch.setattr(store_module.outcome, "fail", fail)
    return told


@pytest.fixture
def delays(monkeypatch):
    """The backoff delays the pipeline waits, without waiting."""
    waited: list[float] = []

    async def no_wait(delay):
        waited.append(delay)

    monkeypatch.setattr(store_module.asyncio, "sleep", no_wait)
    return waited


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _down(backend):
    """Make the backend's writes fail as an outage; return the list of attempted batch sizes."""
    calls: list[int] = []

    def upsert(entity, rows):
        calls.append(len(rows))
        raise StorageError("connection refused")

    backend.upsert = upsert
    return calls


def _earlier_spool(tmp_path, *items):
    Spool(tmp_path / "spool", "sqlite").append(ENTITY, [i.row() for i in items])


def _not_a_database(store_path):
    store_path.write_bytes(b"this is not sqlite" * 100)


def _bare_crawler(tmp_path, **settings):
    """A crawler without the project's settings: only the hub and where the database goes."""
    return _spider(get_crawler(Spider, TEST_SETTINGS | {"EXTENSIONS": {PATH: 0},
                                                        "SQLITE_PATH": str(tmp_path / "cineradar.db")} | settings))


def _seen(store_path):
    return open_store(store_path).seen_since("repertuary", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))


# ------------------------------------------------------------------ defaults (no project settings)
async def test_without_settings_batches_are_500_rows(tmp_path):
    crawler = _bare_crawler(tmp_path)
    pipeline = StorePipeline.from_crawler(crawler)
    for m in range(499):
        await pipeline.process_item(showtime(time=f"{m // 60:02d}:{m % 60:02d}"))
    assert open_store(tmp_path / "cineradar.db").count(ENTITY) == 0
    await pipeline.process_item(showtime(time="23:59"))
    assert open_store(tmp_path / "cineradar.db").count(ENTITY) == 500
    await crawler.get_extension(StorageHub).close()


async def test_without_settings_a_write_is_tried_4_times_from_half_a_second_then_spooled_under_data(
        tmp_path, monkeypatch, delays):
    monkeypatch.chdir(tmp_path)
    crawler = _bare_crawler(tmp_path)
    pipeline = StorePipeline.from_crawler(crawler)
    calls = _down(crawler.get_extension(StorageHub).backends["sqlite"])
    await pipeline.process_item(showtime())
    await pipeline.close_spider()   # the partial batch: 4 attempts, spooled, then 4 replays at close
    assert calls == [1] * 8
    assert delays == [0.5, 1.0, 2.0] * 2
    assert len((tmp_path / "data" / "spool" / "sqlite.jsonl").read_text().splitlines()) == 1
    assert crawler.stats.get_value("cineradar/storage/sqlite/unwritten") == 1
    await crawler.get_extension(StorageHub).close()


@pytest.mark.parametrize(("settings", "interval"), [({}, 5.0), ({"STORAGE_SPOOL_RETRY_INTERVAL": 60}, 60.0)])
async def test_a_spool_is_replayed_again_once_its_interval_has_passed(tmp_path, settings, interval):
    crawler = _bare_crawler(tmp_path, STORAGE_BATCH_SIZE=1, STORAGE_RETRY_TIMES=0, **settings)
    pipeline = StorePipeline.from_crawler(crawler)
    pipeline.clock = clock = Clock(100.0)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    real = backend.upsert
    _down(backend)
    await pipeline.process_item(showtime(time="18:00"))   # fails: spooled, next replay at 100 + interval
    backend.upsert = real  # type: ignore[method-assign]
    clock.now = 100.0 + interval - 0.5
    await pipeline.process_item(showtime(time="18:01"))   # queued behind it, not due yet
    assert open_store(tmp_path / "cineradar.db").count(ENTITY) == 0
    clock.now = 100.0 + interval                          # due now
    await pipeline.process_item(showtime(time="18:02"))
    assert open_store(tmp_path / "cineradar.db").count(ENTITY) == 3
    assert crawler.stats.get_value("cineradar/storage/sqlite/replayed") == 3
    await crawler.get_extension(StorageHub).close()


def test_without_the_storage_hub_the_pipeline_says_it_needs_it(make_crawler):
    crawler = make_crawler(EXTENSIONS={PATH: None})
    with pytest.raises(StorageHubDisabled, match=f"^StorePipeline needs the storage hub, but the extension {PATH}"):
        StorePipeline.from_crawler(crawler)


# ------------------------------------------------------------------ permanent faults, said once
async def test_a_file_that_is_not_a_database_fails_the_crawl_at_open_once(make_crawler, store_path, failures):
    _not_a_database(store_path)
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=1))
    pipeline = StorePipeline.from_crawler(crawler)
    await pipeline.open_spider()
    assert crawler.stats.get_value(outcome.FAILED_KEY) == (
        f"storage sqlite: sqlite open failed ({store_path}): file is not a database")
    await pipeline.process_item(showtime(time="18:00"))
    await pipeline.process_item(showtime(time="19:00"))
    await pipeline.close_spider()
    assert len(failures) == 1
    assert crawler.stats.get_value("cineradar/storage/sqlite/not_written") == 2
    await crawler.get_extension(StorageHub).close()


# ------------------------------------------------------------------ retries at close
@pytest.mark.parametrize(("back_after", "expected_delays"), [(None, [0.25, 0.5, 1.0]), (2, [0.25])])
async def test_the_spool_is_replayed_at_close_with_doubling_backoff(make_crawler, store_path, tmp_path, delays,
                                                                    back_after, expected_delays):
    _earlier_spool(tmp_path, showtime(time="17:00"), showtime(time="17:01"))
    crawler = _spider(make_crawler(STORAGE_RETRY_TIMES=3, STORAGE_RETRY_BACKOFF=0.25))
    pipeline = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    real, calls = backend.upsert, []

    def flaky(entity, rows):
        calls.append(len(rows))
        if back_after is None or len(calls) < back_after:
            raise StorageError("connection refused")
        return real(entity, rows)

    backend.upsert = flaky  # type: ignore[method-assign]
    await pipeline.close_spider()
    assert delays == expected_delays
    if back_after is None:
        assert len(calls) == 4
        assert crawler.stats.get_value("cineradar/storage/sqlite/unwritten") == 2
        assert crawler.stats.get_value(f"{outcome.PARTIAL_PREFIX}rows left in {tmp_path / 'spool' / 'sqlite.jsonl'}"
                                       " (run `scrapy storage-replay`)") == 2
    else:
        assert open_store(store_path).count(ENTITY) == 2
        assert crawler.stats.get_value("cineradar/storage/sqlite/unwritten") is None
    await crawler.get_extension(StorageHub).close()


# ------------------------------------------------------------------ refused rows
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_refused_rows_are_counted_named_and_the_rest_recorded_as_seen(make_crawler, store_path, tmp_path):
    crawler = _spider(make_crawler(STORAGE_BATCH_SIZE=4))
    pipeline = StorePipeline.from_crawler(crawler)
    items = [showtime(time=f"18:0{m}") for m in range(4)]
    items[1] = showtime(time="18:01", showtime_id={"not": "text"})
    items[3] = showtime(time="18:03", showtime_id={"not": "text"})
    for item in items:
        await pipeline.process_item(item)
    rejected_path = tmp_path / "spool" / "sqlite.rejected.jsonl"
    assert crawler.stats.get_value("cineradar/storage/sqlite/rejected") == 2
    assert crawler.stats.get_value(f"{outcome.PARTIAL_PREFIX}rows refused by sqlite (see {rejected_path})") == 2
    assert [json.loads(line)["entity"] for line in rejected_path.read_text().splitlines()] == [ENTITY] * 2
    assert crawler.stats.get_value("cineradar/storage/sqlite/not_written") is None
    assert _seen(store_path) == {f"{ENTITY}:{items[i].natural_key()}" for i in (0, 2)}
    await crawler.get_extension(StorageHub).close()
