"""TMDB credentials: which one a crawl uses, added to a request only by the download handler.

TMDB accepts a read access token (``Authorization: Bearer``, preferred, docs/sources/tmdb.md#base-and-auth)
or a v3 key (``api_key`` in the query). ``cineradar.handlers.TmdbAuthDownloadHandler`` adds one at
the very last moment (``apply``), so nothing else of a crawl sees it. No Scrapy imports.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

if TYPE_CHECKING:
    from scrapy import Request

    from cineradar.auth.tokens import SettingsLike


MISSING = "no TMDB credentials: set TMDB_READ_TOKEN (preferred) or TMDB_API_KEY in the environment or with -s"


@dataclass(frozen=True)
class TmdbCredentials:
    token: str | None = None
    api_key: str | None = None

    @classmethod
    def from_settings(cls, settings: SettingsLike) -> TmdbCredentials:
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
