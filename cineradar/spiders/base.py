"""Shared base of CineRadar spiders: typed arguments and endpoints."""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy.settings import SETTINGS_PRIORITIES

from cineradar import scrapyd_guard
from cineradar.args import SpiderArgs, SpiderArgumentError, SpiderInputError, crawl_today
from cineradar.endpoints import Endpoints, EndpointsError
from cineradar.extensions import outcome
from cineradar.feeds import mixed_csv_feed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


class CineSpider(scrapy.Spider):
    """Parses ``-a`` arguments into ``self.args`` (an ``args_model``) when created.

    ``scrapy crawl`` refuses invalid arguments before the crawler exists (exit 2,
    cineradar/commands/crawl.py); other paths (Scrapyd jobs, other commands) get here. A
    crawl that cannot start ends as one ERROR line and a FAILED run record (outcome.fail),
    never a traceback with exit 0: an invalid argument is kept in ``start_error`` (the
    defaults stand in) and reported by ``start()`` before anything is fetched, and any
    exception raised from a subclass's ``start()`` is caught there.
    """

    args_model: ClassVar[type[SpiderArgs]] = SpiderArgs
    # The TIX.id JWT middleware gives tokens only to the project's spiders that set it True (its
    # presence marks a project spider: a foreign one, shell's or fetch's, has no such attribute).
    tix_auth: ClassVar[bool] = False
    # The item classes it yields: a CSV feed takes one of them (cineradar/feeds.py).
    entities: ClassVar[tuple[type, ...]] = ()
    # The ENDPOINTS keys that every request of this spider goes to, none with a meta["site"] (None: not
    # declared, any host). The per-site cap (SiteRateMiddleware) stays out of a crawl whose declared
    # hosts are all uncapped.
    request_endpoints: ClassVar[tuple[str, ...] | None] = None
    start_error: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "start" in cls.__dict__:  # every spider's own start(), wrapped once where it is defined
            cls.start = _guarded(cls.__dict__["start"])  # type: ignore[method-assign,assignment]

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name)
        try:
            # The date window needs CRAWL_TODAY (a setting): checked in from_crawler.
            self.args = self.args_model.parse(self.name, kwargs, check_date=False)
        except SpiderArgumentError as exc:
            self.start_error = str(exc)
            # The defaults, so __init__ can finish (start() fails); Scrapyd's _job and _version kept
            # so the FAILED run record carries the job id listjobs.json shows.
            self.args = self.args_model.model_construct(**{k: v for k, v in kwargs.items() if k.startswith("_")})
        self.force = self.args.force

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CineSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # A Scrapyd job whose -s values the crawl command refused (cineradar/scrapyd_guard.py).
        spider.start_error = (scrapyd_guard.start_error(crawler.settings) or spider.start_error
                              or mixed_csv_feed(cls, crawler.settings) or cls.resume_error(crawler.settings))
        try:
            today = crawl_today(crawler.settings)
            spider.args.use_today(today)  # the default day as well as the window
            if spider.start_error is None:
                spider.args.check_date(spider.name, today)
        except SpiderArgumentError as exc:
            spider.start_error = spider.start_error or str(exc)
        try:
            spider.endpoints = Endpoints.from_settings(crawler.settings)
            spider.endpoints.require(spider.endpoint_sources())
        except EndpointsError as exc:
            # Refused before any request (a missing key would mean the real host): start()
            # requests nothing and the crawl ends FAILED with this one line, exit 1.
            spider.start_error = spider.start_error or str(exc)
        return spider

    @classmethod
    def resume_error(cls, settings: BaseSettings) -> str | None:
        """One line when this spider cannot resume the crawl kept in JOBDIR (checked before start)."""
        return None

    def endpoint_sources(self) -> list[str]:
        """The ENDPOINTS keys this crawl touches: all required when ENDPOINTS is given."""
        return []

    endpoints: Endpoints

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        # Politeness belongs to the project's spiders, not to the process: set here (priority
        # "project", below -s and custom_settings) so `scrapy bench` is not held to 2 s a page.
        for name, value in settings.getdict("SPIDER_POLITENESS").items():
            if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:
                settings.set(name, value, priority="project")
        super().update_settings(settings)


def _guarded(start: Callable[[Any], AsyncIterator[Any]]) -> Callable[[Any], AsyncIterator[Any]]:
    @functools.wraps(start)
    async def guarded(self: CineSpider) -> AsyncIterator[Any]:
        if self.start_error:
            outcome.fail(self.crawler, self.start_error)
            return
        try:
            async for request in start(self):
                yield request
        except SpiderInputError as exc:  # a known bad input: its message says it all
            outcome.fail(self.crawler, f"{self.name}: {exc}")
        except Exception as exc:  # a bug or an unforeseen error: one line, the traceback at DEBUG
            self.logger.debug("start() failed", exc_info=True)
            outcome.fail(self.crawler, f"{self.name}: could not start: {exc.__class__.__name__}: {exc}")

    return guarded
