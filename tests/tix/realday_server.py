"""A local TIX.id API serving the REAL day of tests/fixtures/real/tix_movies_2025-12-19.json.

In the manner of replica/tix/api.py (aiohttp, 127.0.0.1, a free port, a background thread),
but its data is not generated: every movie, theatre, room and showtime comes from the real
capture. The capture is the original scraper's output, so this server turns it back into
the API's raw shapes (docs/sources/tix.md#endpoints and #showtimes):

* E1 ``POST /v1/auth`` {"client_id": "tixid_guest"} -> ``{"success", "data": {"token"}}``.
* E2 ``GET /v1/cities?name=`` -> ``{"success", "data": [{"id", "name"}]}`` (the ten cities).
* E3 ``GET /v1/movies?city_id=..&movie_type=NOW_PLAYING&timezone=7`` -> ``data`` [{``id``,
  ``movie_id``, ``title``, ``genres`` [{``id``, ``name``}], ``poster_path``, ``age_category``,
  ``country``, ``presale_flag``, ``merchant`` [{``merchant_name``}]}].
* E4 ``GET /v1/schedules/movies/{movie_id}?city_id=..&date=YYYY-MM-DD[&page=N]`` ->
  ``{"success", "data": {"theaters": [{``id``, ``name``, ``address``, ``merchant``
  {``merchant_name``}, ``price_groups`` [{``category``, ``price_string``, ``show_time``
  [{``id``, ``display_time``, ``status``}]}]}], "has_next"}}``, 10 theatres a page.

REAL (from the capture, served exactly as captured, dirty values included): movie ids,
titles, genre names, poster URLs, age categories, countries (``""`` too), presale flags,
which movies each city lists; theatre ids, names, merchants (``Cinépolis`` with its
accent), addresses (``\\r\\n``, trailing blank lines, space runs), the theatres of each
movie and city in the captured order; room categories, price strings, showtime times and
statuses, in the captured order (duplicate times in one room included: two auditoriums
of a category at the same time). The ten city ids are the original's hard-coded ones
(docs/sources/tix.md#cities), written here rather than taken from cineradar/, so a wrong id in the
project shows. The page size, 10, is the documented one (docs/sources/tix.md#e4-schedules).

DESIGNED (the capture or docs/sources/tix.md does not say):
* Showtime ids: the capture has none. Each showtime gets a Twitter-epoch snowflake
  (docs/sources/tix.md#identifiers) of 2025-12-18 00:00 UTC plus its index in capture order (movie, city,
  theatre, room, time), 19 digits, the same on every run (``showtime_ids``).
* Genre ids (a number from the name), E3's ``merchant`` list per city: the chains of
  the theatres that show the movie in that city, in the order XXI, CGV, Cinépolis (in the
  capture, the first city's list is exactly that for all 23 movies; the capture keeps
  only the first city's, docs/sources/tix.md#merchants). ``presale_flag`` is the movie's captured
  ``is_presale`` in every city. The order of E3's list is the capture's.
* The guest token: an opaque string (not a JWT) minted by E1; E1-E4 demand ``platform:
  web`` and E2-E4 that token as ``Authorization: Bearer`` (replica/tix/api.py does the
  same). Error bodies are the replica's designed ``{success: false, error: {code,
  message}}`` (docs/sources/tix.md#error-answers: the real envelope is not captured).
* Another date, an unknown city or movie: an empty ``theaters`` / ``data`` list (404 for
  an unknown movie), as the replica answers; the real answers are unknown.

Every request is recorded in ``requests`` (method, path, query) for tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "real" / "tix_movies_2025-12-19.json"
HOST = "127.0.0.1"
PAGE_SIZE = 10  # docs/sources/tix.md#e4-schedules: "10 per page"
GUEST_TOKEN = "realday-guest-token"  # DESIGNED: opaque
# The original's hard-coded ids of the ten captured cities (docs/sources/tix.md#cities, config order).
CITY_IDS = {
    "AMBON": "973818519810478080", "BALI": "1244607994935726080", "BALIKPAPAN": "973818512004878336",
    "BANDUNG": "973818511275069440", "BANJARBARU": "1244607994998640640", "BANJARMASIN": "973818519542042624",
    "BATAM": "973818511182794752", "BAUBAU": "1244607995103498240", "BEKASI": "973818511732248576",
    "BENGKULU": "973818519986638848",
}
CHAIN_ORDER = ("XXI", "CGV", "Cinépolis")
TWITTER_EPOCH_MS = 1288834974657
ID_BASE = (int(dt.datetime(2025, 12, 18, tzinfo=dt.UTC).timestamp() * 1000) - TWITTER_EPOCH_MS) << 22


def load_capture(path: Path = FIXTURE) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def showtime_ids(capture: dict[str, Any]) -> list[tuple[tuple[str, str, str, str, str], str]]:
    """((movie_id, city, theatre_id, category, time), showtime id) for every showtime, in capture order."""
    out = []
    for movie in capture["movies"]:
        for city, theatres in movie["schedules"].items():
            for theatre in theatres:
                for room in theatre["rooms"]:
                    for show in room["all_showtimes"]:
                        key = (movie["id"], city, theatre["theatre_id"], room["category"], show["time"])
                        out.append((key, str(ID_BASE + len(out))))
    return out


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _json(obj: Any, status: int = 200) -> web.Response:
    return web.Response(body=_dump(obj), status=status, content_type="application/json", charset="utf-8")


def _error(status: int, code: str, message: str) -> web.Response:
    return _json({"success": False, "error": {"code": code, "message": message}}, status)


class RealDayApi:
    """The four endpoints over the capture; bodies are built once, at start."""

    def __init__(self, capture: dict[str, Any]) -> None:
        self.date = capture["date"]
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.guest_tokens = 0
        ids = iter(showtime_ids(capture))
        self.movies_by_city: dict[str, list[dict[str, Any]]] = {city_id: [] for city_id in CITY_IDS.values()}
        self.listings: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for movie in capture["movies"]:
            first = True
            for city, theatres in movie["schedules"].items():
                served = [self._theater(theatre, movie["id"], city, ids) for theatre in theatres]
                self.listings[(movie["id"], CITY_IDS[city])] = served
                chains = {t["merchant"] for t in theatres}
                merchants = [c for c in CHAIN_ORDER if c in chains] + sorted(chains - set(CHAIN_ORDER))
                if first and merchants != movie["merchants"]:  # the design rests on this (see the docstring)
                    raise AssertionError(f"{movie['title']}: first city's chains {merchants} != {movie['merchants']}")
                first = False
                self.movies_by_city[CITY_IDS[city]].append(self._movie(movie, merchants))
        if next(ids, None) is not None:
            raise AssertionError("showtime ids left over")

    @staticmethod
    def _movie(movie: dict[str, Any], merchants: list[str]) -> dict[str, Any]:
        return {
            "id": movie["id"], "movie_id": movie["id"], "title": movie["title"],
            "genres": [{"id": str(zlib.crc32(g.encode())), "name": g} for g in movie["genres"]],
            "poster_path": movie["poster"], "age_category": movie["age_category"], "country": movie["country"],
            "presale_flag": 1 if movie["is_presale"] else 0,
            "merchant": [{"merchant_name": name} for name in merchants],
        }

    @staticmethod
    def _theater(theatre: dict[str, Any], movie_id: str, city: str, ids: Any) -> dict[str, Any]:
        groups = []
        for room in theatre["rooms"]:
            shows = []
            for show in room["all_showtimes"]:
                key, sid = next(ids)
                assert key == (movie_id, city, theatre["theatre_id"], room["category"], show["time"])
                shows.append({"id": sid, "display_time": show["time"], "status": show["status"]})
            groups.append({"category": room["category"], "price_string": room["price"], "show_time": shows})
        return {"id": theatre["theatre_id"], "name": theatre["theatre_name"], "address": theatre["address"],
                "merchant": {"merchant_name": theatre["merchant"]}, "price_groups": groups}

    # ----- guards ------------------------------------------------------------------------
    @web.middleware
    async def record(self, request: web.Request, handler: Any) -> web.StreamResponse:
        self.requests.append((request.method, request.path, dict(request.query)))
        return await handler(request)

    @staticmethod
    def _platform(request: web.Request) -> web.Response | None:
        if request.headers.get("platform") != "web":
            return _error(403, "INVALID_PLATFORM", "Unsupported platform")
        return None

    def _guard(self, request: web.Request) -> web.Response | None:
        refused = self._platform(request)
        if refused:
            return refused
        if request.headers.get("Authorization") != f"Bearer {GUEST_TOKEN}":
            return _error(401, "INVALID_TOKEN", "Invalid token")
        return None

    # ----- E1-E4 -------------------------------------------------------------------------
    async def auth(self, request: web.Request) -> web.Response:
        refused = self._platform(request)
        if refused:
            return refused
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or body.get("client_id") != "tixid_guest":
            return _error(400, "INVALID_CLIENT", "Unknown client_id")
        self.guest_tokens += 1
        return _json({"success": True, "data": {"token": GUEST_TOKEN}})

    async def cities(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused:
            return refused
        wanted = request.query.get("name", "").strip().upper()
        return _json({"success": True, "data": [{"id": cid, "name": name} for name, cid in CITY_IDS.items()
                                                 if wanted in name]})

    async def movies(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused:
            return refused
        city_id = request.query.get("city_id")
        if not city_id:
            return _error(400, "BAD_REQUEST", "city_id is required")
        if request.query.get("movie_type", "NOW_PLAYING") != "NOW_PLAYING":
            return _json({"success": True, "data": []})
        return _json({"success": True, "data": self.movies_by_city.get(city_id, [])})

    async def schedules(self, request: web.Request) -> web.Response:
        refused = self._guard(request)
        if refused:
            return refused
        movie_id = request.match_info["movie_id"]
        if not any(key[0] == movie_id for key in self.listings):
            return _error(404, "NOT_FOUND", "Movie not found")
        query = request.query
        city_id, date = query.get("city_id"), query.get("date", "")
        try:
            page = int(query.get("page", "1"))
            dt.date.fromisoformat(date)
        except ValueError:
            page = 0
        if not city_id or page < 1:
            return _error(400, "BAD_REQUEST", "city_id, date=YYYY-MM-DD and page >= 1 are required")
        listed = self.listings.get((movie_id, city_id), []) if date == self.date else []
        theaters = listed[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return _json({"success": True, "data": {"theaters": theaters, "has_next": page * PAGE_SIZE < len(listed)}})

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self.record])
        app.router.add_post("/v1/auth", self.auth)
        app.router.add_get("/v1/cities", self.cities)
        app.router.add_get("/v1/movies", self.movies)
        app.router.add_get("/v1/schedules/movies/{movie_id}", self.schedules)
        return app


@dataclass
class RealDayServer:
    """``start()`` binds 127.0.0.1 on a free port in a background thread; ``stop()``."""

    capture: dict[str, Any] = field(default_factory=load_capture)
    url: str = ""

    def __post_init__(self) -> None:
        self.api = RealDayApi(self.capture)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    async def _bind(self) -> None:
        self._runner = web.AppRunner(self.api.app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{HOST}:{port}"

    def start(self) -> str:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            if self._runner is not None:
                loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="realday-tix", daemon=True)
        self._thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        return self.url

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._loop = self._thread = None

    def __enter__(self) -> RealDayServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
