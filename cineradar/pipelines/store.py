"""Buffer items per entity and hand each full buffer to the storage writer.

The write policy (retries, the spool, bisecting refused rows, replays, the freshness marks
recorded once rows are durable) lives in ``cineradar/storage/writer.py``, which knows nothing
of Scrapy; this pipeline only buffers items, reads the STORAGE_* settings and tells the crawl's
outcome what the writer reports (``outcome.fail`` stops the crawl, ``outcome.partial`` makes
it PARTIAL).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import NotConfigured

from cineradar.defaults import defaulted
from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import CineItem
from cineradar.pipelines.freshness import thresholds
from cineradar.storage.freshness import seen_key
from cineradar.storage.writer import Mark, StorageWriter, WriterOptions

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StorePipeline:
    def __init__(self, crawler: Crawler) -> None:
        settings = defaulted(crawler.settings)
        self.crawler = crawler
        self.hub = storage_hub(crawler, "StorePipeline")
        self.batch_size = settings.getint("STORAGE_BATCH_SIZE")
        options = WriterOptions(batch_size=self.batch_size, retry_times=settings.getint("STORAGE_RETRY_TIMES"),
                                retry_backoff=settings.getfloat("STORAGE_RETRY_BACKOFF"),
                                spool_retry_interval=settings.getfloat("STORAGE_SPOOL_RETRY_INTERVAL"),
                                spool_dir=settings.get("STORAGE_SPOOL_DIR"))
        assert crawler.stats is not None
        self.writer = StorageWriter(self.hub, options, stats=crawler.stats,
                                    fail=lambda message: outcome.fail(crawler, message),
                                    partial=lambda reason, count: outcome.partial(crawler, reason, count))
        self.fresh_sources = set(thresholds(crawler.settings))
        self._buffers: dict[str, list[tuple[dict[str, Any], Mark | None]]] = {}  # entity -> [(row, mark)]
        self._lock = asyncio.Lock()  # concurrent process_item calls may reach the threshold together

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if crawler.settings.getbool("STORE_READ_ONLY"):  # a debugging command: nothing is stored
            raise NotConfigured("STORE_READ_ONLY (a debugging command): items are not stored")
        return cls(crawler)

    @property
    def clock(self) -> Callable[[], float]:
        """When spool replays are due (the writer's clock; a test may set its own)."""
        return self.writer.clock

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.writer.clock = clock

    async def open_spider(self) -> None:
        await self.writer.open()

    async def process_item(self, item: CineItem) -> CineItem:
        buffer = self._buffers.setdefault(item.entity, [])
        mark = (item.source, seen_key(item)) if item.source in self.fresh_sources else None
        buffer.append((item.row(), mark))
        if len(buffer) >= self.batch_size:
            async with self._lock:
                # Every buffer, oldest entity first, not this one alone: a row is never stored before
                # the rows yielded ahead of it (a showtime before its movie and theatre), so a crawl
                # killed at any moment leaves no row without what it refers to.
                await self._flush_all()
        return item

    async def _flush_all(self) -> None:
        for entity in list(self._buffers):
            entries, self._buffers[entity] = self._buffers[entity], []
            await self.writer.write(entity, [row for row, _ in entries], [mark for _, mark in entries])

    async def close_spider(self) -> None:
        async with self._lock:
            await self._flush_all()
        await self.writer.close()
