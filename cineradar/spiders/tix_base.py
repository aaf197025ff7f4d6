"""Shared base of the TIX.id API spiders (tix_movies, tix_seats): not a spider itself.

Every API request goes through one download slot, ``tix_api``, whose concurrency and
delay come from the spider's own settings (``TIX_<SPIDER>_CONCURRENCY`` / ``_DELAY``),
so politeness is configuration: ``-s TIX_SEATS_CONCURRENCY=4`` slows a run down. The
JWT middleware adds the Authorization header at download time (``tix_auth = True``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.settings import SETTINGS_PRIORITIES

from cineradar.args import SpiderArgs, TixArgs
from cineradar.auth.tokens import APP_HEADERS
from cineradar.defaults import defaulted
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SLOT = "tix_api"


class TixApiSpider(CineSpider):
    args_model: ClassVar[type[SpiderArgs]] = TixArgs
    args: TixArgs
    tix_auth = True  # enables cineradar.middlewares.jwt_auth for this spider
    stats_prefix: ClassVar[str] = "cineradar/tix"
    slot_setting: ClassVar[str] = "TIX"  # TIX_<X>_CONCURRENCY / TIX_<X>_DELAY
    default_concurrency: ClassVar[int] = 4
    default_delay: ClassVar[float] = 0.0

    def endpoint_sources(self) -> list[str]:
        # The API, and the web app a user-token login (from the middleware) goes through.
        return ["tix_api", "tix_app"]

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        concurrency = settings.getint(f"{cls.slot_setting}_CONCURRENCY", cls.default_concurrency)
        delay = settings.getfloat(f"{cls.slot_setting}_DELAY", cls.default_delay)
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(SLOT, {"concurrency": concurrency, "delay": delay, "jitter": 0})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        # The HTTP/1.1 handler keeps CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host:
        # with the project's 1, every other API request opened a new TCP connection.
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="spider")
        # Enough global room for the slot; the slot is what limits the TIX API.
        if (settings.getpriority("CONCURRENT_REQUESTS") or 0) < SETTINGS_PRIORITIES["spider"]:
            settings.set("CONCURRENT_REQUESTS", max(concurrency, settings.getint("CONCURRENT_REQUESTS")),
                         priority="spider")

    @property
    def api(self) -> str:
        return self.endpoints.tix_api

    def stat(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{self.stats_prefix}/{key}", count)

    def api_request(self, url: str, callback: Any, *, auth: str, meta: dict[str, Any] | None = None,
                    **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, headers=dict(APP_HEADERS),
                              meta={"tix_auth": auth, "download_slot": SLOT} | (meta or {}), **kwargs)

    def retry(self, request: scrapy.Request, reason: str) -> scrapy.Request | None:
        """A semantic retry (bad JSON, success:false), on top of the HTTP retries."""
        settings = defaulted(self.settings)
        retries = settings.getint("RETRY_TIMES") + settings.getint("TIX_PAYLOAD_RETRIES")
        return get_retry_request(request, spider=self, reason=reason, max_retry_times=retries,
                                 logger=logging.getLogger(self.name))
