"""Skip items seen within their source's freshness threshold, across runs.

The threshold per source comes from FRESHNESS_HOURS (repertuary: 24 h, as in the
original); sources not listed are never skipped. What was seen is remembered in the
primary storage backend and loaded once per source (one query however many items
arrive at once). This pipeline only reads and filters: the storage writer records a key
as seen (storage/freshness.py makes the keys and records them) only after its row is
durable, so a crash between the two at worst stores a row again, never skips one that
was not stored. ``-a force=1`` bypasses the check (the items are still marked as seen once stored).

A crawl that exports a feed (``-o`` / FEEDS) is not filtered: the user asked for the
items in a file, and an empty file because the rows were stored yesterday would be a
silent loss; the store's upserts are idempotent, so the only cost is rewriting them.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem, NotConfigured

from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import CineItem
from cineradar.storage.freshness import seen_key

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def thresholds(settings: BaseSettings) -> dict[str, float]:
    """Source -> hours an item stays fresh (only positive thresholds)."""
    return {k: float(v) for k, v in settings.getdict("FRESHNESS_HOURS").items() if float(v) > 0}


class FreshnessPipeline:
    def __init__(self, crawler: Crawler, hours: dict[str, float]) -> None:
        self.crawler = crawler
        self.hours = hours
        self.hub = storage_hub(crawler, "FreshnessPipeline")
        self.started = dt.datetime.now(dt.UTC)
        self.feed = bool(crawler.settings.getdict("FEEDS"))
        self._fresh: dict[str, asyncio.Future[set[str]]] = {}  # source -> keys seen within its threshold

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FreshnessPipeline:
        hours = thresholds(crawler.settings)
        if not hours:
            raise NotConfigured("FRESHNESS_HOURS is empty")
        # A spider whose declared entities (CineSpider.entities) all come from sources without a
        # threshold (tix_seats: 11,502 items a morning) would only pass each item through: the
        # pipeline is left out, which saves Scrapy's coroutine hop per item.
        spider = getattr(crawler, "spider", None)
        entities = tuple(getattr(spider, "entities", ()) or ())
        if entities and not any(getattr(entity, "source", None) in hours for entity in entities):
            raise NotConfigured  # silent (no WARNING): off by design, nothing of this spider is thresholded
        return cls(crawler, hours)

    @property
    def force(self) -> bool:
        return bool(getattr(self.crawler.spider, "force", False))

    def open_spider(self) -> None:
        if self.feed:
            logger.info("a feed export is configured: items seen within FRESHNESS_HOURS are not skipped, "
                        "so the feed holds every item of this crawl")

    async def process_item(self, item: CineItem) -> CineItem:
        source = item.source
        if source not in self.hours or self.force or self.feed:
            return item
        if seen_key(item) in await self._seen(source):
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"cineradar/fresh_skipped/{item.entity}")
            raise DropItem(f"seen within {self.hours[source]:g} h: {seen_key(item)}", log_level="DEBUG")
        return item

    def _seen(self, source: str) -> asyncio.Future[set[str]]:
        # One future per source: the 100 items that arrive together all await the same query.
        if source not in self._fresh:
            self._fresh[source] = asyncio.ensure_future(self._load(source))
        return self._fresh[source]

    async def _load(self, source: str) -> set[str]:
        since = self.started - dt.timedelta(hours=self.hours[source])
        try:
            return await self.hub.call(self.hub.primary, lambda b: b.seen_since(source, since))
        except Exception as exc:  # noqa: BLE001 - storage down: store everything (upserts are idempotent)
            logger.warning("freshness state of %s unreadable (%s): nothing is skipped in this run", source, exc)
            assert self.crawler.stats is not None
            self.crawler.stats.set_value(f"cineradar/freshness/{source}/unavailable", 1)
            return set()
