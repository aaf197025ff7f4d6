"""7 days of showtimes from kino.krakow.pl and the other repertuary.pl cities.

The site keeps the selected day in a server-side session, so each day is crawled in
its own session (a cookiejar of its own, passed on every request of the chain). Day 0
is what a fresh session shows, so it takes one request, and its page lists every film.
Each other day opens its session on one of those film pages (fetched anyway), POSTs
/settings/set_day/{n} with the page's CSRF token, reads the programme and checks that
table.calendar marks day n as active and that the date header is the expected date. A
mismatch (another client moved the session) is retried with a fresh session, and so is a
page cut short (no closing </html>) or unreadable; a film page that is cut short or garbled
is fetched again. A day or film still missing after REPERTUARY_MAX_ATTEMPTS is reported
as missing (the crawl ends PARTIAL, exit 3). Requests
of one session share one download slot with concurrency 1, so they never overlap;
politeness is DOWNLOAD_DELAY per slot and REPERTUARY_SESSIONS slots per city, and every
request carries meta["site"] = "repertuary" so that SiteRateMiddleware caps the whole site
(all cities) at SITE_RATE_LIMITS["repertuary"] requests per second. Each film page is
fetched once per crawl (again only if it came back incomplete).

    scrapy crawl repertuary -a city=krakow -a days=7 [-a date=YYYY-MM-DD] [-a force=1]

A crawl stopped with a JOBDIR is not resumed: its queued day pages belong to server-side
sessions that ended with the process (their cookies are not in the JOBDIR), so a resumed
crawl came back PARTIAL (Kraków 3 of 7 days). A JOBDIR that a repertuary crawl has used is
refused at start with one line (``resume_error``); a new crawl takes a minute per city.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from cineradar import items
from cineradar.args import RepertuaryArgs
from cineradar.crawl_errors import CertificateRejected
from cineradar.defaults import defaulted
from cineradar.extensions import outcome, progress
from cineradar.parsers import repertuary as parser
from cineradar.spiders.base import CineSpider

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

RESUME_MARKER = "cineradar-repertuary-started"  # in JOBDIR: a crawl has used it
SITE = "repertuary"  # meta["site"]: every city is one site for SiteRateMiddleware


class RepertuarySpider(CineSpider):
    name = "repertuary"
    entities: ClassVar = (items.RepertuaryFilm, items.RepertuaryCinema, items.RepertuaryShowtime)
    args_model: ClassVar = RepertuaryArgs
    args: RepertuaryArgs
    custom_settings = {
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,  # one request at a time per session slot
        # Politeness is per slot (delay, concurrency 1); the global cap only has to be high
        # enough that every slot always has its next request queued.
        "CONCURRENT_REQUESTS": 256,
        "COOKIES_ENABLED": True,
    }

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        # Day 0 per city: -a date, or else what the site itself calls today (read from the
        # first page), so a crawl started around midnight does not ask for the wrong week.
        self._day0: dict[str, dt.date] = {}
        self._films_requested: set[tuple[str, str]] = set()
        self._films_done: set[tuple[str, str]] = set()  # read or given up (progress)
        self._cinemas_emitted: set[tuple[str, str]] = set()
        self._days_covered: dict[str, set[dt.date]] = defaultdict(set)
        self._slot_load: dict[str, list[int]] = {}
        self._jar_ids = itertools.count()
        self._chains_started: set[str] = set()
        self._film_slugs: dict[str, list[str]] = {}  # city -> films its day 0 page links

    def endpoint_sources(self) -> list[str]:
        return [f"repertuary:{city}" for city in self.args.cities]

    @property
    def max_attempts(self) -> int:
        """Sessions per day, and fetches per film page, before reporting it missing."""
        return max(1, defaulted(self.settings).getint("REPERTUARY_MAX_ATTEMPTS"))

    # ------------------------------------------------------------------ sessions
    def _slot(self, city: str, index: int | None = None, requests: int = 1) -> str:
        """A download slot of this city: a given one, or the least loaded one.

        ``requests`` is how many requests will use it, so film pages fill the slots that
        day chains leave idle and every slot ends at about the same time.
        """
        sessions = max(1, defaulted(self.settings).getint("REPERTUARY_SESSIONS"))
        load = self._slot_load.setdefault(city, [0] * sessions)
        if index is None:
            index = min(range(sessions), key=load.__getitem__)
        index %= sessions
        load[index] += requests
        return f"repertuary:{city}:{index}"

    def _session_meta(self, city: str, day: int, attempt: int) -> dict[str, Any]:
        # A new jar id per attempt: a retried day never reuses a session someone else moved.
        jar = f"{city}:{day}:{next(self._jar_ids)}"
        if attempt == 1 and self.settings.getbool("REPERTUARY_SHARE_SESSION"):
            jar = f"{city}:shared"  # the original's bug, kept to prove the day check catches it
        chain_length = 1 if day == 0 else 3  # day 0: one GET; others: open, POST set_day, GET
        return {"cookiejar": jar, "download_slot": self._slot(city, day, chain_length), "city": city,
                "day": day, "attempt": attempt, "site": SITE}

    def _follow_meta(self, response: Response) -> dict[str, Any]:
        # Everything a chain carries, minus "slug": only its opening request was a film page.
        keep = ("cookiejar", "download_slot", "city", "day", "attempt", "site")
        return {k: response.meta[k] for k in keep}

    # ------------------------------------------------------------------ one page (scrapy parse)
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A page given alone (``scrapy parse --spider repertuary URL``): dispatched by its path.

        ``/film/<slug>.html`` is read as a film page; any other page as the programme of the
        day the session shows (a fresh session: day 0, i.e. the date argument or today).

        @endpoint repertuary:krakow /cinema_program/by_movie
        @returns items 2
        @scrapes city
        """
        self._fill_meta(response)
        if "slug" in response.meta:
            yield from self.on_film_page(response)
        else:
            yield from self.on_day_page(response)

    def _fill_meta(self, response: Response) -> None:
        """What a callback needs that a crawl's request carries, derived from the URL when missing."""
        meta = response.meta
        if "city" in meta:
            return  # a request of the crawl: it carries everything
        meta["city"] = self._city_of(response.url)
        match = re.search(r"/film/([^/]+)\.html$", urlsplit(response.url).path)
        if match and "slug" not in meta and "day" not in meta:
            meta["slug"] = match[1]
        for key, value in (("day", 0), ("attempt", 1), ("site", SITE), ("cookiejar", f"{meta['city']}:parse"),
                           ("download_slot", f"repertuary:{meta['city']}:0")):
            meta.setdefault(key, value)

    def _city_of(self, url: str) -> str:
        origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
        for city, base in self.endpoints.groups["repertuary"].items():
            if base.rstrip("/").startswith(origin):
                return city
        return self.args.cities[0]  # an unknown host: the city argument (default krakow)

    # ------------------------------------------------------------------ crawl
    @classmethod
    def resume_error(cls, settings: BaseSettings) -> str | None:
        jobdir = settings.get("JOBDIR")
        if not jobdir or not (Path(jobdir) / RESUME_MARKER).exists():
            return None
        return (f"{cls.name}: JOBDIR {jobdir} holds a crawl that was stopped; a repertuary crawl cannot resume "
                "(its day pages belong to site sessions that ended with it); start again with an empty JOBDIR "
                f"(rm -r {jobdir}) or without one")

    def _mark_jobdir(self) -> None:
        """A later run on this JOBDIR is refused (resume_error); a local touch, no network."""
        jobdir = self.settings.get("JOBDIR")
        if jobdir:
            Path(jobdir).mkdir(parents=True, exist_ok=True)
            (Path(jobdir) / RESUME_MARKER).touch()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._mark_jobdir()
        # Day 0 first: a fresh session already shows it, and its page lists every film.
        # The other days then open their sessions on a film page that is needed anyway.
        # Progress in pages: the days, then each film once day 0 has listed it (film pages fill
        # the sessions' 2 s slots first, so counting days alone stood still until the end).
        self.crawler.stats.set_value(progress.UNIT, "day and film pages")
        self.crawler.stats.set_value(progress.TOTAL, len(self.args.cities) * self.args.days)
        for city in self.args.cities:
            yield self._open_session(city, 0, attempt=1)

    def _open_session(self, city: str, day: int, attempt: int) -> scrapy.Request:
        base = self.endpoints.repertuary_url(city)
        films = self._film_slugs.get(city)
        if day > 0 and films:
            # A retried day opens its session on a film page (smaller than the programme, and
            # a different one each attempt), like the first attempt did.
            url = f"{base}/film/{films[attempt % len(films)]}.html"
        else:
            url = f"{base}/cinema_program/by_movie"
        return scrapy.Request(url, callback=self.on_session_page,
                              errback=self.on_failure, meta=self._session_meta(city, day, attempt),
                              dont_filter=True)

    def _start_other_days(self, city: str, film_slugs: list[str]) -> Iterator[scrapy.Request]:
        """Open a session for each day 1..days-1, each on a different film page if there are enough."""
        if city in self._chains_started:
            return
        self._chains_started.add(city)
        base = self.endpoints.repertuary_url(city)
        films = iter([slug for slug in film_slugs if (city, slug) not in self._films_requested])
        for day in range(1, self.args.days):
            slug = next(films, None)
            if slug is None:
                yield self._open_session(city, day, attempt=1)
                continue
            self._films_requested.add((city, slug))
            self.crawler.stats.inc_value(progress.TOTAL)
            meta = self._session_meta(city, day, attempt=1) | {"slug": slug}
            yield scrapy.Request(f"{base}/film/{slug}.html", callback=self.on_film_session_page,
                                 errback=self.on_failure, meta=meta)

    def on_film_session_page(self, response: Response) -> Iterator[Any]:
        """A film page that opens a day's session: the film, and the session's next step.

        @endpoint repertuary:krakow /film/zwierzogrod-2.html
        @returns items 1 1
        @scrapes slug title_pl city url
        """
        # The film is read from this page; the session only needs its CSRF token (in <head>),
        # so a film page cut short is fetched again on its own while the day chain goes on.
        yield from self.on_film_page(response)
        yield from self.on_session_page(response)

    def _film_request(self, city: str, slug: str, attempt: int = 1) -> scrapy.Request:
        # Film pages need no session (the original fetched them without cookies).
        base = self.endpoints.repertuary_url(city)
        return scrapy.Request(f"{base}/film/{slug}.html", callback=self.on_film_page, errback=self.on_failure,
                              meta={"dont_merge_cookies": True, "download_slot": self._slot(city), "city": city,
                                    "slug": slug, "film_attempt": attempt, "site": SITE},
                              dont_filter=True)  # a film page fetched again (or first opened a session)

    def on_session_page(self, response: Response) -> Iterator[Any]:
        """A fresh session's first page: day 0's programme (or, for another day, its set_day POST).

        @endpoint repertuary:krakow /cinema_program/by_movie
        @returns items 2
        @scrapes city
        """
        self._fill_meta(response)
        day = response.meta["day"]
        if day == 0:  # a fresh session starts on day 0: this page is already the answer
            yield from self.on_day_page(response)
            return
        token = parser.csrf_token(response.text) if hasattr(response, "text") else None
        if not token:
            self.crawler.stats.inc_value("cineradar/repertuary/no_csrf_token")
            yield from self._retry_day(response, "no CSRF token on the page")
            return
        # Root-relative, as the calendar's own set_day links are.
        yield scrapy.Request(
            response.urljoin(f"/settings/set_day/{day}"), method="POST", callback=self.on_day_selected,
            errback=self.on_failure, meta=self._follow_meta(response) | {"handle_httpstatus_list": [422]},
            headers={"X-CSRF-Token": token, "X-Requested-With": "XMLHttpRequest", "Accept": "*/*",
                     "Referer": response.url},
            dont_filter=True,
        )

    def on_day_selected(self, response: Response) -> Iterator[Any]:
        """The answer to set_day: the programme of the day selected is fetched next (422: a new session).

        @endpoint repertuary:krakow /cinema_program/by_movie
        @returns requests 1 1
        @returns items 0 0
        """
        self._fill_meta(response)
        if response.status == 422:  # CSRF rejected: the session is no good, start a new one
            self.crawler.stats.inc_value("cineradar/repertuary/set_day_422")
            yield from self._retry_day(response, "set_day answered 422")
            return
        yield scrapy.Request(response.urljoin("/cinema_program/by_movie"), callback=self.on_day_page,
                             errback=self.on_failure, meta=self._follow_meta(response), dont_filter=True)

    def on_day_page(self, response: Response) -> Iterator[Any]:
        """A day's programme: its cinemas and showtimes, then the film pages and other days.

        @endpoint repertuary:krakow /cinema_program/by_movie
        @returns items 2
        @scrapes city
        """
        self._fill_meta(response)
        city, day = response.meta["city"], response.meta["day"]
        guess = self._day0.get(city, self.args.day) + dt.timedelta(days=day)
        try:
            page = parser.parse_day_programme(response.text, city=city, base_url=response.url, near=guess)
        except parser.IncompletePage as exc:
            self.crawler.stats.inc_value("cineradar/repertuary/incomplete_page")
            yield from self._retry_day(response, str(exc))
            return
        except (parser.PageError, AttributeError, UnicodeDecodeError) as exc:
            self.crawler.stats.inc_value("cineradar/repertuary/bad_page")
            yield from self._retry_day(response, f"unreadable day page ({exc})")
            return
        if day == 0 and city not in self._day0:
            site_today = page.active_date or (page.header_dates[0] if page.header_dates else None)
            if self.args.date is None and site_today and abs((site_today - guess).days) <= 1:
                self._day0[city] = site_today
            else:
                self._day0[city] = self.args.day
        expected = self._day0.get(city, self.args.day) + dt.timedelta(days=day)
        wrong_day = page.active_day is not None and page.active_day != day
        wrong_date = any(d != expected for d in page.header_dates)
        if page.active_day is None and not page.header_dates:
            self.crawler.stats.inc_value("cineradar/repertuary/bad_page")
            yield from self._retry_day(response, "no calendar and no programme on the page")
            return
        if wrong_day or wrong_date:
            self.crawler.stats.inc_value("cineradar/repertuary/day_mismatch")
            yield from self._retry_day(
                response, f"session shows day {page.active_day} {page.header_dates[:1]}, wanted {day} {expected}")
            return
        if page.header_dates and not page.showtimes:
            # A programme with a date but no readable rows is a drifted or broken page, not an
            # empty day (an empty day has no table): retry rather than store nothing.
            self.crawler.stats.inc_value("cineradar/repertuary/table_without_showtimes")
            yield from self._retry_day(response, "the programme table has no readable showtime rows "
                                                 "(layout changed?)")
            return
        if expected not in self._days_covered[city]:
            self.crawler.stats.inc_value(progress.DONE)
        self._days_covered[city].add(expected)
        self.crawler.stats.set_value(f"cineradar/days_covered/{city}", len(self._days_covered[city]))
        for cinema in page.cinemas:
            if (city, cinema.slug) not in self._cinemas_emitted:
                self._cinemas_emitted.add((city, cinema.slug))
                yield cinema
        yield from page.showtimes
        if day == 0:
            self._film_slugs[city] = page.film_slugs
            yield from self._start_other_days(city, page.film_slugs)
        for slug in page.film_slugs:
            if (city, slug) in self._films_requested:
                continue
            self._films_requested.add((city, slug))
            self.crawler.stats.inc_value(progress.TOTAL)
            yield self._film_request(city, slug)

    def on_film_page(self, response: Response) -> Iterator[Any]:
        """A film page: the RepertuaryFilm it describes.

        @endpoint repertuary:krakow /film/zwierzogrod-2.html
        @returns items 1 1
        @scrapes slug title_pl city url
        """
        self._fill_meta(response)
        city, slug = response.meta["city"], response.meta["slug"]
        try:
            film = parser.parse_film_page(response.text, city=city, slug=slug, url=response.url)
        except (parser.PageError, AttributeError, UnicodeDecodeError) as exc:
            # AttributeError: a body that is not text at all (no .text on a binary response).
            self.crawler.stats.inc_value("cineradar/repertuary/bad_film_page")
            yield from self._retry_film(city, slug, response.meta.get("film_attempt", 1),
                                        f"unreadable ({exc.__class__.__name__}: {exc})")
            return
        self._film_done(city, slug)
        yield film

    def _film_done(self, city: str, slug: str) -> None:
        if (city, slug) in self._films_requested and (city, slug) not in self._films_done:
            self._films_done.add((city, slug))
            self.crawler.stats.inc_value(progress.DONE)

    # ------------------------------------------------------------------ failures
    def _retry_film(self, city: str, slug: str, attempt: int, reason: str) -> Iterator[scrapy.Request]:
        if attempt >= self.max_attempts:
            self.crawler.stats.inc_value("cineradar/repertuary/film_failed")
            self.logger.error("%s film %s: giving up after %d fetches: %s", city, slug, attempt, reason)
            outcome.partial(self.crawler, "repertuary films not crawled")
            self._film_done(city, slug)
            return
        self.crawler.stats.inc_value("cineradar/repertuary/film_retried")
        self.logger.warning("%s film %s: %s; fetching it again", city, slug, reason)
        yield self._film_request(city, slug, attempt + 1)

    def _retry_day(self, response: Response, reason: str) -> Iterator[scrapy.Request]:
        city, day, attempt = response.meta["city"], response.meta["day"], response.meta["attempt"]
        if attempt >= self.max_attempts:
            self.crawler.stats.inc_value("cineradar/repertuary/day_failed")
            self.crawler.stats.inc_value(progress.DONE)  # given up: done, though not covered
            self.logger.error("%s day %d: giving up after %d sessions: %s", city, day, attempt, reason)
            outcome.partial(self.crawler, "repertuary days not crawled")
            if day == 0:  # the other days still need crawling, without day 0's film list
                yield from self._start_other_days(city, [])
            return
        self.crawler.stats.inc_value("cineradar/repertuary/day_retried")
        self.logger.warning("%s day %d: %s; retrying with a fresh session", city, day, reason)
        yield self._open_session(city, day, attempt + 1)

    def on_failure(self, failure: Any) -> Iterator[scrapy.Request]:
        request = failure.request
        meta = request.meta
        if failure.check(IgnoreRequest) and self.crawler.engine is not None and not self.crawler.engine.running:
            return  # dropped by a graceful stop (SiteRateMiddleware): the run is already partial
        if failure.check(CertificateRejected):
            return  # the crawl has failed, with one line naming the host (middlewares/tls_failure.py)
        self.crawler.stats.inc_value(f"cineradar/repertuary/request_failed/{failure.type.__name__}")
        self.logger.error("%s %s failed: %s", request.method, request.url, failure.getErrorMessage())
        if "day" in meta:  # a day chain broke (retries exhausted): try the day again in a new session
            if "slug" in meta:  # the chain opened on a film page: that film still needs fetching
                yield self._film_request(meta["city"], meta["slug"])
            response = getattr(failure.value, "response", None) or scrapy.http.Response(request.url, request=request)
            yield from self._retry_day(response, f"request failed ({failure.type.__name__})")
        else:
            yield from self._retry_film(meta["city"], meta["slug"], meta.get("film_attempt", 1),
                                        f"request failed ({failure.type.__name__})")

    def closed(self, reason: str) -> None:
        for city in self.args.cities:
            covered = len(self._days_covered[city])
            if covered < self.args.days:
                self.logger.warning("%s: only %d of %d days covered", city, covered, self.args.days)
