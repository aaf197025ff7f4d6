"""The read side of the SQL stores (SQLite, PostgreSQL): projected, filtered, ordered rows and
grouped counts, for the web view, the report and the exports. No Scrapy imports.

``Storage.fetch`` returns every column of every matching row; pages need a few columns of a
day (without the seat layouts), counts per day, the latest N rows. ``Reader`` builds that SQL
once for both dialects (the statements stick to what both accept: ``?``/``%s`` placeholders are
the only difference) and decodes the values the way each backend's ``fetch`` does, so a row
read here equals the same row read through ``fetch``. Firestore is not served: its documents
are the original's shapes, read by the original's clients (docs/web.md).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cineradar.storage.base import EntitySpec, Storage, StorageError

# Indexes the pages filter on (besides each table's key). Made by ``Reader.ensure_indexes``:
# a few rows per showtime per day add up to millions over months, and a day's page must not
# scan them all.
READ_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "tix_showtimes": (("date",), ("movie_id", "date"), ("theatre_id", "date")),
    # covering (date or movie first, then what the occupancy sums read): the sums never touch the
    # table's rows, whose seat layouts make them large
    "tix_seat_snapshots": (("showtime_id",),
                           ("date", "mode", "showtime_id", "scraped_at", "merchant", "city", "movie_id",
                            "unavailable_seats", "total_seats", "occupancy_pct"),
                           ("movie_id", "mode", "date", "showtime_id", "scraped_at", "unavailable_seats",
                            "total_seats")),
    "tix_seat_failures": (("date",),),
    "tix_movies": (("movie_id",),),
    "repertuary_showtimes": (("city", "date"), ("film_slug",)),
    "crawl_runs": (("started_at",),),
    "tmdb_matches": (("status",), ("tmdb_id",)),
}


@dataclass(frozen=True)
class Range:
    """Inclusive bounds on one column (dates as YYYY-MM-DD, datetimes as ISO text)."""

    column: str
    low: Any = None
    high: Any = None


class Reader:
    """Read queries over one opened SQLite or PostgreSQL backend (``cineradar.storage``)."""

    def __init__(self, backend: Storage, specs: Iterable[EntitySpec]) -> None:
        self.backend = backend
        self.specs = {s.name: s for s in specs}
        self.dialect = backend.name
        if self.dialect not in ("sqlite", "postgres"):
            raise StorageError(f"the {backend.name} store is not served here: its documents have the original "
                               "system's shapes and are read by the original's clients (docs/web.md); set "
                               "STORAGE_BACKENDS to sqlite or postgres first")
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ queries
    def rows(self, entity: str, *, columns: Sequence[str] | None = None, where: dict[str, Any] | None = None,
             between: Range | None = None, order: Sequence[str] | None = None, desc: bool = False,
             limit: int | None = None) -> list[dict[str, Any]]:
        """Rows of ``entity``: only ``columns`` (default all), column equality (a list or tuple
        value: any of them), ``between`` inclusive, ``order`` (default the key), at most ``limit``."""
        spec = self._spec(entity)
        cols = list(columns or spec.columns)
        self._check(spec, cols)
        text, params = self._where(spec, where, between)
        physical = [p for c in cols for p in self._physical(spec, c)]
        query = f"SELECT {', '.join(map(_quote, physical))} FROM {_quote(entity)}{text}"
        # the key breaks ties, so both dialects give the same order
        query += self._order(spec, tuple(dict.fromkeys((*(order or ()), *spec.key))), desc)
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        records = self._execute(query, params)
        sub = EntitySpec(spec.name, spec.key, {c: spec.columns[c] for c in cols})
        return [self._decode(sub, physical, record) for record in records]

    def count(self, entity: str, *, where: dict[str, Any] | None = None, between: Range | None = None) -> int:
        spec = self._spec(entity)
        text, params = self._where(spec, where, between)
        return int(self._execute(f"SELECT count(*) FROM {_quote(entity)}{text}", params)[0][0])

    def count_by(self, entity: str, column: str, *, where: dict[str, Any] | None = None,
                 between: Range | None = None) -> dict[Any, int]:
        """Rows per value of ``column`` (e.g. per day), in the column's order."""
        spec = self._spec(entity)
        self._check(spec, [column])
        text, params = self._where(spec, where, between)
        col = _quote(column)
        records = self._execute(f"SELECT {col}, count(*) FROM {_quote(entity)}{text} GROUP BY {col} "
                                f"ORDER BY {col}", params)
        kind = spec.columns[column]
        return {_plain(value, kind): int(n) for value, n in records}

    def _latest(self, entity: str, per: str, latest: str, columns: Sequence[str], where: dict[str, Any] | None,
                between: Range | None) -> tuple[str, list[Any]]:
        """A subquery of ``columns`` over one row per ``per``, the one with the largest ``latest``
        (``row_number()``, in SQLite and PostgreSQL alike)."""
        spec = self._spec(entity)
        self._check(spec, [per, latest, *columns])
        text, params = self._where(spec, where, between)
        cols = ", ".join(map(_quote, dict.fromkeys(columns)))
        return (f"(SELECT {cols}, row_number() OVER (PARTITION BY {_quote(per)} ORDER BY {_quote(latest)} DESC) "
                f"AS rn__ FROM {_quote(entity)}{text}) latest__ WHERE rn__ = 1"), params

    def latest_sums(self, entity: str, *, per: str, latest: str, group: Sequence[str], sums: Sequence[str],
                    where: dict[str, Any] | None = None, between: Range | None = None) -> list[dict[str, Any]]:
        """Rows and sums of ``sums`` per ``group`` over one row per ``per`` (its largest ``latest``),
        in SQL: e.g. audience per movie and day over each showtime's latest morning snapshot,
        without reading the snapshots into Python."""
        spec = self._spec(entity)
        source, params = self._latest(entity, per, latest, [*group, *sums], where, between)
        cols = ", ".join(map(_quote, group))
        total = ", ".join(f"sum({_quote(c)})" for c in sums)
        records = self._execute(f"SELECT {cols}, count(*), {total} FROM {source} GROUP BY {cols} ORDER BY {cols}",
                                params)
        out = []
        for record in records:
            row = {g: _plain(v, spec.columns[g]) for g, v in zip(group, record, strict=False)}
            row["rows"] = int(record[len(group)])
            row.update({c: int(v or 0) for c, v in zip(sums, record[len(group) + 1:], strict=True)})
            out.append(row)
        return out

    def latest_rows(self, entity: str, *, per: str, latest: str, columns: Sequence[str], order: Sequence[str],
                    desc: bool = False, limit: int | None = None, where: dict[str, Any] | None = None,
                    between: Range | None = None) -> list[dict[str, Any]]:
        """``columns`` of one row per ``per`` (its largest ``latest``), ordered, at most ``limit``."""
        spec = self._spec(entity)
        cols = list(columns)
        source, params = self._latest(entity, per, latest, [*cols, *order], where, between)
        direction = " DESC" if desc else ""
        collate = ' COLLATE "C"' if self.dialect == "postgres" else ""
        ordering = ", ".join(f"{_quote(c)}{collate if spec.columns[c] == 'text' else ''}{direction}" for c in order)
        query = f"SELECT {', '.join(map(_quote, cols))} FROM {source} ORDER BY {ordering}"
        if limit is not None:
            query += f" LIMIT {int(limit)}"
        return [{c: _plain(v, spec.columns[c]) for c, v in zip(cols, record, strict=True)}
                for record in self._execute(query, params)]

    def aggregate(self, entity: str, *, group: Sequence[str], values: dict[str, tuple[str, str]],
                  where: dict[str, Any] | None = None, between: Range | None = None) -> list[dict[str, Any]]:
        """Per ``group``: ``values`` name -> (min|max|sum|count, column), over the rows that match."""
        spec = self._spec(entity)
        self._check(spec, [*group, *(c for _, c in values.values())])
        if any(f not in ("min", "max", "sum", "count") for f, _ in values.values()):
            raise StorageError("aggregate: min, max, sum or count")
        text, params = self._where(spec, where, between)
        cols = ", ".join(map(_quote, group))
        aggs = ", ".join(f"{f}({_quote(c)})" for f, c in values.values())
        records = self._execute(f"SELECT {cols}, {aggs} FROM {_quote(entity)}{text} GROUP BY {cols} ORDER BY {cols}",
                                params)
        return [{**{g: _plain(v, spec.columns[g]) for g, v in zip(group, r, strict=False)},
                 **{name: r[len(group) + i] for i, name in enumerate(values)}} for r in records]

    def state(self, name: str) -> dict[str, Any] | None:
        return self.backend.get_state(name)

    def ensure_indexes(self) -> None:
        """Create the READ_INDEXES (idempotent; a few seconds once on a large store)."""
        for entity, indexes in READ_INDEXES.items():
            if entity not in self.specs:
                continue
            for columns in indexes:
                digest = hashlib.sha1(",".join(columns).encode()).hexdigest()[:10]  # short: PostgreSQL cuts at 63
                name = f"cineradar_read_{entity}_{digest}"
                self._execute(f"CREATE INDEX IF NOT EXISTS {_quote(name)} ON {_quote(entity)} "
                              f"({', '.join(map(_quote, columns))})", [], fetch=False)

    # ------------------------------------------------------------------ SQL
    def _spec(self, entity: str) -> EntitySpec:
        try:
            return self.specs[entity]
        except KeyError:
            raise StorageError(f"unknown entity {entity!r}") from None

    @staticmethod
    def _check(spec: EntitySpec, columns: Iterable[str]) -> None:
        unknown = [c for c in columns if c not in spec.columns]
        if unknown:
            raise StorageError(f"{spec.name} has no column {unknown[0]!r}")

    def _physical(self, spec: EntitySpec, column: str) -> list[str]:
        if self.dialect == "postgres" and spec.columns[column] == "datetime":
            return [column, column + "__offset"]
        return [column]

    def _where(self, spec: EntitySpec, where: dict[str, Any] | None, between: Range | None) -> tuple[str, list[Any]]:
        mark = "?" if self.dialect == "sqlite" else "%s"
        parts: list[str] = []
        params: list[Any] = []
        for column, value in (where or {}).items():
            self._check(spec, [column])
            kind = spec.columns[column]
            if isinstance(value, (list, tuple, set, frozenset)):
                values = list(value)
                if not values:
                    parts.append("1 = 0")
                    continue
                parts.append(f"{_quote(column)} IN ({', '.join(mark for _ in values)})")
                params += [self._param(v, kind) for v in values]
            elif value is None:
                parts.append(f"{_quote(column)} IS NULL")
            else:
                parts.append(f"{_quote(column)} = {mark}")
                params.append(self._param(value, kind))
        if between is not None:
            self._check(spec, [between.column])
            kind = spec.columns[between.column]
            if between.low is not None:
                parts.append(f"{_quote(between.column)} >= {mark}")
                params.append(self._param(between.low, kind))
            if between.high is not None:
                parts.append(f"{_quote(between.column)} <= {mark}")
                params.append(self._param(between.high, kind))
        return (" WHERE " + " AND ".join(parts) if parts else ""), params

    def _param(self, value: Any, kind: str) -> Any:
        if self.dialect == "postgres":
            from cineradar.storage.postgres import _encode

            return _encode(value, kind)[0]
        from cineradar.storage.sqlite import _encode as sqlite_encode

        return sqlite_encode(value, kind)

    def _order(self, spec: EntitySpec, order: Sequence[str], desc: bool) -> str:
        self._check(spec, order)
        direction = " DESC" if desc else ""
        parts = []
        for column in order:
            text_kind = spec.columns[column] == "text"
            collate = ' COLLATE "C"' if self.dialect == "postgres" and text_kind else ""
            parts.append(f"{_quote(column)}{collate}{direction}")
        return " ORDER BY " + ", ".join(parts)

    def _execute(self, query: str, params: list[Any], fetch: bool = True) -> list[tuple[Any, ...]]:
        backend: Any = self.backend
        if self.dialect == "sqlite":
            from cineradar.storage.sqlite import _classify

            with backend._lock:  # the backend's one connection, as its own methods use it
                try:
                    cursor = backend.conn.execute(query, params)
                    return cursor.fetchall() if fetch else []
                except Exception as exc:
                    raise _classify(exc, backend.path, "read") from exc

        def run(conn: Any) -> list[tuple[Any, ...]]:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if fetch else []

        return backend._run(run, "read")  # type: ignore[no-any-return]

    def _decode(self, spec: EntitySpec, physical: list[str], record: tuple[Any, ...]) -> dict[str, Any]:
        if self.dialect == "postgres":
            from cineradar.storage.postgres import _decode_row

            return _decode_row(dict(zip(physical, record, strict=True)), spec)
        return {c: _sqlite_value(v, spec.columns[c]) for c, v in zip(spec.columns, record, strict=True)}


def _sqlite_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.loads(value)
    if kind == "bool":
        return bool(value)
    return value


def _plain(value: Any, kind: str) -> Any:
    """A grouped value as ``fetch`` gives it (dates as YYYY-MM-DD text)."""
    if value is None:
        return None
    if kind == "date" and not isinstance(value, str):
        return value.isoformat()
    if kind == "bool":
        return bool(value)
    return value


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
