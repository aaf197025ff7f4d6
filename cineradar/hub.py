"""The crawler's open storage backends, shared by pipelines, middlewares and commands.

One ``StorageHub`` per crawler (``StorageHub.of(crawler)``). Every backend gets its
own single worker thread: writes never block the reactor, and one backend's calls
never overlap (SQLite and psycopg connections are not meant for concurrent use).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from cineradar.items import ALL_ITEMS
from cineradar.storage import EntitySpec, PermanentStorageError, Storage, build_backend

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)
T = TypeVar("T")

SPECS = [EntitySpec.from_model(model) for model in ALL_ITEMS]


def backend_options(name: str, settings: BaseSettings) -> dict[str, Any]:
    """Constructor options of a backend, from settings (secrets from the environment)."""
    if name == "sqlite":
        return {"path": settings.get("SQLITE_PATH", "data/cineradar.db")}
    if name == "postgres":
        dsn = settings.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
        return {"dsn": dsn}
    if name == "firestore":
        project = settings.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GOOGLE_CLOUD_PROJECT")
        emulator = settings.get("FIRESTORE_EMULATOR_HOST") or os.environ.get("FIRESTORE_EMULATOR_HOST")
        return {"project": project, "emulator_host": emulator or None,
                "timeout": settings.getfloat("FIRESTORE_TIMEOUT", 20.0)}
    return {}


def open_backends(settings: BaseSettings) -> list[Storage]:
    """Build and open every configured backend (blocking; for commands and scripts)."""
    backends = []
    for name in settings.getlist("STORAGE_BACKENDS", ["sqlite"]):
        backend = build_backend(name, backend_options(name, settings))
        backend.open(SPECS)
        backends.append(backend)
    return backends


class StorageHub:
    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        self.names: list[str] = settings.getlist("STORAGE_BACKENDS", ["sqlite"])
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

    @classmethod
    def of(cls, crawler: Crawler) -> StorageHub:
        hub = getattr(crawler, "_cineradar_storage_hub", None)
        if hub is None:
            hub = cls(crawler.settings)
            crawler._cineradar_storage_hub = hub  # type: ignore[attr-defined]
            from scrapy import signals

            # spider_closed fires after every pipeline's close_spider has flushed.
            crawler.signals.connect(hub.close, signal=signals.spider_closed)
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
        if not self._opened[name]:
            async with self._open_locks[name]:
                if not self._opened[name]:
                    await loop.run_in_executor(self._executors[name], backend.open, SPECS)
                    self._opened[name] = True
        return await loop.run_in_executor(self._executors[name], func, backend, *args)

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        for name in self.names:
            backend = self.backends.get(name)
            if backend is not None and self._opened[name]:
                try:
                    await loop.run_in_executor(self._executors[name], backend.close)
                except Exception:  # noqa: BLE001 - closing must not hide the crawl's result
                    logger.exception("closing storage backend %s failed", name)
                self._opened[name] = False
            self._executors[name].shutdown(wait=False)
