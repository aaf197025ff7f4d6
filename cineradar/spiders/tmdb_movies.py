"""``tmdb_movies``: TMDB's movie lists and one-request enrichment of every listed movie.

    scrapy crawl tmdb_movies -a preset=full            # five lists, every movie enriched
    scrapy crawl tmdb_movies -a lists=popular,upcoming -a pages=3 -a region=ID -a language=id-ID

Presets (the original pipeline v3's): quick = popular + trending_week; daily = all five lists;
full = all five lists and enrichment. Without a preset: all five lists, enriched.
``-a enrich=0/1`` overrides. Pages: page 1 of each list gives total_pages; pages 2..N follow
(N = min(pages, total_pages, 500): TMDB refuses page 501 with 422, which ends a list cleanly).

Enrichment is one request per movie, ``/3/movie/{id}?append_to_response=credits,keywords,
videos,similar,release_dates`` (docs/sources/tmdb.md#append-to-response). A movie whose new
row would leave its stored row as it is (same values after the merge rules) is not yielded
(``cineradar/tmdb/unchanged``), unless ``-a force=1`` or a feed is written (``-o``/FEEDS):
then every movie is yielded, so the feed holds the whole run, as with FreshnessPipeline.
A 404 marks the stored movie ``gone``. A details request that fails for good still stores
the movie as its list showed it, and the crawl is PARTIAL.

A page given alone (``scrapy parse --spider tmdb_movies URL``) is read from its URL: a list
page's name from its path and its page number from ``page`` (default 1), a details page's
movie id from its path; region and language are the arguments' (default TMDB_REGION and
TMDB_LANGUAGE), the movie's lists are unknown (none).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

import scrapy
from pydantic import ValidationError

from cineradar.args import SpiderArgs, TmdbMoviesArgs
from cineradar.args.tmdb import LISTS
from cineradar.backends import SPECS
from cineradar.defaults import defaulted
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.items import TmdbMovie
from cineradar.parsers import tmdb as parse
from cineradar.spiders.tmdb_base import TmdbSpider
from cineradar.storage import merge

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

REGIONAL = {"popular", "top_rated", "upcoming", "now_playing"}  # trending takes no region
APPENDS = "credits,keywords,videos,similar,release_dates"
MAX_PAGE = 500
DETAILS_PATH = re.compile(r"/3/movie/(\d+)/?$")
SPEC = next(s for s in SPECS if s.name == TmdbMovie.entity)


class TmdbMoviesSpider(TmdbSpider):
    name = "tmdb_movies"
    entities: ClassVar = (TmdbMovie,)
    args_model: ClassVar[type[SpiderArgs]] = TmdbMoviesArgs
    args: TmdbMoviesArgs

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.stored: dict[int, dict[str, Any]] = {}
        self.categories: dict[int, set[str]] = {}  # movie id -> lists it was seen in
        self.listed: dict[int, dict[str, Any]] = {}  # movie id -> its first list entry
        self.enriched: set[int] = set()  # details answered (or failed): later lists add categories only

    lists: list[str]
    enrich: bool
    region: str
    language: str

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> TmdbMoviesSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        assert isinstance(spider, TmdbMoviesSpider)
        # Here, not in start(): a page parsed alone (scrapy parse / check) needs them too.
        spider.lists, spider.enrich = spider.args.selected()
        spider.region = spider.args.region or str(defaulted(crawler.settings).get("TMDB_REGION")).upper()
        spider.language = spider.args.language or str(defaulted(crawler.settings).get("TMDB_LANGUAGE"))
        spider.yield_all = spider.force or bool(crawler.settings.getdict("FEEDS"))
        return spider

    yield_all = False  # force=1 or a feed: unchanged movies are yielded too

    async def start(self) -> AsyncIterator[Any]:
        hub = storage_hub(self.crawler, f"{self.name} (it reads the stored movies and listings)")
        rows = await hub.call(hub.primary, lambda b: b.fetch(TmdbMovie.entity))
        self.stored = {int(r["tmdb_id"]): r for r in rows}
        self.logger.info("tmdb_movies: lists %s, %d pages, region %s, language %s, enrich %s, %d movies stored",
                         ",".join(self.lists), self.args.pages, self.region, self.language, self.enrich,
                         len(self.stored))
        # Progress in requests: each list's page 1, then its later pages and every detail request
        # as they become known (the total grows until the last list's page 1 is in).
        self.crawler.stats.set_value(progress.UNIT, "list and detail pages")
        self.crawler.stats.set_value(progress.TOTAL, len(self.lists))
        for name in self.lists:
            yield self.list_request(name, 1)

    def list_request(self, name: str, page: int) -> scrapy.Request:
        region = self.region if name in REGIONAL else None
        return self.api_request(self.url(LISTS[name], language=self.language, page=page, region=region),
                                self.parse_list, errback=self.list_failed, cb_kwargs={"name": name, "page": page})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page given alone: ``/3/movie/<id>`` is a details page, any other a list page.

        @endpoint tmdb /3/movie/popular?language=en-US&page=1&region=US
        @returns requests 1
        """
        match = DETAILS_PATH.search(response.url.split("?", 1)[0])
        if match:
            yield from self.parse_movie(response, int(match[1]))
        else:
            yield from self.parse_list(response)

    def parse_list(self, response: Response, name: str | None = None, page: int | None = None) -> Iterator[Any]:
        """A page of a list: the next pages (from page 1) and each movie's details request (or item).

        @endpoint tmdb /3/trending/movie/week?language=en-US&page=1
        @returns requests 1
        """
        if name is None or page is None:  # a page given alone: its list and number from the URL
            path, _, query = response.url.partition("?")
            name = name or next((n for n, p in LISTS.items() if path.endswith("/3" + p)), "popular")
            number = re.search(r"(?:^|&)page=(\d+)", query)
            page = page or (int(number[1]) if number else 1)
        self.crawler.stats.inc_value(progress.DONE)
        if response.status == 422:  # past the last page TMDB serves (500)
            self.stat("list_end_422")
            self.logger.info("%s: TMDB refused page %d (%s): list ends here", name, page, response.text[:100])
            return
        if response.status == 404:
            self.stat("list_404")
            outcome.partial(self.crawler, "tmdb list pages", 1)
            return
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            return
        results, total_pages = parse.list_page(body)
        self.stat(f"list/{name}/pages")
        self.stat(f"list/{name}/movies", len(results))
        if page == 1:
            if min(self.args.pages, total_pages) > MAX_PAGE:
                self.stat("list_clamped_500")
                self.logger.info("%s: %d pages, TMDB serves the first %d only", name, total_pages, MAX_PAGE)
            self.crawler.stats.inc_value(progress.TOTAL, max(0, min(self.args.pages, total_pages, MAX_PAGE) - 1))
            for later in range(2, min(self.args.pages, total_pages, MAX_PAGE) + 1):
                yield self.list_request(name, later)
        for entry in results:
            yield from self.seen_in_list(entry, name)

    def seen_in_list(self, entry: dict[str, Any], name: str) -> Iterator[Any]:
        movie_id = int(entry["id"])
        first = movie_id not in self.categories
        known = self.categories.setdefault(movie_id, set())
        if name in known:
            return
        known.add(name)
        self.listed.setdefault(movie_id, entry)
        if not self.enrich or movie_id in self.enriched:
            yield from self.emit(parse.movie_from_list(entry, name))
        elif first:
            self.crawler.stats.inc_value(progress.TOTAL)
            yield self.api_request(self.url(f"/movie/{movie_id}", language=self.language,
                                            append_to_response=APPENDS),
                                   self.parse_movie, errback=self.movie_failed, cb_kwargs={"movie_id": movie_id})

    def parse_movie(self, response: Response, movie_id: int | None = None) -> Iterator[Any]:
        """One movie's details with credits, keywords, videos, similar and release dates: a TmdbMovie.

        @endpoint tmdb /3/movie/157336?language=en-US&append_to_response=credits,keywords,videos,similar,release_dates
        @returns items 1 1
        @scrapes tmdb_id title runtime crew enriched
        """
        if movie_id is None:  # a page given alone: the id from the URL
            match = DETAILS_PATH.search(response.url.split("?", 1)[0])
            movie_id = int(match[1]) if match else 0
        self.enriched.add(movie_id)
        self.crawler.stats.inc_value(progress.DONE)
        if response.status == 404:
            yield from self.gone(movie_id)
            return
        if response.status == 422:
            self.stat("details_422")
            yield from self.fallback(movie_id)
            return
        body = self.json_or_stop(response)
        if not isinstance(body, dict):
            yield from self.fallback(movie_id)
            return
        self.stat("enriched")
        yield from self.emit(parse.movie_from_details(body, self.region, sorted(self.categories.get(movie_id, ()))))

    def emit(self, item: TmdbMovie) -> Iterator[TmdbMovie]:
        """Yield the item unless the stored row already says all it says."""
        stored = self.stored.get(item.tmdb_id) if isinstance(item.tmdb_id, int) else None
        if stored is not None and not self.yield_all:
            try:
                row = TmdbMovie.validate_constructed(item).row()
            except ValidationError:
                row = None  # the validation pipeline drops it with its reason
            if row is not None and merge.merge_row(SPEC, stored, row) == stored:
                self.stat("unchanged")
                self.skipped_as_current()
                return
        self.stat("changed" if stored is not None else "new")
        yield item

    def skipped_as_current(self) -> None:
        # Counted like an item skipped as fresh: the stored row is current, so a run that
        # rewrites nothing is complete (the item-count monitor adds these to the items).
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"cineradar/fresh_skipped/{TmdbMovie.entity}")

    def gone(self, movie_id: int) -> Iterator[TmdbMovie]:
        self.stat("gone")
        stored = self.stored.get(movie_id)
        if stored is None:  # never stored: nothing to mark
            self.logger.info("movie %d: TMDB answers 404 (not stored, nothing to mark)", movie_id)
            return
        if stored.get("gone"):
            self.stat("unchanged")
            self.skipped_as_current()
            return
        self.logger.info("movie %d: TMDB answers 404: stored movie marked gone", movie_id)
        yield TmdbMovie.model_construct(**{**stored, "gone": True})

    def fallback(self, movie_id: int) -> Iterator[Any]:
        """Details could not be had: keep the movie as its list showed it, and say the crawl is partial."""
        self.stat("details_failed")
        outcome.partial(self.crawler, "tmdb movies not enriched", 1)
        entry = self.listed.get(movie_id)
        if entry is not None:
            for name in sorted(self.categories.get(movie_id, ())):
                yield from self.emit(parse.movie_from_list(entry, name))

    def movie_failed(self, failure: Failure) -> Iterator[Any]:
        movie_id = failure.request.cb_kwargs["movie_id"]  # type: ignore[attr-defined]
        self.enriched.add(movie_id)
        self.crawler.stats.inc_value(progress.DONE)
        self.logger.warning("movie %d: details failed: %s", movie_id, failure.getErrorMessage())
        yield from self.fallback(movie_id)

    def list_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        self.stat("list_failed")
        self.crawler.stats.inc_value(progress.DONE)
        outcome.partial(self.crawler, "tmdb list pages", 1)
        self.logger.warning("%s page %d failed: %s", request.cb_kwargs["name"], request.cb_kwargs["page"],
                            failure.getErrorMessage())
