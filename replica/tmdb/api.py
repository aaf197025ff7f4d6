"""aiohttp application serving the TMDB v3 replica under /3/.

Order of checks for every /3/ request: per-endpoint counter, rate limit (429 code 25),
authentication (401 code 7), then the route (404 code 34 for unknown paths and ids).
The generic faults (latency, 5xx, resets, truncation, 429 storms) come from the core
middleware that replica.server puts in front of this app.
"""

from __future__ import annotations

import hmac
import json
import math
import time
from collections import deque
from typing import Any

from aiohttp import web

from replica.core import Context
from replica.tmdb import images, render, search, tables
from replica.tmdb.data import Dataset
from replica.tmdb.render import PAGE_SIZE, parse_language

JSON_TYPE = "application/json;charset=utf-8"
MAX_PAGE = 500
MAX_APPENDS = 20
FIND_SOURCES = ("imdb_id", "facebook_id", "instagram_id", "tvdb_id", "tiktok_id", "twitter_id", "wikidata_id",
                "youtube_id")


def dump(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    """Compact UTF-8 JSON with TMDB's exact Content-Type."""
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    return web.Response(body=payload, status=status, headers={"Content-Type": JSON_TYPE, **(headers or {})})


def tmdb_error(http_status: int, code: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return dump({"success": False, "status_code": code, "status_message": message}, http_status, headers)


def not_found() -> web.Response:
    return tmdb_error(404, 34, "The resource you requested could not be found.")


def validation_error(message: str) -> web.Response:
    return dump({"errors": [message]}, 422)


class BadRequest(Exception):
    """A request parameter TMDB rejects; carries the response to send."""

    def __init__(self, response: web.Response) -> None:
        super().__init__(response.status)
        self.response = response


class RateLimiter:
    """Sliding one-second window over every /3/ request, rejected ones included (so a
    client that keeps hammering stays limited until it backs off)."""

    def __init__(self) -> None:
        self.times: deque[float] = deque()
        self.peak = 0  # most requests seen inside any one-second window

    def hit(self, limit: float, now: float) -> tuple[int, int]:
        """Record a request; return (requests in the window, Retry-After seconds or 0 if allowed)."""
        while self.times and self.times[0] <= now - 1.0:
            self.times.popleft()
        self.times.append(now)
        count = len(self.times)
        self.peak = max(self.peak, count)
        if limit > 0 and count > limit:
            return count, max(1, math.ceil(self.times[0] + 1.0 - now))
        return count, 0


def _page(query: Any) -> int:
    raw = query.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        number = 0
    if number < 1:
        raise BadRequest(tmdb_error(400, 22, "Invalid page: Pages start at 1 and max at 500. "
                                             "They are expected to be an integer."))
    if number > MAX_PAGE:
        raise BadRequest(validation_error("page must be less than or equal to 500"))
    return number


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")


def _appends(query: Any) -> list[str]:
    names = [part.strip() for part in query.get("append_to_response", "").split(",") if part.strip()]
    if len(names) > MAX_APPENDS:
        raise BadRequest(tmdb_error(400, 27, "Too many append to response objects: "
                                             "The maximum number of remote calls is 20."))
    return list(dict.fromkeys(names))


class TmdbApi:
    def __init__(self, ctx: Context, ds: Dataset) -> None:
        self.ctx = ctx
        self.ds = ds
        self.limiter = RateLimiter()
        self._images: dict[str, tuple[int, int]] | None = None  # image path -> original size, on first use

    # ----- middleware -------------------------------------------------------------------
    @web.middleware
    async def middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path.startswith(("/_replica/", "/t/p/")):  # admin; images (a CDN: no key, no limit)
            return await handler(request)
        resource = getattr(request.match_info.route, "resource", None)
        template = resource.canonical if resource is not None else "(unmatched)"
        counts = self.ctx.requests
        counts[f"tmdb {template}"] += 1
        knobs = self.ctx.knobs
        count, retry_after = self.limiter.hit(knobs.tmdb_rate_limit, time.monotonic())
        counts["tmdb peak_1s"] = self.limiter.peak
        if retry_after:
            counts["tmdb 429"] += 1
            limit = knobs.tmdb_rate_limit
            shown = int(limit) if float(limit).is_integer() else limit
            return tmdb_error(429, 25, f"Your request count ({count}) is over the allowed limit of {shown}.",
                              {"Retry-After": str(retry_after)})
        if not self._authorised(request):
            counts["tmdb 401"] += 1
            return dump({"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
                         "success": False}, 401)
        try:
            return await handler(request)
        except BadRequest as bad:
            return bad.response
        except (web.HTTPNotFound, web.HTTPMethodNotAllowed):
            return not_found()

    def _authorised(self, request: web.Request) -> bool:
        knobs = self.ctx.knobs
        key = request.query.get("api_key")
        if key is not None and hmac.compare_digest(key.encode(), knobs.tmdb_api_key.encode()):
            return True
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(token.strip().encode(), knobs.tmdb_bearer.encode())

    # ----- lists --------------------------------------------------------------------------
    def _movie_list(self, request: web.Request, ids: list[int], dates: dict[str, str] | None = None,
                    media_type: bool = False) -> web.Response:
        number = _page(request.query)
        language = parse_language(request.query.get("language"))
        items, pages, total = render.page(ids, number)
        results = [render.movie_item(self.ds.movies[i], language, media_type) for i in items]
        return dump(render.paginated(results, number, pages, total, dates))

    async def popular(self, request: web.Request) -> web.Response:
        return self._movie_list(request, self.ds.lists["popular"])

    async def top_rated(self, request: web.Request) -> web.Response:
        return self._movie_list(request, self.ds.lists["top_rated"])

    def _regional(self, request: web.Request, per_region: dict[str, list[int]], name: str) -> web.Response:
        region = (request.query.get("region") or "").upper()
        return self._movie_list(request, per_region.get(region, []), self.ds.dates[name])

    async def now_playing(self, request: web.Request) -> web.Response:
        return self._regional(request, self.ds.now_playing, "now_playing")

    async def upcoming(self, request: web.Request) -> web.Response:
        return self._regional(request, self.ds.upcoming, "upcoming")

    async def trending(self, request: web.Request) -> web.Response:
        media, window = request.match_info["media_type"], request.match_info["time_window"]
        if window not in ("day", "week") or media not in ("movie", "tv", "all", "person"):
            return not_found()
        number = _page(request.query)
        language = parse_language(request.query.get("language"))
        ds = self.ds
        if media == "movie":
            return self._movie_list(request, ds.lists[f"trending_{window}"], media_type=True)
        if media == "tv":
            keys = [("tv", i) for i in ds.trending_tv[window]]
        elif media == "all":
            keys = ds.trending_all[window]
        else:
            keys = [("person", p.id) for p in sorted(ds.people.by_id.values(), key=lambda p: (-p.popularity, p.id))
                    if p.credits][:100]
        items, pages, total = render.page(keys, number)
        return dump(render.paginated([self._item(kind, i, language) for kind, i in items], number, pages, total))

    def _item(self, kind: str, ident: int, language: tuple[str, str | None]) -> dict[str, Any]:
        if kind == "movie":
            return render.movie_item(self.ds.movies[ident], language, media_type=True)
        if kind == "tv":
            return render.show_item(self.ds.shows[ident], language)
        return render.person_item(self.ds, ident, language)

    # ----- search -------------------------------------------------------------------------
    def _search(self, request: web.Request, index: str) -> web.Response:
        query = request.query
        text = (query.get("query") or "").strip()
        if not text:
            return validation_error("query must be provided")
        number = _page(query)
        language = parse_language(query.get("language"))
        if index == "movie":
            year, primary = _int(query.get("year")), _int(query.get("primary_release_year"))
        elif index == "tv":
            year, primary = _int(query.get("year")), _int(query.get("first_air_date_year"))
        else:
            year, primary = None, None  # /search/multi takes neither
        found = search.search(self.ds.index[index], text, year=year, primary_year=primary,
                              include_adult=_flag(query.get("include_adult")))
        if self.ctx.knobs.faults and self.ctx.fault_fires("search_empty", "tmdb", request.path) is not None:
            found = []
        items, pages, total = render.page(found, number)
        if index == "movie":
            results = [render.movie_item(self.ds.movies[e.id], language) for e in items]
        elif index == "tv":
            results = [render.show_item(self.ds.shows[e.id], language, media_type=False) for e in items]
        else:
            results = [self._item(e.media_type, e.id, language) for e in items]
        return dump(render.paginated(results, number, pages, total))

    async def search_movie(self, request: web.Request) -> web.Response:
        return self._search(request, "movie")

    async def search_tv(self, request: web.Request) -> web.Response:
        return self._search(request, "tv")

    async def search_multi(self, request: web.Request) -> web.Response:
        return self._search(request, "multi")

    # ----- discover (designed subset) -------------------------------------------------------
    async def discover_movie(self, request: web.Request) -> web.Response:
        q = request.query
        number = _page(q)
        language = parse_language(q.get("language"))
        movies = [m for m in self.ds.movies.values() if _flag(q.get("include_adult")) or not m.adult]
        year = _int(q.get("primary_release_year"))
        if year is not None:
            movies = [m for m in movies if m.year == year]
        for param, keep in (("primary_release_date.gte", lambda m, v: m.release_date and m.release_date >= v),
                            ("primary_release_date.lte", lambda m, v: m.release_date and m.release_date <= v),
                            ("with_runtime.gte", lambda m, v: (m.runtime or 0) >= int(v)),
                            ("with_runtime.lte", lambda m, v: (m.runtime or 0) <= int(v)),
                            ("with_original_language", lambda m, v: m.original_language == v)):
            value = q.get(param)
            if value:
                try:
                    movies = [m for m in movies if keep(m, value)]
                except ValueError:
                    return validation_error(f"{param} is invalid")
        genres = q.get("with_genres")
        if genres:
            if "|" in genres:
                wanted = {_int(g) for g in genres.split("|")}
                movies = [m for m in movies if wanted & set(m.genre_ids)]
            else:
                needed = {_int(g) for g in genres.split(",")}
                movies = [m for m in movies if needed <= set(m.genre_ids)]
        sort_by = q.get("sort_by", "popularity.desc")
        field, _, direction = sort_by.partition(".")
        keys = {"popularity": lambda m: m.popularity, "vote_average": lambda m: m.vote_average,
                "vote_count": lambda m: m.vote_count, "primary_release_date": lambda m: m.release_date,
                "title": lambda m: m.title, "original_title": lambda m: m.original_title}
        key = keys.get(field, keys["popularity"])
        movies.sort(key=lambda m: m.id)
        movies.sort(key=key, reverse=direction != "asc")
        items, pages, total = render.page(movies, number)
        return dump(render.paginated([render.movie_item(m, language) for m in items], number, pages, total))

    # ----- details ------------------------------------------------------------------------
    async def movie(self, request: web.Request) -> web.Response:
        appends = _appends(request.query)
        movie = self.ds.movies.get(int(request.match_info["movie_id"]))
        if movie is None:
            return not_found()
        language = parse_language(request.query.get("language"))
        body = render.movie_details(self.ds, movie, language)
        for name in appends:
            sub = render.movie_sub(self.ds, movie, name, language, dict(request.query))
            if sub is not None:
                body[name] = sub
        return dump(body)

    async def movie_sub(self, request: web.Request) -> web.Response:
        movie = self.ds.movies.get(int(request.match_info["movie_id"]))
        name = request.match_info.get("sub", "watch/providers")
        if movie is None or name not in render.MOVIE_APPENDS:
            return not_found()
        language = parse_language(request.query.get("language"))
        if name in ("similar", "recommendations"):  # stand-alone: a paginated list without id
            return self._related_page(request, movie, name, language)
        sub = render.movie_sub(self.ds, movie, name, language, dict(request.query))
        return dump({"id": movie.id, **(sub or {})})

    def _related_page(self, request: web.Request, movie: Any, name: str,
                      language: tuple[str, str | None]) -> web.Response:
        number = _page(request.query)
        return dump(render.related(self.ds, movie, language, by_votes=name == "recommendations", number=number))

    async def tv(self, request: web.Request) -> web.Response:
        appends = _appends(request.query)
        show = self.ds.shows.get(int(request.match_info["series_id"]))
        if show is None:
            return not_found()
        language = parse_language(request.query.get("language"))
        body = render.show_details(show, language)
        for name in appends:
            sub = render.show_sub(self.ds, show, name, language)
            if sub is not None:
                body[name] = sub
        if (isinstance(body.get("external_ids"), dict) and self.ctx.knobs.faults
                and self.ctx.fault_fires("external_ids_null", "tmdb", request.path) is not None):
            body["external_ids"] = body["external_ids"] | {"imdb_id": None}
        return dump(body)

    async def tv_sub(self, request: web.Request) -> web.Response:
        show = self.ds.shows.get(int(request.match_info["series_id"]))
        name = request.match_info.get("sub", "watch/providers")
        if show is None or name not in render.TV_APPENDS:
            return not_found()
        sub = render.show_sub(self.ds, show, name, parse_language(request.query.get("language")))
        if name in ("similar", "recommendations"):
            return dump(sub)
        return dump({"id": show.id, **(sub or {})})

    # ----- find, configuration, genres ------------------------------------------------------
    async def find(self, request: web.Request) -> web.Response:
        source = request.query.get("external_source", "")
        if source not in FIND_SOURCES:
            return validation_error("external_source must be one of: " + ", ".join(FIND_SOURCES))
        language = parse_language(request.query.get("language"))
        body: dict[str, list[dict[str, Any]]] = {"movie_results": [], "person_results": [], "tv_results": [],
                                                 "tv_episode_results": [], "tv_season_results": []}
        for kind, ident in self.ds.by_external.get((source, request.match_info["external_id"]), []):
            body[f"{kind}_results"].append(self._item(kind, ident, language))
        return dump(body)

    async def image(self, request: web.Request) -> web.Response:
        """image.tmdb.org/t/p/{size}/{file}: a real image (replica/tmdb/images.py) for every image path
        the dataset serves, at one of /configuration's sizes; any other name or size is a 404."""
        size, name = request.match_info["size"], request.match_info["file"]
        sizes = {s for key, values in tables.CONFIGURATION["images"].items() if key.endswith("_sizes")
                 for s in values}
        if self._images is None:
            self._images = images.known(list(self.ds.movies.values()), list(self.ds.shows.values()),
                                        list(self.ds.people.by_id.values()))
        original = self._images.get("/" + name)
        if size not in sizes or original is None:
            return web.Response(status=404, text="Not Found")
        self.ctx.requests["tmdb image"] += 1
        body, kind = images.render("/" + name, *images.scaled(size, original))
        return web.Response(body=body, content_type=kind, headers={"Cache-Control": "public, max-age=31536000"})

    async def configuration(self, request: web.Request) -> web.Response:
        return dump(tables.CONFIGURATION)

    async def genres(self, request: web.Request) -> web.Response:
        table = tables.MOVIE_GENRES if request.match_info["kind"] == "movie" else tables.TV_GENRES
        lang = parse_language(request.query.get("language"))[0]
        return dump({"genres": [{"id": g, "name": render.genre_name(table, g, lang)} for g in table]})


def build_image_app(ctx: Context, ds: Dataset) -> web.Application:
    """The image host, its own origin like image.tmdb.org: /t/p/{size}/{file}, no key, nothing else."""
    app = web.Application()
    app.router.add_get("/t/p/{size}/{file}", TmdbApi(ctx, ds).image)
    return app


API_KEY = web.AppKey("tmdb_api", TmdbApi)  # an app's TmdbApi (limiter, dataset), for tests and tools


def build_app(ctx: Context, ds: Dataset) -> web.Application:
    api = TmdbApi(ctx, ds)
    app = web.Application(middlewares=[api.middleware])
    app[API_KEY] = api
    r = app.router
    r.add_get("/t/p/{size}/{file}", api.image)
    r.add_get("/3/configuration", api.configuration)
    r.add_get("/3/genre/{kind:movie|tv}/list", api.genres)
    r.add_get("/3/search/movie", api.search_movie)
    r.add_get("/3/search/tv", api.search_tv)
    r.add_get("/3/search/multi", api.search_multi)
    r.add_get("/3/discover/movie", api.discover_movie)
    r.add_get("/3/movie/popular", api.popular)
    r.add_get("/3/movie/top_rated", api.top_rated)
    r.add_get("/3/movie/upcoming", api.upcoming)
    r.add_get("/3/movie/now_playing", api.now_playing)
    r.add_get("/3/movie/{movie_id:\\d+}", api.movie)
    r.add_get("/3/movie/{movie_id:\\d+}/watch/providers", api.movie_sub)
    r.add_get("/3/movie/{movie_id:\\d+}/{sub}", api.movie_sub)
    r.add_get("/3/trending/{media_type}/{time_window}", api.trending)
    r.add_get("/3/find/{external_id}", api.find)
    r.add_get("/3/tv/{series_id:\\d+}", api.tv)
    r.add_get("/3/tv/{series_id:\\d+}/watch/providers", api.tv_sub)
    r.add_get("/3/tv/{series_id:\\d+}/{sub}", api.tv_sub)
    return app


__all__ = ["API_KEY", "PAGE_SIZE", "build_app"]
