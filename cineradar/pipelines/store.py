"""Buffer items per entity, write them in batches to every backend, then record them as seen.

Writes run on each backend's own worker thread (the StorageHub extension), never on the reactor; so
does every spool file operation. Per batch and backend, errors are told apart
(storage/base.py):

* an outage (``StorageError``: connection refused or lost, a timeout) is retried with
  exponential backoff; if it still fails, the batch goes to the backend's JSONL spool.
  From then on (and whenever a spool is left by an earlier run or another process) that
  backend's batches are appended behind the spooled rows, so an older version of a row
  never overwrites a newer one, and the spool is replayed in order at most every
  STORAGE_SPOOL_RETRY_INTERVAL seconds, so a backend that comes back catches up;
* rows refused as data (``RejectedDataError``) are found by bisecting the batch and set
  aside in ``<backend>.rejected.jsonl``; the rest of the batch is written;
* a permanent error (``PermanentStorageError``: read-only or corrupt database, bad
  credentials) and a spool that cannot be written (read-only folder, disk full) stop
  the crawl at once with one line (``outcome.fail``): retrying would only hide them.

Freshness after storage: a batch's keys are recorded as seen (``mark_seen`` in the
primary backend) only once its rows are durable: written to the primary and written or
spooled for every other backend. Rows the primary spooled carry their keys in its spool;
the replay records them once it has written them. A crash between a write and its mark
only stores the rows again next time (upserts are idempotent).

At close the spool is replayed once more, with the same retries; rows left in it
(``scrapy storage-replay`` writes them later) and refused rows make the crawl PARTIAL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from scrapy.exceptions import NotConfigured

from cineradar.defaults import defaulted
from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import CineItem
from cineradar.pipelines.freshness import seen_key, thresholds
from cineradar.storage.base import PermanentStorageError
from cineradar.storage.spool import Seen, Spool, upsert_bisecting

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

Written = Literal["written", "spooled", "failed"]


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.hub = storage_hub(crawler, "StorePipeline")
        self.batch_size = defaulted(settings).getint("STORAGE_BATCH_SIZE")
        self.retry_times = defaulted(settings).getint("STORAGE_RETRY_TIMES")
        self.retry_backoff = defaulted(settings).getfloat("STORAGE_RETRY_BACKOFF")
        self.spool_retry_interval = defaulted(settings).getfloat("STORAGE_SPOOL_RETRY_INTERVAL")
        spool_dir = defaulted(settings).get("STORAGE_SPOOL_DIR")
        self.spools = {name: Spool(spool_dir, name) for name in self.hub.names}
        self.fresh_sources = set(thresholds(settings))
        self.started = dt.datetime.now(dt.UTC)
        # When spool replays are due: the event loop's clock (a test may set its own).
        self.clock: Callable[[], float] = lambda: asyncio.get_running_loop().time()
        self._next_replay: dict[str, float] = {}  # backend -> clock time of the next spool replay
        # entity -> [(row, (source, seen key) or None)]
        self._buffers: dict[str, list[tuple[dict[str, Any], tuple[str, str] | None]]] = {}
        self._broken: set[str] = set()  # backends that hit a permanent error: the crawl is failing
        self._lock = asyncio.Lock()  # concurrent process_item calls may reach the threshold together

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if crawler.settings.getbool("STORE_READ_ONLY"):  # a debugging command: nothing is stored
            raise NotConfigured("STORE_READ_ONLY (a debugging command): items are not stored")
        return cls(crawler)

    @property
    def stats(self):  # noqa: ANN201
        return self.crawler.stats

    async def open_spider(self) -> None:
        # Open every backend now: a permanent error (corrupt or read-only database file, bad
        # credentials) stops the crawl before anything is fetched; an outage is only logged
        # here (the first batch retries it, then spools).
        for name in self.hub.names:
            if name in self.hub.errors:
                self._permanent(name, self.hub.errors[name])
                continue
            try:
                await self.hub.call(name, lambda b: None)
            except PermanentStorageError as exc:
                self._permanent(name, exc)
            except Exception as exc:  # noqa: BLE001 - an outage: retried by the writes
                logger.warning("storage %s: not reachable at start (%s); writes will retry, then spool", name, exc)

    def _permanent(self, name: str, exc: Exception) -> None:
        self._broken.add(name)
        outcome.fail(self.crawler, f"storage {name}: {exc}")

    async def process_item(self, item: CineItem) -> CineItem:
        buffer = self._buffers.setdefault(item.entity, [])
        seen = (item.source, seen_key(item)) if item.source in self.fresh_sources else None
        buffer.append((item.row(), seen))
        if len(buffer) >= self.batch_size:
            async with self._lock:
                # Every buffer, oldest entity first, not this one alone: a row is never stored before
                # the rows yielded ahead of it (a showtime before its movie and theatre), so a crawl
                # killed at any moment leaves no row without what it refers to.
                for entity in list(self._buffers):
                    await self._flush(entity)
        return item

    async def _flush(self, entity: str) -> None:
        entries, self._buffers[entity] = self._buffers[entity], []
        if not entries:
            return
        rows = [row for row, _ in entries]
        seen = [(mark[0], mark[1], self.started) if mark else None for _, mark in entries]
        results = await asyncio.gather(*(self._write(name, entity, rows, seen) for name in self.hub.names))
        outcomes = dict(zip(self.hub.names, results, strict=True))
        for name, (status, _) in outcomes.items():
            if status == "failed":  # the crawl is failing (outcome.fail): count what that backend misses
                self.stats.inc_value(f"cineradar/storage/{name}/not_written", len(rows))
        primary, _ = outcomes[self.hub.primary]
        if primary != "written" or any(status == "failed" for status, _ in outcomes.values()):
            return  # not durable everywhere: not recorded as seen, so the next run stores it again
        refused = set().union(*(bad for _, bad in outcomes.values()))
        await self._mark_seen([seen for i, (_, seen) in enumerate(entries) if seen and i not in refused])

    async def _mark_seen(self, seen: list[tuple[str, str]]) -> None:
        by_source: dict[str, list[str]] = {}
        for source, key in seen:
            by_source.setdefault(source, []).append(key)
        for source, keys in by_source.items():
            try:
                await self.hub.call(self.hub.primary, lambda b, s=source, k=keys: b.mark_seen(s, k, self.started))
            except Exception as exc:  # noqa: BLE001 - rows are stored; the next run only stores them again
                self.stats.inc_value(f"cineradar/freshness/{source}/unrecorded", len(keys))
                logger.warning("storage: %d %s keys stored but not recorded as seen (%s); the next run "
                               "stores them again", len(keys), source, exc)

    async def _write(self, name: str, entity: str, rows: list[dict[str, Any]],
                     seen: list[Seen | None]) -> tuple[Written, set[int]]:
        """Write a batch to one backend: (what became of it, indexes of the rows it refused)."""
        if name in self._broken:
            return "failed", set()
        spool = self.spools[name]
        if await self.hub.run(name, spool.exists):  # earlier rows wait there: queue behind them, keep the order
            status = await self._spool(name, entity, rows, seen)
            if status == "spooled":
                await self._replay(name)
            return status, set()
        delay = self.retry_backoff
        for attempt in range(self.retry_times + 1):
            try:
                written, refused = await self.hub.call(name, upsert_bisecting, entity, rows)
            except PermanentStorageError as exc:
                self._permanent(name, exc)
                return "failed", set()
            except Exception as exc:  # noqa: BLE001 - any other driver error means "not written (yet)"
                self.stats.inc_value(f"cineradar/storage/{name}/errors")
                if attempt == self.retry_times:
                    logger.error("storage %s: %d %s rows failed after %d attempts (%s)",
                                 name, len(rows), entity, attempt + 1, exc)
                    self._next_replay[name] = self.clock() + self.spool_retry_interval
                    return await self._spool(name, entity, rows, seen), set()
                logger.warning("storage %s: writing %d %s rows failed (%s); retry in %.1f s",
                               name, len(rows), entity, exc, delay)
                await asyncio.sleep(delay)
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
        marks = seen if name == self.hub.primary and not self._broken else None
        try:
            await self.hub.run(name, spool.append, entity, rows, marks)
        except OSError as exc:  # read-only folder, disk full: these rows would be lost, say so and stop
            self._broken.add(name)
            outcome.fail(self.crawler, f"storage {name}: {len(rows)} {entity} rows could not be written to "
                                       f"the spool {spool.path} ({exc.strerror or exc}); they are not stored")
            return "failed"
        self.stats.inc_value(f"cineradar/storage/{name}/spooled", len(rows))
        logger.warning("storage %s: %d %s rows spooled to %s", name, len(rows), entity, spool.path)
        return "spooled"

    async def _set_aside(self, name: str, entity: str, refused: list[tuple[dict[str, Any], str]]) -> bool:
        spool = self.spools[name]
        try:
            await self.hub.run(name, spool.reject, entity, refused)
        except OSError as exc:
            self._broken.add(name)
            outcome.fail(self.crawler, f"storage {name}: {len(refused)} refused {entity} rows could not be "
                                       f"set aside in {spool.rejected_path} ({exc.strerror or exc})")
            return False
        self._rejected(name, len(refused))
        logger.error("storage %s: %d %s rows refused (%s); kept in %s", name, len(refused), entity,
                     refused[0][1], spool.rejected_path)
        return True

    def _rejected(self, name: str, count: int) -> None:
        if count:
            self.stats.inc_value(f"cineradar/storage/{name}/rejected", count)
            outcome.partial(self.crawler, f"rows refused by {name} (see {self.spools[name].rejected_path})", count)

    async def _replay(self, name: str, force: bool = False) -> None:
        """Replay the backend's spool in order if due (or ``force``); on failure the rows stay spooled."""
        if not force and self.clock() < self._next_replay.get(name, 0.0):
            return
        spool = self.spools[name]
        try:
            replayed = await self.hub.call(name, spool.replay)
        except PermanentStorageError as exc:
            self._permanent(name, exc)
            return
        except OSError as exc:  # the spool itself cannot be read or locked
            self._broken.add(name)
            outcome.fail(self.crawler, f"storage {name}: spool {spool.path} unusable ({exc.strerror or exc})")
            return
        except Exception as exc:  # noqa: BLE001 - still down: the rows stay spooled
            self._next_replay[name] = self.clock() + self.spool_retry_interval
            self.stats.inc_value(f"cineradar/storage/{name}/errors")
            logger.warning("storage %s: spooled rows not replayed yet (%s); next try in %.0f s",
                           name, exc, self.spool_retry_interval)
            return
        self.stats.inc_value(f"cineradar/storage/{name}/replayed", replayed)
        self._rejected(name, spool.last_rejected)
        logger.info("storage %s: replayed %d spooled rows", name, replayed)

    async def close_spider(self) -> None:
        async with self._lock:
            for entity in list(self._buffers):
                await self._flush(entity)
        for name, spool in self.spools.items():
            await self._drain(name, spool)

    async def _drain(self, name: str, spool: Spool) -> None:
        """At close: replay the backend's spool, retried with backoff; what stays makes the crawl PARTIAL."""
        if name in self._broken:
            logger.error("storage %s: %d rows of this crawl were not written to it (see the error above)",
                         name, self.stats.get_value(f"cineradar/storage/{name}/not_written", 0))
            return
        delay = self.retry_backoff
        for attempt in range(self.retry_times + 1):
            if not await self.hub.run(name, spool.exists):
                return
            if attempt:
                await asyncio.sleep(delay)
                delay *= 2
            await self._replay(name, force=True)
            if name in self._broken:  # a permanent error: outcome.fail said so; retrying would only hide it
                return
        if await self.hub.run(name, spool.exists):
            left = await self.hub.run(name, spool.count)
            self.stats.set_value(f"cineradar/storage/{name}/unwritten", left)
            outcome.partial(self.crawler, f"rows left in {spool.path} (run `scrapy storage-replay`)", left)
            logger.error("storage %s: %d rows remain in %s; run `scrapy storage-replay`", name, left, spool.path)
