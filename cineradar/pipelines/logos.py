"""Logos of TMDB networks, companies and watch providers, stored once, content-addressed.

Scrapy's FilesPipeline does the downloading and storing (FILES_STORE, else TMDB_LOGOS_STORE,
else the folder of SQLITE_PATH; anything FILES_STORE supports: s3://, gs://, ftp://). The logo
URLs come from ENDPOINTS' ``tmdb_image`` (or TMDB_IMAGE_URL), never a real host by default. This
subclass only names the file after its bytes, ``logos/{kind}/{id}/{sha256}.{ext}``: a logo
whose source path changed but whose bytes did not lands on the same file, never a second
copy. Which logos are downloaded at all is the spider's choice (``logo_urls``): only those
whose TMDB source path differs from the stored one. A logo that fails is counted and makes
the crawl PARTIAL; the entity is stored without it and tried again on the next crawl.
Enabled only for spiders that set ``store_logos = True`` (tmdb_tv).
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.pipelines.files import FilesPipeline

from cineradar.extensions import outcome
from cineradar.items import TmdbLogoEntity

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

def default_store(sqlite_path: str) -> str:
    """Beside the SQLite store (data/logos/... by default): where the crawl's data is configured to
    go, never the working folder of whoever runs it."""
    return str(Path(sqlite_path).expanduser().resolve().parent)


PENDING = "pending"  # the name asked before the download: never stored, so the logo is fetched


class LogoPipeline(FilesPipeline):
    FILES_URLS_FIELD = "logo_urls"
    FILES_RESULT_FIELD = "logo_files"

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LogoPipeline:
        if not getattr(crawler.spidercls, "store_logos", False):
            raise NotConfigured  # silent: off by design for a spider that stores no logos (no WARNING)
        store = crawler.settings.get("FILES_STORE") or crawler.settings.get("TMDB_LOGOS_STORE") or default_store(
            crawler.settings.get("SQLITE_PATH"))
        cls._update_stores(crawler.settings)
        pipeline = cls(store, crawler=crawler)
        pipeline.crawler = crawler
        return pipeline

    def get_media_requests(self, item: Any, info: Any) -> list[Request]:
        if not isinstance(item, TmdbLogoEntity):
            return []
        return [Request(url, callback=NO_CALLBACK, meta={"download_slot": "tmdb_images"})
                for url in item.logo_urls or []]

    def file_path(self, request: Request, response: Response | None = None, info: Any = None, *,
                  item: Any = None) -> str:
        ext = PurePosixPath(urlsplit(request.url).path).suffix.lower() or ".img"
        name = hashlib.sha256(response.body).hexdigest() if response is not None else PENDING
        return f"logos/{item.logo_kind}/{item.tmdb_id}/{name}{ext}"

    def item_completed(self, results: list[Any], item: Any, info: Any) -> Any:
        if not isinstance(item, TmdbLogoEntity) or not item.logo_urls:
            return item
        stored = [x for ok, x in results if ok]
        assert self.crawler.stats is not None
        if stored:
            item.logo_file = stored[0]["path"]
            item.logo_sha256 = PurePosixPath(stored[0]["path"]).stem
            self.crawler.stats.inc_value(f"cineradar/tmdb/logos/{item.logo_kind}/{stored[0]['status']}")
        else:
            self.crawler.stats.inc_value(f"cineradar/tmdb/logos/{item.logo_kind}/failed")
            outcome.partial(self.crawler, "tmdb logos not downloaded", 1)
        item.logo_urls, item.logo_files = [], []
        return item
