"""Politeness per site: at most SITE_RATE_LIMITS[site] requests per second, whatever the number
of download slots (sessions) a crawl spreads over it.

DOWNLOAD_DELAY spaces the requests of one download slot. A spider that runs many sessions on
one site (repertuary: 7 per city, 29 cities that are all subdomains of one site) would send the
sum of them: about 56 requests/s for ``-a city=all``. This middleware gives each request a send
time on its site's timeline: at least 1/rate after or before every other request of the site
(a gap left by a busy session is filled by another one), and at least the slot's delay after
the previous request of the same slot, so the two limits hold together rather than one
undoing the other. It then waits for that time asynchronously (the reactor never blocks) and
lets the request go on to its slot. A graceful stop (Ctrl-C) drops the requests still waiting
(IgnoreRequest) instead of sending them at the capped pace first.

The site of a request is ``request.meta["site"]`` when the spider sets it (the replica serves
every city on its own 127.0.0.1 port, so only the spider knows they are one site), else the
site SITE_DOMAINS gives its host or a parent domain, else its registered domain (tldextract,
bundled suffix list). Sites not in SITE_RATE_LIMITS are not capped.

A 429 from a capped site means its real limit is below ours (TMDB's may change, and may be
shared with other clients of the key): every request of the site waits for the 429's
Retry-After (1 s without one), and the site's rate is halved (once a second at most), then
regained by a twentieth of SITE_RATE_LIMITS per successful answer (AIMD). Without this, the requests not yet
answered keep arriving at the full rate, and a limiter that counts rejected requests
(TMDB's, as the replica copies it) keeps all of them out. Stats: site_rate/<site>/slowdowns.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import functools
import math
import time
from collections import defaultdict, deque
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.httpobj import urlparse_cached

from cineradar.endpoints import Endpoints
from cineradar.middlewares.retry import retry_after_seconds

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class Clock(Protocol):
    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class MonotonicClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)  # the project runs the asyncio reactor


STOP_CHECK_SECONDS = 0.5
SLOWEST_GAP = 1.0  # seconds: halving after 429s never goes below one request a second
MAX_LATE_RETAKES = 3  # new send times a request late by more than a gap may take (no starving)
MAX_CACHED_HOSTS = 10_000  # hosts whose site is remembered
RECOVERY_STEP = 0.05  # of the configured rate, regained per successful answer (20 answers from 0 to full)



def _registered_domain(host: str) -> str:
    """The registered domain of ``host`` (``a.b.example.co.uk`` -> ``example.co.uk``), else the host."""
    return _tld_extract()(host).top_domain_under_public_suffix or host


@functools.cache
def _tld_extract() -> Any:
    import tldextract  # here, not at module import: most crawls never need it (start-up time)

    # The bundled public suffix list only: a crawler must not fetch it from the network at start.
    return tldextract.TLDExtract(suffix_list_urls=())


def per_second(gap: float) -> int:
    """Requests that planned times ``gap`` apart put into one second at most (4 for 3.5/s)."""
    return math.floor(1.0 / gap + 1e-9) + 1


class SiteRateMiddleware:
    def __init__(self, limits: dict[str, float], domains: dict[str, str] | None = None, slot_delay: float = 0.0,
                 clock: Clock | None = None) -> None:
        self.gaps = {site: 1.0 / float(rate) for site, rate in limits.items() if float(rate) > 0}
        self.base_gaps = dict(self.gaps)
        self._paused_until: dict[str, float] = {}  # site -> no request before this (a 429's Retry-After)
        self._slowed_at: dict[str, float] = {}  # site -> when its rate was last halved
        self.domains = {host.lower().lstrip("."): site for host, site in (domains or {}).items()}
        self.slot_delay = slot_delay
        self.clock = clock or MonotonicClock()
        self.crawler: Crawler | None = None  # to see a graceful stop begin
        self._taken: dict[str, list[float]] = defaultdict(list)  # site -> send times given out, sorted
        self._slot_next: dict[tuple[str, str], float] = {}  # (site, slot) -> earliest next send time
        self._released: dict[str, deque[float]] = defaultdict(deque)  # site -> real releases of the last second
        self._slot_released: dict[tuple[str, str], float] = {}  # (site, slot) -> the same per slot
        self._host_sites: dict[str, str] = {}  # host -> site: worked out once per host, not per request

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteRateMiddleware:
        settings = crawler.settings
        limits = settings.getdict("SITE_RATE_LIMITS")
        if not limits:
            raise NotConfigured("SITE_RATE_LIMITS is empty")
        spider = getattr(crawler, "spider", None)
        delay = getattr(spider, "download_delay", None)
        middleware = cls(limits, settings.getdict("SITE_DOMAINS"),
                         float(delay if delay is not None else settings.getfloat("DOWNLOAD_DELAY")))
        middleware.crawler = crawler
        declared = getattr(spider, "request_endpoints", None)
        if declared is not None and not settings.getbool("STORE_READ_ONLY"):  # not shell/fetch/parse: any URL
            # A spider whose every request goes to these endpoints (tix_seats: the TIX API) and none of
            # whose hosts is capped: two middleware calls per request for nothing (bench/tix_seats.py).
            urls = [Endpoints.from_settings(settings).urls.get(name) for name in declared]
            if urls and all(isinstance(url, str) and middleware._site_of_host((urlsplit(url).hostname or "").lower())
                            not in middleware.gaps for url in urls):  # a group (repertuary's cities): stays on
                raise NotConfigured  # no message: Scrapy would log a WARNING for a component off by design
        return middleware

    def stopping(self) -> bool:
        engine = self.crawler.engine if self.crawler is not None else None
        return engine is not None and not engine.running

    def site_of(self, request: Request) -> str:
        site = request.meta.get("site")
        if site:
            return str(site)
        host = urlparse_cached(request).hostname or ""
        site = self._host_sites.get(host)
        if site is None:
            if len(self._host_sites) >= MAX_CACHED_HOSTS:  # a broad crawl: bounded, not a leak
                self._host_sites.clear()
            site = self._host_sites[host] = self._site_of_host(host.lower())
        return site

    def _site_of_host(self, host: str) -> str:
        parts = host.split(".")
        for i in range(len(parts)):
            mapped = self.domains.get(".".join(parts[i:]))
            if mapped:
                return mapped
        return _registered_domain(host)

    def reserve(self, site: str, slot: str, not_before: float = 0.0) -> float:
        """The send time for the next request of ``slot`` on ``site`` (recorded as taken)."""
        gap = self.gaps[site]
        now = self.clock.now()
        times = self._taken[site]
        del times[: bisect.bisect_right(times, now - gap)]  # too old to constrain anything
        at = max(now, not_before, self._slot_next.get((site, slot), now), self._paused_until.get(site, now))
        for taken in times[bisect.bisect_right(times, at - gap):]:
            if taken >= at + gap:
                break  # the gap before this one is wide enough
            at = taken + gap
        bisect.insort(times, at)
        self._slot_next[(site, slot)] = at + self.slot_delay
        return at

    async def process_request(self, request: Request) -> None:
        site = self.site_of(request)
        if site not in self.gaps:
            return
        slot = str(request.meta.get("download_slot") or urlsplit(request.url).netloc)
        at = self.reserve(site, slot)
        late_retakes = 0
        while True:
            # In steps, so that a graceful stop is not held up by a backlog sent at the capped pace.
            while (wait := at - self.clock.now()) > 0 or self._paused_until.get(site, at) > at or (
                    -wait > self.gaps[site] and late_retakes < MAX_LATE_RETAKES):
                if wait <= 0:
                    # A 429 paused the site after this request got its time, or the event loop woke it
                    # more than a gap late (busy parsing): the requests due meanwhile would all go at
                    # once, a burst over the cap. Take a new time from now.
                    late_retakes += self._paused_until.get(site, at) <= at
                    at = self.reserve(site, slot)
                    continue
                if self.stopping():
                    raise IgnoreRequest(f"crawl stopping: not sent ({site} rate limit)")
                await self.clock.sleep(min(wait, STOP_CHECK_SECONDS))
            # The times above are planned; the event loop may wake a request late (a busy CPU), and
            # the next one on time would then follow it too closely: more than the cap allows in a
            # second at the wire. So the real releases are counted too: no more in any second than
            # planned times allow (per_second), and a slot's delay counts from its last real
            # release (Scrapy's slot counts from there too). A late release costs the next one
            # nothing unless the second is full: lateness does not add up.
            now = self.clock.now()
            released = self._released[site]
            while released and released[0] <= now - 1.0:
                released.popleft()
            earliest = self._slot_released.get((site, slot), -math.inf) + self.slot_delay
            if len(released) >= per_second(self.gaps[site]):
                earliest = max(earliest, released[-per_second(self.gaps[site])] + 1.0 + 1e-6)
            if now >= earliest:
                break
            if earliest - now < self.gaps[site]:
                # Woken a hair early (asyncio runs timers up to its clock resolution early): wait
                # the rest on this time. Taking a new one would push it a whole gap (or slot
                # delay) later, every other request (1.1 s / 2.2 s gaps at a 1/s cap).
                at = earliest
                continue
            at = self.reserve(site, slot, not_before=earliest)
        self._released[site].append(now)
        self._slot_released[(site, slot)] = now

    def process_response(self, request: Request, response: Response) -> Response:
        site = self.site_of(request)
        if site not in self.gaps:
            return response
        now = self.clock.now()
        if response.status == 429:
            delay = retry_after_seconds(response.headers.get(b"Retry-After"), dt.datetime.now(dt.UTC))
            self._paused_until[site] = max(self._paused_until.get(site, now), now + (delay if delay else 1.0))
            if now - self._slowed_at.get(site, -1e9) >= 1.0:  # once per burst of 429s, not per answer
                self._slowed_at[site] = now
                self.gaps[site] = min(max(SLOWEST_GAP, self.base_gaps[site]), self.gaps[site] * 2)
                if self.crawler is not None and self.crawler.stats is not None:
                    self.crawler.stats.inc_value(f"site_rate/{site}/slowdowns")
        elif response.status < 400 and self.gaps[site] > self.base_gaps[site]:
            # Additive increase: a twentieth of the configured rate per successful answer.
            rate = 1.0 / self.gaps[site] + RECOVERY_STEP / self.base_gaps[site]
            self.gaps[site] = max(self.base_gaps[site], 1.0 / rate)
        return response
