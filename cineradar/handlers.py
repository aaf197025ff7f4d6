"""Scrapy's download handlers with verified TLS that also trusts TLS_CA_FILE (cineradar/tls.py).

DOWNLOAD_VERIFY_CERTIFICATES = True (settings.py) makes Scrapy's handlers verify certificates
and host names against the system's roots; these subclasses add the operator's extra CA
bundle for private mirrors (through the fenced helpers of cineradar/compat.py). The Twisted
one is every spider's https handler (DOWNLOAD_HANDLERS), the aiohttp one tix_seats' default.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from cineradar import compat, tls

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

HTTP11 = "cineradar.handlers.Http11DownloadHandler"
AIOHTTP = "cineradar.handlers_aiohttp.AiohttpDownloadHandler"  # a module of its own: it loads aiohttp


class Http11DownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        ca = tls.ca_file(crawler.settings)
        if ca and crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
            compat.trust_ca_twisted(self, ca)
