"""PostgreSQL backend through psycopg 3 (sync; the StorageHub runs it on its own thread).

No Scrapy imports. The schema is migrated on open (and again on every new connection,
so a server that came back empty is rebuilt):

* ``cineradar_migrations`` records the numbered structural steps of ``MIGRATIONS``
  (state and freshness tables), applied once each under an advisory lock, so two
  crawlers opening the same database at once do not race.
* One table per entity, derived from its ``EntitySpec`` like the SQLite backend:
  ``text``/``bigint``/``double precision``/``boolean``/``date``/``timestamptz``/``jsonb``
  columns, the natural key as primary key, ``updated_at``. A field added to an item
  since the table was made becomes an ``ADD COLUMN IF NOT EXISTS``; a column whose
  type no longer matches the item is a clear error, never a silent cast.
* A ``datetime`` column keeps the instant as ``timestamptz`` plus ``<col>__offset``
  (the UTC offset in seconds of the value written), so rows read back are exactly the
  ISO strings ``model_dump(mode="json")`` produced (``+07:00`` stays ``+07:00``).

Upserts are a binary ``COPY`` into a temporary staging table, then one ``INSERT ...
SELECT ... ON CONFLICT (key) DO UPDATE``, per batch and in one transaction: about twice
the rows/s of a pipelined ``executemany`` here, at a third of its client CPU
(``bench/storage_upsert.py`` prints both; ``method="executemany"`` selects the other). Conflicting rows merge by
the item's rules (storage/merge.py) in SQL, as in SQLite; a batch holding the same key
twice is folded by the same rules first. A broken connection is dropped
and the call retried once on a fresh one (every call is idempotent); after that the
error is a ``StorageError`` and the store pipeline retries or spools. Errors no retry
can fix (bad credentials or sslmode, unknown database, read-only server, a table that
needs a manual migration) are a ``PermanentStorageError`` and stop the crawl; rows the
server refuses as data (``DataError``/``IntegrityError``, values that cannot be encoded)
a ``RejectedDataError``. The password of the DSN never appears in an error message.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Callable
from typing import Any, Literal, TypeVar

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from cineradar import tls
from cineradar.storage import dsn as dsn_secrets
from cineradar.storage import merge
from cineradar.storage.base import (
    COLUMN_RENAMES,
    ColumnRename,
    EntitySpec,
    PermanentStorageError,
    RejectedDataError,
    StorageError,
)

logger = logging.getLogger(__name__)
T = TypeVar("T")

SQL_TYPES = {"text": "text", "int": "bigint", "float": "double precision", "bool": "boolean",
             "date": "date", "datetime": "timestamp with time zone", "json": "jsonb"}
OFFSET_SUFFIX = "__offset"  # companion column of a datetime column: UTC offset in seconds (NULL = naive)

# Structural migrations, applied once each, in order (entity tables come from the specs),
# then the columns renamed in items (storage/base.py COLUMN_RENAMES, same numbers as SQLite).
MIGRATIONS: list[tuple[int, str | ColumnRename]] = [
    (1, "CREATE TABLE IF NOT EXISTS cineradar_state (name text PRIMARY KEY, value jsonb NOT NULL, "
        "updated_at timestamptz NOT NULL DEFAULT now())"),
    (2, "CREATE TABLE IF NOT EXISTS cineradar_seen (source text NOT NULL, key text NOT NULL, "
        "last_seen_at timestamptz NOT NULL, PRIMARY KEY (source, key))"),
    (3, "CREATE INDEX IF NOT EXISTS cineradar_seen_time ON cineradar_seen (source, last_seen_at)"),
    *COLUMN_RENAMES,
]
MIGRATION_LOCK = 0x43696E6552  # pg_advisory_xact_lock key shared by every CineRadar process


# libpq connection failures carry no SQLSTATE; these messages mean the configuration
# (DATABASE_URL, the server's pg_hba or roles) is wrong, not that the server is away.
PERMANENT_CONNECT_ERRORS = (
    "invalid sslmode", "ssl was required", "ssl is not enabled", "ssl support is not compiled",
    "sslmode value", "password authentication failed", "authentication failed", "no pg_hba.conf entry",
    "does not exist", "invalid connection option", "invalid integer value", "invalid port",
    "missing \"=\"", "certificate", "no password supplied", "permission denied",
)
PERMANENT_ERRORS: tuple[type[psycopg.Error], ...] = (
    psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction,
    psycopg.errors.InvalidAuthorizationSpecification, psycopg.errors.InvalidPassword,
)
DATA_ERRORS: tuple[type[psycopg.Error], ...] = (psycopg.DataError, psycopg.IntegrityError)


def tls_dsn(dsn: str, ca_file: str | None = None) -> str:
    """Verified TLS to a server beyond this machine (docs/security-tls.md).

    A DSN naming a host that is not loopback (nor a Unix socket), without ``sslmode`` (in the DSN
    or PGSSLMODE), gets ``sslmode=verify-full``: libpq's default ("prefer") falls back to clear
    text silently and never checks the certificate. The roots are ``sslrootcert`` if given, else
    TLS_CA_FILE (libpq takes one file: then only that CA), else the system's ("system", libpq 16+).
    Loopback hosts and an explicit sslmode are left as given.
    """
    params = conninfo_to_dict(dsn)
    if params.get("sslmode") or os.environ.get("PGSSLMODE"):
        return dsn
    hosts = str(params.get("host") or os.environ.get("PGHOST") or "").split(",")
    if all(tls.is_loopback(host) for host in hosts):
        return dsn
    extra = {"sslmode": "verify-full"}
    if not params.get("sslrootcert") and not os.environ.get("PGSSLROOTCERT"):
        extra["sslrootcert"] = ca_file or "system"
    return make_conninfo(dsn, **extra)


def _is_permanent(exc: psycopg.Error) -> bool:
    if isinstance(exc, PERMANENT_ERRORS):
        return True
    return exc.sqlstate is None and any(p in str(exc).lower() for p in PERMANENT_CONNECT_ERRORS)


class PostgresStorage:
    name = "postgres"

    def __init__(self, dsn: str | None = None, connect_timeout: int = 5,
                 method: Literal["copy", "executemany"] = "copy", ca_file: str | None = None) -> None:
        if not dsn:
            raise PermanentStorageError("postgres backend selected but DATABASE_URL is not set "
                               "(e.g. postgresql://user@127.0.0.1:5432/cineradar; put it in the environment)")
        problem = dsn_secrets.url_problem(dsn)  # a password libpq would misread: part of it in its errors
        if problem:
            raise PermanentStorageError(problem)
        try:
            params = conninfo_to_dict(dsn)
        except psycopg.Error:
            raise PermanentStorageError("DATABASE_URL is not a valid PostgreSQL connection string") from None
        self._dsn = tls_dsn(dsn, ca_file)
        self._password = str(params.get("password") or "")
        self._hidden = dsn_secrets.secrets(dsn, self._password)
        self._connect_kwargs: dict[str, Any] = {"autocommit": True, "application_name": "cineradar"}
        if "connect_timeout" not in params:
            self._connect_kwargs["connect_timeout"] = connect_timeout
        if method not in ("copy", "executemany"):
            raise PermanentStorageError(f"unknown postgres upsert method {method!r} (copy, executemany)")
        self.method = method
        self._conn: psycopg.Connection[Any] | None = None
        self._specs: dict[str, EntitySpec] = {}
        self._staged: set[str] = set()  # staging tables made on the current connection
        self._lock = threading.RLock()

    def __repr__(self) -> str:  # never the DSN: it may hold a password
        return f"<PostgresStorage {self.method}>"

    # ------------------------------------------------------------------ lifecycle
    def open(self, specs: list[EntitySpec]) -> None:
        with self._lock:
            for spec in specs:
                merge.check(spec)
                self._specs[spec.name] = spec
            if self._conn is not None:  # already connected: add the new entities' tables
                self._run(lambda conn: self._ensure_tables(conn, specs), "open")
            else:
                self._run(lambda conn: None, "connect")  # connects, migrates and makes every table

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
        self._conn = None
        self._staged.clear()

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._drop()
            conn = psycopg.connect(self._dsn, **self._connect_kwargs)
            try:
                self._migrate(conn)
                self._ensure_tables(conn, list(self._specs.values()))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def _run(self, func: Callable[[psycopg.Connection[Any]], T], what: str = "call") -> T:
        """``func(conn)`` on a live connection; a lost connection is retried once on a new one."""
        with self._lock:
            for attempt in (1, 2):
                try:
                    return func(self._connection())
                except psycopg.OperationalError as exc:
                    self._drop()
                    if _is_permanent(exc):
                        raise PermanentStorageError(f"postgres {what} failed: {self._redact(exc)}") from None
                    if attempt == 2:
                        raise StorageError(f"postgres {what} failed: {self._redact(exc)}") from None
                    logger.debug("postgres %s: connection lost (%s); reconnecting", what, self._redact(exc))
                except psycopg.Error as exc:
                    if self._conn is not None and self._conn.broken:
                        self._drop()
                    kind = (PermanentStorageError if _is_permanent(exc)
                            else RejectedDataError if isinstance(exc, DATA_ERRORS) else StorageError)
                    raise kind(f"postgres {what} failed: {self._redact(exc)}") from None
                except (ValueError, TypeError) as exc:  # a value that cannot be encoded
                    raise RejectedDataError(f"postgres {what} failed: {exc}") from None
        raise AssertionError("unreachable")

    def _redact(self, exc: BaseException) -> str:
        text = str(exc).strip() or type(exc).__name__
        return dsn_secrets.redact(text, self._hidden)  # every form of the password (cineradar/storage/dsn.py)

    # ------------------------------------------------------------------ schema
    def _migrate(self, conn: psycopg.Connection[Any]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS cineradar_migrations (version integer PRIMARY KEY, "
                         "applied_at timestamptz NOT NULL DEFAULT now())")
            done = {row[0] for row in conn.execute("SELECT version FROM cineradar_migrations")}
            for version, step in MIGRATIONS:
                if version not in done:
                    if isinstance(step, ColumnRename):
                        _rename_column(conn, step)
                    else:
                        conn.execute(step)
                    conn.execute("INSERT INTO cineradar_migrations (version) VALUES (%s)", (version,))

    def _ensure_tables(self, conn: psycopg.Connection[Any], specs: list[EntitySpec]) -> None:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            for spec in specs:
                self._ensure_table(conn, spec)

    def _ensure_table(self, conn: psycopg.Connection[Any], spec: EntitySpec) -> None:
        wanted = _physical_columns(spec)
        table = sql.Identifier(spec.name)
        columns = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t)) for c, t in wanted.items())
        key = sql.SQL(", ").join(map(sql.Identifier, spec.key))
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({}, updated_at timestamptz NOT NULL DEFAULT now(), "
                             "PRIMARY KEY ({}))").format(table, columns, key))
        existing = dict(conn.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = to_regclass(quote_ident(%s)) AND attnum > 0 AND NOT attisdropped",
            (spec.name,)).fetchall())
        for column, sql_type in wanted.items():
            if column not in existing:  # a field added to the item since the table was made
                conn.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS {} {}").format(
                    table, sql.Identifier(column), sql.SQL(sql_type)))
            elif existing[column] != sql_type:
                raise PermanentStorageError(f"postgres table {spec.name}.{column} is {existing[column]} but the item "
                                   f"now needs {sql_type}: migrate it by hand (no silent cast)")

    # ---------------------------------------------------------------------- items
    def upsert(self, entity: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        spec = self._spec(entity)
        # ON CONFLICT may not touch one row twice in a statement: rows of one key are
        # folded first, by the same merge rules the statement applies.
        try:
            encoders = _encoders(spec)
            values = [_encode_row(row, spec, encoders) for row in merge.premerge(spec, rows)]
        except (ValueError, TypeError) as exc:
            raise RejectedDataError(f"postgres upsert into {entity}: {exc}") from None
        write = self._copy_upsert if self.method == "copy" else self._executemany_upsert
        self._run(lambda conn: write(conn, spec, values), f"upsert into {entity}")
        return len(rows)

    def _upsert_sql(self, spec: EntitySpec, source: sql.Composable) -> sql.Composed:
        columns = list(_physical_columns(spec))
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        updates = sql.SQL(", ").join(sql.SQL("{} = {}").format(sql.Identifier(c), _merged(spec, c))
                                     for c in columns if c not in spec.key)
        return sql.SQL("INSERT INTO {} ({}, updated_at) {} ON CONFLICT ({}) DO UPDATE SET {}, "
                       "updated_at = EXCLUDED.updated_at").format(
            sql.Identifier(spec.name), names, source, sql.SQL(", ").join(map(sql.Identifier, spec.key)), updates)

    def _executemany_upsert(self, conn: psycopg.Connection[Any], spec: EntitySpec,
                            values: list[tuple[Any, ...]]) -> None:
        marks = sql.SQL(", ").join(sql.Placeholder() for _ in _physical_columns(spec))
        statement = self._upsert_sql(spec, sql.SQL("VALUES ({}, now())").format(marks))
        with conn.transaction(), conn.cursor() as cur:
            cur.executemany(statement, values)

    def _copy_upsert(self, conn: psycopg.Connection[Any], spec: EntitySpec,
                     values: list[tuple[Any, ...]]) -> None:
        stage = sql.Identifier(f"_stage_{spec.name}")
        columns = list(_physical_columns(spec))
        names = sql.SQL(", ").join(map(sql.Identifier, columns))
        with conn.transaction(), conn.cursor() as cur:
            if spec.name not in self._staged:
                typed = sql.SQL(", ").join(sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(t))
                                           for c, t in _physical_columns(spec).items())
                cur.execute(sql.SQL("CREATE TEMP TABLE IF NOT EXISTS {} ({}) ON COMMIT DELETE ROWS").format(
                    stage, typed))
            with cur.copy(sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(stage, names)) as copy:
                copy.set_types(list(_physical_columns(spec).values()))
                for row in values:
                    copy.write_row(row)
            cur.execute(self._upsert_sql(spec, sql.SQL("SELECT {}, now() FROM {}").format(names, stage)))
        self._staged.add(spec.name)

    def fetch(self, entity: str, where: dict[str, Any] | None = None, *,
              newest: tuple[str, int] | None = None) -> list[dict[str, Any]]:
        spec = self._spec(entity)
        columns = list(_physical_columns(spec))
        query = sql.SQL("SELECT {} FROM {}").format(sql.SQL(", ").join(map(sql.Identifier, columns)),
                                                    sql.Identifier(entity))
        params: list[Any] = []
        if where:
            unknown = [c for c in where if c not in spec.columns]
            if unknown:
                raise StorageError(f"{entity} has no column {unknown[0]!r}")
            query += sql.SQL(" WHERE ") + sql.SQL(" AND ").join(
                sql.SQL("{} = %s").format(sql.Identifier(c)) for c in where)
            params = [_encode(v, spec.columns[c])[0] for c, v in where.items()]
        if newest is not None:
            if newest[0] not in spec.columns:
                raise StorageError(f"{entity} has no column {newest[0]!r}")
            query += sql.SQL(" ORDER BY {} DESC NULLS LAST LIMIT {}").format(sql.Identifier(newest[0]),
                                                                           sql.Literal(int(newest[1])))
        else:
            query += sql.SQL(" ORDER BY ") + sql.SQL(", ").join(
                # byte order for text, like SQLite's BINARY collation, whatever the database's locale
                sql.SQL('{} COLLATE "C"' if spec.columns[c] == "text" else "{}").format(sql.Identifier(c))
                for c in spec.key)

        def read(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
            return [_decode_row(dict(zip(columns, record, strict=True)), spec)
                    for record in conn.execute(query, params)]

        return self._run(read, f"fetch from {entity}")

    def count(self, entity: str) -> int:
        self._spec(entity)
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(entity))
        return self._run(lambda conn: int(conn.execute(query).fetchone()[0]), f"count of {entity}")  # type: ignore[index]

    def _spec(self, entity: str) -> EntitySpec:
        try:
            return self._specs[entity]
        except KeyError:
            raise RejectedDataError(f"unknown entity {entity!r}; open() it first") from None

    # ---------------------------------------------------------------------- state
    def get_state(self, name: str) -> dict[str, Any] | None:
        def read(conn: psycopg.Connection[Any]) -> dict[str, Any] | None:
            row = conn.execute("SELECT value FROM cineradar_state WHERE name = %s", (name,)).fetchone()
            return row[0] if row else None

        return self._run(read, "get_state")

    def put_state(self, name: str, value: dict[str, Any]) -> None:
        self._run(lambda conn: conn.execute(
            "INSERT INTO cineradar_state (name, value, updated_at) VALUES (%s, %s, now()) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at",
            (name, Jsonb(value))), "put_state")

    def seen_since(self, source: str, since: dt.datetime) -> set[str]:
        def read(conn: psycopg.Connection[Any]) -> set[str]:
            cursor = conn.execute("SELECT key FROM cineradar_seen WHERE source = %s AND last_seen_at >= %s",
                                  (source, since))
            return {row[0] for row in cursor}

        return self._run(read, "seen_since")

    def mark_seen(self, source: str, keys: list[str], when: dt.datetime) -> None:
        if not keys:
            return
        unique = list(dict.fromkeys(keys))
        self._run(lambda conn: conn.execute(
            "INSERT INTO cineradar_seen (source, key, last_seen_at) SELECT %s, k, %s FROM unnest(%s::text[]) AS k "
            "ON CONFLICT (source, key) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at",
            (source, when, unique)), "mark_seen")


def _rename_column(conn: psycopg.Connection[Any], step: ColumnRename) -> None:
    """Rename an item's column in place (with a datetime's offset column), keeping every row."""
    existing = {row[0] for row in conn.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(quote_ident(%s)) AND attnum > 0 "
        "AND NOT attisdropped", (step.table,))}
    table = sql.Identifier(step.table)
    for old, new in ((step.old, step.new), (step.old + OFFSET_SUFFIX, step.new + OFFSET_SUFFIX)):
        if old not in existing:
            continue  # no such table yet (it is made with the new name) or renamed already
        if new in existing:  # both (the new one added first): keep the old values, in the new column
            conn.execute(sql.SQL("UPDATE {} SET {} = coalesce({}, {})").format(
                table, sql.Identifier(new), sql.Identifier(new), sql.Identifier(old)))
        else:
            conn.execute(sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(
                table, sql.Identifier(old), sql.Identifier(new)))


def _merged(spec: EntitySpec, column: str) -> sql.Composable:
    """The value of a physical column after a conflict: the merge rule of storage/merge.py."""
    base = column[: -len(OFFSET_SUFFIX)] if column.endswith(OFFSET_SUFFIX) else column
    rule, kind = spec.merge.get(base, "latest"), spec.columns.get(base, "text")
    new = sql.SQL("EXCLUDED.{}").format(sql.Identifier(column))
    old = sql.SQL("{}.{}").format(sql.Identifier(spec.name), sql.Identifier(column))
    if rule == "union":  # jsonb arrays of strings: sorted distinct union, byte order like SQLite
        return sql.SQL("(SELECT coalesce(jsonb_agg(to_jsonb(v) ORDER BY v COLLATE \"C\"), '[]'::jsonb) FROM "
                       "(SELECT DISTINCT jsonb_array_elements_text(coalesce({}, '[]'::jsonb) || "
                       "coalesce({}, '[]'::jsonb)) AS v) AS u)").format(old, new)
    if rule == "or":
        return sql.SQL("(coalesce({}, false) OR coalesce({}, false))").format(old, new)
    if rule in ("max", "nonnull"):
        # The condition is on the item's column, so a datetime's offset column follows its instant.
        new_base = sql.SQL("EXCLUDED.{}").format(sql.Identifier(base))
        old_base = sql.SQL("{}.{}").format(sql.Identifier(spec.name), sql.Identifier(base))
        if rule == "max":
            take_new = sql.SQL("{1} IS NULL OR {0} > {1}").format(new_base, old_base)
        elif kind == "json":
            take_new = sql.SQL("{0} IS NOT NULL AND {0} <> '[]'::jsonb OR {1} IS NULL").format(new_base, old_base)
        else:
            take_new = sql.SQL("{0} IS NOT NULL OR {1} IS NULL").format(new_base, old_base)
        return sql.SQL("CASE WHEN {} THEN {} ELSE {} END").format(take_new, new, old)
    return new


# --------------------------------------------------------------------------- values
def _physical_columns(spec: EntitySpec) -> dict[str, str]:
    """Column -> SQL type, with each datetime column followed by its offset column."""
    columns: dict[str, str] = {}
    for column, kind in spec.columns.items():
        columns[column] = SQL_TYPES[kind]
        if kind == "datetime":
            columns[column + OFFSET_SUFFIX] = "integer"
    return columns


def _encode_row(row: dict[str, Any], spec: EntitySpec,
                encoders: list[tuple[str, str, Callable[[Any], Any]]] | None = None) -> tuple[Any, ...]:
    values: list[Any] = []
    append = values.append
    for column, kind, encode in encoders or _encoders(spec):
        value = row.get(column)
        if value is None:
            append(None)
            if kind == "datetime":
                append(None)
        elif kind == "text" and type(value) is str:  # the common case, without a call
            append(value)
        else:
            try:
                encoded = encode(value)
            except (ValueError, TypeError) as exc:
                key = "|".join(str(row.get(k)) for k in spec.key)
                raise ValueError(f"row {key}: column {column} ({kind}): {exc}") from None
            if kind == "datetime":
                values.extend(encoded)
            else:
                append(encoded)
    return tuple(values)


def _encode(value: Any, kind: str) -> tuple[Any, ...]:
    """The SQL parameter(s) of one value: two for a datetime (instant, offset seconds)."""
    if value is None:
        return (None, None) if kind == "datetime" else (None,)
    encoded = _ENCODERS[kind](value)
    return encoded if kind == "datetime" else (encoded,)


def _encoders(spec: EntitySpec) -> list[tuple[str, str, Callable[[Any], Any]]]:
    cache_key = (spec.name, tuple(spec.columns.items()))
    cached = _ENCODER_CACHE.get(cache_key)
    if cached is None:
        cached = _ENCODER_CACHE[cache_key] = [(column, kind, _ENCODERS[kind]) for column, kind in spec.columns.items()]
    return cached


def _datetime(value: Any) -> tuple[dt.datetime, int | None]:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)
    offset = stamp.utcoffset()
    if offset is None:  # naive: stored as if UTC, read back naive
        return (stamp.replace(tzinfo=dt.UTC), None)
    return (stamp, int(offset.total_seconds()))


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def _int(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise ValueError(f"{value!r} is not an integer")
    return int(value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


_ENCODERS: dict[str, Callable[[Any], Any]] = {
    "text": _text, "int": _int, "float": float, "bool": bool, "date": _date, "datetime": _datetime, "json": Jsonb,
}
_ENCODER_CACHE: dict[tuple[str, tuple[tuple[str, str], ...]], list[tuple[str, str, Callable[[Any], Any]]]] = {}


def _decode_row(record: dict[str, Any], spec: EntitySpec) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column, kind in spec.columns.items():
        value = record[column]
        if value is None:
            row[column] = None
        elif kind == "datetime":
            offset = record[column + OFFSET_SUFFIX]
            if offset is None:
                value = value.astimezone(dt.UTC).replace(tzinfo=None)
            else:
                value = value.astimezone(dt.UTC if offset == 0 else dt.timezone(dt.timedelta(seconds=offset)))
            row[column] = value.isoformat()  # the very string model_dump wrote (items.py: isoformat)
        elif kind == "date":
            row[column] = value.isoformat()
        else:
            row[column] = value
    return row
