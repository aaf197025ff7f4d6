"""The TIX.id token manager: user and guest tokens, refreshed in time, single flight, cooldowns.

* The user token comes from a token store (``TokenStore``: the storage state "tix_jwt"),
  is refreshed proactively when fewer than the margin remain (at most a quarter of the
  token's lifetime, for short-lived tokens), and when the API answers 401.
* Single flight: one asyncio lock per token kind, and a generation number per token.
  Callers that find the token stale wait on the lock; the first one renews, the others
  find the new token when they get the lock. A 401 to a request sent with an older
  generation renews nothing: the token was renewed meanwhile.
* Renewal: the refresh token (cineradar/auth/api.py); if it is rejected, a full browser
  login (cineradar/auth/login.py). A failed login, refresh or guest-token round is not
  retried for ``failure_cooldown`` seconds: callers fail fast (TixAuthError) instead of
  each running a round of its own; a failed proactive renewal keeps the still valid
  token until the cooldown ends.

No Scrapy here: the JWT middleware, the tix_login spider and the ``tix-token`` command
build one with ``build_manager`` from their settings.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from cineradar.auth.api import TixAuthClient
from cineradar.auth.login import PLAYWRIGHT, LoginOptions, Renderer, login, renderer_name
from cineradar.auth.tokens import (
    DEFAULT_ACCESS_TTL,
    TOKEN_STATE,
    Credentials,
    RefreshRejected,
    SettingsLike,
    TixAuthError,
    Tokens,
    env_phone,
    jwt_claims,
    local_expiry,
    parse_time,
    redact,
    token_doc,
    unquote,
    utcnow,
)
from cineradar.defaults import defaulted

logger = logging.getLogger(__name__)


class TokenStore(Protocol):
    async def load(self) -> dict[str, Any] | None: ...

    async def save(self, doc: dict[str, Any]) -> None: ...


class BlockingStateStore:
    """The token document in a blocking storage backend (get_state/put_state), used through a thread."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    async def load(self) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.backend.get_state, TOKEN_STATE)

    async def save(self, doc: dict[str, Any]) -> None:
        await asyncio.to_thread(self.backend.put_state, TOKEN_STATE, doc)


class TokenManager:
    """User and guest tokens with proactive refresh, single flight and re-login.

    ``login`` is the one browser login (cineradar/auth/login.py) or, in tests, a stand-in.
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
            await self._load_once()
            if not self._usable():
                await self._renew("expiring" if self.user_doc else "no stored token")
            return self.user_doc["token"], self.user_generation  # type: ignore[index]

    async def _load_once(self) -> None:
        """The stored token, read on first use (under the user lock)."""
        if not self._loaded:
            self._loaded = True
            doc = await self.store.load()
            if doc and doc.get("token"):
                self._adopt(doc)

    async def user_rejected(self, generation: int | None) -> None:
        """A request sent with ``generation`` got a 401: renew once, unless already renewed."""
        async with self._user_lock:
            if generation is not None and generation != self.user_generation:
                return
            await self._renew("401 from the API")

    async def renew(self, *, use_refresh_token: bool = True) -> None:
        """Renew now, whatever the token's TTL (``tix-token``, the tix_login spider)."""
        async with self._user_lock:
            await self._load_once()
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
            credentials = Credentials.from_env()
        except TixAuthError:
            return []
        doc = self.user_doc or {}
        return [credentials.password, credentials.phone, doc.get("token"), doc.get("refresh_token"), self.guest]

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


def build_manager(settings: SettingsLike, store: TokenStore, *, api_url: str, app_url: str,
                  inc_stat: Callable[[str], None] | None = None, failure_cooldown: float | None = None,
                  headless: bool | None = None, clock: Callable[[], dt.datetime] | None = None) -> TokenManager:
    """A TokenManager as the settings say: auth API options, margins, the one browser login."""
    options = LoginOptions.from_settings(app_url, settings)
    if headless is not None:
        options = LoginOptions(options.app_url, headless, options.chromium_path, options.timeout)

    renderer: Renderer = PLAYWRIGHT
    if renderer_name(settings) == "splash":  # TIX_RENDERER: the same login, rendered by a Splash server
        from cineradar.auth.splash_login import SplashRenderer

        renderer = SplashRenderer.from_settings(settings, inc_stat)

    async def browser_login() -> Tokens:
        return await login(Credentials.from_env(), options, renderer)

    if failure_cooldown is None:
        failure_cooldown = defaulted(settings).getfloat("TIX_AUTH_FAILURE_COOLDOWN")
    return TokenManager(
        client=TixAuthClient.from_settings(api_url, settings, inc_stat), store=store,
        login=browser_login, phone=env_phone(),
        margin=dt.timedelta(minutes=defaulted(settings).getfloat("TIX_REFRESH_MARGIN_MINUTES")),
        inc_stat=inc_stat, failure_cooldown=failure_cooldown, clock=clock or utcnow)
