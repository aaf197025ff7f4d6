"""TIX.id JWT downloader middleware: Authorization injected at download time, refreshed in time.

Requests say which token they need with ``meta["tix_auth"]``: ``"user"`` (seat layouts,
E5: the login's access token) or ``"guest"`` (E3/E4: a guest token from POST /v1/auth).
Requests to the TIX API with no such key are classified by path, so ``scrapy shell``
and ``scrapy fetch`` of a layout URL get a user token by themselves:
``/v1/movies/{merchant}/layout`` is user, ``/v1/movies``, ``/v1/schedules/...`` and
``/v1/cities`` are guest. ``meta["tix_auth"] = False`` opts a request out.

* The header is set in ``process_request`` and removed again once the response (or the
  error) is back, so a token never sits in the scheduler's queue (JOBDIR) nor on a
  request that RetryMiddleware copies.
* The user token comes from the token store (storage state "tix_jwt"), is refreshed
  proactively when fewer than TIX_REFRESH_MARGIN_MINUTES remain (at most a quarter of
  the token's lifetime, for short-lived tokens), and on a 401 (except
  EXPIRED_EVENT_DETAIL, which means the showtime has started and is passed through).
* Single flight: one asyncio lock per token kind, and a generation number per token.
  Requests that find the token stale wait on the lock; the first one renews, the others
  find the new token when they get the lock. A 401 answered to a request sent with an
  older generation only retries the request: the token was renewed meanwhile.
* Renewal: POST /v1/users/refresh with the refresh token; if that token is rejected,
  a full browser login (Playwright in this asyncio loop, credentials from
  TIX_PHONE_NUMBER / TIX_PASSWORD) and the crawl goes on. A failed login, refresh or
  guest-token round (POST /v1/auth) is not retried for TIX_AUTH_FAILURE_COOLDOWN
  seconds: waiting requests fail fast (IgnoreRequest, counted under
  cineradar/tix/auth/no_token/<kind>) instead of each running a round of its own; a
  failed proactive renewal keeps the still valid token until the cooldown ends.
* Outcome: every request dropped for want of a token makes the crawl partial; if no
  request could get a token at all, the crawl failed (one ERROR line, exit 1).

Enabled for spiders with ``tix_auth = True``, for scrapy shell/fetch (no spider class of
the project), or always/never with ``-s TIX_AUTH_ENABLED=1/0``; NotConfigured otherwise.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured

from cineradar.auth.splash_login import chosen_login
from cineradar.endpoints import Endpoints
from cineradar.extensions import outcome
from cineradar.tix_auth import (
    APP_HEADERS,
    DEFAULT_ACCESS_TTL,
    TOKEN_STATE,
    RefreshRejected,
    TixAuthClient,
    TixAuthError,
    Tokens,
    credentials_from_env,
    jwt_claims,
    local_expiry,
    parse_time,
    redact,
    token_doc,
    unquote,
    utcnow,
)

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

LAYOUT_PATH = re.compile(r"^/v1/movies/[^/]+/layout/?$")
GUEST_PATH = re.compile(r"^/v1/(movies/?$|schedules/|cities/?$)")
EXPIRED_EVENT = b"EXPIRED_EVENT_DETAIL"


class TokenStore(Protocol):
    async def load(self) -> dict[str, Any] | None: ...

    async def save(self, doc: dict[str, Any]) -> None: ...


class HubTokenStore:
    """The token document in the primary storage backend's state "tix_jwt"."""

    def __init__(self, crawler: Crawler) -> None:
        from cineradar.hub import StorageHub

        self.hub = StorageHub.of(crawler)

    async def load(self) -> dict[str, Any] | None:
        return await self.hub.call(self.hub.primary, lambda b: b.get_state(TOKEN_STATE))

    async def save(self, doc: dict[str, Any]) -> None:
        await self.hub.call(self.hub.primary, lambda b: b.put_state(TOKEN_STATE, doc))


class TokenManager:
    """User and guest tokens with proactive refresh, single flight and re-login.

    No Scrapy here: the middleware, the ``tix-token`` command and tests drive it.
    """

    def __init__(self, *, client: TixAuthClient, store: TokenStore,
                 login: Callable[[], Awaitable[Tokens]] | None, phone: str | None = None,
                 margin: dt.timedelta = dt.timedelta(minutes=5), clock: Callable[[], dt.datetime] = utcnow,
                 inc_stat: Callable[[str], None] | None = None, failure_cooldown: float = 30.0,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.store = store
        self.login = login
        self.phone = phone
        self.margin = margin
        self.clock = clock
        self.inc_stat = inc_stat or (lambda key: None)
        self.failure_cooldown = failure_cooldown
        self.monotonic = monotonic  # cooldowns: injectable so tests move time without sleeping
        self.user_doc: dict[str, Any] | None = None
        self.user_generation = 0
        self._user_expiry: dt.datetime | None = None
        self._user_lifetime = DEFAULT_ACCESS_TTL
        self._loaded = False
        self._user_lock = asyncio.Lock()
        self._failed_until = 0.0
        self._failed_reason = ""
        self._refresh_failed_until = 0.0  # a failed proactive refresh while the token is still valid
        self.guest: str | None = None
        self.guest_generation = 0
        self._guest_expiry: dt.datetime | None = None
        self._guest_lifetime = DEFAULT_ACCESS_TTL
        self._guest_lock = asyncio.Lock()
        self._guest_failed_until = 0.0
        self._guest_failed_reason = ""

    # ------------------------------------------------------------------ policy
    def _fresh(self, expiry: dt.datetime | None, lifetime: dt.timedelta) -> bool:
        if expiry is None:
            return False
        margin = min(self.margin, lifetime / 4)  # a 60 s token is renewed 15 s early, not every time
        return expiry - self.clock() > margin

    def _usable(self) -> bool:
        return bool(self.user_doc and self.user_doc.get("token")) and self._fresh(self._user_expiry,
                                                                                 self._user_lifetime)

    def _adopt(self, doc: dict[str, Any] | None) -> None:
        if doc:  # a document written by other code may hold the values with their JSON quotes
            doc = doc | {"token": unquote(doc.get("token")), "refresh_token": unquote(doc.get("refresh_token"))}
        self.user_doc = doc
        self.user_generation += 1
        self._user_expiry = local_expiry(doc) if doc else None
        stored = parse_time(doc.get("stored_at")) if doc else None
        issued = parse_time(doc.get("issued_at")) if doc else None
        expires = parse_time(doc.get("expires_at")) if doc else None
        if expires and (issued or stored):
            lifetime = expires - (issued or stored)  # type: ignore[operator]
            self._user_lifetime = lifetime if lifetime > dt.timedelta(0) else DEFAULT_ACCESS_TTL

    # ------------------------------------------------------------------ user token
    async def user_token(self) -> tuple[str, int]:
        """A user access token that stays valid past the margin, and its generation."""
        if self._usable():
            return self.user_doc["token"], self.user_generation  # type: ignore[index]
        self._check_cooldown()  # fail fast: no waiting on the lock during a cooldown
        async with self._user_lock:
            if not self._loaded:
                self._loaded = True
                doc = await self.store.load()
                if doc and doc.get("token"):
                    self._adopt(doc)
            if not self._usable():
                await self._renew("expiring" if self.user_doc else "no stored token")
            return self.user_doc["token"], self.user_generation  # type: ignore[index]

    async def user_rejected(self, generation: int | None) -> None:
        """A request sent with ``generation`` got a 401: renew once, unless already renewed."""
        async with self._user_lock:
            if generation is not None and generation != self.user_generation:
                return
            await self._renew("401 from the API")

    async def renew(self, *, use_refresh_token: bool = True) -> None:
        """Renew now, whatever the token's TTL (the ``tix-token`` command)."""
        async with self._user_lock:
            if not self._loaded:
                self._loaded = True
                doc = await self.store.load()
                if doc and doc.get("token"):
                    self._adopt(doc)
            await self._renew("requested", use_refresh_token=use_refresh_token)

    def _check_cooldown(self) -> None:
        if self.monotonic() < self._failed_until:
            self.inc_stat("cineradar/tix/auth/cooldown/user")
            raise TixAuthError(f"TIX.id authentication failed recently ({self._failed_reason}); not retrying yet")

    def _still_valid(self) -> bool:
        return bool(self._user_expiry and self._user_expiry > self.clock())

    async def _renew(self, reason: str, *, use_refresh_token: bool = True) -> None:
        if reason == "expiring" and self._still_valid() and self.monotonic() < self._refresh_failed_until:
            return  # a refresh failed moments ago: the current token serves until the cooldown ends
        self._check_cooldown()
        previous = self.user_doc
        try:
            if use_refresh_token and previous and previous.get("refresh_token"):
                try:
                    tokens = await self.client.refresh(previous["refresh_token"])
                except RefreshRejected as exc:
                    self.inc_stat("cineradar/tix/auth/refresh_rejected")
                    logger.warning("TIX.id refresh token rejected (%s); logging in again", exc)
                except TixAuthError as exc:
                    self.inc_stat("cineradar/tix/auth/refresh_failed")
                    if self._still_valid() and reason == "expiring":
                        self._refresh_failed_until = self.monotonic() + self.failure_cooldown
                        logger.warning("TIX.id token refresh failed (%s); the current token is still valid, "
                                       "next refresh in %.0f s", exc, self.failure_cooldown)
                        return
                    raise
                else:
                    await self._install(tokens, "refresh", previous)
                    self.inc_stat("cineradar/tix/auth/refresh")
                    logger.info("TIX.id access token refreshed (%s); valid until %s", reason,
                                self.user_doc.get("expires_at") if self.user_doc else "?")
                    return
            if self.login is None:
                raise TixAuthError("no usable TIX.id token and no way to log in")
            logger.info("TIX.id: logging in with the browser (%s)", reason)
            self.inc_stat("cineradar/tix/auth/login")
            tokens = await self.login()
            await self._install(tokens, "login", previous)
            logger.info("TIX.id login succeeded; token valid until %s",
                        self.user_doc.get("expires_at") if self.user_doc else "?")
        except TixAuthError as exc:
            self.inc_stat("cineradar/tix/auth/failed")
            self._failed_until = self.monotonic() + self.failure_cooldown
            self._failed_reason = str(exc)
            logger.error("TIX.id authentication failed: %s", exc)
            raise
        except Exception as exc:  # Playwright errors and the like: same treatment, secrets redacted
            self.inc_stat("cineradar/tix/auth/failed")
            self._failed_until = self.monotonic() + self.failure_cooldown
            first_line = (str(exc).strip().splitlines() or [""])[0][:200]
            self._failed_reason = f"{exc.__class__.__name__}: {redact(first_line, *self._secrets())}"
            logger.error("TIX.id authentication failed: %s", self._failed_reason)
            raise TixAuthError(f"authentication failed ({self._failed_reason})") from None

    def _secrets(self) -> list[str | None]:
        try:
            phone, password = credentials_from_env()
        except TixAuthError:
            return []
        doc = self.user_doc or {}
        return [password, phone, doc.get("token"), doc.get("refresh_token"), self.guest]

    async def _install(self, tokens: Tokens, source: str, previous: dict[str, Any] | None) -> None:
        doc = token_doc(tokens, phone=self.phone, now=self.clock(), source=source, previous=previous)
        self._adopt(doc)
        try:
            await self.store.save(doc)
        except Exception as exc:
            self.inc_stat("cineradar/tix/auth/store_failed")
            logger.error("could not store the TIX.id token: %s", exc.__class__.__name__)

    # ------------------------------------------------------------------ guest token
    async def guest_token(self) -> tuple[str, int]:
        if self.guest and self._fresh(self._guest_expiry, self._guest_lifetime):
            return self.guest, self.guest_generation
        if not self._guest_valid():
            self._check_guest_cooldown()  # fail fast: no waiting on the lock during a cooldown
        async with self._guest_lock:
            if not (self.guest and self._fresh(self._guest_expiry, self._guest_lifetime)):
                await self._new_guest(proactive=True)
            return self.guest, self.guest_generation  # type: ignore[return-value]

    async def guest_rejected(self, generation: int | None) -> None:
        async with self._guest_lock:
            if generation is not None and generation != self.guest_generation:
                return
            await self._new_guest(proactive=False)

    def _guest_valid(self) -> bool:
        return bool(self.guest and self._guest_expiry and self._guest_expiry > self.clock())

    def _check_guest_cooldown(self) -> None:
        if self.monotonic() < self._guest_failed_until:
            self.inc_stat("cineradar/tix/auth/cooldown/guest")
            raise TixAuthError(f"TIX.id guest token failed recently ({self._guest_failed_reason}); not retrying yet")

    async def _new_guest(self, *, proactive: bool) -> None:
        """One POST /v1/auth round (the client's attempts); a failure starts the cooldown.

        Requests wait on the guest lock, so one round is in flight; those that get the
        lock after a failure fail at once on the cooldown (or keep the still valid token
        when the renewal was only proactive) instead of each running a round of its own.
        """
        keep = proactive and self._guest_valid()
        if self.monotonic() < self._guest_failed_until:
            if keep:
                return
            self._check_guest_cooldown()
        try:
            token = await self.client.guest_token()
        except TixAuthError as exc:
            self.inc_stat("cineradar/tix/auth/guest_failed")
            self._guest_failed_until = self.monotonic() + self.failure_cooldown
            self._guest_failed_reason = str(exc)
            if keep:
                logger.warning("TIX.id guest token renewal failed (%s); the current one is still valid", exc)
                return
            logger.error("TIX.id guest token failed: %s; requests that need one fail for the next %.0f s",
                         exc, self.failure_cooldown)
            raise
        claims = jwt_claims(token)
        now = self.clock()
        exp, iat = claims.get("exp"), claims.get("iat")
        if isinstance(exp, int | float) and isinstance(iat, int | float) and exp > iat:
            self._guest_lifetime = dt.timedelta(seconds=exp - iat)
        elif isinstance(exp, int | float):
            self._guest_lifetime = max(dt.datetime.fromtimestamp(exp, dt.UTC) - now, dt.timedelta(seconds=1))
        else:
            self._guest_lifetime = DEFAULT_ACCESS_TTL
        self._guest_expiry = now + self._guest_lifetime
        self.guest = token
        self.guest_generation += 1
        self.inc_stat("cineradar/tix/auth/guest")

    async def close(self) -> None:
        await self.client.close()


class TixJwtAuthMiddleware:
    def __init__(self, crawler: Crawler, manager: TokenManager, api_url: str, max_auth_retries: int) -> None:
        self.crawler = crawler
        self.manager = manager
        self.api_url = api_url.rstrip("/")
        self.max_auth_retries = max_auth_retries
        self.answered: Counter[str] = Counter()  # responses to requests sent with a token, per kind
        self.dropped: Counter[str] = Counter()  # requests failed for want of a token, per kind
        self.first_error = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TixJwtAuthMiddleware:
        settings = crawler.settings
        explicit = settings.get("TIX_AUTH_ENABLED")
        spider = getattr(crawler, "spider", None)
        if explicit is not None and str(explicit).strip() != "":
            enabled = settings.getbool("TIX_AUTH_ENABLED")
        else:  # auto: spiders that declare it, and the shell / fetch (no project spider)
            enabled = spider is None or bool(getattr(spider, "tix_auth", False)) or spider.name == "default"
        if not enabled:
            raise NotConfigured  # no message: Scrapy would log a warning for every other spider
        endpoints = Endpoints.from_settings(settings)
        stats = crawler.stats

        def inc(key: str) -> None:
            if stats is not None:
                stats.inc_value(key)

        phone: str | None
        try:
            phone, _ = credentials_from_env()
        except TixAuthError:
            phone = None

        login = chosen_login(settings, endpoints.tix_app, credentials_from_env, inc_stat=inc)  # TIX_RENDERER
        manager = TokenManager(
            client=TixAuthClient(endpoints.tix_api, timeout=settings.getfloat("TIX_AUTH_TIMEOUT")
                                 or settings.getfloat("DOWNLOAD_TIMEOUT", 30.0),
                                 attempts=settings.getint("TIX_AUTH_ATTEMPTS", 4)),
            store=HubTokenStore(crawler), login=login, phone=phone,
            margin=dt.timedelta(minutes=settings.getfloat("TIX_REFRESH_MARGIN_MINUTES", 5.0)),
            inc_stat=inc, failure_cooldown=settings.getfloat("TIX_AUTH_FAILURE_COOLDOWN", 30.0),
        )
        middleware = cls(crawler, manager, endpoints.tix_api, settings.getint("TIX_AUTH_MAX_RETRIES", 3))
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def kind(self, request: Request) -> str | None:
        """"user", "guest" or None for a request."""
        marked = request.meta.get("tix_auth")
        if marked in ("user", "guest"):
            return str(marked)
        if marked is False or not request.url.startswith(self.api_url + "/"):
            return None
        path = request.url[len(self.api_url):].split("?", 1)[0]
        if LAYOUT_PATH.match(path):
            return "user"
        if GUEST_PATH.match(path):
            return "guest"
        return None

    async def process_request(self, request: Request) -> None:
        kind = self.kind(request)
        if kind is None:
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
        request.headers.pop("Authorization", None)
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
            request.headers.pop("Authorization", None)

    def spider_idle(self) -> None:
        """Nothing left to fetch: if no request could get a token at all, the crawl failed."""
        if self.dropped and not self.answered:
            kinds = " and ".join(sorted(self.dropped))
            outcome.fail(self.crawler, f"TIX.id: no {kinds} token could be obtained ({self.first_error}); "
                                       f"{sum(self.dropped.values())} requests failed, nothing fetched")

    async def spider_closed(self) -> None:
        await self.manager.close()
