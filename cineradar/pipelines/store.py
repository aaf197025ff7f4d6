"""Buffer items per entity and write them in batches to every configured backend.

Writes run on each backend's own worker thread (StorageHub), never on the reactor.
A failed batch is retried with exponential backoff; if it still fails, its rows go to
the backend's JSONL spool and are retried once more at close. What could not be
written by then stays in the spool (``scrapy storage-replay`` writes it later) and is
reported in stats: nothing is silently lost.
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
        spool_dir = settings.get("STORAGE_SPOOL_DIR", "data/spool")
        self.spools = {name: Spool(spool_dir, name) for name in self.hub.names}
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
        delay = self.retry_backoff
        for attempt in range(self.retry_times + 1):
            try:
                written = await self.hub.call(name, lambda b: b.upsert(entity, rows))
            except Exception as exc:  # noqa: BLE001 - any driver error means "not written"
                self.stats.inc_value(f"cineradar/storage/{name}/errors")
                if attempt == self.retry_times:
                    logger.error("storage %s: %d %s rows failed after %d attempts (%s); spooled",
                                 name, len(rows), entity, attempt + 1, exc)
                    self.spools[name].append(entity, rows)
                    self.stats.inc_value(f"cineradar/storage/{name}/spooled", len(rows))
                    return False
                logger.warning("storage %s: writing %d %s rows failed (%s); retry in %.1f s",
                               name, len(rows), entity, exc, delay)
                await asyncio.sleep(delay)
                delay *= 2
            else:
                self.stats.inc_value(f"cineradar/storage/{name}/{entity}", written)
                return True
        return False

    async def close_spider(self) -> None:
        async with self._lock:
            for entity in list(self._buffers):
                await self._flush(entity)
        for name, spool in self.spools.items():
            if not spool.path.exists():
                continue
            try:
                replayed = await self.hub.call(name, spool.replay)
                self.stats.inc_value(f"cineradar/storage/{name}/replayed", replayed)
                logger.info("storage %s: replayed %d spooled rows", name, replayed)
            except Exception as exc:  # noqa: BLE001
                left = spool.count()
                self.stats.set_value(f"cineradar/storage/{name}/unwritten", left)
                logger.error("storage %s: %d rows remain in %s (%s); run `scrapy storage-replay`",
                             name, left, spool.path, exc)
