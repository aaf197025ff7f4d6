"""Embedded default backend: SQLite from the standard library. No Scrapy imports.

One table per entity with a typed column per scalar field and JSON text for nested
fields; the primary key is the natural key, so writes are ``INSERT ... ON CONFLICT DO
UPDATE`` upserts. The schema is created and migrated on open: versioned structural
migrations in ``MIGRATIONS`` plus ``ALTER TABLE ADD COLUMN`` for fields added to an
item since the table was created. The SQL sticks to what PostgreSQL also accepts.

Errors are classified (``_classify``): a read-only, corrupt or full database file (or
one that cannot be opened) is a ``PermanentStorageError`` (the crawl stops), a value
SQLite refuses is a ``RejectedDataError`` (the row is set aside), anything else (e.g.
"database is locked") a plain ``StorageError`` (retried, then spooled). The file is
created mode 0600 and a folder made for it 0700: it holds the TIX.id refresh token.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import operator
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import orjson

from cineradar.storage import merge
from cineradar.storage.base import (
    COLUMN_RENAMES,
    ColumnRename,
    EntitySpec,
    MissingStoreError,
    PermanentStorageError,
    RejectedDataError,
    StorageError,
)

F = TypeVar("F", bound=Callable[..., Any])

SQL_TYPES = {"text": "TEXT", "int": "INTEGER", "float": "REAL", "bool": "INTEGER", "date": "TEXT",
             "datetime": "TEXT", "json": "TEXT"}

# Structural migrations, applied once each, in order. Entity tables are derived from
# the item models (see _ensure_table); these hold the tables that are not items, and
# the columns renamed in items (storage/base.py COLUMN_RENAMES).
MIGRATIONS: list[tuple[int, str | ColumnRename]] = [
    (1, "CREATE TABLE IF NOT EXISTS cineradar_state (name TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "updated_at TEXT NOT NULL)"),
    (2, "CREATE TABLE IF NOT EXISTS cineradar_seen (source TEXT NOT NULL, key TEXT NOT NULL, "
        "last_seen_at TEXT NOT NULL, PRIMARY KEY (source, key))"),
    (3, "CREATE INDEX IF NOT EXISTS cineradar_seen_time ON cineradar_seen (source, last_seen_at)"),
    *COLUMN_RENAMES,
]


# SQLite result codes (primary names; extended ones such as SQLITE_READONLY_DBMOVED
# start with these) that no retry can fix, and those that mean "this row, not the file".
PERMANENT_CODES = ("SQLITE_READONLY", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_FULL", "SQLITE_CANTOPEN",
                   "SQLITE_PERM", "SQLITE_AUTH")
DATA_CODES = ("SQLITE_CONSTRAINT", "SQLITE_MISMATCH", "SQLITE_TOOBIG", "SQLITE_RANGE")


def _classify(exc: BaseException, path: Path, what: str) -> StorageError:
    """The StorageError subclass an sqlite3/OS error of ``what`` stands for."""
    if isinstance(exc, StorageError):
        return exc
    name = getattr(exc, "sqlite_errorname", None) or ""
    message = f"sqlite {what} failed ({path}): {exc}"
    if isinstance(exc, OSError) or name.startswith(PERMANENT_CODES):
        return PermanentStorageError(message)
    if (name.startswith(DATA_CODES) or isinstance(exc, (sqlite3.InterfaceError, OverflowError, ValueError, TypeError))
            or (isinstance(exc, sqlite3.ProgrammingError) and not name)):  # e.g. an unsupported parameter type
        return RejectedDataError(message)
    return StorageError(message)


def _classified(what: str) -> Callable[[F], F]:
    """Raise every sqlite3/OS error of the method as the StorageError it stands for."""
    def wrap(method: F) -> F:
        @functools.wraps(method)
        def wrapper(self: SQLiteStorage, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except (sqlite3.Error, OSError, OverflowError, ValueError, TypeError) as exc:
                raise _classify(exc, self.path, what) from exc
        return wrapper  # type: ignore[return-value]
    return wrap


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SQLiteStorage:
    name = "sqlite"

    def __init__(self, path: str | Path = "data/cineradar.db", *, create: bool = True) -> None:
        self.path = Path(path)
        self.create = create  # False: a store that does not exist is an error (commands that only read)
        self._conn: sqlite3.Connection | None = None
        self._specs: dict[str, EntitySpec] = {}
        self._plans: dict[str, _UpsertPlan] = {}  # entity -> its upsert statement and encoders, made once
        self._lock = threading.Lock()  # one connection, used from one worker thread at a time

    # ------------------------------------------------------------------ lifecycle
    @_classified("open")
    def open(self, specs: list[EntitySpec]) -> None:
        if self._conn is None:
            if str(self.path) != ":memory:" and not self.create and not self.path.is_file():
                raise MissingStoreError(f"no SQLite store at {self.path} (SQLITE_PATH or CINERADAR_SQLITE_PATH); "
                                        "a crawl creates it")
            if str(self.path) != ":memory:":
                self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
                # Created 0600 before SQLite opens it; SQLite gives -wal/-shm the file's mode.
                os.close(os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
            conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                self._conn = conn
                self._migrate()
            except BaseException:
                self._conn = None
                conn.close()
                raise
        for spec in specs:
            merge.check(spec)
            self._ensure_table(spec)
            self._specs[spec.name] = spec
            self._plans.pop(spec.name, None)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StorageError("sqlite storage is not open")
        return self._conn

    def _migrate(self) -> None:
        conn = self.conn
        conn.execute("CREATE TABLE IF NOT EXISTS cineradar_migrations (version INTEGER PRIMARY KEY, "
                     "applied_at TEXT NOT NULL)")
        done = {row[0] for row in conn.execute("SELECT version FROM cineradar_migrations")}
        for version, step in MIGRATIONS:
            if version in done:
                continue
            with self._transaction():
                if isinstance(step, ColumnRename):
                    self._rename_column(step)
                else:
                    conn.execute(step)
                conn.execute("INSERT INTO cineradar_migrations VALUES (?, ?)", (version, _now()))

    def _rename_column(self, step: ColumnRename) -> None:
        table = _quote(step.table)
        existing = {row[1] for row in self.conn.execute(f"PRAGMA table_info({table})")}
        if step.old not in existing:
            return  # no such table yet (it is made with the new name) or renamed already
        if step.new in existing:  # both (the new one added first): keep the old values, in the new column
            self.conn.execute(f"UPDATE {table} SET {_quote(step.new)} = coalesce({_quote(step.new)}, "
                              f"{_quote(step.old)})")
        else:
            self.conn.execute(f"ALTER TABLE {table} RENAME COLUMN {_quote(step.old)} TO {_quote(step.new)}")

    def _ensure_table(self, spec: EntitySpec) -> None:
        conn = self.conn
        cols = ", ".join(f"{_quote(c)} {SQL_TYPES[k]}" for c, k in spec.columns.items())
        key = ", ".join(_quote(c) for c in spec.key)
        conn.execute(f"CREATE TABLE IF NOT EXISTS {_quote(spec.name)} ({cols}, updated_at TEXT NOT NULL, "
                     f"PRIMARY KEY ({key}))")
        existing = {row[1] for row in conn.execute(f"PRAGMA table_info({_quote(spec.name)})")}
        for column, kind in spec.columns.items():
            if column not in existing:  # a field added to the item since the table was made
                conn.execute(f"ALTER TABLE {_quote(spec.name)} ADD COLUMN {_quote(column)} {SQL_TYPES[kind]}")

    def _transaction(self) -> _Tx:
        return _Tx(self.conn)

    # ---------------------------------------------------------------------- items
    @_classified("upsert")
    def upsert(self, entity: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        plan = self._plans.get(entity) or self._plan(entity)
        # No premerge (merge.premerge): executemany applies the rows one after the other, each
        # through the ON CONFLICT merge, which is what premerge folds them into for PostgreSQL.
        values = plan.values(rows, _now())
        with self._lock:
            try:
                with self._transaction():
                    self.conn.executemany(plan.sql, values)
            except sqlite3.Error as exc:
                raise _classify(exc, self.path, f"upsert into {entity}") from exc
        return len(rows)

    def _plan(self, entity: str) -> _UpsertPlan:
        plan = self._plans[entity] = _UpsertPlan(self._spec(entity))
        return plan

    @_classified("fetch")
    def fetch(self, entity: str, where: dict[str, Any] | None = None, *,
              newest: tuple[str, int] | None = None) -> list[dict[str, Any]]:
        spec = self._spec(entity)
        sql = f"SELECT {', '.join(map(_quote, spec.columns))} FROM {_quote(entity)}"
        params: list[Any] = []
        if where:
            sql += " WHERE " + " AND ".join(f"{_quote(c)} = ?" for c in where)
            params = [_encode(v, spec.columns[c]) for c, v in where.items()]
        if newest is not None:
            if newest[0] not in spec.columns:
                raise StorageError(f"{entity} has no column {newest[0]!r}")
            sql += f" ORDER BY {_quote(newest[0])} DESC LIMIT {int(newest[1])}"
        else:
            sql += " ORDER BY " + ", ".join(map(_quote, spec.key))
        with self._lock:
            cursor = self.conn.execute(sql, params)
            return [{c: _decode(v, spec.columns[c]) for c, v in zip(spec.columns, row, strict=True)}
                    for row in cursor]

    @_classified("count")
    def count(self, entity: str) -> int:
        self._spec(entity)
        with self._lock:
            return int(self.conn.execute(f"SELECT COUNT(*) FROM {_quote(entity)}").fetchone()[0])

    def _spec(self, entity: str) -> EntitySpec:
        try:
            return self._specs[entity]
        except KeyError:
            raise RejectedDataError(f"unknown entity {entity!r}; open() it first") from None

    # ---------------------------------------------------------------------- state
    @_classified("get_state")
    def get_state(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            row = self.conn.execute("SELECT value FROM cineradar_state WHERE name = ?", (name,)).fetchone()
        return json.loads(row[0]) if row else None

    @_classified("put_state")
    def put_state(self, name: str, value: dict[str, Any]) -> None:
        with self._lock, self._transaction():
            self.conn.execute(
                "INSERT INTO cineradar_state (name, value, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (name, json.dumps(value, sort_keys=True), _now()),
            )

    @_classified("seen_since")
    def seen_since(self, source: str, since: dt.datetime) -> set[str]:
        with self._lock:
            cursor = self.conn.execute(
                "SELECT key FROM cineradar_seen WHERE source = ? AND last_seen_at >= ?",
                (source, _utc_iso(since)),
            )
            return {row[0] for row in cursor}

    @_classified("mark_seen")
    def mark_seen(self, source: str, keys: list[str], when: dt.datetime) -> None:
        stamp = _utc_iso(when)
        with self._lock, self._transaction():
            self.conn.executemany(
                "INSERT INTO cineradar_seen (source, key, last_seen_at) VALUES (?, ?, ?) "
                "ON CONFLICT (source, key) DO UPDATE SET last_seen_at = excluded.last_seen_at",
                [(source, key, stamp) for key in keys],
            )


def _merged(spec: EntitySpec, column: str) -> str:
    """The SQL value of ``column`` after a conflict: the merge rule of storage/merge.py."""
    new, old = f"excluded.{_quote(column)}", f"{_quote(spec.name)}.{_quote(column)}"
    rule, kind = spec.merge.get(column), spec.columns[column]   # no rule: "latest", the new value
    if rule == "union":  # json arrays of strings: sorted distinct union (BINARY = code point order)
        return (f"(SELECT json_group_array(value) FROM (SELECT value FROM json_each(coalesce({old}, '[]')) "
                f"UNION SELECT value FROM json_each(coalesce({new}, '[]')) ORDER BY value))")
    if rule == "or":
        return f"(coalesce({old}, 0) OR coalesce({new}, 0))"
    if rule == "max":
        return f"CASE WHEN {old} IS NULL OR {new} > {old} THEN {new} ELSE {old} END"
    if rule == "nonnull":
        empty = f"nullif({new}, '[]')" if kind == "json" else new
        return f"coalesce({empty}, {old}, {new})"
    return new


class _UpsertPlan:
    """One entity's upsert: the statement and the encoding of a row, both worked out once.

    Values as ``_encode`` gives them, built the way one would by hand with plain sqlite3
    (bench/storage_upsert.py compares the two): the row's values in column order, then only
    the JSON and boolean columns converted.
    """

    def __init__(self, spec: EntitySpec) -> None:
        columns = list(spec.columns)
        names = ", ".join(map(_quote, columns))
        marks = ", ".join("?" for _ in columns)
        updates = [f"{_quote(c)} = {_merged(spec, c)}" for c in columns if c not in spec.key]
        updates.append("updated_at = excluded.updated_at")
        self.sql = (f"INSERT INTO {_quote(spec.name)} ({names}, updated_at) VALUES ({marks}, ?) "
                    f"ON CONFLICT ({', '.join(map(_quote, spec.key))}) DO UPDATE SET {', '.join(updates)}")
        self.columns = columns
        self.get = operator.itemgetter(*columns) if len(columns) > 1 else None
        self.json = [i for i, c in enumerate(columns) if spec.columns[c] == "json"]
        self.bool = [i for i, c in enumerate(columns) if spec.columns[c] == "bool"]

    def values(self, rows: list[dict[str, Any]], now: str) -> list[list[Any]]:
        out = []
        dumps, columns, get = json_text, self.columns, self.get
        for row in rows:
            try:
                value = list(get(row)) if get is not None else [row[columns[0]]]
            except KeyError:  # a row without some column (an older spool line): None there
                value = [row.get(c) for c in columns]
            for i in self.json:
                if value[i] is not None:
                    value[i] = dumps(value[i])
            for i in self.bool:
                if value[i] is not None:
                    value[i] = int(bool(value[i]))
            value.append(now)
            out.append(value)
        return out


class _Tx:
    """BEGIN/COMMIT around a block, ROLLBACK on error (autocommit connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> None:
        self.conn.execute("BEGIN")

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


# Plain values only (dicts with string keys, lists, strings, numbers): anything orjson would write
# in its own way (a datetime, a dataclass, a subclass of a plain type) or refuses (an integer beyond
# 64 bits, a key that is not a string) goes to json.dumps, which writes or refuses it as before.
_ORJSON_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                   | orjson.OPT_PASSTHROUGH_SUBCLASS)


def json_text(value: Any) -> str:
    """A JSON column's text: compact, keys sorted, non-ASCII as is.

    orjson (a seat layout's 200 codes: 3 us against json.dumps' 19 us); a value it does not
    take as plain JSON goes to ``json.dumps(ensure_ascii=False, sort_keys=True)``. A NaN or an
    infinity is written ``null`` (JSON has neither; items never hold one: pydantic's JSON
    mode writes them as null too). Readers decode the text (``json.loads``), and the union merge
    already wrote compact arrays (SQLite's json_group_array).
    """
    try:
        return orjson.dumps(value, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json_text(value)
    if kind == "bool":
        return int(bool(value))
    return value


def _decode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.loads(value)
    if kind == "bool":
        return bool(value)
    return value


def _utc_iso(when: dt.datetime) -> str:
    # Fixed-width UTC ISO strings compare correctly as text.
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _now() -> str:
    return _utc_iso(dt.datetime.now(dt.UTC))
