"""The crawl's open storage backends, shared by pipelines, middlewares, spiders and extensions.

An extension (EXTENSIONS, on by default), so every component of a crawl fetches the same
one with Scrapy's ``crawler.get_extension(StorageHub)``; ``storage_hub(crawler)`` does that
and says clearly what is wrong when it is disabled. Every backend gets its own single
worker thread: writes never block the reactor, and one backend's calls never overlap
(SQLite and psycopg connections are not meant for concurrent use). Backends open lazily,
on their first call, and close once the crawl's outcome has written its final run record
(cineradar/extensions/outcome.py), or at ``engine_stopped`` when that extension is off.

``write_everywhere`` writes close-time rows (run records, day aggregates) to each backend on
its own: one that is down costs only itself; its rows go to its spool (``STORAGE_SPOOL_DIR``),
which ``scrapy storage-replay`` (or the next crawl) writes when it is back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cineradar.auth.tokens import TOKEN_STATE
from cineradar.backends import SPECS, backend_options, configured
from cineradar.storage import PermanentStorageError, Storage, StorageError, build_backend
from cineradar.storage.spool import Spool

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")

PATH = "cineradar.extensions.storage_hub.StorageHub"


class StorageHubDisabled(NotConfigured):
    """A component that needs the crawl's storage found the StorageHub extension disabled."""


def storage_hub(crawler: Crawler, needed_by: str) -> StorageHub:
    """The crawl's StorageHub; ``StorageHubDisabled`` (a NotConfigured) naming ``needed_by`` if it is off."""
    hub = crawler.get_extension(StorageHub)
    if hub is None:
        raise StorageHubDisabled(f"{needed_by} needs the storage hub, but the extension {PATH} is disabled "
                                 "(EXTENSIONS); enable it, or disable this component too")
    return hub


class StorageHub:
    def __init__(self, settings: BaseSettings) -> None:
        self.names: list[str] = configured(settings)
        self.backends: dict[str, Storage] = {}
        # A backend that cannot even be built (unknown name, no DATABASE_URL) is kept as its
        # error: the store pipeline reports it with outcome.fail when the spider opens, and
        # every call to it raises it, instead of a traceback from a component's constructor.
        self.errors: dict[str, PermanentStorageError] = {}
        for name in self.names:
            try:
                self.backends[name] = build_backend(name, backend_options(name, settings))
            except PermanentStorageError as exc:
                self.errors[name] = exc
        self._executors = {name: ThreadPoolExecutor(1, thread_name_prefix=f"storage-{name}") for name in self.names}
        self._opened: dict[str, bool] = dict.fromkeys(self.names, False)
        # One lock per backend: a backend that is slow to open (server down) holds up only its own calls.
        # A failed open() raises to the caller and is tried again on the next call.
        self._open_locks = {name: asyncio.Lock() for name in self.names}
        spool_dir = settings.get("STORAGE_SPOOL_DIR")  # unset (bare Settings): close-time rows are not spooled
        self.spools = {name: Spool(spool_dir, name) for name in self.names} if spool_dir else {}
        self.closed = False
        # Debugging commands (STORE_READ_ONLY): reads only, and a missing SQLite file is not created.
        self.read_only = settings.getbool("STORE_READ_ONLY")
        self._sqlite_path = Path(settings.get("SQLITE_PATH") or "")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorageHub:
        hub = cls(crawler.settings)
        # Normally closed by the outcome after the final run record; this is the fallback.
        crawler.signals.connect(hub.close, signal=signals.engine_stopped)
        return hub

    @property
    def primary(self) -> str:
        """The backend that answers reads (freshness, tokens): the first configured."""
        return self.names[0]

    async def run(self, name: str, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(*args)`` on the backend's worker thread without opening the backend
        (spool file I/O: it must work while the backend is down, and off the reactor)."""
        return await asyncio.get_running_loop().run_in_executor(self._executors[name], func, *args)

    async def call(self, name: str, func: Callable[..., T], *args: Any) -> T:
        """Run ``func(backend, *args)`` on the backend's worker thread, opening it first."""
        if name in self.errors:
            raise self.errors[name]
        backend = self.backends[name]
        loop = asyncio.get_running_loop()
        if self.read_only and name == "sqlite" and not self._sqlite_path.exists():
            raise StorageError(f"no store at {self._sqlite_path} (debugging commands never create one)")
        if not self._opened[name]:
            async with self._open_locks[name]:
                if not self._opened[name]:
                    await loop.run_in_executor(self._executors[name], backend.open, SPECS)
                    self._opened[name] = True
        return await loop.run_in_executor(self._executors[name], func, backend, *args)

    def _write_one(self, name: str, entity: str, rows: list[dict[str, Any]], spool: bool) -> str:
        """Blocking (the backend's worker thread): "written", "spooled" or "lost"; never raises."""
        backend = self.backends.get(name)
        queue = self.spools.get(name)
        spool = spool and queue is not None
        try:
            # Earlier rows wait there: queue behind them, keep the order.
            if spool and queue is not None and queue.exists():
                queue.append(entity, rows)
                return "spooled"
            if backend is None:
                raise self.errors[name]
            if not self._opened[name]:
                backend.open(SPECS)
                self._opened[name] = True
            backend.upsert(entity, rows)
            return "written"
        except PermanentStorageError as exc:  # never better later: not spooled (the crawl already said why)
            logger.warning("storage %s: %d %s rows not written (%s)", name, len(rows), entity, exc)
            return "lost"
        except Exception as exc:  # noqa: BLE001 - this backend only: the others still get theirs
            if not spool or queue is None:
                logger.warning("storage %s: %d %s rows not written (%s)", name, len(rows), entity, exc)
                return "lost"
            try:
                queue.append(entity, rows)
            except OSError as spool_exc:
                logger.error("storage %s: %d %s rows not written (%s); the spool %s could not take them (%s)",
                             name, len(rows), entity, exc, queue.path, spool_exc)
                return "lost"
            logger.error("storage %s: %d %s rows not written (%s); spooled to %s, `scrapy storage-replay` "
                         "writes them", name, len(rows), entity, exc, queue.path)
            return "spooled"

    async def write_everywhere(self, entity: str, rows: list[dict[str, Any]], *, spool: bool = True
                               ) -> dict[str, str]:
        """Write ``rows`` to every backend, each on its own: backend -> "written", "spooled" or "lost"
        (``spool=False``: a failure is only a warning, e.g. the ``running`` row)."""
        if self.closed or self.read_only:
            return self.write_everywhere_blocking(entity, rows, spool=spool)
        loop = asyncio.get_running_loop()
        results = await asyncio.gather(*(
            loop.run_in_executor(self._executors[name], self._write_one, name, entity, rows, spool)
            for name in self.names))
        return dict(zip(self.names, results, strict=True))

    def write_everywhere_blocking(self, entity: str, rows: list[dict[str, Any]], *, spool: bool = True
                                  ) -> dict[str, str]:
        """Like ``write_everywhere``, from a thread with no running loop (after a forced shutdown)."""
        if self.closed or self.read_only:
            return {name: "lost" for name in self.names}
        futures = {name: self._executors[name].submit(self._write_one, name, entity, rows, spool)
                   for name in self.names}
        return {name: future.result() for name, future in futures.items()}

    def _close_one(self, name: str) -> None:
        backend = self.backends.get(name)
        if backend is not None and self._opened[name]:
            try:
                backend.close()
            except Exception:  # noqa: BLE001 - closing must not hide the crawl's result
                logger.exception("closing storage backend %s failed", name)
            self._opened[name] = False

    async def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        loop = asyncio.get_running_loop()
        for name in self.names:
            await loop.run_in_executor(self._executors[name], self._close_one, name)
            self._executors[name].shutdown(wait=False)

    def close_blocking(self) -> None:
        if self.closed:
            return
        self.closed = True
        for name in self.names:
            self._executors[name].submit(self._close_one, name).result()
            self._executors[name].shutdown(wait=False)


class HubTokenStore:
    """The token document in the primary storage backend's state "tix_jwt"."""

    def __init__(self, crawler: Crawler) -> None:
        self.hub = storage_hub(crawler, "TixJwtAuthMiddleware (the token lives in storage)")

    async def load(self) -> dict[str, Any] | None:
        return await self.hub.call(self.hub.primary, lambda b: b.get_state(TOKEN_STATE))

    async def save(self, doc: dict[str, Any]) -> None:
        await self.hub.call(self.hub.primary, lambda b: b.put_state(TOKEN_STATE, doc))
