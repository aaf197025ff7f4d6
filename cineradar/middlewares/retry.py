"""Retries that wait: Retry-After on 429/503, exponential backoff with jitter otherwise.

Replaces Scrapy's RetryMiddleware (same priority, 550, the built-in set to None in
DOWNLOADER_MIDDLEWARES) for every spider. Which answers and errors are retried, and how
often, is still Scrapy's: RETRY_HTTP_CODES, RETRY_EXCEPTIONS, RETRY_TIMES, ``dont_retry``
and ``max_retry_times`` in meta; this subclass only adds *when*:

* 429 and 503 with a ``Retry-After`` header (seconds, or an HTTP date): the retry is sent
  no earlier than the server asked, capped by RETRY_AFTER_MAX seconds.
* Every other retry (other codes, 429/503 without the header, network errors): retry n
  waits ``min(RETRY_BACKOFF_MAX, RETRY_BACKOFF_BASE * 2**(n-1))``, of which a random half
  (jitter, so retries of a burst do not come back in step).
* 401, 404 and 422 are never retried here, whatever RETRY_HTTP_CODES says: a refused
  token, a missing page or a refused form is not a transient fault (the JWT middleware
  renews tokens on 401 itself).

The wait is an ``asyncio.sleep`` in ``process_response``/``process_exception`` before the
retry request is returned: the reactor goes on, and the waiting request keeps its place
among CONCURRENT_REQUESTS, so a 429 storm slows the whole crawl down (what the server
asked for) instead of piling up immediate retries. Only a request that will really be
retried waits; one that has used its retries returns at once. A graceful stop (Ctrl-C)
ends the waits within WAIT_SLICE; the retry is then handed back unsent (the scheduler
keeps it in a JOBDIR). A stop by outcome.fail() still lets running waits finish (at
most RETRY_AFTER_MAX).

Stats: retry/after_wait (retries that honoured Retry-After), retry/after_capped (a
Retry-After above the cap), retry/backoff_wait, retry/wait_ms (total), on top of
Scrapy's retry/count, retry/reason_count/*, retry/max_reached.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import random
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware

from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

NEVER_RETRY = frozenset({401, 404, 422})
RETRY_AFTER_CODES = frozenset({429, 503})
WAIT_SLICE = 1.0  # seconds between checks for a graceful stop during a wait


def retry_after_seconds(value: bytes | str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date); None if unreadable."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:  # HTTP dates are GMT
            when = when.replace(tzinfo=dt.UTC)
        return max(0.0, (when - now).total_seconds())
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings, *, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
                 rng: random.Random | None = None, stopping: Callable[[], bool] = lambda: False) -> None:
        super().__init__(settings)
        self.after_max = defaulted(settings).getfloat("RETRY_AFTER_MAX")
        self.backoff_base = defaulted(settings).getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = defaulted(settings).getfloat("RETRY_BACKOFF_MAX")
        self.sleep = sleep  # injectable: tests drive time without sleeping
        self.clock = clock
        self.rng = rng or random.Random()
        self.stopping = stopping

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        middleware = cls(crawler.settings, stopping=lambda: not crawler.crawling)  # False once stopped (Ctrl-C)
        middleware.crawler = crawler
        return middleware

    def backoff(self, retry_times: int) -> float:
        ceiling: float = min(self.backoff_max, self.backoff_base * 2 ** max(0, retry_times - 1))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)

    def _inc(self, key: str, count: int = 1) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key, count)

    async def _wait(self, retry: Request, response: Response | None) -> Request:
        delay: float | None = None
        if response is not None and response.status in RETRY_AFTER_CODES:
            delay = retry_after_seconds(response.headers.get(b"Retry-After"), self.clock())
            if delay is not None:
                self._inc("retry/after_wait")
                if delay > self.after_max:
                    self._inc("retry/after_capped")
                    delay = self.after_max
        if delay is None:
            delay = self.backoff(int(retry.meta.get("retry_times", 1)))
            self._inc("retry/backoff_wait")
        if delay > 0:
            self._inc("retry/wait_ms", int(delay * 1000))
        # In slices, so a graceful stop (Ctrl-C) is not held for the whole wait: the engine
        # waits for requests in progress, and a waiting retry is one.
        while delay > 0 and not self.stopping():
            step = min(delay, WAIT_SLICE)
            await self.sleep(step)
            delay -= step
        return retry

    async def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if response.status in NEVER_RETRY:
            return response
        result = super().process_response(request, response)
        if not isinstance(result, Request):  # not retried: not retryable, dont_retry, or retries used up
            return result
        return await self._wait(result, response)

    async def process_exception(  # type: ignore[override]
            self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if not isinstance(result, Request):
            return result
        return await self._wait(result, None)
