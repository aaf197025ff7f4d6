"""Log in to TIX.id in real headless Chromium (scrapy-playwright) and store the token.

    TIX_PHONE_NUMBER=+62... TIX_PASSWORD=... scrapy crawl tix_login

Opens {tix_app}/login, waits for the Flutter form, types the credentials (from the
environment only), clicks the last "Login" button, waits for /home, reads the tokens
from localStorage without their JSON quotes and stores {token, refresh_token, phone
(masked), stored_at, expires_at (the JWT exp)} as the storage state "tix_jwt" (Firestore:
auth_tokens/tix_jwt). Only this spider uses the browser: the Playwright settings bundle
is merged into its custom_settings. Neither the credentials nor the tokens are logged,
put in stats or yielded. Stats: cineradar/tix/login/{success,failed}.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import scrapy
from scrapy.http import Response

from cineradar.bundles import PLAYWRIGHT_SETTINGS
from cineradar.extensions.storage_hub import storage_hub
from cineradar.spiders.base import CineSpider
from cineradar.tix_auth import (
    BROWSER_CONTEXT,
    INIT_SCRIPT,
    TOKEN_STATE,
    TixAuthError,
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

    async def start(self) -> AsyncIterator[scrapy.Request]:
        try:
            credentials_from_env()
        except TixAuthError as exc:
            self._fail(str(exc))
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
        hub = storage_hub(self.crawler, "tix_login (it stores the token)")
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
        self.logger.error("TIX.id login failed: %s", message)
