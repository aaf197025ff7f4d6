"""Shared machinery of the replica: knobs, clock, seeded randomness, fault injection.

Every site module (tix, repertuary, tmdb) builds an aiohttp Application from a
``Context``. The generic faults (latency, 5xx, connection resets, hangs, truncated
bodies) are applied here by one middleware, so the sites only implement the
behaviour that is specific to them (success:false mid-pagination, token revocation,
HTML drift, 429 storms...).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

JAKARTA = ZoneInfo("Asia/Jakarta")
WARSAW = ZoneInfo("Europe/Warsaw")

# Fault kinds the core applies to any site. Site-specific kinds are listed in
# SITE_FAULTS and handled by the site modules through Context.fault_fires().
GENERIC_FAULTS = {"5xx", "reset", "hang", "truncate", "garbage", "latency"}
SITE_FAULTS = {
    "success_false",  # tix E4: success:false on a page > 1
    "unknown_merchant",  # tix E4: a theatre with a merchant name never seen before
    "bad_status",  # tix E4: a show_time.status outside 0..2
    "html_drift",  # repertuary: a renamed CSS class (td.cinema_film -> td.cinema-film)
    "token_revoke",  # tix: every refresh token issued so far is revoked
    "429_storm",  # tmdb (and any site): 429 with Retry-After
    "set_day_500",  # repertuary: POST /settings/set_day answers 500
    "set_day_422",  # repertuary: POST /settings/set_day answers 422 even with a valid token
    "expire_access",  # tix: the next authorised request answers 401 as if the token had expired
    # tix: a schedule page answers success with no theatres (a city's listings gone from the site);
    # its path option is searched in the path and query, so ``path=city_id=<id>`` aims at one city
    "theatres_missing",
    "search_empty",  # tmdb: /search/* answers 200 with no results (the titles no longer found)
    # tmdb: /3/tv/{id}'s external_ids says imdb_id null although /3/find resolves the show by it
    # (TMDB's find index and a show's external ids disagree)
    "external_ids_null",
}
FAULT_KINDS = GENERIC_FAULTS | SITE_FAULTS


@dataclass
class Fault:
    """One fault rule.

    It fires on matching requests either with ``probability`` (seeded, so a run is
    reproducible) or on the request numbers listed in ``at`` (1-based count of the
    requests that matched ``site`` and ``path``).
    """

    kind: str
    probability: float = 0.0
    at: list[int] = field(default_factory=list)
    site: str | None = None  # "tix_app", "tix_api", "tmdb", "nominatim", "repertuary" or None for all
    path: str | None = None  # regex searched in the request path
    status: int = 503  # for 5xx
    seconds: float = 60.0  # for hang / latency / Retry-After of 429

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; allowed: {sorted(FAULT_KINDS)}")
        self._path_re = re.compile(self.path) if self.path else None
        self._seen = 0

    @classmethod
    def parse(cls, spec: str) -> Fault:
        """Parse ``kind[:key=value,...]`` e.g. ``5xx:p=0.05,site=tix_api,path=/layout``."""
        kind, _, rest = spec.partition(":")
        kwargs: dict[str, Any] = {}
        for part in filter(None, rest.split(",")):
            key, _, value = part.partition("=")
            if key in ("p", "probability"):
                kwargs["probability"] = float(value)
            elif key == "at":
                kwargs["at"] = [int(x) for x in value.split("+")]
            elif key in ("site", "path"):
                kwargs[key] = value
            elif key == "status":
                kwargs["status"] = int(value)
            elif key == "seconds":
                kwargs["seconds"] = float(value)
            else:
                raise ValueError(f"unknown fault option {key!r} in {spec!r}")
        return cls(kind=kind, **kwargs)

    def matches(self, site: str, path: str) -> bool:
        if self.site and not (site == self.site or site.startswith(self.site + ":")):
            return False
        return not (self._path_re and not self._path_re.search(path))

    def fires(self, rng: random.Random) -> bool:
        self._seen += 1
        if self.at:
            return self._seen in self.at
        return self.probability > 0 and rng.random() < self.probability

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "probability": self.probability,
            "at": self.at,
            "site": self.site,
            "path": self.path,
            "status": self.status,
            "seconds": self.seconds,
        }


@dataclass
class Knobs:
    """Runtime behaviour of the replica. Changeable at run time via POST /_replica/knobs."""

    latency_ms: float = 0.0  # added to every response
    jitter_ms: float = 0.0  # uniform extra 0..jitter_ms
    access_ttl_s: int = 30 * 60  # TIX.id access-token lifetime (real: 30 min)
    refresh_ttl_s: int = 91 * 86400  # TIX.id refresh-token lifetime (real: about 91 days)
    tmdb_rate_limit: float = 40.0  # requests per second before 429 (real: "around 40")
    session_race: bool = True  # repertuary: one server-side selected day per session id
    tix_phone: str = "+6281234567890"  # the one account the TIX.id login accepts
    tix_password: str = "replica-password"
    tmdb_api_key: str = "0123456789abcdef0123456789abcdef"  # v3 key (query api_key)
    tmdb_bearer: str = "eyJhbGciOiJIUzI1NiJ9.replica-read-access-token.signature"  # v4 read token
    faults: list[Fault] = field(default_factory=list)

    def update(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            if key == "faults":
                self.faults = [Fault.parse(v) if isinstance(v, str) else Fault(**v) for v in value]
            elif hasattr(self, key):
                setattr(self, key, type(getattr(self, key))(value))
            else:
                raise ValueError(f"unknown knob {key!r}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "jitter_ms": self.jitter_ms,
            "access_ttl_s": self.access_ttl_s,
            "refresh_ttl_s": self.refresh_ttl_s,
            "tmdb_rate_limit": self.tmdb_rate_limit,
            "session_race": self.session_race,
            "tix_phone": self.tix_phone[:4] + "***",
            "tmdb_rate_limit_note": "requests per second, sliding 1 s window",
            "faults": [f.to_dict() for f in self.faults],
        }


class Clock:
    """The replica's idea of "now": the real clock, or a frozen/shifted instant.

    A frozen clock makes status 0 (past) showtimes and EXPIRED_EVENT_DETAIL
    reproducible in tests; ``advance()`` moves it on.
    """

    def __init__(self, frozen: dt.datetime | None = None) -> None:
        self._frozen = frozen
        self._offset = dt.timedelta()

    def now(self) -> dt.datetime:
        base = self._frozen or dt.datetime.now(dt.UTC)
        return base + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += dt.timedelta(seconds=seconds)

    def set(self, when: dt.datetime | None) -> None:
        self._frozen, self._offset = when, dt.timedelta()


def stable_seed(*parts: object) -> int:
    """A seed derived from values, stable across processes (unlike hash())."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def snowflake(rng: random.Random, when: dt.datetime) -> str:
    """An 18-19 digit TIX.id-like ID: Twitter-epoch snowflake with random low bits."""
    ms = int(when.timestamp() * 1000) - 1288834974657
    return str((ms << 22) | rng.getrandbits(22))


@dataclass
class Context:
    """Everything a site module needs: dataset parameters, knobs, clock, counters."""

    preset: str
    seed: int
    date: dt.date  # the crawl day (Asia/Jakarta for TIX.id, Europe/Warsaw for repertuary)
    knobs: Knobs
    clock: Clock
    requests: Counter[str] = field(default_factory=Counter)  # "site path-template" -> count
    # Every request as it arrived: {"t": monotonic seconds, "site", "method", "path" (with the
    # query), "status" once answered}. Tests read the wire's truth (timing, retries) from it.
    log: list[dict[str, Any]] = field(default_factory=list)
    base_urls: dict[str, Any] = field(default_factory=dict)  # filled in once bound

    def __post_init__(self) -> None:
        self._fault_rng = random.Random(stable_seed("faults", self.seed))

    def fault_fires(self, kind: str, site: str, path: str) -> Fault | None:
        """The first configured fault of ``kind`` that fires for this request, if any."""
        for fault in self.knobs.faults:
            if fault.kind == kind and fault.matches(site, path) and fault.fires(self._fault_rng):
                return fault
        return None


def fault_middleware(ctx: Context, site: str):  # noqa: ANN201 - aiohttp middleware factory
    """Latency and generic faults for every request of one site."""

    @web.middleware
    async def middleware(request: web.Request, handler):  # noqa: ANN001, ANN202
        path = request.path
        if path.startswith("/_replica/"):
            return await handler(request)
        ctx.requests[site] += 1
        knobs = ctx.knobs
        delay = knobs.latency_ms / 1000
        if knobs.jitter_ms:
            delay += ctx._fault_rng.random() * knobs.jitter_ms / 1000
        extra = ctx.fault_fires("latency", site, path)
        if extra:
            delay += extra.seconds
        if delay:
            await asyncio.sleep(delay)
        if ctx.fault_fires("hang", site, path) is not None:
            await asyncio.sleep(3600)
        if ctx.fault_fires("reset", site, path) is not None:
            transport = request.transport
            if transport is not None:
                transport.abort()
            raise ConnectionResetError("replica fault: connection reset")
        failure = ctx.fault_fires("5xx", site, path)
        if failure is not None:
            return web.Response(status=failure.status, text="Service Unavailable")
        storm = ctx.fault_fires("429_storm", site, path)
        if storm is not None:
            return web.json_response(
                {
                    "success": False,
                    "status_code": 25,
                    "status_message": "Your request count (41) is over the allowed limit of 40.",
                },
                status=429,
                headers={"Retry-After": str(int(storm.seconds))},
            )
        response = await handler(request)
        if ctx.fault_fires("garbage", site, path) is not None:
            noise = bytes(ctx._fault_rng.getrandbits(8) for _ in range(512))
            return web.Response(body=noise, status=200, content_type="application/octet-stream")
        if ctx.fault_fires("truncate", site, path) is not None and isinstance(response, web.Response):
            body = response.body
            if isinstance(body, bytes | bytearray) and len(body) > 2:
                request[CUT_SHORT] = response.status
                await cut_short(request, response, bytes(body[: len(body) // 2]))
        return response

    return middleware


CUT_SHORT = web.RequestKey("replica_cut_short", int)  # the status of a response cut short


async def cut_short(request: web.Request, response: web.Response, part: bytes) -> None:
    """Send ``response``'s status and headers (cookies too) and ``part`` of its body, then drop
    the connection, as a server does whose connection is lost mid-body.

    Headers always arrive before the body, so a real cut keeps them all (Set-Cookie
    included). The body goes out chunked, the way nginx in front of an application serves
    dynamic pages: the cut then lands before the terminating zero-length chunk, and a client
    can tell the body is incomplete (with a Content-Length cut to the part sent, it could not).
    """
    cut = web.StreamResponse(status=response.status, reason=response.reason)
    for name, value in response.headers.items():
        if name.lower() not in ("content-length", "transfer-encoding"):
            cut.headers.add(name, value)
    for name, morsel in response.cookies.items():
        cut.cookies[name] = morsel
    cut.enable_chunked_encoding()
    await cut.prepare(request)
    await cut.write(part)
    if request.transport is not None:
        request.transport.close()  # close, not abort: the part already written still goes out
    raise ConnectionResetError("replica fault: body cut short")


def log_middleware(ctx: Context, site: str):  # noqa: ANN201 - aiohttp middleware factory
    """Appends every (non-admin) request to ``ctx.log``, outermost, so faults are logged too."""

    @web.middleware
    async def middleware(request: web.Request, handler):  # noqa: ANN001, ANN202
        if request.path.startswith("/_replica/"):
            return await handler(request)
        entry: dict[str, Any] = {"t": time.monotonic(), "site": site, "method": request.method,
                                 "path": request.path_qs, "status": None,
                                 "user_agent": request.headers.get("User-Agent")}
        ctx.log.append(entry)
        try:
            response = await handler(request)
        finally:
            if CUT_SHORT in request:  # status and headers went out, then the body was cut
                entry["status"], entry["cut_short"] = request[CUT_SHORT], True
        entry["status"] = response.status
        return response

    return middleware
