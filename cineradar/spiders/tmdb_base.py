"""Shared base of the TMDB spiders (tmdb_movies, tmdb_match): not a spider itself.

* Credentials: TMDB_READ_TOKEN (Bearer) or TMDB_API_KEY, added at download time by
  cineradar.handlers.TmdbAuthDownloadHandler; none at all fails the crawl before any request.
* Rate: every TMDB request goes through one download slot, ``tmdb_api`` (TMDB_CONCURRENCY
  in flight, no per-slot delay), and carries ``meta["site"] = "tmdb"`` so that the per-site
  cap (cineradar/middlewares/site_rate.py) spaces them at TMDB_RATE_LIMIT requests/s.
* Retries: the project's RetryAfterMiddleware (429 with Retry-After, 5xx with backoff; 401,
  404 and 422 never). A 401 stops the crawl at once (bad credentials: retrying burns the list).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy.settings import SETTINGS_PRIORITIES

from cineradar.auth.tmdb import MISSING, TmdbCredentials
from cineradar.defaults import defaulted
from cineradar.extensions import outcome
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

SLOT = "tmdb_api"
SITE = "tmdb"
HANDLER = "cineradar.handlers.TmdbAuthDownloadHandler"


class TmdbSpider(CineSpider):
    stats_prefix: ClassVar[str] = "cineradar/tmdb"
    # 404 (gone) and 422 (past page 500) are answers the callbacks handle; 401 stops the crawl.
    handle_httpstatus_list: ClassVar[list[int]] = [401, 404, 422]

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        concurrency = defaulted(settings).getint("TMDB_CONCURRENCY")
        slots = dict(settings.getdict("DOWNLOAD_SLOTS"))
        slots.setdefault(SLOT, {"concurrency": concurrency, "delay": 0.0, "jitter": 0})
        settings.set("DOWNLOAD_SLOTS", slots, priority="spider")
        # The per-site cap also keeps DOWNLOAD_DELAY between two requests of one slot: the one
        # TMDB slot must not wait the repertuary default of 2 s.
        if (settings.getpriority("DOWNLOAD_DELAY") or 0) < SETTINGS_PRIORITIES["spider"]:
            settings.set("DOWNLOAD_DELAY", 0.0, priority="spider")
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", concurrency, priority="spider")
        if (settings.getpriority("CONCURRENT_REQUESTS") or 0) < SETTINGS_PRIORITIES["spider"]:
            settings.set("CONCURRENT_REQUESTS", max(concurrency, settings.getint("CONCURRENT_REQUESTS")),
                         priority="spider")
        limits = dict(settings.getdict("SITE_RATE_LIMITS"))
        limits[SITE] = defaulted(settings).getfloat("TMDB_RATE_LIMIT")
        settings.set("SITE_RATE_LIMITS", limits, priority="spider")
        if (settings.getpriority("DOWNLOAD_HANDLERS") or 0) <= SETTINGS_PRIORITIES["spider"]:
            settings.set("DOWNLOAD_HANDLERS", settings.getdict("DOWNLOAD_HANDLERS") | {"http": HANDLER,
                                                                                       "https": HANDLER},
                         priority="spider")

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TmdbSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, TmdbSpider)
        spider.credentials = TmdbCredentials.from_settings(crawler.settings)
        if not spider.credentials:
            spider.start_error = spider.start_error or f"{spider.name}: {MISSING}"
        return spider

    credentials: TmdbCredentials

    def endpoint_sources(self) -> list[str]:
        return ["tmdb"]

    @property
    def api(self) -> str:
        return self.endpoints.tmdb.rstrip("/") + "/3"

    def stat(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{self.stats_prefix}/{key}", count)

    def url(self, path: str, **params: Any) -> str:
        query = {k: v for k, v in params.items() if v is not None}
        return f"{self.api}{path}" + (f"?{urlencode(query)}" if query else "")

    def api_request(self, url: str, callback: Any, *, meta: dict[str, Any] | None = None,
                    **kwargs: Any) -> scrapy.Request:
        return scrapy.Request(url, callback=callback, headers={"Accept": "application/json"},
                              meta={"download_slot": SLOT, "site": SITE, "tmdb_auth": True} | (meta or {}),
                              **kwargs)

    def json_or_stop(self, response: Response) -> Any | None:
        """The JSON body; None after handling 401 (crawl failed) or an unreadable body (counted)."""
        if response.status == 401:
            outcome.fail(self.crawler, f"{self.name}: TMDB refused the credentials ({self.credentials.kind}): "
                                       f"{_message(response)}; stopping before the rest of the list")
            return None
        try:
            return json.loads(response.text)
        except ValueError:
            self.stat("bad_json")
            outcome.partial(self.crawler, "tmdb unreadable responses")
            return None


def _message(response: Response) -> str:
    try:
        body = json.loads(response.text)
    except ValueError:
        return f"HTTP {response.status}"
    return str(body.get("status_message") or body.get("errors") or f"HTTP {response.status}")
