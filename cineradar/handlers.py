"""Scrapy's download handlers with verified TLS that also trusts TLS_CA_FILE (cineradar/tls.py).

DOWNLOAD_VERIFY_CERTIFICATES = True (settings.py) makes Scrapy's handlers verify certificates
and host names against the system's roots; these subclasses add the operator's extra CA
bundle for private mirrors (through the fenced helpers of cineradar/compat.py). The Twisted
one is every spider's https handler (DOWNLOAD_HANDLERS), the aiohttp one tix_seats' default.

TmdbAuthDownloadHandler, the TMDB spiders' handler, adds the TMDB credential (cineradar/auth/tmdb.py)
at the very last moment to requests that carry ``meta["tmdb_auth"]``: every request and response
the rest of Scrapy sees (logs, retries, stats, fingerprints, errors, items) has the URL without the
key. The response's URL is set back to the request's URL, and an exception whose text holds the
keyed URL (a timeout names it) is scrubbed. A request without that key (``scrapy parse``/``check``
of a TMDB spider) gets the credential when its URL is under the TMDB endpoint; ``meta["tmdb_auth"]
= False`` opts out. Never to another origin than the TMDB endpoint's, whatever the meta says (a
redirect to another host keeps it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

from cineradar import compat, tls
from cineradar.auth.tmdb import TmdbCredentials
from cineradar.endpoints import Endpoints, EndpointsError
from cineradar.origins import same_origin

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

HTTP11 = "cineradar.handlers.Http11DownloadHandler"
AIOHTTP = "cineradar.handlers_aiohttp.AiohttpDownloadHandler"  # a module of its own: it loads aiohttp
TMDB = "cineradar.handlers.TmdbAuthDownloadHandler"


class Http11DownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        ca = tls.ca_file(crawler.settings)
        if ca and crawler.settings.getbool("DOWNLOAD_VERIFY_CERTIFICATES"):
            compat.trust_ca_twisted(self, ca)


class TmdbAuthDownloadHandler(Http11DownloadHandler):
    """Scrapy's HTTP/1.1 handler, adding the TMDB credential to ``meta["tmdb_auth"]`` requests."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.credentials = TmdbCredentials.from_settings(crawler.settings)
        try:
            self.api_url: str | None = Endpoints.from_settings(crawler.settings).tmdb.rstrip("/") + "/"
        except EndpointsError:
            self.api_url = None  # the spider refuses to start with its own message

    def wants_auth(self, request: Request) -> bool:
        # Only the TMDB API's origin, whatever the meta says: a redirect keeps the meta.
        if self.api_url is None or not same_origin(request.url, self.api_url):
            return False
        marked = request.meta.get("tmdb_auth")
        if marked is not None:
            return bool(marked)
        return self.api_url is not None and request.url.startswith(self.api_url)

    async def download_request(self, request: Request) -> Response:
        if not self.credentials or not self.wants_auth(request):
            return await super().download_request(request)
        try:
            response = await super().download_request(self.credentials.apply(request))
        except Exception as exc:
            # Same type (retry rules go by type), text without the key.
            exc.args = tuple(self.credentials.scrub(a) if isinstance(a, str) else a for a in exc.args)
            raise
        return response.replace(url=request.url)
