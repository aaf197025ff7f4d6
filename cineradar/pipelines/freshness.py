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
        self._flush_at: dict[str, int] = {}  # source -> pending size of the next flush after a failed one

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
            try:
                self._fresh[source] = await self.hub.call(self.hub.primary, lambda b: b.seen_since(source, since))
            except Exception as exc:  # noqa: BLE001 - storage down: store everything (upserts are idempotent)
                logger.warning("freshness state of %s unreadable (%s): nothing is skipped in this run", source, exc)
                assert self.crawler.stats is not None
                self.crawler.stats.set_value(f"cineradar/freshness/{source}/unavailable", 1)
                self._fresh[source] = set()
        if key in self._fresh[source] and not self.force:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"cineradar/fresh_skipped/{item.entity}")
            raise DropItem(f"seen within {self.hours[source]:g} h: {key}", log_level="DEBUG")
        pending = self._pending.setdefault(source, [])
        pending.append(key)
        if len(pending) >= self._flush_at.get(source, self.flush_every):
            try:
                await self._flush(source)
                self._flush_at.pop(source, None)
            except Exception as exc:  # noqa: BLE001 - the keys stay pending; the item goes on to be stored
                self._flush_at[source] = len(self._pending[source]) + self.flush_every  # not once per item
                logger.warning("could not record freshness state for %s yet (%s); retried later", source, exc)
        return item

    async def _flush(self, source: str) -> None:
        keys, self._pending[source] = self._pending.get(source, []), []
        if keys:
            try:
                await self.hub.call(self.hub.primary, lambda b: b.mark_seen(source, keys, self.started))
            except BaseException:
                self._pending[source] = keys + self._pending.get(source, [])
                raise

    async def close_spider(self) -> None:
        for source in list(self._pending):
            try:
                await self._flush(source)
            except Exception:  # noqa: BLE001 - items are stored; only the skip memory is lost
                logger.exception("could not record freshness state for %s", source)
