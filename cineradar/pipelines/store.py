"""Buffer items per entity and write them in batches to every configured backend.

Writes run on each backend's own worker thread (StorageHub), never on the reactor.
A failed batch is retried with exponential backoff; if it still fails, its rows go to
the backend's JSONL spool. From then on (and whenever a spool is left from an earlier
run) that backend's batches are appended behind the spooled rows, so an older version
of a row never overwrites a newer one, and the spool is replayed in order at most
every STORAGE_SPOOL_RETRY_INTERVAL seconds, so a backend that comes back mid-crawl
(or was down when the crawl started) catches up without stalling the crawl. At close
the spool is replayed once more, with the same retries. What could not be written by
then stays in the spool (``scrapy storage-replay`` writes it later) and is reported in
stats: nothing is silently lost.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from cineradar.hub import StorageHub
from cineradar.items import CineItem
from cineradar.storage.spool import Spool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.hub = StorageHub.of(crawler)
        self.batch_size = settings.getint("STORAGE_BATCH_SIZE", 500)
        self.retry_times = settings.getint("STORAGE_RETRY_TIMES", 3)
        self.retry_backoff = settings.getfloat("STORAGE_RETRY_BACKOFF", 0.5)
        self.spool_retry_interval = settings.getfloat("STORAGE_SPOOL_RETRY_INTERVAL", 5.0)
        spool_dir = settings.get("STORAGE_SPOOL_DIR", "data/spool")
        self.spools = {name: Spool(spool_dir, name) for name in self.hub.names}
        self._next_replay: dict[str, float] = {}  # backend -> loop time of the next spool replay
        self._buffers: dict[str, list[dict[str, Any]]] = {}
        self._lock = asyncio.Lock()  # concurrent process_item calls may reach the threshold together

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        return cls(crawler)

    @property
    def stats(self):  # noqa: ANN201
        return self.crawler.stats

    async def process_item(self, item: CineItem) -> CineItem:
        buffer = self._buffers.setdefault(item.entity, [])
        buffer.append(item.row())
        if len(buffer) >= self.batch_size:
            async with self._lock:
                await self._flush(item.entity)
        return item

    async def _flush(self, entity: str) -> None:
        rows, self._buffers[entity] = self._buffers.get(entity, []), []
        if rows:
            await asyncio.gather(*(self._write(name, entity, rows) for name in self.hub.names))

    async def _write(self, name: str, entity: str, rows: list[dict[str, Any]]) -> bool:
        spool = self.spools[name]
        if spool.path.exists():  # earlier rows wait there: queue behind them, keep the order
            spool.append(entity, rows)
            self.stats.inc_value(f"cineradar/storage/{name}/spooled", len(rows))
            return await self._replay(name)
        delay = self.retry_backoff
        for attempt in range(self.retry_times + 1):
            try:
                written = await self.hub.call(name, lambda b: b.upsert(entity, rows))
            except Exception as exc:  # noqa: BLE001 - any driver error means "not written"
                self.stats.inc_value(f"cineradar/storage/{name}/errors")
                if attempt == self.retry_times:
                    logger.error("storage %s: %d %s rows failed after %d attempts (%s); spooled",
                                 name, len(rows), entity, attempt + 1, exc)
                    spool.append(entity, rows)
                    self.stats.inc_value(f"cineradar/storage/{name}/spooled", len(rows))
                    self._next_replay[name] = asyncio.get_running_loop().time() + self.spool_retry_interval
                    return False
                logger.warning("storage %s: writing %d %s rows failed (%s); retry in %.1f s",
                               name, len(rows), entity, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
            else:
                self.stats.inc_value(f"cineradar/storage/{name}/{entity}", written)
                return True
        return False

    async def _replay(self, name: str, force: bool = False) -> bool:
        """Replay the backend's spool in order if due (or ``force``); True when it is empty."""
        loop = asyncio.get_running_loop()
        if not force and loop.time() < self._next_replay.get(name, 0.0):
            return False
        spool = self.spools[name]
        try:
            replayed = await self.hub.call(name, spool.replay)
        except Exception as exc:  # noqa: BLE001 - still down: the rows stay spooled
            self._next_replay[name] = loop.time() + self.spool_retry_interval
            self.stats.inc_value(f"cineradar/storage/{name}/errors")
            logger.warning("storage %s: spooled rows not replayed yet (%s); next try in %.0f s",
                           name, exc, self.spool_retry_interval)
            return False
        self.stats.inc_value(f"cineradar/storage/{name}/replayed", replayed)
        logger.info("storage %s: replayed %d spooled rows", name, replayed)
        return True

    async def close_spider(self) -> None:
        async with self._lock:
            for entity in list(self._buffers):
                await self._flush(entity)
        for name, spool in self.spools.items():
            delay = self.retry_backoff
            for attempt in range(self.retry_times + 1):
                if not spool.path.exists() or await self._replay(name, force=True):
                    break
                if attempt < self.retry_times:
                    await asyncio.sleep(delay)
                    delay *= 2
            if spool.path.exists():
                left = spool.count()
                self.stats.set_value(f"cineradar/storage/{name}/unwritten", left)
                logger.error("storage %s: %d rows remain in %s; run `scrapy storage-replay`", name, left, spool.path)
