"""Shared base of CineRadar spiders: typed arguments and endpoints."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy

from cineradar.args import SpiderArgs
from cineradar.endpoints import Endpoints

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
        spider.endpoints = Endpoints.from_settings(crawler.settings)
        return spider

    endpoints: Endpoints
