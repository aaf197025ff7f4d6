"""TIX.id movies, theatres and showtimes of one day for all 83 cities, without a browser.

For each city: E3 ``GET /v1/movies?city_id=..&movie_type=NOW_PLAYING&timezone=7`` lists
the movies; for each movie, E4 ``GET /v1/schedules/movies/{id}?city_id=..&date=..`` and
its ``&page=N`` follow-ups (while ``has_next``) list the theatres and their showtimes.
Both are plain JSON calls with the web app's headers and a guest token (from POST
/v1/auth, added by the JWT middleware at download time).

Everything is yielded as soon as a page gives it: a movie once per city that lists it, a
theatre once per schedule page, showtimes as they come. The store merges the repeats by
the items' merge rules (cities, merchants and room types unioned, presale if any city
says so), so a stop at any moment loses nothing already fetched, and ``-a batch=N/9``
jobs finishing in any order add up to what one full crawl stores. A bad record costs
only itself: an unknown merchant or a status outside 0..2 is counted and logged, and the
validation pipeline drops that showtime (a theatre with an unknown chain is kept, without
a merchant); ``success: false`` or a truncated body is retried, page by page.

    scrapy crawl tix_movies [-a cities=JAKARTA,BANDUNG | -a batch=2/9] [-a date=YYYY-MM-DD]
    scrapy parse --spider tix_movies 'https://api.tix.id/v1/schedules/movies/ID?city_id=..&date=..'

A page given alone (``scrapy parse``, ``scrapy check``) is read from its URL: the city from
``city_id`` (its name from cineradar/data/tix_cities.json), the movie, date and page of a
schedule page from its path and query; a movies list is dated by ``-a date`` (default today
in WIB), as a crawl's is.

Stats: cineradar/tix/movies/{cities_requested,cities_ok,cities_failed,cities_empty,
pages,pages_failed,success_false,bad_json,unknown_merchant,unexpected_status,...} and
cineradar/tix/movies/city_theatres/<CITY> (distinct theatres listed per city, for the monitors).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy
from scrapy.http import Response

from cineradar import items
from cineradar.cities import tix_cities
from cineradar.crawl_errors import CertificateRejected
from cineradar.defaults import defaulted
from cineradar.extensions import progress
from cineradar.parsers import tix as parser
from cineradar.spiders.tix_base import TixApiSpider

SCHEDULE_PATH = re.compile(r"/v1/schedules/movies/([^/]+)/?$")


class TixMoviesSpider(TixApiSpider):
    name = "tix_movies"
    entities: ClassVar = (items.TixMovie, items.TixTheatre, items.TixShowtime)
    stats_prefix: ClassVar[str] = "cineradar/tix/movies"
    slot_setting: ClassVar[str] = "TIX_MOVIES"
    default_concurrency: ClassVar[int] = 4  # TIX_MOVIES_CONCURRENCY: requests in flight to the API
    # Item handling tuned as tix_seats' (issue 19): a schedule page yields its theatres and
    # showtimes, and Scrapy's CONCURRENT_ITEMS=100 started 100 worker tasks per page for them
    # (a quarter of this crawl's CPU); one at a time per page, pages still run in parallel.
    custom_settings: ClassVar[dict[str, Any]] = {  # type: ignore[misc]
        "CONCURRENT_ITEMS": 1,
        "WARN_ON_GENERATOR_RETURN_VALUE": False,  # its source check costs ~1 ms per callback call
        "LOG_FORMATTER": "cineradar.logformatter.QuietLogFormatter",  # no per-item DEBUG records
    }

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.cities = self.args.selected_cities()
        self.movies: set[str] = set()  # IDs seen (for the counts; the items are already yielded)
        self.presales: set[str] = set()
        self.theatres: set[str] = set()
        self.city_theatres: dict[str, set[str]] = {}  # city -> theatre IDs its schedule pages listed
        self.city_state: dict[str, str] = {}  # city -> ok / empty / failed
        self._logged_problems: set[tuple[str, str]] = set()
        self._open_schedules: Counter[str] = Counter()  # city -> schedule chains still running (progress)

    # ------------------------------------------------------------------ requests
    def _movies_request(self, city_id: str, city: str) -> scrapy.Request:
        query = urlencode({"city_id": city_id, "movie_type": "NOW_PLAYING", "timezone": 7})
        return self.api_request(f"{self.api}/v1/movies?{query}", self.on_movies, auth="guest",
                                meta={"city": city, "city_id": city_id}, errback=self.on_failure)

    def _schedule_request(self, movie_id: str, city_id: str, city: str, page: int,
                          day: dt.date | None = None) -> scrapy.Request:
        params: dict[str, Any] = {"city_id": city_id, "date": (day or self.day).isoformat()}
        if page > 1:
            params["page"] = page
        return self.api_request(f"{self.api}/v1/schedules/movies/{movie_id}?{urlencode(params)}",
                                self.on_schedule, auth="guest", errback=self.on_failure,
                                meta={"city": city, "city_id": city_id, "movie_id": movie_id, "page": page})

    @property
    def day(self) -> dt.date:
        """The crawl day: -a date, else CRAWL_TODAY, else today in WIB (known once the crawler is set)."""
        return self.args.day

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self.stat("cities_requested", len(self.cities))
        self.crawler.stats.set_value(progress.UNIT, "cities")  # done: movie list and every schedule answered
        self.crawler.stats.set_value(progress.TOTAL, len(self.cities))
        self.logger.info("TIX.id movies for %s, %d cities", self.day, len(self.cities))
        for city_id, city in self.cities:
            yield self._movies_request(city_id, city)

    # ------------------------------------------------------------------ one page (scrapy parse)
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page given alone: ``/v1/schedules/movies/<id>`` is a schedule page, ``/v1/movies`` a list.

        @endpoint tix_api /v1/movies?city_id=967969975509716992&movie_type=NOW_PLAYING&timezone=7
        @returns items 1
        @returns requests 1
        """
        if SCHEDULE_PATH.search(urlsplit(response.url).path):
            yield from self.on_schedule(response)
        elif urlsplit(response.url).path.rstrip("/").endswith("/v1/movies"):
            yield from self.on_movies(response)
        else:
            self.logger.error("tix_movies reads /v1/movies and /v1/schedules/movies/<id> pages, not %s",
                              response.url)

    def _fill_meta(self, response: Response) -> None:
        """What a callback needs that a crawl's request carries, read from the URL when missing."""
        meta = response.meta
        if "city" in meta:
            return  # a request of the crawl: it carries everything
        url = urlsplit(response.url)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        meta["city_id"] = query.get("city_id", "")
        meta["city"] = dict(tix_cities()).get(meta["city_id"], meta["city_id"] or "?")
        match = SCHEDULE_PATH.search(url.path)
        if match:
            meta["movie_id"] = match[1]
            meta["page"] = int(query["page"]) if query.get("page", "").isdigit() else 1
            meta["date"] = parser.parse_date(query.get("date")) or self.day

    # ------------------------------------------------------------------ callbacks
    def on_movies(self, response: Response) -> Iterator[Any]:
        """The movies a city lists (E3): a TixMovie each, and its schedule's first page.

        @endpoint tix_api /v1/movies?city_id=967969975509716992&movie_type=NOW_PLAYING&timezone=7
        @returns items 1
        @returns requests 1
        @scrapes movie_id title cities date
        """
        self._fill_meta(response)
        city, city_id = response.meta["city"], response.meta["city_id"]
        try:
            movies = parser.parse_movies(parser.load_json(response.body), city=city, date=self.day)
        except parser.ApiError as exc:
            yield from self._retry_or_fail(response, "success_false", f"{city} movies: {exc}", city=city)
            return
        except parser.PayloadError as exc:
            yield from self._retry_or_fail(response, "bad_json", f"{city} movies: {exc}", city=city)
            return
        if not movies:
            # Not counted as covered (the original counted it as scraped, docs/sources/tix.md#original-bugs B8).
            self.city_state[city] = "empty"
            self.stat("cities_empty")
            # Normal for a small city on a quiet day: said once, at the end, for all of them.
            self.logger.debug("%s: no movies listed for %s", city, self.day)
            self._schedule_done(city, opened=0)
            return
        self.city_state[city] = "ok"
        self.stat("cities_ok")
        opened = sum(1 for movie in movies if movie.movie_id)  # counted before any chain can end
        self._open_schedules[city] += opened
        if not opened:
            self._schedule_done(city, opened=0)
        for movie in movies:
            if not movie.movie_id:
                self._problem("movie_without_id", movie.title or "?", city)
                continue
            if movie.movie_id not in self.movies:
                self.movies.add(movie.movie_id)
                self.stat("movies")
            if movie.is_presale and movie.movie_id not in self.presales:  # presale anywhere: a presale
                self.presales.add(movie.movie_id)
                self.stat("presales")
            yield movie  # this city's part; the store merges the cities
            yield self._schedule_request(movie.movie_id, city_id, city, 1)

    def on_schedule(self, response: Response) -> Iterator[Any]:
        """One page of a movie's schedule in a city (E4): its theatres and showtimes, and the next page.

        @endpoint tix_api /v1/schedules/movies/1931139037394644662?city_id=967969975509716992&date=2026-11-21
        @returns items 2
        @scrapes theatre_id city merchant
        """
        self._fill_meta(response)
        meta = response.meta
        city, page_no, movie_id = meta["city"], meta["page"], meta["movie_id"]
        day = meta.get("date") or self.day
        where = f"{city} movie {movie_id} page {page_no}"
        try:
            page = parser.parse_schedule_page(parser.load_json(response.body), movie_id=movie_id, city=city,
                                              date=day)
        except parser.ApiError as exc:
            yield from self._retry_or_fail(response, "success_false", f"{where}: {exc}")
            return
        except parser.PayloadError as exc:
            yield from self._retry_or_fail(response, "bad_json", f"{where}: {exc}")
            return
        self.stat("pages")
        for kind, detail in page.problems:
            self._problem(kind, detail, where)
        here = self.city_theatres.setdefault(city, set())
        for theatre in page.theatres:
            if theatre.theatre_id not in self.theatres:
                self.theatres.add(theatre.theatre_id)
                self.stat("theatres")
            if theatre.theatre_id not in here:
                here.add(theatre.theatre_id)
                self.stat(f"city_theatres/{city}")
        yield from page.theatres  # this page's rooms; the store merges them
        yield from page.showtimes
        if page.has_next:
            limit = defaulted(self.settings).getint("TIX_MAX_SCHEDULE_PAGES")
            if page_no >= limit:
                self.stat("page_limit_reached")
                self.logger.error("%s: has_next still true after %d pages; stopping there", where, limit)
            else:
                yield self._schedule_request(movie_id, meta["city_id"], city, page_no + 1, day)
                return
        self._schedule_done(city)

    # ------------------------------------------------------------------ failures
    def _problem(self, kind: str, detail: str, where: str) -> None:
        self.stat(kind)
        if (kind, detail) not in self._logged_problems:  # once per distinct value, not per record
            self._logged_problems.add((kind, detail))
            self.logger.warning("%s: %s %s (record dropped by validation)", where, kind.replace("_", " "), detail)

    def _retry_or_fail(self, response: Response, reason: str, message: str,
                       city: str | None = None) -> Iterator[scrapy.Request]:
        request = response.request
        assert request is not None
        self.stat(reason)
        retry = self.retry(request, reason)
        if retry is not None:
            self.logger.warning("%s; retrying", message)
            yield retry
            return
        self._failed(request, f"{message}; retries exhausted")

    def _failed(self, request: scrapy.Request, message: str) -> None:
        if "movie_id" in request.meta:
            self.stat("pages_failed")
            self._schedule_done(request.meta["city"])
        else:
            self.city_state[request.meta["city"]] = "failed"
            self.stat("cities_failed")
            self._schedule_done(request.meta["city"], opened=0)
        self.logger.error("%s", message)

    def on_failure(self, failure: Any) -> None:
        if failure.check(CertificateRejected):
            return  # the crawl has failed, with one line naming the host (middlewares/tls_failure.py)
        request = failure.request
        self.stat(f"request_failed/{failure.type.__name__}")
        where = request.meta.get("city", "?")
        if "movie_id" in request.meta:
            where += f" movie {request.meta['movie_id']} page {request.meta['page']}"
        self._failed(request, f"{where}: {request.method} {request.url} failed: {failure.getErrorMessage()}")

    def _schedule_done(self, city: str, opened: int = 1) -> None:
        """A schedule chain of ``city`` ended (``opened=0``: its movie list did): the city is done at 0."""
        self._open_schedules[city] -= opened
        if self._open_schedules[city] == 0:
            self.crawler.stats.inc_value(progress.DONE)

    def closed(self, reason: str) -> None:
        states = list(self.city_state.values())
        empty = sorted(city for city, state in self.city_state.items() if state == "empty")
        if empty:
            self.logger.info("%d of %d cities listed no movies for %s: %s", len(empty), len(self.cities), self.day,
                             ", ".join(empty))
        self.logger.info(
            "TIX.id %s: %d cities requested, %d ok, %d empty, %d failed, %d not answered; %d movies, %d theatres",
            self.day, len(self.cities), states.count("ok"), states.count("empty"), states.count("failed"),
            len(self.cities) - len(states), len(self.movies), len(self.theatres))
