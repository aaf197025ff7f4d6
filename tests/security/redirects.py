"""Two local servers for the redirect tests: one that redirects everything to the other, which counts.

``Elsewhere`` stands for another host: it answers every request with ``{}`` and counts the
requests and those carrying a credential (an Authorization header, an ``api_key`` parameter).
``Redirector`` stands for the configured API host: it answers requests under ``prefixes`` with a
302 to the same path on ``Elsewhere`` (without the query: what it received is its own business),
and passes the others to ``upstream`` (the replica), so that a crawl can get its tokens.
"""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import Any

from aiohttp import web


class _Servers:
    def __init__(self, upstream: str | None = None, prefixes: tuple[str, ...] = ("/",)) -> None:
        self.upstream = upstream
        self.prefixes = prefixes
        self.counts: Counter[str] = Counter()
        self.elsewhere = ""
        self.redirector = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runners: list[web.AppRunner] = []

    async def _count(self, request: web.Request) -> web.Response:
        self.counts["requests"] += 1
        if "Authorization" in request.headers or "api_key" in request.query:
            self.counts["credentials"] += 1
        return web.json_response({})

    async def _redirect(self, request: web.Request) -> web.Response:
        if self.upstream and not request.path.startswith(self.prefixes):
            return await self._pass(request)
        self.counts["redirected"] += 1
        if "Authorization" in request.headers or "api_key" in request.query:
            self.counts["credentials_at_origin"] += 1
        raise web.HTTPFound(self.elsewhere + request.path)

    async def _pass(self, request: web.Request) -> web.Response:
        import aiohttp

        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length")}
        async with aiohttp.ClientSession() as session, session.request(
                request.method, f"{self.upstream}{request.rel_url}", headers=headers, data=await request.read(),
                allow_redirects=False) as answer:
            body = await answer.read()
            return web.Response(status=answer.status, body=body, content_type=answer.content_type)

    async def _serve(self, handler: Any) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runners.append(runner)
        return f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]

    async def _start(self) -> None:
        self.elsewhere = await self._serve(self._count)
        self.redirector = await self._serve(self._redirect)

    def __enter__(self) -> _Servers:
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.run_until_complete(self._start())
            ready.set()
            loop.run_forever()
            for runner in self._runners:
                loop.run_until_complete(runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="redirects", daemon=True)
        self._thread.start()
        ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop and self._thread:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(30)


def redirect_servers(upstream: str | None = None, prefixes: tuple[str, ...] = ("/",)) -> _Servers:
    return _Servers(upstream, prefixes)
