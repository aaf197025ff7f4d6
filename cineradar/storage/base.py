"""The one storage interface every backend implements. No Scrapy imports here.

The store pipeline calls ``upsert(entity, rows)`` with batches of JSON-compatible
dicts (``CineItem.row()``); natural keys make every write idempotent, so a retried
or replayed batch never duplicates. ``get_state``/``put_state`` hold small documents
(the TIX.id token); ``seen_since``/``mark_seen`` hold the freshness state.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, Protocol, runtime_checkable

from pydantic import BaseModel

ColumnKind = Literal["text", "int", "float", "bool", "date", "datetime", "json"]


@dataclass(frozen=True)
class EntitySpec:
    """What a backend needs to know about one entity: its name, key, columns and merge rules
    (column -> rule of ``cineradar.storage.merge``; a column without one: the latest row wins)."""

    name: str
    key: tuple[str, ...]
    columns: dict[str, ColumnKind]
    merge: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_model(cls, model: type[BaseModel]) -> EntitySpec:
        # ``entity`` is not a column: feeds carry it (items.CineItemAdapter), the table is the entity
        columns = {name: _kind(f.annotation) for name, f in model.model_fields.items()}
        return cls(name=model.entity, key=tuple(model.key), columns=columns,  # type: ignore[attr-defined]
                   merge=dict(getattr(model, "merge_rules", {})))


def _kind(annotation: Any) -> ColumnKind:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _kind(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(args[0]) if len(args) == 1 else "json"
    if origin is Literal:
        value = typing.get_args(annotation)[0]
        return "int" if isinstance(value, int) and not isinstance(value, bool) else "text"
    if origin in (list, dict, tuple, set) or annotation in (list, dict):
        return "json"
    if annotation is bool:
        return "bool"
    if annotation is int:
        return "int"
    if annotation is float:
        return "float"
    if annotation is dt.datetime or getattr(annotation, "__name__", "") == "AwareDatetime":
        return "datetime"
    if annotation is dt.date:
        return "date"
    return "text"


class ColumnRename(NamedTuple):
    """A field renamed in an item: a table made before the rename has the old column."""

    table: str
    old: str
    new: str


# Item fields renamed for one name per concept (docs/data.md): numbered steps of each SQL
# backend's MIGRATIONS (the same numbers in SQLite and PostgreSQL), applied once each. The
# column is renamed in place, so every stored row keeps its value under the new name; a
# table that does not exist yet, or was already renamed, is left alone. Firestore keeps
# the original's field names instead (storage/firestore.py FIELD_NAMES).
COLUMN_RENAMES: list[tuple[int, ColumnRename]] = [
    (4, ColumnRename("tix_seat_snapshots", "showtime", "time")),
    (5, ColumnRename("tix_seat_failures", "showtime", "time")),
    (6, ColumnRename("tix_schedules", "poster", "poster_url")),
]


class StorageError(Exception):
    """A backend could not complete a write or read; the caller retries or spools."""


class PermanentStorageError(StorageError):
    """The backend cannot work until someone fixes it (read-only or corrupt database file,
    disk full, bad credentials or sslmode, unknown backend): retrying or spooling only
    hides it, so the crawl stops with this message (no secrets in it)."""


class MissingStoreError(PermanentStorageError):
    """A command that only reads was pointed at a store that does not exist (a mistyped path):
    it says so instead of creating an empty one."""


class RejectedDataError(StorageError):
    """The backend is up but refuses these rows (unknown entity, a value it cannot store).

    Writers bisect the batch (``storage.spool.upsert_bisecting``) so only the refused rows
    are set aside; the rest are written."""


@runtime_checkable
class Storage(Protocol):
    """A persistence backend. Methods are blocking; callers run them off the reactor."""

    name: str

    def open(self, specs: list[EntitySpec]) -> None:
        """Connect and create / migrate the schema for these entities."""

    def upsert(self, entity: str, rows: list[dict[str, Any]]) -> int:
        """Insert or update rows by the entity's natural key; return the rows written."""

    def fetch(self, entity: str, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Rows of an entity, optionally filtered by column equality."""

    def count(self, entity: str) -> int:
        """Number of rows of an entity."""

    def get_state(self, name: str) -> dict[str, Any] | None:
        """A small named document (e.g. the TIX.id token), or None."""

    def put_state(self, name: str, value: dict[str, Any]) -> None:
        """Replace a small named document."""

    def seen_since(self, source: str, since: dt.datetime) -> set[str]:
        """Natural keys of ``source`` items seen at or after ``since``."""

    def mark_seen(self, source: str, keys: list[str], when: dt.datetime) -> None:
        """Remember that these keys were seen at ``when``."""

    def close(self) -> None:
        """Release connections."""
