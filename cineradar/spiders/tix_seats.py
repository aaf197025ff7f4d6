"""TIX.id seat occupancy: one E5 seat-layout call per showtime, one snapshot per answer.

    scrapy crawl tix_seats -a mode=morning [-a date=YYYY-MM-DD] [-a cities=..] [-a batch=N/M]
    scrapy crawl tix_seats -a mode=jit   [-a window=20]            # starting within 20 minutes
    scrapy crawl tix_seats -a mode=final [-a window=5] [-a lead=5] # each one 5 minutes before it starts
    scrapy crawl tix_seats -a showtimes=showtimes.jsonl            # rows instead of the store
    scrapy parse --spider tix_seats 'https://api.tix.id/v1/movies/xxi/layout?show_time_id=ID&tz=7'

Showtimes come from the store (the tix_showtimes rows of the day, written by tix_movies,
with titles and theatre names joined from tix_movies / tix_theatres) or from a JSONL
file of such rows. A file that cannot be used at all (missing, binary, no usable line)
fails the crawl with one ERROR line (exit 1); a bad line (invalid JSON, not an object,
no showtime_id) is logged with its number and skipped, the rest used (partial, exit 3).
Each showtime gets ``GET /v1/movies/{xxi|cgv|cinepolis}/layout?show_time_id=..
&tz=7`` with the logged-in user's token (the JWT middleware). In final mode with a
window longer than the lead, the spider stays up and releases each request ``lead``
minutes before its showtime.

Every requested showtime ends as a TixSeatSnapshot (``{showtime_id}_{mode}_{HHMM}``,
HHMM the scrape time in WIB) or as a TixSeatFailure with its reason: ``started`` (401
EXPIRED_EVENT_DETAIL, never retried), ``not_found``, ``unauthorized``, ``bad_json`` and
``api_error`` (after retries), ``bad_layout``, ``empty_layout``, ``http_<status>``,
``download_error``, ``no_token``. Stats: cineradar/tix/seats/requested, /snapshots,
/failed/<reason>; the spider logs a reconciliation line when it closes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.spidermiddlewares.httperror import HttpError

from cineradar.args import SpiderArgs, SpiderInputError, TixSeatsArgs
from cineradar.crawl_errors import CertificateRejected
from cineradar.defaults import defaulted
from cineradar.extensions import outcome, progress
from cineradar.extensions.storage_hub import storage_hub
from cineradar.handlers import AIOHTTP as AIOHTTP_HANDLER
from cineradar.items import TixSeatFailure, TixSeatSnapshot
from cineradar.parsers import tix as parser
from cineradar.parsers import tix_layouts
from cineradar.spiders.tix_base import SLOT, TixApiSpider

WIB = parser.WIB
LAYOUT_HEADERS = {"Accept": "application/json"}
LOG_PER_REASON = 20  # failures logged one by one per reason; the rest at DEBUG
ROW_FIELDS = ("showtime_id", "movie_id", "movie_title", "theatre_id", "theatre_name", "city", "merchant",
              "room_category", "date", "time", "starts_at")


class TixSeatsSpider(TixApiSpider):
    name = "tix_seats"
    entities: ClassVar = (TixSeatSnapshot, TixSeatFailure)
    args_model: ClassVar[type[SpiderArgs]] = TixSeatsArgs
    args: TixSeatsArgs
    stats_prefix: ClassVar[str] = "cineradar/tix/seats"
    slot_setting: ClassVar[str] = "TIX_SEATS"
    # TIX_SEATS_CONCURRENCY: layout requests in flight, all in the one "tix_api" slot. At
    # 50 ms latency, 32 gives >= 300 layouts/s (bench/tix_seats.py; from there on the
    # crawl is CPU-bound); the original made one call at a time, 0.3-0.5 s apart.
    default_concurrency: ClassVar[int] = 32
    request_endpoints: ClassVar[tuple[str, ...] | None] = ("tix_api",)  # every layout request (layout_request)
    # Answers on_layout records as failures (for a layout fetched alone too, as by `scrapy parse`).
    handle_httpstatus_list: ClassVar[list[int]] = [400, 401, 403, 404]
    custom_settings: ClassVar[dict[str, Any]] = {  # type: ignore[misc]
        # One item per response: Scrapy starts CONCURRENT_ITEMS worker tasks per callback
        # output, 100 by default, i.e. 100 tasks per layout (a third of the CPU at 300/s).
        "CONCURRENT_ITEMS": 1,
        # Its source-parsing check misses its cache on bound methods: about 1 ms per callback call.
        "WARN_ON_GENERATOR_RETURN_VALUE": False,
        "LOG_FORMATTER": "cineradar.logformatter.QuietLogFormatter",  # no per-layout DEBUG records
        "COOKIES_ENABLED": False,  # the API is cookie-less; auth is the Bearer header
        "REDIRECT_ENABLED": False,  # the API does not redirect; a 3xx is recorded as a failure
    }

    # Components a JSON API crawl of one host does not use, switched off for this spider
    # only: each costs a coroutine or async-generator hop per request (bench/tix_seats.py).
    UNUSED_COMPONENTS: ClassVar[dict[str, tuple[str, ...]]] = {
        "SPIDER_MIDDLEWARES": ("scrapy.spidermiddlewares.referer.RefererMiddleware",
                               "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware",
                               "scrapy.spidermiddlewares.depth.DepthMiddleware",
                               "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware"),
        "DOWNLOADER_MIDDLEWARES": ("scrapy.downloadermiddlewares.offsite.OffsiteMiddleware",
                                   "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware",
                                   "scrapy.downloadermiddlewares.defaultheaders.DefaultHeadersMiddleware",
                                   "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware",
                                   "scrapy.downloadermiddlewares.cookies.CookiesMiddleware"),
    }

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        handler = str(defaulted(settings).get("TIX_SEATS_HTTP_HANDLER")).lower()
        if handler == "aiohttp" and (settings.getpriority("DOWNLOAD_HANDLERS") or 0) <= SETTINGS_PRIORITIES["spider"]:
            path = AIOHTTP_HANDLER  # Scrapy's, trusting TLS_CA_FILE too (cineradar/handlers_aiohttp.py)
            settings.set("DOWNLOAD_HANDLERS", settings.getdict("DOWNLOAD_HANDLERS") | {"http": path, "https": path},
                         priority="spider")
        elif handler not in ("aiohttp", "twisted"):
            raise ValueError(f"TIX_SEATS_HTTP_HANDLER must be aiohttp or twisted, not {handler!r}")
        for name, paths in cls.UNUSED_COMPONENTS.items():
            if (settings.getpriority(name) or 0) > SETTINGS_PRIORITIES["spider"]:
                continue  # set on the command line: leave it alone
            settings.set(name, settings.getdict(name) | dict.fromkeys(paths), priority="spider")

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name, **kwargs)
        self.mode = self.args.mode
        self.pending: dict[str, dict[str, Any]] = {}  # showtime_id -> row, until it ends somehow
        self.outcomes: Counter[str] = Counter()
        self._logged: Counter[str] = Counter()
        # Per-layout stats read only at close (snapshots, shapes), counted here and added to the
        # crawler's stats when the spider closes (flush_counts): Scrapy's stats collector wraps
        # every method lookup, and stats calls were about 2% of the crawl's CPU.
        self._counts: Counter[str] = Counter()

    # ------------------------------------------------------------------ which showtimes
    async def _load_rows(self) -> list[dict[str, Any]]:
        if self.args.showtimes:
            path = Path(self.args.showtimes)
            try:
                data = await asyncio.to_thread(path.read_bytes)
            except OSError as exc:
                raise SpiderInputError(f"cannot read the showtimes file {path}: {exc.strerror or exc}") from None
            from_file, problems = read_showtimes(data)
            if problems is None:
                raise SpiderInputError(f"the showtimes file {path} is not UTF-8 text (binary?)")
            for number, problem in problems[:LOG_PER_REASON]:
                self.logger.error("showtimes file %s line %d: %s; line skipped", path, number, problem)
            if len(problems) > LOG_PER_REASON:
                self.logger.error("showtimes file %s: %d more bad lines skipped", path, len(problems) - LOG_PER_REASON)
            if problems and not from_file:
                raise SpiderInputError(f"the showtimes file {path} has no usable line ({len(problems)} bad, "
                                       f"line {problems[0][0]}: {problems[0][1]})")
            if problems:
                outcome.partial(self.crawler, "showtime_file_lines_skipped", len(problems))
            self.logger.info("%d showtime rows read from %s (%d bad lines skipped)", len(from_file), path,
                             len(problems))
            return from_file
        hub = storage_hub(self.crawler, "tix_seats (it reads the showtimes from storage unless -a showtimes=FILE)")
        days = self._days()
        rows: list[dict[str, Any]] = []
        titles: dict[str, str] = {}
        for day in days:
            rows += await hub.call(hub.primary, lambda b, d=day: b.fetch("tix_showtimes", {"date": d.isoformat()}))
            movies = await hub.call(hub.primary, lambda b, d=day: b.fetch("tix_movies", {"date": d.isoformat()}))
            titles |= {m["movie_id"]: m["title"] for m in movies}
        theatres = {t["theatre_id"]: t["name"] for t in await hub.call(hub.primary, lambda b: b.fetch("tix_theatres"))}
        for row in rows:
            row.setdefault("movie_title", titles.get(row.get("movie_id") or ""))
            row.setdefault("theatre_name", theatres.get(row.get("theatre_id") or ""))
        self.logger.info("%d showtimes of %s in the store", len(rows), ", ".join(map(str, days)))
        return rows

    def _days(self) -> list[dt.date]:
        if self.args.date or self.mode == "morning":
            return [self.args.day]
        now = self.args.reference_time().astimezone(WIB)
        end = now + dt.timedelta(minutes=self.args.window_minutes)
        return sorted({now.date(), end.date()})  # a window across midnight takes both days

    def select(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The rows this mode wants, one per showtime, in start order, filtered and sliced."""
        now = self.args.reference_time()
        window = dt.timedelta(minutes=self.args.window_minutes)
        chosen: dict[str, dict[str, Any]] = {}
        for row in rows:
            sid = str(row.get("showtime_id") or "")
            if not sid:
                self.stat("input_without_id")
                continue
            if self.args.cities and str(row.get("city") or "").upper() not in self.args.cities.split(","):
                continue
            start = _start(row)
            if self.mode != "morning":
                if start is None:
                    self.stat("input_without_start")
                    continue
                if not now < start <= now + window:
                    continue
            elif self.args.showtimes and self.args.date and str(row.get("date")) != self.args.day.isoformat():
                continue
            if sid in chosen:
                self.stat("duplicate_input")
                continue
            chosen[sid] = {k: row.get(k) for k in ROW_FIELDS} | {"showtime_id": sid}
        ordered = sorted(chosen.values(), key=lambda r: (_start(r) or now, r["showtime_id"]))
        return self.args.slice(ordered)

    # ------------------------------------------------------------------ requests
    def layout_request(self, row: dict[str, Any]) -> scrapy.Request:
        sid = row["showtime_id"]
        query = f"show_time_id={sid}&tz=7" if sid.isdigit() else urlencode({"show_time_id": sid, "tz": 7})
        path = parser.merchant_path(str(row.get("merchant") or ""))
        # As the original: Bearer token and Accept only (docs/sources/tix.md#e5-seat-layout), no app headers.
        return scrapy.Request(f"{self.api}/v1/movies/{path}/layout?{query}", callback=self.on_layout,
                              errback=self.on_failure, dont_filter=True, headers=LAYOUT_HEADERS,
                              meta={"showtime": row, "tix_auth": "user", "download_slot": SLOT,
                                    "handle_httpstatus_list": [400, 401, 403, 404]})

    async def start(self) -> AsyncIterator[scrapy.Request]:
        rows = self.select(await self._load_rows())
        self.logger.info("tix_seats %s: %d showtimes to snapshot", self.mode, len(rows))
        self.crawler.stats.set_value(progress.UNIT, "seat layouts")
        self.crawler.stats.set_value(progress.TOTAL, len(rows))
        if not rows:
            self.logger.warning("tix_seats %s: no showtime selected (did tix_movies run for this day?)", self.mode)
        lead = dt.timedelta(minutes=self.args.lead)
        release_by_clock = self.mode == "final" and self.args.window_minutes > self.args.lead and not self.args.now
        for row in rows:
            if release_by_clock:
                start = _start(row)
                wait = ((start - lead) - dt.datetime.now(dt.UTC)).total_seconds() if start else 0
                if wait > 0:
                    await asyncio.sleep(wait)  # non-blocking: other requests go on meanwhile
            self.pending[row["showtime_id"]] = row
            self.stat("requested")
            yield self.layout_request(row)

    # ------------------------------------------------------------------ answers
    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """A layout URL given alone (``scrapy parse --spider tix_seats URL``): read as a layout.

        @endpoint tix_api /v1/movies/xxi/layout?show_time_id=2123626385373350233&tz=7
        @returns items 1 1
        @scrapes snapshot_id showtime_id total_seats unavailable_seats
        """
        yield from self.on_layout(response)

    def _fill_meta(self, response: Response) -> None:
        """A layout fetched alone has no showtime row: the showtime id and merchant from its URL
        (the rest of the row, titles and times, is only in the store)."""
        if "showtime" in response.meta:
            return
        url = urlsplit(response.url)
        sid = (parse_qs(url.query).get("show_time_id") or [""])[0]
        path = url.path.rstrip("/").split("/")[-2] if url.path.rstrip("/").endswith("/layout") else ""
        merchant = {v: k for k, v in parser.MERCHANT_PATHS.items() if k != "CINEPOLIS"}.get(path, path.upper())
        row = dict.fromkeys(ROW_FIELDS) | {"showtime_id": sid, "merchant": merchant or None}
        response.meta["showtime"] = self.pending[sid] = row

    def on_layout(self, response: Response) -> Iterator[Any]:
        """One showtime's seat map (E5): a TixSeatSnapshot, or a TixSeatFailure with its reason.

        @endpoint tix_api /v1/movies/xxi/layout?show_time_id=2123626385373350233&tz=7
        @returns items 1 1
        @scrapes snapshot_id showtime_id total_seats unavailable_seats
        """
        self._fill_meta(response)
        row = response.meta["showtime"]
        status = response.status
        if status != 200:
            payload = _maybe_json(response.body)
            code = parser.error_code(payload) or ""
            if status == 401 and "EXPIRED_EVENT_DETAIL" in (code + response.text[:500]):
                yield self.fail(row, "started", "401 EXPIRED_EVENT_DETAIL: the showtime has started")
            elif status == 401:
                yield self.fail(row, "unauthorized", f"401 {code}".strip())
            elif status == 404:
                yield self.fail(row, "not_found", f"404 {code}".strip())
            else:
                yield self.fail(row, f"http_{status}", code or None)
            return
        try:
            occupancy = tix_layouts.occupancy(response.body)  # typed decode; the dict path for anything unusual
        except parser.PayloadError as exc:
            yield from self._retry_or_fail(response, row, "bad_json", str(exc))
            return
        except parser.ApiError as exc:
            yield from self._retry_or_fail(response, row, "api_error", str(exc))
            return
        except parser.LayoutError as exc:
            yield self.fail(row, "bad_layout", str(exc))
            return
        if occupancy.total_seats == 0:
            yield self.fail(row, "empty_layout", "no countable seat in the layout")
            return
        self._done(row, "snapshot")
        self._counts[f"{self.stats_prefix}/snapshots"] += 1
        self._counts[f"{self.stats_prefix}/shape/{occupancy.shape}"] += 1
        yield parser.build_snapshot(occupancy, showtime=row, mode=self.mode, scraped_at=dt.datetime.now(dt.UTC))

    def _retry_or_fail(self, response: Response, row: dict[str, Any], reason: str, detail: str) -> Iterator[Any]:
        self.stat(f"retried/{reason}")
        retry = self.retry(response.request, reason)  # type: ignore[arg-type]
        if retry is not None:
            yield retry
        else:
            yield self.fail(row, reason, detail)

    def on_failure(self, failure: Any) -> Iterator[Any]:
        row = failure.request.meta["showtime"]
        if failure.check(HttpError):
            status = failure.value.response.status
            yield self.fail(row, f"http_{status}", "retries exhausted")
        elif failure.check(CertificateRejected):  # the crawl has failed, one line naming the host
            yield self.fail(row, "tls_certificate", None)
        elif failure.check(IgnoreRequest):
            yield self.fail(row, "no_token", failure.getErrorMessage()[:200])
        else:
            yield self.fail(row, "download_error", f"{failure.type.__name__}: {failure.getErrorMessage()[:160]}")

    def fail(self, row: dict[str, Any], reason: str, detail: str | None) -> TixSeatFailure:
        now = dt.datetime.now(dt.UTC)
        self._done(row, reason)
        self.stat(f"failed/{reason}")
        # A started showtime is expected; a refused certificate has failed the crawl with its own line.
        level = logging.INFO if reason in ("started", "tls_certificate") else logging.WARNING
        self._logged[reason] += 1
        if self._logged[reason] > LOG_PER_REASON:  # the counts are in the stats and the reconciliation line
            level = logging.DEBUG
        self.logger.log(level, "showtime %s (%s %s %s): %s%s%s", row["showtime_id"], row.get("merchant"),
                        row.get("theatre_name") or row.get("theatre_id"), row.get("time"), reason,
                        f" ({detail})" if detail else "",
                        f"; further '{reason}' failures at DEBUG" if self._logged[reason] == LOG_PER_REASON else "")
        return TixSeatFailure.model_construct(
            failure_id=parser.snapshot_id(row["showtime_id"], self.mode, now), showtime_id=row["showtime_id"],
            mode=self.mode, scraped_at=now, date=parser.parse_date(row.get("date")) or now.astimezone(WIB).date(),
            time=row.get("time"), movie_id=row.get("movie_id"), theatre_id=row.get("theatre_id"),
            merchant=row.get("merchant"), reason=reason, detail=detail,
        )

    def _done(self, row: dict[str, Any], outcome: str) -> None:
        if self.pending.pop(row["showtime_id"], None) is not None:
            self.outcomes[outcome] += 1
            self.crawler.stats.inc_value(progress.DONE)  # live: progress lines read it as the crawl goes
        else:
            self.stat("duplicate_outcome")

    def flush_counts(self) -> None:
        """Add the counts kept since the last flush to the crawler's stats."""
        stats = self.crawler.stats
        assert stats is not None
        for key, count in self._counts.items():
            stats.inc_value(key, count)
        self._counts.clear()

    # ------------------------------------------------------------------ reconciliation
    def closed(self, reason: str) -> None:
        self.flush_counts()  # before anything reads them: the spider's own handler runs first
        stats = self.crawler.stats
        assert stats is not None
        requested = stats.get_value(f"{self.stats_prefix}/requested", 0)
        snapshots = self.outcomes["snapshot"]
        failed = {k: v for k, v in sorted(self.outcomes.items()) if k != "snapshot"}
        invalid = stats.get_value("cineradar/invalid/tix_seat_snapshots", 0)
        unaccounted = len(self.pending)
        stats.set_value(f"{self.stats_prefix}/unaccounted", unaccounted)
        detail = ", ".join(f"{k} {v}" for k, v in failed.items()) or "none"
        line = (f"tix_seats {self.mode} reconciliation: requested {requested} = snapshots {snapshots} "
                f"+ failed {sum(failed.values())} ({detail}) + unaccounted {unaccounted}; "
                f"snapshots dropped by validation {invalid}")
        if unaccounted or requested != snapshots + sum(failed.values()) + unaccounted:
            sample = ", ".join(list(self.pending)[:10])
            # closed "failed": the crawl's cause is logged already (outcome.fail); this is the aftermath
            self.logger.log(logging.WARNING if reason == "failed" else logging.ERROR,
                            "%s; unaccounted showtimes (first 10): %s (spider closed: %s)", line, sample, reason)
        else:
            self.logger.info(line)
        # A showtime that has started or is gone is an answer; a fetch that failed is missing data.
        lost = sum(v for k, v in failed.items() if k not in ANSWERS) + unaccounted
        if requested and lost and not snapshots and reason == "finished":
            outcome.fail(self.crawler, f"tix_seats {self.mode}: no seat map could be fetched "
                                       f"({lost} of {requested} showtimes failed: {detail})", close=False)
        elif lost:
            outcome.partial(self.crawler, f"tix_seats {self.mode} showtimes without a snapshot", lost)


# Failure reasons that are the site's answer about the showtime, not a fetch that went wrong.
ANSWERS = frozenset({"started", "not_found"})


def _start(row: dict[str, Any]) -> dt.datetime | None:
    value = row.get("starts_at")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=WIB)
    if value:
        try:
            when = dt.datetime.fromisoformat(str(value))
            return when if when.tzinfo else when.replace(tzinfo=WIB)
        except ValueError:
            pass
    start = parser.starts_at(parser.parse_date(row.get("date")) or dt.date.min, str(row.get("time") or ""))
    return start if row.get("date") else None


def read_showtimes(data: bytes) -> tuple[list[dict[str, Any]], list[tuple[int, str]] | None]:
    """The rows of a JSONL showtimes file and its bad lines as (line number, problem).

    Problems is None when the file is not UTF-8 text at all (nothing can be read from it).
    A bad line costs only itself: invalid JSON, a value that is not an object, no showtime_id.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], None
    if "\x00" in text:  # decodes as UTF-8 but is binary
        return [], None
    rows: list[dict[str, Any]] = []
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as exc:
            problems.append((number, f"invalid JSON ({exc.msg} at column {exc.colno})" if isinstance(
                exc, json.JSONDecodeError) else "invalid JSON"))
            continue
        if not isinstance(value, dict):
            kind = {list: "array", str: "string", bool: "boolean", int: "number", float: "number"}.get(
                type(value), "null")
            problems.append((number, f"a JSON {kind}, not an object"))
        elif not value.get("showtime_id"):
            problems.append((number, "no showtime_id"))
        else:
            rows.append(value)
    return rows, problems


def _maybe_json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return None
