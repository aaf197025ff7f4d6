"""Keep, drop and count behaviour of each pipeline, and the flush of a partial batch."""

from __future__ import annotations

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import DropItem, NotConfigured

from cineradar.extensions.storage_hub import StorageHub
from cineradar.items import RepertuaryShowtime, TixSeatSnapshot
from cineradar.pipelines.dedup import DedupPipeline
from cineradar.pipelines.freshness import FreshnessPipeline
from cineradar.pipelines.store import StorePipeline
from cineradar.pipelines.validate import ValidationPipeline
from cineradar.storage.base import StorageError
from tests.conftest import open_store

WARSAW = ZoneInfo("Europe/Warsaw")


def showtime(time: str = "18:00", film: str = "bugonia", **overrides: object) -> RepertuaryShowtime:
    date = dt.date(2026, 11, 21)
    hh, mm = (int(x) for x in time.split(":"))
    hh, mm = min(hh, 23), min(mm, 59)  # keep starts_at constructible for invalid times
    values = dict(external_id=f"repertuary_krakow_showtime_{film}_multikino_2026-11-21_{time.replace(':', '_')}",
                  city="krakow", film_slug=film, cinema_slug="multikino", date=date, time=time,
                  starts_at=dt.datetime.combine(date, dt.time(hh, mm), WARSAW), showtime_id="20021845",
                  ticket_url=None)
    values.update(overrides)
    return RepertuaryShowtime.model_construct(**values)


# ------------------------------------------------------------------ validation
def test_validation_keeps_a_valid_item_and_returns_it_validated(make_crawler):
    crawler = make_crawler()
    # Raw values as a parser may leave them: strings where the model wants a date and a datetime.
    raw = showtime(date="2026-11-21", starts_at="2026-11-21T18:00:00+01:00")
    item = ValidationPipeline.from_crawler(crawler).process_item(raw)
    assert isinstance(item, RepertuaryShowtime)
    assert item is not raw
    assert item.date == dt.date(2026, 11, 21) and type(item.date) is dt.date
    assert item.starts_at == dt.datetime(2026, 11, 21, 18, 0, tzinfo=WARSAW)
    assert isinstance(item.starts_at, dt.datetime)
    assert item.row()["starts_at"] == "2026-11-21T18:00:00+01:00"
    assert crawler.stats.get_value("cineradar/valid/repertuary_showtimes") == 1


def test_validation_drops_a_bad_time_and_counts_the_field(make_crawler):
    crawler = make_crawler()
    with pytest.raises(DropItem):
        ValidationPipeline.from_crawler(crawler).process_item(showtime(time="25:61"))
    assert crawler.stats.get_value("cineradar/invalid/repertuary_showtimes/time") == 1
    assert crawler.stats.get_value("cineradar/invalid/repertuary_showtimes") == 1


def test_validation_logs_each_kind_once_at_warning(make_crawler, caplog):
    pipeline = ValidationPipeline.from_crawler(make_crawler())
    for _ in range(3):
        with pytest.raises(DropItem):
            pipeline.process_item(showtime(city=""))
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and "repertuary_showtimes" in r.getMessage()]
    assert len(warnings) == 1


def test_validation_rejects_naive_datetimes(make_crawler):
    crawler = make_crawler()
    with pytest.raises(DropItem):
        ValidationPipeline.from_crawler(crawler).process_item(showtime(starts_at=dt.datetime(2026, 11, 21, 18)))
    assert crawler.stats.get_value("cineradar/invalid/repertuary_showtimes/starts_at") == 1


def test_validation_rejects_sold_above_total(make_crawler):
    crawler = make_crawler()
    snap = TixSeatSnapshot.model_construct(
        snapshot_id="1_morning_0640", showtime_id="1", mode="morning",
        scraped_at=dt.datetime(2026, 11, 21, 6, 40, tzinfo=dt.UTC), date=dt.date(2026, 11, 21), time="13:35",
        merchant="XXI", total_seats=10, unavailable_seats=11, available_seats=-1, occupancy_pct=110.0)
    with pytest.raises(DropItem):
        ValidationPipeline.from_crawler(crawler).process_item(snap)
    assert crawler.stats.get_value("cineradar/invalid/tix_seat_snapshots") == 1


def test_validation_drops_untyped_items(make_crawler):
    crawler = make_crawler()
    with pytest.raises(DropItem):
        ValidationPipeline.from_crawler(crawler).process_item({"title": "x"})
    assert crawler.stats.get_value("cineradar/invalid/untyped") == 1


# ------------------------------------------------------------------ dedup
def test_dedup_keeps_first_drops_and_counts_the_second(make_crawler):
    crawler = make_crawler()
    pipeline = DedupPipeline.from_crawler(crawler)
    pipeline.process_item(showtime())
    pipeline.process_item(showtime(time="20:00"))
    with pytest.raises(DropItem):
        pipeline.process_item(showtime())
    assert crawler.stats.get_value("cineradar/duplicate/repertuary_showtimes") == 1


# ------------------------------------------------------------------ freshness
async def _through_freshness(crawler, items, force=False):
    """Items through freshness then store (which records what it stored as seen)."""
    crawler.spider = type("S", (), {"force": force, "name": "t"})()
    pipeline = FreshnessPipeline.from_crawler(crawler)
    store = StorePipeline.from_crawler(crawler)
    kept = []
    for item in items:
        try:
            kept.append(await store.process_item(await pipeline.process_item(item)))
        except DropItem:
            pass
    await store.close_spider()
    await crawler.get_extension(StorageHub).close()
    return kept


async def test_freshness_skips_items_seen_in_an_earlier_run(make_crawler):
    first = make_crawler()
    assert len(await _through_freshness(first, [showtime(), showtime(time="20:00")])) == 2
    second = make_crawler()
    kept = await _through_freshness(second, [showtime(), showtime(time="21:00")])
    assert [i.time for i in kept] == ["21:00"]
    assert second.stats.get_value("cineradar/fresh_skipped/repertuary_showtimes") == 1


async def test_freshness_force_bypasses_the_check(make_crawler):
    await _through_freshness(make_crawler(), [showtime()])
    kept = await _through_freshness(make_crawler(), [showtime()], force=True)
    assert len(kept) == 1


async def test_freshness_forgets_after_the_threshold(make_crawler, store_path):
    store = open_store(store_path)
    store.mark_seen("repertuary", [f"repertuary_showtimes:{showtime().natural_key()}"],
                    dt.datetime.now(dt.UTC) - dt.timedelta(hours=25))
    store.close()
    assert len(await _through_freshness(make_crawler(), [showtime()])) == 1


def test_freshness_is_off_without_thresholds(make_crawler):
    with pytest.raises(NotConfigured):
        FreshnessPipeline.from_crawler(make_crawler(FRESHNESS_HOURS={}))


# ------------------------------------------------------------------ store
async def test_store_flushes_full_batches_and_the_partial_one_on_close(make_crawler, store_path):
    crawler = make_crawler(STORAGE_BATCH_SIZE=3)
    pipeline = StorePipeline.from_crawler(crawler)
    for minute in range(7):
        await pipeline.process_item(showtime(time=f"18:{minute:02d}"))
    store = open_store(store_path)
    assert store.count("repertuary_showtimes") == 6  # two full batches, one item still buffered
    await pipeline.close_spider()
    assert store.count("repertuary_showtimes") == 7
    await crawler.get_extension(StorageHub).close()


async def test_store_upserts_so_a_second_run_adds_no_rows(make_crawler, store_path):
    for _ in range(2):
        crawler = make_crawler()
        pipeline = StorePipeline.from_crawler(crawler)
        for minute in range(5):
            await pipeline.process_item(showtime(time=f"18:{minute:02d}"))
        await pipeline.close_spider()
        await crawler.get_extension(StorageHub).close()
    assert open_store(store_path).count("repertuary_showtimes") == 5


async def test_store_spools_a_failing_batch_and_replays_it_at_close(make_crawler, store_path, tmp_path):
    crawler = make_crawler(STORAGE_BATCH_SIZE=2, STORAGE_RETRY_TIMES=1, STORAGE_RETRY_BACKOFF=0.01)
    pipeline = StorePipeline.from_crawler(crawler)
    hub = crawler.get_extension(StorageHub)
    backend = hub.backends["sqlite"]
    real_upsert = backend.upsert
    failing = {"on": True}

    def flaky(entity, rows):
        if failing["on"]:
            raise OSError("disk unplugged")
        return real_upsert(entity, rows)

    backend.upsert = flaky  # type: ignore[method-assign]
    await pipeline.process_item(showtime(time="18:00"))
    await pipeline.process_item(showtime(time="18:01"))
    assert crawler.stats.get_value("cineradar/storage/sqlite/spooled") == 2
    assert (tmp_path / "spool" / "sqlite.jsonl").exists()
    failing["on"] = False
    await pipeline.close_spider()
    assert crawler.stats.get_value("cineradar/storage/sqlite/replayed") == 2
    assert not (tmp_path / "spool" / "sqlite.jsonl").exists()
    assert open_store(store_path).count("repertuary_showtimes") == 2
    await hub.close()


async def test_store_reports_rows_it_could_not_write(make_crawler, tmp_path):
    crawler = make_crawler(STORAGE_BATCH_SIZE=1, STORAGE_RETRY_TIMES=0)
    pipeline = StorePipeline.from_crawler(crawler)
    hub = crawler.get_extension(StorageHub)

    def broken(entity, rows):
        raise OSError("read-only file system")

    hub.backends["sqlite"].upsert = broken  # type: ignore[method-assign]
    await pipeline.process_item(showtime())
    await pipeline.close_spider()
    assert crawler.stats.get_value("cineradar/storage/sqlite/unwritten") == 1
    assert (tmp_path / "spool" / "sqlite.jsonl").read_text().count("\n") == 1
    await hub.close()


def test_validation_drops_text_with_a_nul_byte(make_crawler):
    crawler = make_crawler()
    with pytest.raises(DropItem):
        ValidationPipeline.from_crawler(crawler).process_item(showtime(film="bugonia\x00"))
    assert crawler.stats.get_value("cineradar/invalid/repertuary_showtimes/__root__") == 1


# ------------------------------------------------------------------ freshness after storage
async def test_freshness_state_is_loaded_once_for_100_items_arriving_together(make_crawler, store_path):
    await _through_freshness(make_crawler(), [showtime(time=f"10:{m:02d}") for m in range(50)])
    crawler = make_crawler()
    crawler.spider = type("S", (), {"force": False, "name": "t"})()
    pipeline = FreshnessPipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    calls = []
    real = backend.seen_since
    backend.seen_since = lambda *a: calls.append(a) or real(*a)  # type: ignore[method-assign]
    results = await asyncio.gather(*(pipeline.process_item(showtime(time=f"{10 + m // 60}:{m % 60:02d}"))
                                     for m in range(100)), return_exceptions=True)
    assert len(calls) == 1
    assert sum(isinstance(r, DropItem) for r in results) == 50
    await crawler.get_extension(StorageHub).close()


async def test_freshness_state_unreadable_warns_once_for_100_items(make_crawler, caplog):
    crawler = make_crawler()
    crawler.spider = type("S", (), {"force": False, "name": "t"})()
    pipeline = FreshnessPipeline.from_crawler(crawler)

    def down(*args):
        raise StorageError("connection refused")

    crawler.get_extension(StorageHub).backends["sqlite"].seen_since = down  # type: ignore[method-assign]
    kept = await asyncio.gather(*(pipeline.process_item(showtime(time=f"10:{m:02d}")) for m in range(60)))
    assert len(kept) == 60
    assert caplog.text.count("freshness state of repertuary unreadable") == 1
    await crawler.get_extension(StorageHub).close()


async def test_keys_are_recorded_as_seen_only_once_their_rows_are_stored(make_crawler, store_path):
    crawler = make_crawler(STORAGE_BATCH_SIZE=2, STORAGE_RETRY_TIMES=0)
    crawler.spider = type("S", (), {"force": False, "name": "t"})()
    store = StorePipeline.from_crawler(crawler)
    backend = crawler.get_extension(StorageHub).backends["sqlite"]
    real = backend.upsert
    backend.upsert = lambda *a: (_ for _ in ()).throw(StorageError("locked"))  # type: ignore[method-assign]
    await store.process_item(showtime(time="18:00"))
    await store.process_item(showtime(time="18:01"))  # batch full: not written, spooled
    since = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert await crawler.get_extension(StorageHub).call("sqlite", lambda b: b.seen_since("repertuary", since)) == set()
    backend.upsert = real  # type: ignore[method-assign]
    await store.process_item(showtime(time="18:02"))
    await store.process_item(showtime(time="18:03"))  # queued behind the spool, in order
    assert await crawler.get_extension(StorageHub).call("sqlite", lambda b: b.seen_since("repertuary", since)) == set()
    await store.close_spider()  # the spool is replayed at close: written, then recorded
    assert open_store(store_path).count("repertuary_showtimes") == 4
    seen = await crawler.get_extension(StorageHub).call("sqlite", lambda b: b.seen_since("repertuary", since))
    keys = [showtime(time=f"18:0{m}").natural_key() for m in range(4)]
    assert seen == {f"repertuary_showtimes:{key}" for key in keys}
    await crawler.get_extension(StorageHub).close()


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_a_batch_with_a_poison_row_is_bisected_and_the_rest_written(make_crawler, store_path, tmp_path):
    crawler = make_crawler(STORAGE_BATCH_SIZE=8)
    crawler.spider = type("S", (), {"force": False, "name": "t"})()
    store = StorePipeline.from_crawler(crawler)
    items = [showtime(time=f"18:{m:02d}") for m in range(8)]
    items[5] = showtime(time="18:05", showtime_id={"not": "text"})  # SQLite cannot bind a dict
    for item in items:
        await store.process_item(item)
    await store.close_spider()
    assert open_store(store_path).count("repertuary_showtimes") == 7
    assert crawler.stats.get_value("cineradar/storage/sqlite/rejected") == 1
    rejected = (tmp_path / "spool" / "sqlite.rejected.jsonl").read_text().splitlines()
    assert len(rejected) == 1 and "Error binding parameter" in rejected[0]
    await crawler.get_extension(StorageHub).close()
