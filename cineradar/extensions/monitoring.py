"""Spidermon's extension, imported when its monitors run instead of when the crawl starts.

Spidermon pulls in jsonschema and its own factories, about 0.3 s of imports, and the project
runs only spider-close suites (SPIDERMON_SPIDER_CLOSE_MONITORS). This extension takes
Spidermon's place in EXTENSIONS: at spider close it imports Spidermon and runs its extension
there, through the extension's public constructor and signal handlers, so the suites, their
actions and the order among the other spider_closed handlers are as before. Configured for
anything Spidermon must watch from the start (open or engine-stop suites, expression suites,
periodic monitors, field coverage), it returns Spidermon's own extension at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

# Settings that need Spidermon from spider open on.
EAGER_LISTS = ("SPIDERMON_SPIDER_OPEN_MONITORS", "SPIDERMON_ENGINE_STOP_MONITORS",
               "SPIDERMON_SPIDER_OPEN_EXPRESSION_MONITORS", "SPIDERMON_SPIDER_CLOSE_EXPRESSION_MONITORS",
               "SPIDERMON_ENGINE_STOP_EXPRESSION_MONITORS")


def needs_spidermon_at_open(crawler: Crawler) -> bool:
    settings = crawler.settings
    return (any(settings.getlist(name) for name in EAGER_LISTS) or bool(settings.getdict("SPIDERMON_PERIODIC_MONITORS"))
            or settings.getbool("SPIDERMON_ADD_FIELD_COVERAGE"))


class LazySpidermon:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Any:
        if not crawler.settings.getbool("SPIDERMON_ENABLED"):
            raise NotConfigured("SPIDERMON_ENABLED is off")
        if needs_spidermon_at_open(crawler):
            from spidermon.contrib.scrapy.extensions import Spidermon  # noqa: PLC0415 - see the module doc

            return Spidermon.from_crawler(crawler)
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider) -> None:
        from spidermon.contrib.scrapy.extensions import Spidermon  # noqa: PLC0415 - see the module doc

        suites = self.crawler.settings.getlist("SPIDERMON_SPIDER_CLOSE_MONITORS")
        if not suites:
            return
        spidermon = Spidermon(self.crawler, spider_closed_suites=suites)
        spidermon.spider_opened(spider)  # no open suite to run: it sets up its per-spider state
        spidermon.spider_closed(spider)
