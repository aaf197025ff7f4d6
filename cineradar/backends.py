"""The configured storage backends, built from settings: for commands, scripts and end-of-crawl work.

``open_backends(settings)`` opens every backend of ``STORAGE_BACKENDS`` (blocking; the
caller closes them). A running crawl reaches its backends through the StorageHub
extension instead (cineradar/extensions/storage_hub.py), which builds them with
``backend_options`` too, so both read the same settings the same way.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from cineradar import sources
from cineradar.defaults import defaulted
from cineradar.items import ALL_ITEMS, registered
from cineradar.storage import EntitySpec, Storage, build_backend

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings



def specs() -> list[EntitySpec]:
    """Every entity stored: the project's, then those of the source modules kept outside cineradar/
    (CINERADAR_SOURCE_MODULES, cineradar/sources/), which register their items when imported."""
    sources.load()
    return [EntitySpec.from_model(model) for model in (*ALL_ITEMS, *(m for m in registered() if m not in ALL_ITEMS))]


SPECS = specs()


def configured(settings: BaseSettings) -> list[str]:
    """The backend names of STORAGE_BACKENDS; the first is the primary (it answers reads)."""
    return defaulted(settings).getlist("STORAGE_BACKENDS")


def backend_options(name: str, settings: BaseSettings, *, create: bool = True) -> dict[str, Any]:
    """Constructor options of a backend, from settings (secrets from the environment).

    ``create=False`` (commands that only read): a store that does not exist raises
    MissingStoreError instead of being created empty."""
    if name == "sqlite":
        return {"path": defaulted(settings).get("SQLITE_PATH"), "create": create}
    if name == "postgres":
        dsn = settings.get("DATABASE_URL") or os.environ.get("DATABASE_URL")
        return {"dsn": dsn, "ca_file": settings.get("TLS_CA_FILE") or None}  # sslrootcert (storage/postgres.py)
    if name == "firestore":
        project = settings.get("GOOGLE_CLOUD_PROJECT") or os.environ.get("GOOGLE_CLOUD_PROJECT")
        emulator = settings.get("FIRESTORE_EMULATOR_HOST") or os.environ.get("FIRESTORE_EMULATOR_HOST")
        return {"project": project, "emulator_host": emulator or None,
                "timeout": defaulted(settings).getfloat("FIRESTORE_TIMEOUT"),
                "credentials_file": settings.get("FIRESTORE_CREDENTIALS_FILE") or None}
    return {}


def open_backend(name: str, settings: BaseSettings, *, create: bool = True) -> Storage:
    """Build and open one backend (blocking)."""
    backend = build_backend(name, backend_options(name, settings, create=create))
    backend.open(SPECS)
    return backend


def open_backends(settings: BaseSettings, *, create: bool = True) -> list[Storage]:
    """Build and open every configured backend (blocking)."""
    backends: list[Storage] = []
    try:
        for name in configured(settings):
            backends.append(open_backend(name, settings, create=create))
    except BaseException:
        for backend in backends:  # the ones already open are not handed to anyone: close them
            backend.close()
        raise
    return backends
