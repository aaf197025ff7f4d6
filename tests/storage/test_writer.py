"""The storage writer's policy without a crawler: retries, the spool and its replay schedule on an
injected clock, bisected refused rows, permanent faults said once, seen marks only once durable.

Real SQLite stores and spool files on disk; the backends' worker threads are the StorageHub's,
built from plain settings (no crawler, no engine). What the writer tells the crawl (``fail``,
``partial``) and its backoff waits are recorded by the test."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from scrapy.settings import Settings

from cineradar.extensions.storage_hub import StorageHub
from cineradar.storage.base import StorageError
from cineradar.storage.freshness import seen_key
from cineradar.storage.spool import Spool
from cineradar.storage.writer import StorageWriter, Tally, WriterOptions
from tests.conftest import open_store
from tests.pipelines.test_pipelines import showtime

ENTITY = "repertuary_showtimes"


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Told:
    """What the writer told the crawl: every fail() message, partial() counts by reason."""

    def __init__(self) -> None:
        self.failures: list[str] = []
        self.partials: dict[str, int] = {}

    def fail(self, message: str) -> None:
        self.failures.append(message)

    def partial(self, reason: str, count: int) -> None:
        self.partials[reason] = self.partials.get(reason, 0) + count


class Setup:
    def __init__(self, tmp_path: Path, backends: list[str], spool_dir: Path | None, **options: float) -> None:
        self.store_path = tmp_path / "cineradar.db"
        self.spool_dir = spool_dir or tmp_path / "spool"
        self.hub = StorageHub(Settings({"STORAGE_BACKENDS": backends, "SQLITE_PATH": str(self.store_path),
                                        "STORAGE_SPOOL_DIR": str(self.spool_dir)}))
        self.told, self.stats, self.delays = Told(), Tally(), []
        self.clock = Clock(100.0)

        async def sleep(delay: float) -> None:
            self.delays.append(delay)

        values = {"batch_size": 500, "retry_times": 3, "retry_backoff": 0.5, "spool_retry_interval": 5.0} | options
        self.writer = StorageWriter(self.hub, WriterOptions(spool_dir=self.spool_dir, **values),  # type: ignore[arg-type]
                                    fail=self.told.fail, partial=self.told.partial, stats=self.stats,
                                    clock=self.clock, sleep=sleep)

    @property
    def sqlite(self):
        return self.hub.backends["sqlite"]

    async def write(self, *items):
        return await self.writer.write(ENTITY, [i.row() for i in items], [("repertuary", seen_key(i)) for i in items])

    def stored(self) -> int:
        return open_store(self.store_path).count(ENTITY)

    def seen(self) -> set[str]:
        return open_store(self.store_path).seen_since("repertuary", dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))

    def spool(self) -> Spool:
        return Spool(self.spool_dir, "sqlite")

    def stat(self, key: str):
        return self.stats.get_value(f"cineradar/storage/{key}")


@pytest.fixture
async def setup(tmp_path):
    made: list[Setup] = []

    def make(backends=("sqlite",), spool_dir=None, **options) -> Setup:
        made.append(Setup(tmp_path, list(backends), spool_dir, **options))
        return made[-1]

    yield make
    for one in made:
        await one.hub.close()


def _down(backend):
    """Make the backend's writes fail as an outage; return the list of attempted batch sizes."""
    calls: list[int] = []

    def upsert(entity, rows):
        calls.append(len(rows))
        raise StorageError("connection refused")

    backend.upsert = upsert
    return calls


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"this is not sqlite" * 100)


# ------------------------------------------------------------------ written, then marked seen
async def test_a_batch_is_written_and_its_keys_recorded_as_seen_at_the_crawl_start(setup):
    s = setup()
    items = [showtime(time="18:00"), showtime(time="18:01")]
    assert await s.write(*items) == {"sqlite": "written"}
    assert s.stored() == 2 and s.stat(f"sqlite/{ENTITY}") == 2
    assert s.seen() == {seen_key(i) for i in items}
    assert s.told.failures == [] and s.told.partials == {}


async def test_rows_without_a_mark_are_written_and_not_recorded_as_seen(setup):
    s = setup()
    items = [showtime(time="18:00"), showtime(time="18:01")]
    await s.writer.write(ENTITY, [i.row() for i in items], [None, ("repertuary", seen_key(items[1]))])
    assert s.stored() == 2 and s.seen() == {seen_key(items[1])}


async def test_an_empty_batch_touches_no_backend(setup):
    s = setup()
    calls = _down(s.sqlite)
    assert await s.writer.write(ENTITY, [], []) == {}
    assert calls == []


# ------------------------------------------------------------------ retries and the spool
async def test_a_write_is_tried_with_doubling_backoff_then_spooled_with_its_marks(setup):
    s = setup(retry_times=3, retry_backoff=0.25)
    calls = _down(s.sqlite)
    assert await s.write(showtime()) == {"sqlite": "spooled"}
    assert calls == [1] * 4 and s.delays == [0.25, 0.5, 1.0]
    assert s.stat("sqlite/errors") == 4 and s.stat("sqlite/spooled") == 1
    (record,) = [json.loads(line) for line in s.spool().path.read_text().splitlines()]
    assert record["seen"][:2] == ["repertuary", seen_key(showtime())]
    assert dt.datetime.fromisoformat(record["seen"][2]) == s.writer.started
    assert s.writer.started.utcoffset() == dt.timedelta(0)
    assert s.seen() == set()   # not stored yet: not recorded as seen


async def test_a_write_that_succeeds_on_a_retry_is_not_spooled(setup):
    s = setup(retry_times=3, retry_backoff=0.5)
    real, calls = s.sqlite.upsert, []

    def flaky(entity, rows):
        calls.append(len(rows))
        if len(calls) < 3:
            raise StorageError("connection refused")
        return real(entity, rows)

    s.sqlite.upsert = flaky
    assert await s.write(showtime()) == {"sqlite": "written"}
    assert s.delays == [0.5, 1.0] and s.stored() == 1 and not s.spool().exists()


@pytest.mark.parametrize("interval", [5.0, 60.0])
async def test_a_spool_is_replayed_again_once_its_interval_has_passed(setup, interval):
    s = setup(retry_times=0, spool_retry_interval=interval)
    real = s.sqlite.upsert
    _down(s.sqlite)
    await s.write(showtime(time="18:00"))   # fails: spooled, next replay at 100 + interval
    s.sqlite.upsert = real
    s.clock.now = 100.0 + interval - 0.5
    assert await s.write(showtime(time="18:01")) == {"sqlite": "spooled"}   # queued behind it, not due yet
    assert s.stored() == 0
    s.clock.now = 100.0 + interval   # due now
    await s.write(showtime(time="18:02"))
    assert s.stored() == 3 and s.stat("sqlite/replayed") == 3
    assert len(s.seen()) == 3   # the replay records the spooled marks


async def test_a_failed_replay_is_not_tried_again_before_its_interval(setup):
    s = setup(spool_retry_interval=5.0)
    s.spool().append(ENTITY, [showtime(time="17:00").row()])
    calls = _down(s.sqlite)
    await s.write(showtime(time="18:00"))   # queued; the replay fails: next try at 105
    assert s.stat("sqlite/errors") == 1
    s.clock.now = 104.5
    await s.write(showtime(time="18:01"))
    assert len(calls) == 1 and s.stat("sqlite/errors") == 1
    s.clock.now = 105.0
    await s.write(showtime(time="18:02"))
    assert len(calls) == 2 and s.stat("sqlite/errors") == 2


async def test_an_earlier_spool_is_replayed_at_the_first_batch_whatever_the_clock_reads(setup):
    s = setup()
    s.spool().append(ENTITY, [showtime(time="17:00").row()])
    s.clock.now = 0.0   # a monotonic clock's origin is arbitrary
    await s.write(showtime(time="18:00"))
    assert s.stored() == 2 and not s.spool().exists()


# ------------------------------------------------------------------ permanent faults, said once
async def test_a_file_that_is_not_a_database_fails_at_open_once_and_nothing_is_written(setup):
    s = setup()
    _not_a_database(s.store_path)
    await s.writer.open()
    assert s.told.failures == [f"storage sqlite: sqlite open failed ({s.store_path}): file is not a database"]
    assert await s.write(showtime(time="18:00")) == {"sqlite": "failed"}
    await s.write(showtime(time="19:00"))
    await s.writer.close()
    assert len(s.told.failures) == 1 and s.stat("sqlite/not_written") == 2 and s.delays == []


async def test_a_healthy_backend_opens_without_a_warning(setup, caplog):
    s = setup()
    await s.writer.open()
    assert s.told.failures == [] and "not reachable" not in caplog.text


async def test_an_outage_at_open_only_warns(setup, caplog):
    s = setup()
    s.sqlite.open = lambda specs: (_ for _ in ()).throw(StorageError("connection refused"))
    await s.writer.open()
    assert s.told.failures == []
    assert "storage sqlite: not reachable at start (connection refused); writes will retry, then spool" in caplog.text


async def test_a_permanent_error_on_the_first_write_fails_once_and_is_not_retried(setup):
    s = setup()
    _not_a_database(s.store_path)
    await s.write(showtime(time="18:00"))   # no open(): the write opens the file
    await s.write(showtime(time="19:00"))
    assert s.told.failures == [f"storage sqlite: sqlite open failed ({s.store_path}): file is not a database"]
    assert s.stat("sqlite/not_written") == 2 and s.stat("sqlite/errors") is None and s.delays == []


async def test_a_permanent_error_while_replaying_fails_once_and_stops_the_retries(setup):
    s = setup()
    _not_a_database(s.store_path)
    s.spool().append(ENTITY, [showtime(time="17:00").row()])
    await s.write(showtime(time="18:00"))   # queued behind the spool; the replay opens the file
    await s.write(showtime(time="19:00"))
    await s.writer.close()
    assert s.told.failures == [f"storage sqlite: sqlite open failed ({s.store_path}): file is not a database"]
    assert s.stat("sqlite/not_written") == 1 and s.delays == [] and s.stat("sqlite/unwritten") is None
    assert s.spool().count() == 2


async def test_a_spool_that_cannot_be_read_at_close_fails_once(setup, tmp_path):
    s = setup()
    s.spool().path.mkdir(parents=True)   # a folder where the spool file goes
    await s.writer.close()
    assert s.told.failures == [f"storage sqlite: spool {s.spool().path} unusable (Is a directory)"]
    assert s.delays == []


async def test_a_spool_that_cannot_be_made_fails_and_counts_the_rows(setup, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    s = setup(retry_times=0, spool_dir=blocker)
    _down(s.sqlite)
    assert await s.write(showtime()) == {"sqlite": "failed"}
    assert len(s.told.failures) == 1
    assert s.told.failures[0].startswith(f"storage sqlite: 1 {ENTITY} rows could not be written to the spool")
    assert s.stat("sqlite/not_written") == 1


async def test_a_misconfigured_second_backend_fails_and_nothing_is_recorded_as_seen(setup):
    s = setup(backends=("sqlite", "nosuch"))
    await s.writer.open()
    assert await s.write(showtime(time="18:00"), showtime(time="18:01")) == {"sqlite": "written", "nosuch": "failed"}
    assert s.told.failures == ["storage nosuch: unknown storage backend 'nosuch'; allowed: sqlite, postgres, firestore"]
    assert s.stored() == 2
    assert s.seen() == set()   # not durable everywhere: the next run stores them again
    assert s.stat("nosuch/not_written") == 2 and s.stat("sqlite/not_written") is None


async def test_every_backend_is_checked_at_open_even_after_one_failed(setup):
    s = setup(backends=("nosuch", "sqlite"))
    _not_a_database(s.store_path)
    await s.writer.open()
    assert [f.split(":")[0] for f in s.told.failures] == ["storage nosuch", "storage sqlite"]


async def test_the_primary_spools_no_seen_marks_while_another_backend_fails(setup):
    s = setup(backends=("sqlite", "nosuch"), retry_times=0)
    await s.writer.open()
    _down(s.sqlite)
    await s.write(showtime())
    (record,) = [json.loads(line) for line in s.spool().path.read_text().splitlines()]
    assert "seen" not in record


async def test_a_failed_seen_mark_is_counted_and_the_rows_stay_stored(setup):
    s = setup()

    def broken(source, keys, when):
        raise StorageError("connection lost")

    s.sqlite.mark_seen = broken
    await s.write(showtime(time="18:00"), showtime(time="18:01"))
    assert s.stored() == 2 and s.stats.get_value("cineradar/freshness/repertuary/unrecorded") == 2
    assert s.told.failures == []


# ------------------------------------------------------------------ retries at close
@pytest.mark.parametrize(("back_after", "expected_delays"), [(None, [0.25, 0.5, 1.0]), (2, [0.25])])
async def test_the_spool_is_replayed_at_close_with_doubling_backoff(setup, back_after, expected_delays):
    s = setup(retry_times=3, retry_backoff=0.25)
    s.spool().append(ENTITY, [showtime(time="17:00").row(), showtime(time="17:01").row()])
    real, calls = s.sqlite.upsert, []

    def flaky(entity, rows):
        calls.append(len(rows))
        if back_after is None or len(calls) < back_after:
            raise StorageError("connection refused")
        return real(entity, rows)

    s.sqlite.upsert = flaky
    await s.writer.close()
    assert s.delays == expected_delays
    if back_after is None:
        assert len(calls) == 4 and s.stat("sqlite/unwritten") == 2
        assert s.told.partials == {f"rows left in {s.spool().path} (run `scrapy storage-replay`)": 2}
    else:
        assert s.stored() == 2 and s.stat("sqlite/unwritten") is None and s.told.partials == {}


async def test_close_without_a_spool_does_nothing(setup):
    s = setup()
    calls = _down(s.sqlite)
    await s.writer.close()
    assert calls == [] and s.delays == [] and s.told.partials == {}


# ------------------------------------------------------------------ refused rows, bisected
@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_refused_rows_are_set_aside_counted_named_and_the_rest_recorded_as_seen(setup):
    s = setup()
    items = [showtime(time=f"18:0{m}") for m in range(4)]
    items[1] = showtime(time="18:01", showtime_id={"not": "text"})
    items[3] = showtime(time="18:03", showtime_id={"not": "text"})
    assert await s.write(*items) == {"sqlite": "written"}
    rejected = s.spool().rejected_path
    assert s.stat("sqlite/rejected") == 2
    assert s.told.partials == {f"rows refused by sqlite (see {rejected})": 2}
    assert [json.loads(line)["entity"] for line in rejected.read_text().splitlines()] == [ENTITY] * 2
    assert s.stored() == 2 and s.stat("sqlite/not_written") is None
    assert s.seen() == {seen_key(items[i]) for i in (0, 2)}


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_refused_rows_that_cannot_be_set_aside_fail_and_stop_the_writes(setup):
    s = setup()
    s.spool().rejected_path.mkdir(parents=True)   # a folder where the file goes
    await s.write(showtime(time="18:00"), showtime(time="18:01", showtime_id={"not": "text"}))
    assert len(s.told.failures) == 1
    assert f"refused {ENTITY} rows could not be set aside" in s.told.failures[0]
    await s.write(showtime(time="18:02"), showtime(time="18:03"))
    assert len(s.told.failures) == 1
    assert s.stored() == 1   # only the good row of the first batch
    assert s.stat("sqlite/not_written") == 4 and s.seen() == set()


@pytest.mark.filterwarnings("ignore:Pydantic serializer warnings")
async def test_rows_refused_while_replaying_are_counted(setup):
    s = setup()
    s.spool().append(ENTITY, [showtime(time="17:00").row(),
                              showtime(time="17:01", showtime_id={"not": "text"}).row()])
    await s.write(showtime(time="18:00"))
    assert s.stat("sqlite/rejected") == 1
    assert s.told.partials == {f"rows refused by sqlite (see {s.spool().rejected_path})": 1}
    assert s.stored() == 2


async def test_a_replay_writes_the_spool_in_batches_of_the_batch_size(setup):
    s = setup(batch_size=2)
    s.spool().append(ENTITY, [showtime(time=f"17:0{m}").row() for m in range(3)])
    real, sizes = s.sqlite.upsert, []

    def counted(entity, rows):
        sizes.append(len(rows))
        return real(entity, rows)

    s.sqlite.upsert = counted
    await s.writer.close()
    assert sizes == [2, 1] and s.stored() == 3


async def test_a_writer_without_a_stats_collector_counts_in_its_own_tally(tmp_path):
    hub = StorageHub(Settings({"STORAGE_BACKENDS": ["sqlite"], "SQLITE_PATH": str(tmp_path / "cineradar.db")}))
    told = Told()
    writer = StorageWriter(hub, WriterOptions(batch_size=500, retry_times=0, retry_backoff=0.5,
                                              spool_retry_interval=5.0, spool_dir=tmp_path / "spool"),
                           fail=told.fail, partial=told.partial)
    await writer.write(ENTITY, [showtime().row()], [None])
    assert isinstance(writer.stats, Tally) and writer.stats.get_value(f"cineradar/storage/sqlite/{ENTITY}") == 1
    assert writer.stats.get_value("cineradar/storage/sqlite/errors", "none") == "none"
    await hub.close()
