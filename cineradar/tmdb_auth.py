"""TMDB credentials: which one a crawl uses, and where the secret is added to a request.

TMDB accepts a read access token (``Authorization: Bearer``, preferred, docs/sources/tmdb.md#base-and-auth)
or a v3 key (``api_key`` in the query). Both are added by ``TmdbAuthDownloadHandler`` at the
very last moment, inside the download handler, to requests that carry ``meta["tmdb_auth"]``:
every request and response the rest of Scrapy sees (logs, retries, stats, fingerprints,
errors, items) has the URL without the key. The response's URL is set back to the request's
URL, and an exception whose text holds the keyed URL (a timeout names it) is scrubbed. A
request without that key (``scrapy parse``/``check`` of a TMDB spider) gets the credential
when its URL is under the TMDB endpoint; ``meta["tmdb_auth"] = False`` opts out. Never to another
origin than the TMDB endpoint's, whatever the meta says (a redirect to another host keeps it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from cineradar.endpoints import Endpoints, EndpointsError
from cineradar.handlers import Http11DownloadHandler
from cineradar.origins import same_origin

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

MISSING = "no TMDB credentials: set TMDB_READ_TOKEN (preferred) or TMDB_API_KEY in the environment or with -s"


@dataclass(frozen=True)
class TmdbCredentials:
    token: str | None = None
    api_key: str | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> TmdbCredentials:
        """Settings first, then the environment; blank values count as missing."""
        def read(name: str) -> str | None:
            value = settings.get(name) or os.environ.get(name) or ""
            return str(value).strip() or None

        token = read("TMDB_READ_TOKEN")
        return cls(token=token, api_key=None if token else read("TMDB_API_KEY"))

    def __bool__(self) -> bool:
        return bool(self.token or self.api_key)

    @property
    def kind(self) -> str:
        return "bearer" if self.token else "api_key" if self.api_key else "none"

    def scrub(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def apply(self, request: Request) -> Request:
        if self.token:
            return request.replace(headers={**request.headers.to_unicode_dict(),
                                            "Authorization": f"Bearer {self.token}"})
        if self.api_key:
            sep = "&" if "?" in request.url else "?"
            return request.replace(url=f"{request.url}{sep}{urlencode({'api_key': self.api_key})}")
        return request


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
