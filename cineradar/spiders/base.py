"""Shared base of CineRadar spiders: typed arguments and endpoints."""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy

from cineradar.args import SpiderArgs
from cineradar.endpoints import Endpoints, EndpointsError
from cineradar.extensions import outcome

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class CineSpider(scrapy.Spider):
    """Parses ``-a`` arguments into ``self.args`` (an ``args_model``) when created.

    An invalid argument raises SpiderArgumentError before anything is fetched.
    """

    args_model: ClassVar[type[SpiderArgs]] = SpiderArgs

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name)
        self.args = self.args_model.parse(self.name, kwargs)
        self.force = self.args.force
        for key in self.args.unknown:
            logging.getLogger(self.name).warning("ignoring unknown argument -a %s", key)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> CineSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.endpoints = Endpoints.from_settings(crawler.settings)
            spider.endpoints.require(spider.endpoint_sources())
        except EndpointsError as exc:
            # Refused before any request (a missing key would mean the real host): start()
            # requests nothing and the crawl ends FAILED with this one line, exit 1.
            spider.start = functools.partial(spider._refuse, str(exc))  # type: ignore[method-assign]
        return spider

    def endpoint_sources(self) -> list[str]:
        """The ENDPOINTS keys this crawl touches: all required when ENDPOINTS is given."""
        return []

    async def _refuse(self, message: str) -> AsyncIterator[Any]:
        outcome.fail(self.crawler, message)
        return
        yield  # an async generator that yields nothing

    endpoints: Endpoints
