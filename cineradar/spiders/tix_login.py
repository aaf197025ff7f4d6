"""Log in to TIX.id in real headless Chromium (scrapy-playwright) and store the token.

    TIX_PHONE_NUMBER=+62... TIX_PASSWORD=... scrapy crawl tix_login

Opens {tix_app}/login, waits for the Flutter form, types the credentials (from the
environment only), clicks the last "Login" button, waits for /home, reads the tokens
from localStorage without their JSON quotes and stores {token, refresh_token, phone
(masked), stored_at, expires_at (the JWT exp)} as the storage state "tix_jwt" (Firestore:
auth_tokens/tix_jwt). Only this spider uses the browser: the Playwright settings bundle
is merged into its custom_settings. Neither the credentials nor the tokens are logged,
put in stats or yielded. Stats: cineradar/tix/login/{success,failed}.

With ``-s TIX_RENDERER=splash`` the same login runs as a Lua script in Splash (SPLASH_URL)
through scrapy-splash (shims: cineradar/compat/splash.py; script and result:
cineradar/auth/splash_login.py); the credentials go in the POST body only. Splash 5xx and
render timeouts are retried TIX_SPLASH_ATTEMPTS times in all (cineradar/tix/splash/retry).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from scrapy.exceptions import DownloadConnectionRefusedError
from scrapy.http import Response
from twisted.internet.error import ConnectionRefusedError, DNSLookupError

from cineradar.auth.splash_login import SplashOptions, execute_args, renderer_name, tokens_from_result
from cineradar.bundles import PLAYWRIGHT_SETTINGS
from cineradar.compat import splash as splash_compat
from cineradar.extensions import outcome
from cineradar.hub import StorageHub
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

from cineradar.tix_auth import (
    BROWSER_CONTEXT,
    INIT_SCRIPT,
    TOKEN_STATE,
    TixAuthError,
    Tokens,
    credentials_from_env,
    login_on_page,
    token_doc,
)


async def _prepare_page(page: Any, request: scrapy.Request) -> None:
    await page.add_init_script(INIT_SCRIPT)  # navigator.webdriver -> undefined, as the original


class TixLoginSpider(CineSpider):
    name = "tix_login"
    custom_settings: ClassVar[dict[str, Any]] = PLAYWRIGHT_SETTINGS | {  # type: ignore[misc]
        "ITEM_PIPELINES": {},
        "TIX_AUTH_ENABLED": False,  # this spider makes the token; it needs none
        "RETRY_ENABLED": False,  # a failed login is reported, not hammered
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        if str(settings.get("TIX_RENDERER") or "").strip().lower() == "splash":  # no browser here: Splash renders
            splash_compat.apply()  # before Scrapy loads scrapy_splash's dupefilter / fingerprinter
            settings.set("DOWNLOAD_HANDLERS", {}, priority="spider")
            for name, value in splash_compat.SPLASH_SETTINGS.items():
                settings.set(name, value, priority="spider")

    async def start(self) -> AsyncIterator[scrapy.Request]:
        try:
            phone, password = credentials_from_env()
            renderer = renderer_name(self.settings)
        except TixAuthError as exc:
            self._fail(str(exc))
            return
        if renderer == "splash":
            yield self._splash_request(phone, password, attempt=1)
            return
        yield scrapy.Request(
            f"{self.endpoints.tix_app}/login", callback=self.on_login_page, errback=self.on_error, dont_filter=True,
            meta={"playwright": True, "playwright_include_page": True, "playwright_context": "tix-login",
                  "playwright_context_kwargs": BROWSER_CONTEXT, "playwright_page_init_callback": _prepare_page,
                  "playwright_page_goto_kwargs": {"wait_until": "domcontentloaded"}},
        )

    async def on_login_page(self, response: Response) -> None:
        page = response.meta["playwright_page"]
        phone, password = credentials_from_env()
        timeout = self.settings.getfloat("TIX_LOGIN_TIMEOUT", 60.0) * 1000
        try:
            tokens = await login_on_page(page, phone, password, timeout_ms=timeout)
        except TixAuthError as exc:
            self._fail(str(exc))
            return
        finally:
            await page.close()
        await self._store(tokens, phone)

    def _splash_request(self, phone: str, password: str, *, attempt: int) -> scrapy.Request:
        options = SplashOptions.from_settings(self.endpoints.tix_app, self.settings)
        args = execute_args(options.app_url, phone, password, timeout=options.timeout,
                            render_timeout=options.render_timeout)
        # The arguments (credentials included) go in the JSON POST body to /execute, never in a URL.
        return splash_compat.splash_request(  # type: ignore[no-any-return]
            args["url"], callback=self.on_splash_result, errback=self.on_splash_error, endpoint="execute",
            args=args, dont_filter=True, meta={"tix_splash_attempt": attempt, "dont_retry": True})

    async def on_splash_result(self, response: Response) -> None:
        phone, _ = credentials_from_env()
        try:
            tokens = tokens_from_result(getattr(response, "data", None))
        except TixAuthError as exc:
            self._fail(str(exc))
            return
        await self._store(tokens, phone)

    def on_splash_error(self, failure: Any) -> scrapy.Request | None:
        from scrapy.spidermiddlewares.httperror import HttpError

        stats = self.crawler.stats
        assert stats is not None
        splash_url = self.settings.get("SPLASH_URL")
        attempt = failure.request.meta.get("tix_splash_attempt", 1)
        attempts = max(1, self.settings.getint("TIX_SPLASH_ATTEMPTS", 3))
        if failure.check(HttpError):
            status = failure.value.response.status
            if status not in (500, 502, 503, 504):  # a script error: the same request fails again
                stats.inc_value(f"cineradar/tix/splash/failed/{status}")
                self._fail(f"Splash refused the login script at SPLASH_URL={splash_url}: HTTP {status}")
                return None
            why = f"HTTP {status}"
        elif failure.check(DownloadConnectionRefusedError, ConnectionRefusedError, DNSLookupError):
            stats.inc_value("cineradar/tix/splash/unreachable")
            self._fail(f"Splash is unreachable at SPLASH_URL={splash_url} ({failure.type.__name__})")
            return None
        else:
            why = failure.type.__name__
        if attempt < attempts:
            stats.inc_value("cineradar/tix/splash/retry")
            self.logger.warning("Splash login attempt %d/%d failed (%s); retrying", attempt, attempts, why)
            phone, password = credentials_from_env()
            return self._splash_request(phone, password, attempt=attempt + 1)
        stats.inc_value("cineradar/tix/splash/gave_up")
        self._fail(f"Splash login failed {attempts} times at SPLASH_URL={splash_url}: last {why}")
        return None

    async def _store(self, tokens: Tokens, phone: str) -> None:
        hub = StorageHub.of(self.crawler)
        previous = await hub.call(hub.primary, lambda b: b.get_state(TOKEN_STATE))
        doc = token_doc(tokens, phone=phone, now=dt.datetime.now(dt.UTC), source="login", previous=previous)
        await hub.call(hub.primary, lambda b: b.put_state(TOKEN_STATE, doc))
        self.crawler.stats.inc_value("cineradar/tix/login/success")  # type: ignore[union-attr]
        self.logger.info("TIX.id token stored for %s in %s state %r; expires at %s; refresh token: %s",
                         doc["phone"], hub.primary, TOKEN_STATE, doc["expires_at"],
                         "yes" if doc.get("refresh_token") else "no")

    async def on_error(self, failure: Any) -> None:
        page = failure.request.meta.get("playwright_page")
        if page is not None:
            await page.close()
        self._fail(f"{failure.type.__name__}: {failure.getErrorMessage()[:200]}")

    def _fail(self, message: str) -> None:
        self.crawler.stats.inc_value("cineradar/tix/login/failed")  # type: ignore[union-attr]
        outcome.fail(self.crawler, f"TIX.id login failed: {message}")  # one ERROR line, exit 1
