"""Log in to TIX.id in a real Chromium and store the token.

    TIX_PHONE_NUMBER=+62... TIX_PASSWORD=... scrapy crawl tix_login

The login itself is the one browser login of cineradar/auth/login.py (the same one the
``tix-token`` command and the JWT middleware's re-login use), run in the crawl's asyncio
loop; the token document is stored as the storage state "tix_jwt" (Firestore:
auth_tokens/tix_jwt). No request goes through Scrapy's downloader. Neither the
credentials nor the tokens are logged, put in stats or yielded. Stats:
cineradar/tix/login/{success,failed}; a failed login fails the crawl (exit 1).
``scrapy parse --spider tix_login URL`` says in one ERROR line that there is no page to parse.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy

from cineradar.auth.manager import build_manager
from cineradar.auth.tokens import TixAuthError
from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import HubTokenStore
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.http import Response


class TixLoginSpider(CineSpider):
    name = "tix_login"
    custom_settings: ClassVar[dict[str, Any]] = {  # type: ignore[misc]
        "ITEM_PIPELINES": {},
        "TIX_AUTH_ENABLED": False,  # this spider makes the token; it needs none
        "RETRY_ENABLED": False,  # a failed login is reported, not hammered
        # It downloads nothing through Scrapy; a URL given to `scrapy parse` reaches parse() below,
        # whatever its status, to say there is nothing to parse.
        "HTTPERROR_ALLOW_ALL": True,
    }

    async def start(self) -> AsyncIterator[scrapy.Request]:
        stats = self.crawler.stats
        assert stats is not None
        manager = build_manager(self.settings, HubTokenStore(self.crawler), api_url=self.endpoints.tix_api,
                                app_url=self.endpoints.tix_app, inc_stat=stats.inc_value, failure_cooldown=0)
        try:
            await manager.renew(use_refresh_token=False)
        except TixAuthError as exc:
            stats.inc_value("cineradar/tix/login/failed")
            outcome.fail(self.crawler, f"TIX.id login failed: {exc}")
            return
        finally:
            await manager.close()
        doc = manager.user_doc or {}
        stats.inc_value("cineradar/tix/login/success")
        self.logger.info("TIX.id token stored for %s; expires at %s; refresh token: %s", doc.get("phone"),
                         doc.get("expires_at"), "yes" if doc.get("refresh_token") else "no")
        return
        yield  # an async generator that requests nothing

    def parse(self, response: Response, **kwargs: Any) -> list[Any]:
        # `scrapy parse --spider tix_login URL` fetches URL (Scrapy does that before any callback)
        # and calls this: the login reads no page through Scrapy, so there is nothing to parse.
        self.logger.error("tix_login has no pages to parse: it logs in to TIX.id in a browser "
                          "(scrapy crawl tix_login); %s was fetched and not read", response.url)
        return []
