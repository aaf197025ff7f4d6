"""Settings bundles merged into one spider's ``custom_settings`` (never project-wide).

``PLAYWRIGHT_SETTINGS``: scrapy-playwright with Debian's Chromium (docs/environment.md#chromium-and-playwright),
for the only spider that needs a browser (tix_login); every other spider stays plain
HTTP. The Chromium binary comes from $CHROMIUM_PATH (default /usr/bin/chromium).
"""

from __future__ import annotations

import os
from typing import Any

from cineradar.tix_auth import CHROMIUM_ARGS

PLAYWRIGHT_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_HANDLERS": {
        "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
        "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    },
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    "PLAYWRIGHT_BROWSER_TYPE": "chromium",
    "PLAYWRIGHT_LAUNCH_OPTIONS": {
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "headless": True,
        "args": CHROMIUM_ARGS,
    },
    "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": 30_000,
    "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
    "PLAYWRIGHT_ABORT_REQUEST": "cineradar.bundles.abort_heavy_request",
    "CONCURRENT_REQUESTS": 2,
}


def abort_heavy_request(request: Any) -> bool:
    """Images, media and fonts are never needed to log in."""
    return request.resource_type in ("image", "media", "font")
