"""app.tix.id of the replica: the pages a scraper drives (docs/sources/tix.md#web-app-pages, #login-flow).

Like the Flutter build, every page is the same empty shell; static/main.dart.js draws it
after 300-800 ms and talks to the API site, whose address is only known once bound.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from aiohttp import web

from replica.core import Context
from replica.tix.data import TixDataset

STATIC = Path(__file__).resolve().parent / "static"
PAGES = ("/home", "/login", "/cities", "/movies", r"/movies/{slug_id:.*-\d+}/{date:\d{4}-\d{2}-\d{2}}")


def build_app_site(ctx: Context, ds: TixDataset) -> web.Application:
    shell = (STATIC / "index.html").read_text()
    script = (STATIC / "main.dart.js").read_bytes()
    jakarta = next((c for c in ds.cities if c.name == "JAKARTA"), ds.cities[0])
    renders = itertools.count()

    async def page(request: web.Request) -> web.Response:
        config = {
            "apiBase": ctx.base_urls.get("tix_api", ""),  # read per request: filled in after binding
            # A different render delay on each load, as Flutter's start-up time varies.
            "renderDelayMs": 300 + next(renders) * 211 % 501,
            "defaultCity": {"id": jakarta.id, "name": jakarta.name},  # the app falls back to Jakarta
            "today": ds.date.isoformat(),
        }
        html = shell.replace("__CONFIG__", json.dumps(config).replace("</", "<\\/"))
        return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})

    async def main_js(request: web.Request) -> web.Response:
        return web.Response(body=script, content_type="application/javascript", charset="utf-8")

    async def root(request: web.Request) -> web.Response:
        raise web.HTTPFound("/home")

    app = web.Application()
    app.router.add_get("/", root)
    for path in PAGES:
        app.router.add_get(path, page)
    app.router.add_get("/main.dart.js", main_js)
    return app
