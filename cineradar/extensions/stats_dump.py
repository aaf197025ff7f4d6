"""Write crawler.stats as JSON at the end of a crawl (STATS_DUMP_PATH), for CI and diffs.

Written once the crawl's status is decided (cineradar/extensions/outcome.py), so the dump
holds ``cineradar/outcome/status`` and everything counted up to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cineradar.extensions import outcome

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class StatsDump:
    def __init__(self, crawler: Crawler, path: str) -> None:
        self.crawler = crawler
        self.path = path
        self.name, self.reason = "spider", "unknown"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsDump:
        path = crawler.settings.get("STATS_DUMP_PATH")
        if not path:
            raise NotConfigured  # silent: off unless STATS_DUMP_PATH is set
        ext = cls(crawler, path)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.write, signal=outcome.outcome_decided)
        return ext

    def spider_closed(self, spider: object, reason: str) -> None:
        self.name, self.reason = getattr(spider, "name", "spider"), reason

    def write(self) -> None:
        assert self.crawler.stats is not None
        stats = dict(self.crawler.stats.get_stats())
        stats.setdefault("finish_reason", self.reason)  # the outcome's (finished, partial, failed) once decided
        path = Path(self.path.replace("%(name)s", self.name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stats, default=str, indent=1, sort_keys=True), encoding="utf-8")
