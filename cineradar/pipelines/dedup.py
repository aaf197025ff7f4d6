"""Drop the second and later items with the same natural key within one crawl."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import DropItem

from cineradar.items import CineItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._seen: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: CineItem) -> CineItem:
        key = (item.entity, item.natural_key())
        if key in self._seen:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"cineradar/duplicate/{item.entity}")
            raise DropItem(f"duplicate {item.entity} {key[1]}", log_level="DEBUG")
        self._seen.add(key)
        return item
