"""One city's kino.krakow.pl / repertuary.pl site as an aiohttp application.

Routes (docs/sources/repertuary.md#requests):
  GET  /                               start page (cinemas with phone numbers)
  GET  /cinema_program/by_movie        the selected day's programme + Premiery/Zapowiedzi lists
  GET  /film/{slug}.html               film metadata + the selected day's showtimes (clean slugs only)
  POST /settings/set_day/{0..6}        select a day; X-CSRF-Token required (422 otherwise)
  GET  /showtime/{id}                  ticket page (any city's id: the ticket host is shared)
Anything else, including /{cinema_slug}/info and UUID-suffixed film slugs, is a Rails-style 404.
"""

from __future__ import annotations

from aiohttp import web

from replica.core import Context
from replica.repertuary import render
from replica.repertuary.data import Dataset
from replica.repertuary.session import Session, Sessions

HTML = "text/html"
SESSIONS = web.AppKey("repertuary_sessions", Sessions)  # for tests and debugging


def _html(body: str, status: int = 200) -> web.Response:
    response = web.Response(text=body, status=status, content_type=HTML, charset="utf-8")
    response.headers["Cache-Control"] = "max-age=0, private, must-revalidate"
    return response


def build_city_app(ctx: Context, ds: Dataset, city: str) -> web.Application:
    data = ds.cities[city]
    sessions = Sessions(ds.seed, city)
    site = f"repertuary:{city}"

    def race() -> bool:
        return ctx.knobs.session_race  # read per request: the knob can change at run time

    def session_page(request: web.Request, title: str, render_body) -> web.Response:
        session = sessions.load_or_create(request)
        selected = sessions.day(session, race())
        body = render_body(selected)
        response = _html(render.page(data, title, sessions.masked_token(session), body))
        if session.new:
            sessions.set_cookie(response, session, race())
        return response

    def cell_class(request: web.Request) -> str:
        drift = ctx.fault_fires("html_drift", site, request.path)
        return "cinema-film" if drift is not None else "cinema_film"

    async def home(request: web.Request) -> web.Response:
        return session_page(request, f"Repertuar kin - {data.name}", lambda _selected: render.home(data))

    async def by_movie(request: web.Request) -> web.Response:
        cls = cell_class(request)
        return session_page(
            request,
            f"Repertuar kin - {data.name} - Na film",
            lambda selected: render.by_movie(data, ds.dates, selected, cls),
        )

    async def film(request: web.Request) -> web.Response:
        listing = data.listing_by_slug.get(request.match_info["slug"])
        if listing is None:
            raise web.HTTPNotFound()
        cls = cell_class(request)
        return session_page(
            request,
            f"{listing.title} - Repertuar kin - {data.name}",
            lambda selected: render.film(data, listing, ds.dates, selected, cls),
        )

    async def set_day(request: web.Request) -> web.Response:
        day = int(request.match_info["day"])
        # Both faults are consulted on every POST so that their "at" counts number the same requests.
        fail_500 = ctx.fault_fires("set_day_500", site, request.path) is not None
        forced_422 = ctx.fault_fires("set_day_422", site, request.path) is not None
        if fail_500:
            return _html(render.error(500), status=500)
        session: Session | None = sessions.load(request)
        if forced_422 or not sessions.token_valid(session, request.headers.get("X-CSRF-Token")):
            # Rails' InvalidAuthenticityToken; the session is left untouched.
            return _html(render.error(422), status=422)
        assert session is not None
        mode = race()
        sessions.select(session, day, mode)
        if request.headers.get("X-Requested-With") == "XMLHttpRequest":
            # Designed: the original's docs say the XHR answer is an HTML fragment; the day picker
            # with the new active day is a small one. Crawlers ignore it and re-GET the page.
            response = _html(render.calendar(ds.dates, sessions.day(session, mode)))
        else:
            # A plain form POST (UJS data-method="post" link) is redirected back, as Rails does.
            response = web.Response(
                status=302, headers={"Location": request.headers.get("Referer", "/cinema_program/by_movie")}
            )
        # Rails sends the session cookie again when the session was written.
        sessions.set_cookie(response, session, mode)
        return response

    async def showtime(request: web.Request) -> web.Response:
        found = ds.showtime_index.get(int(request.match_info["id"]))
        if found is None:
            raise web.HTTPNotFound()
        other, show = found
        return session_page(request, f"Bilety - {data.name}", lambda _selected: render.ticket(ds.cities[other], show))

    @web.middleware
    async def rails_errors(request: web.Request, handler):
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _html(render.error(404), status=404)

    app = web.Application(middlewares=[rails_errors])
    app.router.add_get("/", home)
    app.router.add_get("/cinema_program/by_movie", by_movie)
    app.router.add_get(r"/film/{slug:[^/]+}.html", film)
    app.router.add_post(r"/settings/set_day/{day:[0-6]}", set_day)
    app.router.add_get(r"/showtime/{id:\d{1,12}}", showtime)
    app[SESSIONS] = sessions
    return app
