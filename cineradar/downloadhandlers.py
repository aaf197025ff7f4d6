"""Download handler for the TIX.id seat crawl: Scrapy's own aiohttp handler.

Scrapy 2.19 ships ``AiohttpDownloadHandler`` (the default of its reactor-less mode) and
marks it experimental. On the 2-core test machine it spends about 15 % less CPU per
request than the Twisted HTTP/1.1 handler, which is what takes ``tix_seats`` past 300
layouts/s (bench/tix_seats.py; the crawl is CPU-bound, not latency-bound). It is used
by ``tix_seats`` only (``TIX_SEATS_HTTP_HANDLER = "aiohttp"``, the default); set it to
``"twisted"`` to go back to Scrapy's standard handler. Every TIX.id end-to-end test runs
the seat crawl through it, faults included (5xx, truncated bodies, 401 storms).

The subclass only records that choice: it does not log the upstream "experimental"
warning on every run, and says once, at INFO, which handler is in use.
"""

from __future__ import annotations

import logging
from typing import ClassVar

from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler

logger = logging.getLogger(__name__)


class TixAiohttpDownloadHandler(AiohttpDownloadHandler):
    experimental: ClassVar[bool] = False  # a reviewed choice for one spider; see the module docstring

    def __init__(self, crawler):  # noqa: ANN001 - Scrapy passes the crawler
        super().__init__(crawler)
        logger.info("HTTP downloads through Scrapy's aiohttp handler (TIX_SEATS_HTTP_HANDLER=aiohttp)")
