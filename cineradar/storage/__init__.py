"""Storage adapters behind one interface (storage.base.Storage). No Scrapy imports.

``build_backend(name, options)`` makes a backend from plain options, so the store
pipeline, the commands and the benchmarks all build them the same way.
"""

from __future__ import annotations

import importlib
from typing import Any

from cineradar.storage.base import (
    EntitySpec,
    MissingStoreError,
    PermanentStorageError,
    RejectedDataError,
    Storage,
    StorageError,
)

# name -> "module:Class"; imported lazily so a missing optional driver only matters
# when that backend is selected.
BACKENDS = {
    "sqlite": "cineradar.storage.sqlite:SQLiteStorage",
    "postgres": "cineradar.storage.postgres:PostgresStorage",
    "firestore": "cineradar.storage.firestore:FirestoreStorage",
}


def build_backend(name: str, options: dict[str, Any]) -> Storage:
    try:
        target = BACKENDS[name]
    except KeyError:
        raise PermanentStorageError(f"unknown storage backend {name!r}; allowed: {', '.join(BACKENDS)}") from None
    module_name, _, class_name = target.partition(":")
    cls: type[Storage] = getattr(importlib.import_module(module_name), class_name)
    return cls(**options)


__all__ = ["BACKENDS", "EntitySpec", "MissingStoreError", "PermanentStorageError", "RejectedDataError", "Storage",
           "StorageError", "build_backend"]
