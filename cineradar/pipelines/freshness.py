"""Skip items seen within their source's freshness threshold, across runs.

The threshold per source comes from FRESHNESS_HOURS (repertuary: 24 h, as in the
original); sources not listed are never skipped. What was seen is remembered in the
primary storage backend, loaded once per source at the first item (never one query
per item) and written back in batches. ``-a force=1`` bypasses the check (the items
are still marked as seen).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

from cineradar.hub import StorageHub
from cineradar.items import CineItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FreshnessPipeline:
    def __init__(self, crawler: Crawler, hours: dict[str, float], flush_every: int) -> None:
        self.crawler = crawler
        self.hours = hours
        self.flush_every = flush_every
        self.hub = StorageHub.of(crawler)
        self.started = dt.datetime.now(dt.UTC)
        self._fresh: dict[str, set[str]] = {}  # source -> keys seen within its threshold
        self._pending: dict[str, list[str]] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FreshnessPipeline:
        hours = {k: float(v) for k, v in crawler.settings.getdict("FRESHNESS_HOURS").items() if float(v) > 0}
        if not hours:
            raise NotConfigured("FRESHNESS_HOURS is empty")
        return cls(crawler, hours, crawler.settings.getint("FRESHNESS_FLUSH_EVERY", 1000))

    @property
    def force(self) -> bool:
        return bool(getattr(self.crawler.spider, "force", False))

    async def process_item(self, item: CineItem) -> CineItem:
        source = item.source
        if source not in self.hours:
            return item
        key = f"{item.entity}:{item.natural_key()}"
        if source not in self._fresh:
            since = self.started - dt.timedelta(hours=self.hours[source])
            self._fresh[source] = await self.hub.call(self.hub.primary, lambda b: b.seen_since(source, since))
        if key in self._fresh[source] and not self.force:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"cineradar/fresh_skipped/{item.entity}")
            raise DropItem(f"seen within {self.hours[source]:g} h: {key}", log_level="DEBUG")
        pending = self._pending.setdefault(source, [])
        pending.append(key)
        if len(pending) >= self.flush_every:
            await self._flush(source)
        return item

    async def _flush(self, source: str) -> None:
        keys, self._pending[source] = self._pending.get(source, []), []
        if keys:
            await self.hub.call(self.hub.primary, lambda b: b.mark_seen(source, keys, self.started))

    async def close_spider(self) -> None:
        for source in list(self._pending):
            try:
                await self._flush(source)
            except Exception:  # noqa: BLE001 - items are stored; only the skip memory is lost
                logger.exception("could not record freshness state for %s", source)
