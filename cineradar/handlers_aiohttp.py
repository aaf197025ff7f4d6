"""tix_seats' default download handler: Scrapy's aiohttp one, trusting TLS_CA_FILE too (cineradar/handlers.py).

A module apart from cineradar/handlers.py: loading it imports aiohttp (about 0.15 s), which
only a crawl that uses the handler should pay, not every `scrapy` command that imports the
Twisted handler (tmdb_auth) or the handler's name (tix_seats).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.utils.misc import load_object

from cineradar import compat, tls

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

_AiohttpBase: Any = load_object(compat.AIOHTTP_DOWNLOAD_HANDLER)


class AiohttpDownloadHandler(_AiohttpBase):  # type: ignore[misc]
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        ca = tls.ca_file(crawler.settings)
        if ca and crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
            compat.trust_ca_aiohttp(self, ca)
