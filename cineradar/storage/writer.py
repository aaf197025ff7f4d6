"""The write policy: batches to every backend, retried, spooled, bisected, replayed, then marked seen.

No Scrapy imports: the store pipeline (pipelines/store.py) only buffers items and hands each
batch to ``StorageWriter.write``; the crawl's parts come in as plain objects (the backends'
worker threads, a stats collector, what to tell the crawl's outcome), so this is tested
without a crawler (tests/storage/test_writer.py). Every backend call and spool file operation
runs on that backend's own worker thread (``Backends.call`` / ``Backends.run``), never on the
event loop. Per batch and backend, errors are told apart (storage/base.py):

* an outage (``StorageError``: connection refused or lost, a timeout) is retried with
  exponential backoff; if it still fails, the batch goes to the backend's JSONL spool.
  From then on (and whenever a spool is left by an earlier run or another process) that
  backend's batches are appended behind the spooled rows, so an older version of a row
  never overwrites a newer one, and the spool is replayed in order at most every
  ``spool_retry_interval`` seconds, so a backend that comes back catches up;
* rows refused as data (``RejectedDataError``) are found by bisecting the batch and set
  aside in ``<backend>.rejected.jsonl``; the rest of the batch is written;
* a permanent error (``PermanentStorageError``: read-only or corrupt database, bad
  credentials) and a spool that cannot be written (read-only folder, disk full) stop
  the crawl at once with one line (``fail``): retrying would only hide them.

Freshness after storage: a batch's keys are recorded as seen (``record_seen`` in the
primary backend, storage/freshness.py) only once its rows are durable: written to the
primary and written or spooled for every other backend. Rows the primary spooled carry
their keys in its spool; the replay records them once it has written them. A crash between
a write and its mark only stores the rows again next time (upserts are idempotent).

At close the spool is replayed once more, with the same retries; rows left in it
(``scrapy storage-replay`` writes them later) and refused rows make the crawl PARTIAL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol, TypeVar

from cineradar.storage.base import PermanentStorageError
from cineradar.storage.freshness import Seen, record_seen
from cineradar.storage.spool import Spool, upsert_bisecting

logger = logging.getLogger(__name__)
T = TypeVar("T")

Written = Literal["written", "spooled", "failed"]
Mark = tuple[str, str]  # (source, freshness key) of a row to record as seen once durable


class Backends(Protocol):
    """The crawl's open backends, one worker thread each (extensions/storage_hub.py's StorageHub)."""

    names: list[str]
    errors: dict[str, PermanentStorageError]

    @property
    def primary(self) -> str: ...

    async def run(self, name: str, func: Callable[..., T], *args: Any) -> T: ...

    async def call(self, name: str, func: Callable[..., T], *args: Any) -> T: ...


class Stats(Protocol):
    """Scrapy's stats collector fits; so does ``Tally``."""

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...

    def set_value(self, key: str, value: Any) -> None: ...

    def get_value(self, key: str, default: Any = None) -> Any: ...


class Tally:
    """Counts kept in a dict, for a writer outside a crawl (tests, scripts)."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.values[key] = self.values.get(key, start) + count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value

    def get_value(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


@dataclass(frozen=True)
class WriterOptions:
    """The write policy's knobs: STORAGE_* settings (defaults in cineradar/settings.py)."""

    batch_size: int  # rows per upsert when a spool is replayed (the pipeline's batches are this size too)
    retry_times: int  # retries of a failed batch after the first attempt
    retry_backoff: float  # seconds before the first retry, doubled per retry
    spool_retry_interval: float  # seconds between replays of a backend's spool during a crawl
    spool_dir: str | Path


class StorageWriter:
    """Writes batches to every backend of ``backends`` under the policy of this module.

    ``fail(message)`` stops the crawl (FAILED, one line); ``partial(reason, count)`` makes it
    PARTIAL. ``started`` is when the crawl started: the time its keys are marked seen.
    ``clock`` (seconds, for replay schedules; default the event loop's) and ``sleep`` (the
    backoff) may be injected.
    """

    def __init__(self, backends: Backends, options: WriterOptions, *, fail: Callable[[str], None],
                 partial: Callable[[str, int], None], stats: Stats | None = None,
                 started: dt.datetime | None = None, clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None) -> None:
        self.backends = backends
        self.options = options
        self.fail = fail
        self.partial = partial
        self.stats: Stats = stats if stats is not None else Tally()
        self.started = started or dt.datetime.now(dt.UTC)
        self.clock: Callable[[], float] = clock or (lambda: asyncio.get_running_loop().time())
        self.sleep: Callable[[float], Awaitable[None]] = sleep or (lambda delay: asyncio.sleep(delay))
        self.spools = {name: Spool(options.spool_dir, name) for name in backends.names}
        self._next_replay: dict[str, float] = {}  # backend -> clock time of the next spool replay
        self.broken: set[str] = set()  # backends that hit a permanent error: the crawl is failing

    async def open(self) -> None:
        """Open every backend now: a permanent error (corrupt or read-only database file, bad
        credentials) stops the crawl before anything is fetched; an outage is only logged here
        (the first batch retries it, then spools)."""
        for name in self.backends.names:
            if name in self.backends.errors:
                self._permanent(name, self.backends.errors[name])
                continue
            try:
                await self.backends.call(name, lambda b: None)
            except PermanentStorageError as exc:
                self._permanent(name, exc)
            except Exception as exc:  # noqa: BLE001 - an outage: retried by the writes
                logger.warning("storage %s: not reachable at start (%s); writes will retry, then spool", name, exc)

    def _permanent(self, name: str, exc: Exception) -> None:
        self.broken.add(name)
        self.fail(f"storage {name}: {exc}")

    async def write(self, entity: str, rows: list[dict[str, Any]], marks: list[Mark | None]) -> dict[str, Written]:
        """Write one batch to every backend (``marks`` parallel to ``rows``); record its keys as
        seen once durable everywhere. Returns backend -> what became of the batch there."""
        if not rows:
            return {}
        seen: list[Seen | None] = [(mark[0], mark[1], self.started) if mark else None for mark in marks]
        names = self.backends.names
        results = await asyncio.gather(*(self._write(name, entity, rows, seen) for name in names))
        outcomes = dict(zip(names, results, strict=True))
        for name, (status, _) in outcomes.items():
            if status == "failed":  # the crawl is failing (fail): count what that backend misses
                self.stats.inc_value(f"cineradar/storage/{name}/not_written", len(rows))
        statuses = {name: status for name, (status, _) in outcomes.items()}
        if statuses[self.backends.primary] != "written" or "failed" in statuses.values():
            return statuses  # not durable everywhere: not recorded as seen, so the next run stores it again
        refused = set().union(*(bad for _, bad in outcomes.values()))
        await self._mark_seen([mark for i, mark in enumerate(marks) if mark and i not in refused])
        return statuses

    async def _mark_seen(self, marks: list[Mark]) -> None:
        by_source: dict[str, list[Seen]] = {}
        for source, key in marks:
            by_source.setdefault(source, []).append((source, key, self.started))
        for source, seen in by_source.items():
            try:
                await self.backends.call(self.backends.primary, record_seen, seen)
            except Exception as exc:  # noqa: BLE001 - rows are stored; the next run only stores them again
                self.stats.inc_value(f"cineradar/freshness/{source}/unrecorded", len(seen))
                logger.warning("storage: %d %s keys stored but not recorded as seen (%s); the next run "
                               "stores them again", len(seen), source, exc)

    async def _write(self, name: str, entity: str, rows: list[dict[str, Any]],
                     seen: list[Seen | None]) -> tuple[Written, set[int]]:
        """Write a batch to one backend: (what became of it, indexes of the rows it refused)."""
        if name in self.broken:
            return "failed", set()
        spool = self.spools[name]
        if await self.backends.run(name, spool.exists):  # earlier rows wait there: queue behind them, keep the order
            status = await self._spool(name, entity, rows, seen)
            if status == "spooled":
                await self._replay(name)
            return status, set()
        delay = self.options.retry_backoff
        retry_times = self.options.retry_times
        for attempt in range(retry_times + 1):
            try:
                written, refused = await self.backends.call(name, upsert_bisecting, entity, rows)
            except PermanentStorageError as exc:
                self._permanent(name, exc)
                return "failed", set()
            except Exception as exc:  # noqa: BLE001 - any other driver error means "not written (yet)"
                self.stats.inc_value(f"cineradar/storage/{name}/errors")
                if attempt == retry_times:
                    logger.error("storage %s: %d %s rows failed after %d attempts (%s)",
                                 name, len(rows), entity, attempt + 1, exc)
                    self._next_replay[name] = self.clock() + self.options.spool_retry_interval
                    return await self._spool(name, entity, rows, seen), set()
                logger.warning("storage %s: writing %d %s rows failed (%s); retry in %.1f s",
                               name, len(rows), entity, exc, delay)
                await self.sleep(delay)
                delay *= 2
            else:
                self.stats.inc_value(f"cineradar/storage/{name}/{entity}", written)
                if refused and not await self._set_aside(name, entity, [(rows[i], e) for i, e in refused]):
                    return "failed", set()
                return "written", {i for i, _ in refused}
        raise AssertionError("unreachable")

    async def _spool(self, name: str, entity: str, rows: list[dict[str, Any]], seen: list[Seen | None]) -> Written:
        spool = self.spools[name]
        # The primary holds the freshness state: its spooled rows carry their keys, recorded as
        # seen when the replay has written them (never while another backend is failing).
        marks = seen if name == self.backends.primary and not self.broken else None
        try:
            await self.backends.run(name, spool.append, entity, rows, marks)
        except OSError as exc:  # read-only folder, disk full: these rows would be lost, say so and stop
            self.broken.add(name)
            self.fail(f"storage {name}: {len(rows)} {entity} rows could not be written to "
                      f"the spool {spool.path} ({exc.strerror or exc}); they are not stored")
            return "failed"
        self.stats.inc_value(f"cineradar/storage/{name}/spooled", len(rows))
        logger.warning("storage %s: %d %s rows spooled to %s", name, len(rows), entity, spool.path)
        return "spooled"

    async def _set_aside(self, name: str, entity: str, refused: list[tuple[dict[str, Any], str]]) -> bool:
        spool = self.spools[name]
        try:
            await self.backends.run(name, spool.reject, entity, refused)
        except OSError as exc:
            self.broken.add(name)
            self.fail(f"storage {name}: {len(refused)} refused {entity} rows could not be "
                      f"set aside in {spool.rejected_path} ({exc.strerror or exc})")
            return False
        self._rejected(name, len(refused))
        logger.error("storage %s: %d %s rows refused (%s); kept in %s", name, len(refused), entity,
                     refused[0][1], spool.rejected_path)
        return True

    def _rejected(self, name: str, count: int) -> None:
        if count:
            self.stats.inc_value(f"cineradar/storage/{name}/rejected", count)
            self.partial(f"rows refused by {name} (see {self.spools[name].rejected_path})", count)

    async def _replay(self, name: str, force: bool = False) -> None:
        """Replay the backend's spool in order if due (or ``force``); on failure the rows stay spooled."""
        if not force and self.clock() < self._next_replay.get(name, 0.0):
            return
        spool = self.spools[name]
        try:
            replayed = await self.backends.call(name, spool.replay, self.options.batch_size)
        except PermanentStorageError as exc:
            self._permanent(name, exc)
            return
        except OSError as exc:  # the spool itself cannot be read or locked
            self.broken.add(name)
            self.fail(f"storage {name}: spool {spool.path} unusable ({exc.strerror or exc})")
            return
        except Exception as exc:  # noqa: BLE001 - still down: the rows stay spooled
            self._next_replay[name] = self.clock() + self.options.spool_retry_interval
            self.stats.inc_value(f"cineradar/storage/{name}/errors")
            logger.warning("storage %s: spooled rows not replayed yet (%s); next try in %.0f s",
                           name, exc, self.options.spool_retry_interval)
            return
        self.stats.inc_value(f"cineradar/storage/{name}/replayed", replayed)
        self._rejected(name, spool.last_rejected)
        logger.info("storage %s: replayed %d spooled rows", name, replayed)

    async def close(self) -> None:
        """At close: replay every backend's spool, retried with backoff; what stays makes the crawl PARTIAL."""
        for name, spool in self.spools.items():
            await self._drain(name, spool)

    async def _drain(self, name: str, spool: Spool) -> None:
        if name in self.broken:
            logger.error("storage %s: %d rows of this crawl were not written to it (see the error above)",
                         name, self.stats.get_value(f"cineradar/storage/{name}/not_written", 0))
            return
        delay = self.options.retry_backoff
        for attempt in range(self.options.retry_times + 1):
            if not await self.backends.run(name, spool.exists):
                return
            if attempt:
                await self.sleep(delay)
                delay *= 2
            await self._replay(name, force=True)
            if name in self.broken:  # a permanent error: fail said so; retrying would only hide it
                return
        if await self.backends.run(name, spool.exists):
            left = await self.backends.run(name, spool.count)
            self.stats.set_value(f"cineradar/storage/{name}/unwritten", left)
            self.partial(f"rows left in {spool.path} (run `scrapy storage-replay`)", left)
            logger.error("storage %s: %d rows remain in %s; run `scrapy storage-replay`", name, left, spool.path)
