"""A LogFormatter that skips the per-response and per-item DEBUG lines unless LOG_LEVEL is DEBUG.

Scrapy builds a LogRecord for every "Crawled (200)" and "Scraped from" line even when the
handler drops DEBUG: at hundreds of responses per second that is measurable CPU. Spiders
with high request rates (tix_seats) set ``LOG_FORMATTER`` to this in their settings.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.logformatter import LogFormatter

from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class QuietLogFormatter(LogFormatter):
    def __init__(self, verbose: bool = False) -> None:
        super().__init__()
        self.verbose = verbose

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> QuietLogFormatter:
        level = defaulted(crawler.settings).get("LOG_LEVEL")
        numeric = level if isinstance(level, int) else logging.getLevelName(str(level).upper())
        return cls(verbose=isinstance(numeric, int) and numeric <= logging.DEBUG)

    def crawled(self, request: Any, response: Any, spider: Any) -> Any:
        return super().crawled(request, response, spider) if self.verbose else None

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        return super().scraped(item, response, spider) if self.verbose else None
