"""A progress line at INFO every PROGRESS_INTERVAL seconds (default 10; 0 turns it off).

    progress: 1,234/11,993 seat layouts (10%), ETA 2m10s; items: tix_seat_snapshot 1,234; errors 0

Spiders declare what they count through stats (so a spider that declares nothing still
gets items and errors): ``progress/total`` (when known), ``progress/done`` and
``progress/unit`` ("seat layouts", "cities", "city-days"...). Items per entity are the
validated items (``cineradar/valid/<entity>``); errors are ERROR log lines, plus failed
downloads (``downloader/exception_count``, retried ones included) when there are any.
The ETA is the rest at the average pace since the spider opened.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call  # public since 2.14: asyncio loop or Twisted reactor

from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider
    from scrapy.utils.asyncio import AsyncioLoopingCall
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

TOTAL, DONE, UNIT = "progress/total", "progress/done", "progress/unit"
ITEMS_PREFIX = "cineradar/valid/"


def duration(seconds: float) -> str:
    """45s, 2m10s, 1h05m."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def progress_line(stats: dict[str, Any], elapsed: float) -> str:
    """The line for ``stats`` after ``elapsed`` seconds of crawling."""
    total, done, unit = stats.get(TOTAL), stats.get(DONE, 0), stats.get(UNIT)
    if total is not None:
        head = f"{done:,}/{total:,} {unit or 'done'} ({done * 100 // total if total else 100}%)"
        if 0 < done < total and elapsed > 0:
            head += f", ETA {duration((total - done) * elapsed / done)}"
    elif unit is not None:
        head = f"{done:,} {unit}"
    else:
        head = f"{stats.get('response_received_count', 0):,} responses"
    items = sorted((k[len(ITEMS_PREFIX):], v) for k, v in stats.items() if k.startswith(ITEMS_PREFIX))
    items_text = ", ".join(f"{entity} {count:,}" for entity, count in items) or "none yet"
    errors = f"errors {stats.get('log_count/ERROR', 0):,}"
    if failed := stats.get("downloader/exception_count", 0):
        errors += f", failed downloads {failed:,}"
    return f"progress: {head}; items: {items_text}; {errors}"


class Progress:
    def __init__(self, crawler: Crawler, interval: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.crawler = crawler
        self.interval = interval
        self.clock = clock
        self.started: float | None = None
        self.task: AsyncioLoopingCall | LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = defaulted(crawler.settings).getfloat("PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = self.clock()
        self.task = create_looping_call(self.tick)
        self.task.start(self.interval, now=False)  # a crawl shorter than one interval logs nothing

    def spider_closed(self, spider: Spider) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()

    def tick(self) -> str:
        assert self.crawler.stats is not None
        line = progress_line(self.crawler.stats.get_stats(), self.clock() - (self.started or self.clock()))
        logger.info("%s", line)
        return line
