"""scrapy-splash 0.11.1 on Scrapy 2.19: the shims, for a spider that renders pages through Splash.

The TIX.id login does not need them: with TIX_RENDERER = "splash" it talks to Splash's HTTP API
from the auth package (cineradar/auth/splash_login.py), outside Scrapy's downloader. A spider
that fetches a rendered page with ``splash_request()`` merges ``SPLASH_SETTINGS`` into its
custom_settings; nothing here runs on import.

scrapy-splash 0.11.1 predates Scrapy 2.14 and three things broke under it
(docs/environment.md#splash). Each shim is tested in tests/tix/test_splash_compat.py against the
upstream fact it works around, so an upstream fix makes a test fail and the shim can go.

1. ``scrapy_splash.request`` and ``.dupefilter`` import ``canonicalize_url`` from
   ``scrapy.utils.url``, which no longer has it (it lives in w3lib.url, where it always came
   from): ``import scrapy_splash`` raises ImportError. Shim: ``apply()`` puts w3lib's function
   back under the old name before scrapy_splash is imported.
2. ``SplashDeduplicateArgsMiddleware`` has only a sync ``process_spider_output`` (and the removed
   ``process_start_requests``); Scrapy 2.19 refuses it with a spider that has async output.
   Shim: ``SPLASH_SETTINGS`` leaves it out. It only saves queue memory for many requests with
   the same large argument; the login sends one request.
3. The default ``slot_policy=PER_DOMAIN`` calls ``Downloader._get_slot_key``, removed in Scrapy
   2.14 (AttributeError on every request). Shim: ``splash_request()`` always passes
   ``SlotPolicy.SINGLE_SLOT`` (all Splash requests share one download slot, "__splash__").
"""

from __future__ import annotations

from typing import Any

SPLASH_SETTINGS: dict[str, Any] = {
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy_splash.SplashCookiesMiddleware": 723,
        "scrapy_splash.SplashMiddleware": 725,
        "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 810,
    },
    # Shim 2: no SPIDER_MIDDLEWARES entry for scrapy_splash.SplashDeduplicateArgsMiddleware.
    "DUPEFILTER_CLASS": "scrapy_splash.SplashAwareDupeFilter",
    "REQUEST_FINGERPRINTER_CLASS": "scrapy_splash.SplashRequestFingerprinter",
}


def apply() -> None:
    """Shim 1 (idempotent); call before importing scrapy_splash."""
    import scrapy.utils.url
    import w3lib.url

    if not hasattr(scrapy.utils.url, "canonicalize_url"):
        scrapy.utils.url.canonicalize_url = w3lib.url.canonicalize_url  # type: ignore[attr-defined]


def splash_request(url: str, **kwargs: Any) -> Any:
    """A ``scrapy_splash.SplashRequest`` that works on Scrapy 2.19 (shims 1 and 3)."""
    apply()
    from scrapy_splash import SlotPolicy, SplashRequest

    kwargs["slot_policy"] = SlotPolicy.SINGLE_SLOT
    return SplashRequest(url, **kwargs)
