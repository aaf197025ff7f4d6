"""TIX.id JWT downloader middleware: Authorization injected at download time, refreshed in time.

Requests say which token they need with ``meta["tix_auth"]``: ``"user"`` (seat layouts,
E5: the login's access token) or ``"guest"`` (E3/E4: a guest token from POST /v1/auth).
Requests to the TIX API with no such key are classified by path, so ``scrapy shell``
and ``scrapy fetch`` of a layout URL get a user token by themselves. Only requests to the TIX API's
origin (ENDPOINTS ``tix_api``) ever get a token, whatever their meta says (cineradar/origins.py):
``/v1/movies/{merchant}/layout`` is user, ``/v1/movies``, ``/v1/schedules/...`` and
``/v1/cities`` are guest. ``meta["tix_auth"] = False`` opts a request out.

* The header is set in ``process_request`` and removed again once the response (or the
  error) is back, so a token never sits in the scheduler's queue (JOBDIR) nor on a
  request that RetryMiddleware copies. Not for a spider that is not the project's (the one
  ``scrapy shell`` and ``scrapy fetch`` make): there the header stays on the request, so
  ``request.headers`` and ``fetch --headers`` show what was sent (the terminal, not the log).
* Tokens come from cineradar.auth's TokenManager (Scrapy-free): the user token from the
  token store (storage state "tix_jwt"), refreshed proactively below
  TIX_REFRESH_MARGIN_MINUTES, and here on a 401 (except EXPIRED_EVENT_DETAIL, which
  means the showtime has started and is passed through); single flight per token kind;
  a rejected refresh token means the one browser login (cineradar/auth/login.py); a
  failed round is not retried for TIX_AUTH_FAILURE_COOLDOWN seconds, so waiting
  requests fail fast (IgnoreRequest, counted under cineradar/tix/auth/no_token/<kind>).
  A 401 to a request sent with an older token generation only retries the request.
* Outcome: every request dropped for want of a token makes the crawl partial; if no
  request could get a token at all, the crawl failed (one ERROR line, exit 1).

Enabled for the project's spiders with ``tix_auth = True`` and for any spider that is not
the project's (scrapy shell/fetch), or always/never with ``-s TIX_AUTH_ENABLED=1/0``;
NotConfigured otherwise.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.misc import load_object

from cineradar.auth.manager import TokenManager, build_manager
from cineradar.auth.tokens import APP_HEADERS, TixAuthError
from cineradar.defaults import defaulted
from cineradar.endpoints import Endpoints
from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import HubTokenStore
from cineradar.origins import same_origin

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

LAYOUT_PATH = re.compile(r"^/v1/movies/[^/]+/layout/?$")
GUEST_PATH = re.compile(r"^/v1/(movies/?$|schedules/|cities/?$)")
EXPIRED_EVENT = b"EXPIRED_EVENT_DETAIL"


def wants_tix_auth(spider: Any) -> bool:
    """Auto mode: the project's spiders that declare ``tix_auth = True``, and any spider that
    is not one of the project's (the one ``scrapy shell`` and ``scrapy fetch`` make, a user's
    own): those only get tokens on TIX API URLs, by the URL's path (``kind``)."""
    if spider is None or not is_project_spider(spider):
        return True
    return bool(spider.tix_auth)


def is_project_spider(spider: Any) -> bool:
    """One of the project's spiders (cineradar.spiders.base.CineSpider declares ``tix_auth``), told
    apart without importing the spiders: a middleware does not reach up into the spiders' room."""
    return hasattr(type(spider), "tix_auth")


class TixJwtAuthMiddleware:
    def __init__(self, crawler: Crawler, manager: TokenManager, api_url: str, max_auth_retries: int) -> None:
        self.crawler = crawler
        self.manager = manager
        self.api_url = api_url.rstrip("/")
        self._api_prefix = self.api_url + "/"
        self.max_auth_retries = max_auth_retries
        self.answered: Counter[str] = Counter()  # responses to requests sent with a token, per kind
        self.dropped: Counter[str] = Counter()  # requests failed for want of a token, per kind
        self.first_error = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TixJwtAuthMiddleware:
        settings = crawler.settings
        explicit = settings.get("TIX_AUTH_ENABLED")
        if explicit is not None and str(explicit).strip() != "":
            enabled = settings.getbool("TIX_AUTH_ENABLED")
        else:
            enabled = wants_tix_auth(getattr(crawler, "spider", None))
        if not enabled:
            raise NotConfigured  # no message: Scrapy would log a warning for every other spider
        endpoints = Endpoints.from_settings(settings)
        stats = crawler.stats

        def inc(key: str) -> None:
            if stats is not None:
                stats.inc_value(key)

        # TIX_AUTH_CLOCK: import path of a zero-argument callable giving the aware UTC now;
        # lets an end-to-end test run the token lifetimes on the replica's clock.
        clock = load_object(settings["TIX_AUTH_CLOCK"]) if settings.get("TIX_AUTH_CLOCK") else None
        manager = build_manager(settings, HubTokenStore(crawler), api_url=endpoints.tix_api,
                                app_url=endpoints.tix_app, inc_stat=inc, clock=clock)
        middleware = cls(crawler, manager, endpoints.tix_api, defaulted(settings).getint("TIX_AUTH_MAX_RETRIES"))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def kind(self, request: Request) -> str | None:
        """"user", "guest" or None for a request: None for any origin but the TIX API's, whatever
        its meta says (a redirect to another host keeps the meta)."""
        url = request.url
        # A URL under the API's own prefix has its scheme and host:port exactly (the authority ends
        # at the first "/"): no parsing for the API's own requests, twice per seat layout.
        under_api = url.startswith(self._api_prefix)
        if not under_api and not same_origin(url, self.api_url):
            return None
        marked = request.meta.get("tix_auth")
        if marked in ("user", "guest"):
            return str(marked)
        if marked is False or not under_api:
            return None
        path = url[len(self.api_url):].split("?", 1)[0]
        if LAYOUT_PATH.match(path):
            return "user"
        if GUEST_PATH.match(path):
            return "guest"
        return None

    async def process_request(self, request: Request) -> None:
        kind = self.kind(request)
        if kind is None:
            if request.meta.get("tix_auth") and not same_origin(request.url, self.api_url):
                request.headers.pop("Authorization", None)  # never a TIX token to another host
                assert self.crawler.stats is not None
                self.crawler.stats.inc_value("cineradar/tix/auth/withheld_other_host")
            return
        try:
            if kind == "user":
                token, generation = await self.manager.user_token()
            else:
                token, generation = await self.manager.guest_token()
        except TixAuthError as exc:
            assert self.crawler.stats is not None
            self.crawler.stats.inc_value(f"cineradar/tix/auth/no_token/{kind}")
            self.dropped[kind] += 1
            self.first_error = self.first_error or str(exc)  # the cause; later ones say "failed recently"
            outcome.partial(self.crawler, f"tix_requests_without_{kind}_token")
            raise IgnoreRequest(f"no TIX.id {kind} token: {exc}") from None
        if kind == "guest" and b"platform" not in request.headers:  # E1-E4 want the app's headers
            for name, value in APP_HEADERS.items():
                request.headers.setdefault(name, value)
        request.headers["Authorization"] = f"Bearer {token}"
        request.meta["tix_auth_generation"] = generation

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        kind = self.kind(request)
        if kind is None:
            return response
        self._forget_token(request)
        if response.status != 401:
            self.answered[kind] += 1
            return response
        assert self.crawler.stats is not None
        stats = self.crawler.stats
        if EXPIRED_EVENT in response.body[:4096]:
            stats.inc_value("cineradar/tix/auth/expired_event_detail")
            return response  # the showtime has started: the spider records it
        stats.inc_value(f"cineradar/tix/auth/401/{kind}")
        retries = request.meta.get("tix_auth_retries", 0)
        if retries >= self.max_auth_retries:
            stats.inc_value(f"cineradar/tix/auth/gave_up/{kind}")
            logger.error("401 for %s after %d token renewals; giving up on this request", request.url, retries)
            return response
        try:
            if kind == "user":
                await self.manager.user_rejected(request.meta.get("tix_auth_generation"))
            else:
                await self.manager.guest_rejected(request.meta.get("tix_auth_generation"))
        except TixAuthError:
            return response
        retry = request.replace(dont_filter=True)
        retry.meta["tix_auth_retries"] = retries + 1
        retry.meta.pop("tix_auth_generation", None)
        stats.inc_value(f"cineradar/tix/auth/retried/{kind}")
        return retry

    async def process_exception(self, request: Request, exception: BaseException) -> None:
        if self.kind(request) is not None:
            self._forget_token(request)

    def _forget_token(self, request: Request) -> None:
        spider = getattr(self.crawler, "spider", None)
        if spider is None or is_project_spider(spider):  # kept for shell/fetch's own spider only
            request.headers.pop("Authorization", None)

    def spider_idle(self) -> None:
        """Nothing left to fetch: if no request could get a token at all, the crawl failed."""
        if self.dropped and not self.answered:
            kinds = " and ".join(sorted(self.dropped))
            outcome.fail(self.crawler, f"TIX.id: no {kinds} token could be obtained ({self.first_error}); "
                                       f"{sum(self.dropped.values())} requests failed, nothing fetched")

    async def spider_closed(self) -> None:
        await self.manager.close()
