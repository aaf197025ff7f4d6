"""Binds every replicated site on 127.0.0.1 and exposes the admin paths.

Each site gets its own port, so each has its own origin and root-relative links work
exactly as on the real hosts: tix_app, tix_api, tmdb, nominatim and one per repertuary city.
With ``port=0`` the OS picks free ports; with ``port=P`` the sites take P, P+1, ...

Admin paths (on every site, prefix ``/_replica/``):
  GET  /_replica/truth[?source=tix|repertuary|tmdb|nominatim]   ground truth of the day
  GET  /_replica/knobs    POST /_replica/knobs (JSON)  read / change knobs
  POST /_replica/clock    {"now": ISO or null, "advance": seconds}
  GET  /_replica/requests                              request counters per site
  GET  /_replica/log                                   every request: t (monotonic s), site, method, path, status
  GET  /_replica/requests?log=1                        counters and the log as [t, site, method, path] rows

A source kept outside replica/ adds its site through ``sites`` (``Replica(sites=["pkg.replica:site"])``,
``python -m replica --site pkg.replica:site``): each names a factory ``(Context) -> ReplicaSite``
whose apps are bound like the others (faults, log, admin paths) and whose truth joins /_replica/truth
(docs/adding-a-source.md).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from replica import nominatim, repertuary, tix, tmdb
from replica.core import JAKARTA, Clock, Context, Knobs, fault_middleware, log_middleware

PRESETS = ("tiny", "default")
SITE_PATHS = {"tmdb_image": "/t/p/original"}  # ENDPOINTS' tmdb_image is a prefix, as TMDB_IMAGE_URL
HOST = "127.0.0.1"


@dataclass
class Datasets:
    tix: Any
    repertuary: Any
    tmdb: Any
    nominatim: Any = None  # geocoding (issue 20): where the theatres and cinemas above are


def build_datasets(preset: str, seed: int, date: dt.date) -> Datasets:
    """The whole day's data; a pure function of (preset, seed, date)."""
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; allowed: {', '.join(PRESETS)}")
    rep = repertuary.build_dataset(preset, seed, date)
    tix_ds = tix.build_dataset(preset, seed, date)
    return Datasets(tix=tix_ds, repertuary=rep, tmdb=tmdb.build_dataset(preset, seed, date),
                    nominatim=nominatim.build_dataset(tix_ds, rep, seed))


def truth(preset: str, seed: int, date: dt.date, source: str | None = None) -> dict[str, Any]:
    """Ground truth without a server (same data the endpoints serve)."""
    ds = build_datasets(preset, seed, date)
    return _truth(ds, source)


def _truth(ds: Datasets, source: str | None) -> dict[str, Any]:
    parts = {
        "tix": lambda: tix.truth(ds.tix),
        "repertuary": lambda: repertuary.truth(ds.repertuary),
        "tmdb": lambda: tmdb.truth(ds.tmdb),
        "nominatim": lambda: nominatim.truth(ds.nominatim),
    }
    if source:
        return parts[source]()
    return {name: make() for name, make in parts.items()}


@dataclass
class ReplicaSite:
    """The replica of a source kept outside replica/: ``apps`` are (ENDPOINTS key, aiohttp app)
    pairs, each bound on its own port; ``truth()`` is its part of /_replica/truth (``?source=name``)."""

    name: str
    apps: list[tuple[str, web.Application]]
    truth: Callable[[], Any]


def load_site(spec: str, ctx: Context) -> ReplicaSite:
    """``module:factory`` -> the ReplicaSite the factory builds for this replica's context."""
    module, sep, attr = spec.partition(":")
    if not sep:
        raise ValueError(f"a replica site is module:factory, not {spec!r}")
    site = getattr(importlib.import_module(module), attr)(ctx)
    if not isinstance(site, ReplicaSite):
        raise TypeError(f"{spec} built {type(site).__name__}, not a ReplicaSite")
    return site


@dataclass
class Replica:
    """The replica as a Python object: ``start()`` in a background thread, ``stop()``.

    Tests use it in-process; ``python -m replica`` runs the same thing in the foreground.
    """

    preset: str = "tiny"
    seed: int = 1
    date: dt.date | None = None
    port: int = 0
    knobs: Knobs = field(default_factory=Knobs)
    now: dt.datetime | None = None  # frozen clock; None means the real clock
    sites: tuple[str, ...] = ()  # "module:factory" of sources' replica sites kept outside replica/

    def __post_init__(self) -> None:
        self.date = self.date or dt.datetime.now(JAKARTA).date()
        self.clock = Clock(self.now)
        self.ctx = Context(self.preset, self.seed, self.date, self.knobs, self.clock)
        self.datasets = build_datasets(self.preset, self.seed, self.date)
        self.extra = [load_site(spec, self.ctx) for spec in self.sites]
        self.urls: dict[str, Any] = {}
        self._runners: list[web.AppRunner] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None

    # ----- apps -------------------------------------------------------------------
    def _apps(self) -> list[tuple[str, web.Application]]:
        ds = self.datasets
        apps = [
            ("tix_app", tix.build_app_site(self.ctx, ds.tix)),
            ("tix_api", tix.build_api_site(self.ctx, ds.tix)),
            ("tmdb", tmdb.build_app(self.ctx, ds.tmdb)),
            ("nominatim", nominatim.build_app(self.ctx, ds.nominatim)),
        ]
        for city in repertuary.CITIES:
            apps.append((f"repertuary:{city}", repertuary.build_city_app(self.ctx, ds.repertuary, city)))
        apps.append(("tmdb_image", tmdb.build_image_app(self.ctx, ds.tmdb)))  # like image.tmdb.org: its own host
        apps += [pair for site in self.extra for pair in site.apps]  # sources kept outside replica/
        for site, app in apps:
            app.middlewares.insert(0, fault_middleware(self.ctx, site))
            app.middlewares.insert(0, log_middleware(self.ctx, site))
            self._add_admin(app)
        return apps

    def _add_admin(self, app: web.Application) -> None:
        async def get_truth(request: web.Request) -> web.Response:
            return web.json_response(self.truth(request.query.get("source")))

        async def get_knobs(request: web.Request) -> web.Response:
            return web.json_response(self.knobs.to_dict())

        async def post_knobs(request: web.Request) -> web.Response:
            try:
                self.knobs.update(await request.json())
            except (ValueError, TypeError) as exc:
                return web.json_response({"error": str(exc)}, status=400)
            return web.json_response(self.knobs.to_dict())

        async def post_clock(request: web.Request) -> web.Response:
            body = await request.json()
            if "now" in body:
                self.clock.set(dt.datetime.fromisoformat(body["now"]) if body["now"] else None)
            if body.get("advance"):
                self.clock.advance(float(body["advance"]))
            return web.json_response({"now": self.clock.now().isoformat()})

        async def get_requests(request: web.Request) -> web.Response:
            if request.query.get("log"):  # every request's arrival: [unix time, site, method, path]
                rows = [[e["t"], e["site"], e["method"], e["path"]] for e in self.ctx.log]
                return web.json_response({"counts": dict(self.ctx.requests), "log": rows})
            return web.json_response(dict(self.ctx.requests))

        async def get_log(request: web.Request) -> web.Response:
            return web.json_response(self.ctx.log)

        app.router.add_get("/_replica/truth", get_truth)
        app.router.add_get("/_replica/knobs", get_knobs)
        app.router.add_post("/_replica/knobs", post_knobs)
        app.router.add_post("/_replica/clock", post_clock)
        app.router.add_get("/_replica/requests", get_requests)
        app.router.add_get("/_replica/log", get_log)

    async def _bind(self) -> dict[str, Any]:
        urls: dict[str, Any] = {"repertuary": {}}
        for index, (site, app) in enumerate(self._apps()):
            runner = web.AppRunner(app, access_log=None, handle_signals=False,
                                   shutdown_timeout=1.0)  # a "hang" request must not hold the stop for 60 s
            await runner.setup()
            tcp = web.TCPSite(runner, HOST, self.port + index if self.port else 0, reuse_address=True)
            await tcp.start()
            self._runners.append(runner)
            port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            base = f"http://{HOST}:{port}"
            if site.startswith("repertuary:"):
                urls["repertuary"][site.split(":", 1)[1]] = base
            else:
                urls[site] = base + SITE_PATHS.get(site, "")
        self.urls = urls
        self.ctx.base_urls = urls
        return urls

    async def _cleanup(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()

    # ----- foreground (CLI) -------------------------------------------------------
    async def serve_forever(self, on_ready=None) -> None:  # noqa: ANN001
        urls = await self._bind()
        if on_ready:
            on_ready(urls)
        try:
            await asyncio.Event().wait()
        finally:
            await self._cleanup()

    # ----- background thread (tests, benchmarks) ----------------------------------
    def start(self) -> dict[str, Any]:
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._bind())
            except BaseException as exc:  # noqa: BLE001 - reported to the caller
                errors.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="replica", daemon=True)
        self._thread.start()
        ready.wait(60)
        if errors:
            raise errors[0]
        return self.urls

    def stop(self) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)
            self._loop = self._thread = None

    def __enter__(self) -> Replica:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def truth(self, source: str | None = None) -> dict[str, Any]:
        extra = {site.name: site.truth for site in self.extra}
        if source in extra:
            return extra[source]()  # type: ignore[no-any-return]
        if source:
            return _truth(self.datasets, source)
        return _truth(self.datasets, None) | {name: make() for name, make in extra.items()}

    def endpoints_json(self) -> str:
        return json.dumps(self.urls)
