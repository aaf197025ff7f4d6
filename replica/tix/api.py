"""api-b2b.tix.id of the replica: E1-E6 of docs/sources/tix.md#endpoints and the login call.

What is unknown about the real site (docs/sources/tix.md#unknowns) is designed here and marked DESIGNED: the
login call, the error bodies, the tz check, the headers and tokens E1-E4 and E6 demand.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from aiohttp import web

from replica.core import Context
from replica.tix.data import PAGE_SIZE, Listing, TixDataset, is_past
from replica.tix.layouts import LayoutCache, render
from replica.tix.tokens import EXPIRED, Rejection, TokenBook
from replica.tix.vocab import MERCHANT_PATH

SITE = "tix_api"
# Headers the web app sends (docs/sources/tix.md#app-headers); the preflight must allow them all.
APP_HEADERS = ("authorization", "content-type", "platform", "lang", "app_version", "session_id", "device_id",
               "access-control-allow-origin")


def _dump(obj: Any) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def _json(obj: Any, status: int = 200) -> web.Response:
    return _raw(_dump(obj), status)


def _raw(body: bytes, status: int = 200) -> web.Response:
    return web.Response(body=body, status=status, content_type="application/json", charset="utf-8")


def _error(status: int, code: str, message: str) -> web.Response:
    # DESIGNED: the real error envelope is not captured; this is the {success:false, error:{message}}
    # shape the scraper's code expects, plus a code (docs/sources/tix.md#error-answers).
    return _json({"success": False, "error": {"code": code, "message": message}}, status)


def _phone_digits(value: str) -> str:
    """The national number: +62 / 62 / 0 prefixes dropped, as the app's phone field does."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("62"):
        return digits[2:]
    return digits.removeprefix("0")


class TixApi:
    """The endpoints and their state: tokens issued, layouts and movie lists serialized."""

    def __init__(self, ctx: Context, ds: TixDataset) -> None:
        self.ctx, self.ds = ctx, ds
        self.tokens = TokenBook(ctx)
        self.layouts = LayoutCache()
        self._movies_by_city: dict[str, bytes] = {}

    # ----- guards -------------------------------------------------------------------------

    def _fires(self, kind: str, request: web.Request) -> bool:
        return bool(self.ctx.knobs.faults) and self.ctx.fault_fires(kind, SITE, request.path) is not None

    @staticmethod
    def _platform(request: web.Request) -> web.Response | None:
        # DESIGNED: the app always sends platform: web; calls without it are refused.
        if request.headers.get("platform") != "web":
            return _error(403, "INVALID_PLATFORM", "Unsupported platform")
        return None

    def _catalogue_guard(self, request: web.Request) -> web.Response | None:
        """E2-E4: the app headers and a live guest or user token (stricter: docs/sources/tix.md#unknowns)."""
        refused = self._platform(request)
        if refused:
            return refused
        verdict = self.tokens.check(request.headers.get("Authorization"), ("guest", "access"))
        if isinstance(verdict, Rejection):
            return _error(401, verdict.code, verdict.message)
        return None

    @staticmethod
    async def _body(request: web.Request) -> dict | None:
        try:
            body = await request.json()
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    # ----- E1, login, E6 ------------------------------------------------------------------

    async def auth(self, request: web.Request) -> web.Response:
        """E1: a guest token for client_id tixid_guest."""
        refused = self._platform(request)
        if refused:
            return refused
        body = await self._body(request)
        if not body or body.get("client_id") != "tixid_guest":
            return _error(400, "INVALID_CLIENT", "Unknown client_id")
        # DESIGNED: only data.token is known to exist.
        data = {"token": self.tokens.guest(), "expires_in": self.ctx.knobs.access_ttl_s}
        return _json({"success": True, "data": data})

    async def login(self, request: web.Request) -> web.Response:
        """DESIGNED (docs/sources/tix.md#e7-login-api): POST /v1/users/login {"phone_number", "password"}."""
        refused = self._platform(request)
        if refused:
            return refused
        body = await self._body(request)
        if not body or not isinstance(body.get("phone_number"), str) or not isinstance(body.get("password"), str):
            return _error(400, "BAD_REQUEST", "phone_number and password are required")
        knobs = self.ctx.knobs
        phone_ok = _phone_digits(body["phone_number"]) == _phone_digits(knobs.tix_phone)
        if not phone_ok or body["password"] != knobs.tix_password:
            return _error(401, "INVALID_CREDENTIALS", "Phone number or password is incorrect")
        phone = "62" + _phone_digits(knobs.tix_phone)
        return _json({"success": True, "data": {
            "token": self.tokens.access(), "refresh_token": self.tokens.refresh(),
            "user": {"id": self.tokens.user_id, "phone_number": phone[:4] + "***" + phone[-3:]},
        }})

    async def refresh(self, request: web.Request) -> web.Response:
        """E6: a new access token for a Bearer refresh token. The refresh token is not rotated."""
        refused = self._platform(request)
        if refused:
            return refused
        if self._fires("token_revoke", request):
            self.tokens.revoke_refresh_tokens()
        verdict = self.tokens.check(request.headers.get("Authorization"), ("refresh",))
        if isinstance(verdict, Rejection):
            return _error(401, verdict.code, verdict.message)
        return _json({"success": True, "data": {"token": self.tokens.access()}})

    # ----- E2, E3, E4 ---------------------------------------------------------------------

    async def cities(self, request: web.Request) -> web.Response:
        refused = self._catalogue_guard(request)
        if refused:
            return refused
        wanted = request.query.get("name", "").strip().upper()
        return _json({"success": True, "data": [{"id": c.id, "name": c.name} for c in self.ds.cities
                                                 if wanted in c.name]})

    async def movies(self, request: web.Request) -> web.Response:
        refused = self._catalogue_guard(request)
        if refused:
            return refused
        city_id = request.query.get("city_id")
        if not city_id:
            return _error(400, "BAD_REQUEST", "city_id is required")
        if request.query.get("movie_type", "NOW_PLAYING") != "NOW_PLAYING":
            return _json({"success": True, "data": []})  # DESIGNED: other lists are not replicated
        body = self._movies_by_city.get(city_id)
        if body is None:
            data = [{
                "id": m.id, "movie_id": m.id, "title": m.title,
                "genres": [{"id": gid, "name": name} for gid, name in m.genres],
                "poster_path": m.poster_path, "age_category": m.age_category, "country": m.country,
                "duration": m.duration, "presale_flag": int(m.presale),
                "merchant": [{"merchant_name": name} for name in merchants],
            } for m, merchants in self.ds.city_movies.get(city_id, [])]
            body = self._movies_by_city[city_id] = _dump({"success": True, "data": data})
        return _raw(body)

    @staticmethod
    def _theater(listing: Listing, now: dt.datetime) -> dict:
        t = listing.theatre
        return {
            "id": t.id, "name": t.name, "address": t.address, "merchant": {"merchant_name": t.merchant},
            "price_groups": [{
                "category": g.room.category, "price_string": g.room.price_string,
                "show_time": [{"id": st.id, "display_time": st.time, "status": 0 if is_past(st, now) else 1}
                              for st in g.showtimes],
            } for g in listing.groups],
        }

    async def schedules(self, request: web.Request) -> web.Response:
        refused = self._catalogue_guard(request)
        if refused:
            return refused
        movie = self.ds.by_movie.get(request.match_info["movie_id"])
        if movie is None:
            return _error(404, "NOT_FOUND", "Movie not found")
        query = request.query
        city_id, date = query.get("city_id"), query.get("date", "")
        try:
            day = dt.date.fromisoformat(date) if len(date) == 10 else None
            page = int(query.get("page", "1"))
        except ValueError:
            day, page = None, 0
        if not city_id or day is None or page < 1:
            return _error(400, "BAD_REQUEST", "city_id, date=YYYY-MM-DD and page >= 1 are required")
        if page > 1 and self._fires("success_false", request):
            return _json({"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Failed to get schedule"}})
        listings = self.ds.schedules.get((movie.id, city_id), []) if day == self.ds.date else []
        if self.ctx.knobs.faults and self.ctx.fault_fires("theatres_missing", SITE, request.path_qs) is not None:
            listings = []
        now = self.ctx.clock.now()
        theaters = [self._theater(li, now) for li in listings[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]]
        if theaters and self._fires("unknown_merchant", request):
            theaters[0]["merchant"]["merchant_name"] = "IMAX THEATRES"
        if theaters and self._fires("bad_status", request):
            theaters[0]["price_groups"][0]["show_time"][0]["status"] = 3
        return _json({"success": True, "data": {"theaters": theaters, "has_next": page * PAGE_SIZE < len(listings)}})

    # ----- E5 -----------------------------------------------------------------------------

    async def layout(self, request: web.Request) -> web.Response:
        """E5: the seat map; a logged-in access token only, and only before the show starts."""
        verdict = self.tokens.check(request.headers.get("Authorization"), ("access",))
        if isinstance(verdict, Rejection):
            return _error(401, verdict.code, verdict.message)
        if self._fires("expire_access", request):
            return _error(401, EXPIRED, "Token expired")
        query = request.query
        if query.get("tz") != "7":
            # DESIGNED: the real answer to tz=Asia/Jakarta is unknown (docs/sources/tix.md#e5-seat-layout); refuse it.
            return _error(400, "INVALID_TIMEZONE", "tz must be the UTC offset in hours, e.g. tz=7")
        st = self.ds.by_showtime.get(query.get("show_time_id", ""))
        if st is None or MERCHANT_PATH[st.theatre.merchant] != request.match_info["merchant"]:
            return _error(404, "NOT_FOUND", "Show time not found")
        if is_past(st, self.ctx.clock.now()):
            return _error(401, "EXPIRED_EVENT_DETAIL", "Event has expired")
        return _raw(self.layouts.get(st.id, lambda: render(st.geometry, st.id, st.unavailable, st.room.price)))

    # ----- CORS ---------------------------------------------------------------------------

    @web.middleware
    async def cors(self, request: web.Request, handler):
        """The web app calls this origin from app.tix.id's: answer its preflights and allow it."""
        origin = request.headers.get("Origin")
        if not origin or origin != self.ctx.base_urls.get("tix_app"):
            return await handler(request)
        allow = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"}
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return web.Response(status=204, headers={
                **allow, "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
                "Access-Control-Allow-Headers": ", ".join(APP_HEADERS), "Access-Control-Max-Age": "600"})
        try:
            response = await handler(request)
        except web.HTTPException as exc:
            exc.headers.update(allow)
            raise
        response.headers.update(allow)
        return response


def build_api_site(ctx: Context, ds: TixDataset) -> web.Application:
    api = TixApi(ctx, ds)
    ds.clock = ctx.clock  # truth() without ``now`` then follows this server's clock
    app = web.Application(middlewares=[api.cors])
    app.router.add_post("/v1/auth", api.auth)
    app.router.add_post("/v1/users/login", api.login)
    app.router.add_post("/v1/users/refresh", api.refresh)
    app.router.add_get("/v1/cities", api.cities)
    app.router.add_get("/v1/movies", api.movies)
    app.router.add_get("/v1/schedules/movies/{movie_id}", api.schedules)
    app.router.add_get("/v1/movies/{merchant}/layout", api.layout)
    return app
