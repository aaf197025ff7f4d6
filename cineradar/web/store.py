"""The web view's store: the first SQL backend of STORAGE_BACKENDS answers reads; review
decisions go to every configured backend (as ``scrapy tmdb-review`` writes them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cineradar.backends import SPECS, configured, open_backend
from cineradar.storage.base import Storage, StorageError
from cineradar.storage.read import Reader

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SQL_BACKENDS = ("sqlite", "postgres")


def open_store(settings: BaseSettings) -> tuple[Reader, list[Storage]]:
    """(reader over the first SQL backend, every configured backend opened); the caller closes them."""
    names = configured(settings)
    sql_names = [n for n in names if n in SQL_BACKENDS]
    if not sql_names:
        raise StorageError(f"STORAGE_BACKENDS={','.join(names)} has no SQL store to read: Firestore documents are "
                           "read by the original system's clients (docs/web.md); add sqlite or postgres")
    backends: list[Storage] = []
    try:
        for name in names:
            backends.append(open_backend(name, settings))
    except BaseException:
        for backend in backends:
            backend.close()
        raise
    primary = next(b for b in backends if b.name == sql_names[0])
    return Reader(primary, SPECS), backends
