"""Drop repeats within one crawl: the second and later items with the same natural key,
unless the entity merges (``merge_rules``: a movie listed by several cities, a theatre on
several pages) and the item adds something to what was already passed on for its key.

Such an item goes on to the store, which merges it into the stored row by the same rules;
only a repeat that would change nothing is dropped. So a spider may emit a mergeable
entity as soon as a page gives it, and a stop at any moment loses nothing already seen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from cineradar.items import CineItem
from cineradar.storage import merge
from cineradar.storage.base import EntitySpec

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class DedupPipeline:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._seen: set[tuple[str, str]] = set()
        self._merged: dict[tuple[str, str], dict[str, Any]] = {}  # mergeable entities: the row passed on so far
        self._specs: dict[type[CineItem], EntitySpec] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        return cls(crawler)

    def process_item(self, item: CineItem) -> CineItem:
        key = (item.entity, item.natural_key())
        if item.merge_rules:
            spec = self._specs.get(type(item)) or self._specs.setdefault(type(item), EntitySpec.from_model(type(item)))
            row = item.row()
            before = self._merged.get(key)
            after = merge.merge_row(spec, before, row)
            if before is None or after != before:
                self._merged[key] = after
                if before is not None:
                    self._stat(f"cineradar/merged/{item.entity}")
                return item
        elif key not in self._seen:
            self._seen.add(key)
            return item
        self._stat(f"cineradar/duplicate/{item.entity}")
        raise DropItem(f"duplicate {item.entity} {key[1]}", log_level="DEBUG")

    def _stat(self, name: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(name)
