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

import copy
import datetime as dt
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from cineradar.storage.base import EntitySpec, Storage, StorageError
from cineradar.storage.sqlite import _decode  # the SQLite backend's own column decoding, shared

# Indexes the pages filter on (besides each table's key). Made by ``Reader.ensure_indexes``:
# a few rows per showtime per day add up to millions over months, and a day's page must not
# scan them all.
READ_INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "tix_showtimes": (("date",), ("movie_id", "date"), ("theatre_id", "date"),
                      # covering the TIX.id day's price ranges and its theatres per city
                      ("date", "merchant", "room_category", "price_min", "price_max"),
                      ("date", "city", "theatre_id", "showtime_id")),
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
CACHE_SIZE = 4096  # values kept by Reader.cached (a day's figures, one movie's day, a count per entity)
T = TypeVar("T")


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
        self._cache: OrderedDict[Any, Any] = OrderedDict()
        self._cache_marker: Any = None
        self._pinned = threading.local()

    # ------------------------------------------------------------------ cache
    def marker(self) -> Any:
        """A value that changes whenever a write to the store is committed (by this process or any
        other): SQLite's ``data_version`` (commits by other connections) with this connection's
        ``total_changes`` (its own); PostgreSQL's ``pg_current_snapshot()`` (which transactions
        are finished: a commit anywhere in the cluster changes it). Equal markers read at two
        times mean the store's rows were the same in between."""
        pinned = getattr(self._pinned, "marker", None)
        if pinned is not None:
            return pinned
        backend: Any = self.backend
        if self.dialect == "sqlite":
            with backend._lock:
                version = backend.conn.execute("PRAGMA data_version").fetchone()[0]
                return (version, backend.conn.total_changes)
        return self._execute("SELECT pg_current_snapshot()::text", [])[0][0]

    def pin(self) -> None:
        """Read the marker once for this thread's next reads (one web request) until ``unpin``:
        a value computed after it is kept under it, which is what ``cached`` needs (a write
        landing meanwhile changes the marker the next request reads)."""
        self._pinned.marker = None
        self._pinned.marker = self.marker()

    def unpin(self) -> None:
        self._pinned.marker = None

    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """``compute()``, kept until the store changes (``marker``): the marker is read BEFORE
        computing, so a value computed while a write lands is kept under the older marker and
        never served again (the next request reads the newer one). Copies go in and out, so a
        caller changing what it got changes no kept value."""
        marker = self.marker()
        with self._lock:
            if marker != self._cache_marker:
                self._cache.clear()
                self._cache_marker = marker
            elif key in self._cache:
                self._cache.move_to_end(key)
                return copy.deepcopy(self._cache[key])  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            if marker == self._cache_marker:
                self._cache[key] = copy.deepcopy(value)
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        return value

    def cached_many(self, keys: Sequence[Any], compute: Callable[[list[Any]], dict[Any, Any]]) -> dict[Any, Any]:
        """key -> value for ``keys``, as ``cached`` keeps them: ``compute(missing keys)`` gives the
        values of the keys not kept (a key it leaves out is kept as None), with one marker read."""
        marker = self.marker()
        with self._lock:
            if marker != self._cache_marker:
                self._cache.clear()
                self._cache_marker = marker
            found = {k: copy.deepcopy(self._cache[k]) for k in keys if k in self._cache}
        missing = [k for k in keys if k not in found]
        if missing:
            fresh = compute(missing)
            with self._lock:
                if marker == self._cache_marker:
                    for k in missing:
                        self._cache[k] = copy.deepcopy(fresh.get(k))
                    while len(self._cache) > CACHE_SIZE:
                        self._cache.popitem(last=False)
            found.update({k: fresh.get(k) for k in missing})
        return found

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

    def distinct(self, entity: str, column: str) -> list[Any]:
        """The distinct non-null values of ``column``, ascending: one index seek per value (a
        recursive query stepping to the next larger value) instead of reading every row, given
        an index starting with ``column`` (READ_INDEXES)."""
        spec = self._spec(entity)
        self._check(spec, [column])
        col, table = _quote(column), _quote(entity)
        records = self._execute(
            f"WITH RECURSIVE steps(v) AS (SELECT min({col}) FROM {table} UNION ALL "
            f"SELECT (SELECT min({col}) FROM {table} WHERE {col} > steps.v) FROM steps WHERE steps.v IS NOT NULL) "
            "SELECT v FROM steps WHERE v IS NOT NULL", [])
        return [_plain(r[0], spec.columns[column]) for r in records]

    def _superseded(self, entity: str, per: str, latest: str, where: dict[str, Any] | None, between: Range | None,
                    columns: Sequence[str]) -> list[dict[str, Any]]:
        """The matching rows that are not the latest of their ``per`` (``columns`` of them, and the
        key): none unless a ``per`` has several rows (a showtime snapshotted twice in a morning).

        Found by grouping on ``per`` alone, which an index starting with the equality columns then
        ``per`` reads in order (no sort); the latest is the largest ``latest`` as an instant (as
        ``daily_summary.latest_per_showtime`` compares them), ties going to the largest key."""
        # kept: a day's page asks three times (sums, top, bottom); every column of those few rows
        key = ("superseded", entity, per, latest, repr(sorted((where or {}).items())), repr(between))
        self._check(self._spec(entity), columns)
        return self.cached(key, lambda: self._find_superseded(entity, per, latest, where, between))

    def _find_superseded(self, entity: str, per: str, latest: str, where: dict[str, Any] | None,
                         between: Range | None) -> list[dict[str, Any]]:
        spec = self._spec(entity)
        self._check(spec, [per, latest])
        text, params = self._where(spec, where, between)
        col = _quote(per)
        several = [r[0] for r in self._execute(f"SELECT {col} FROM {_quote(entity)}{text} GROUP BY {col} "
                                               "HAVING count(*) > 1", params)]
        if not several:
            return []
        rows: list[dict[str, Any]] = []
        for start in range(0, len(several), 500):
            rows += self.rows(entity, where=(where or {}) | {per: several[start:start + 500]},
                              between=between)
        best: dict[Any, dict[str, Any]] = {}
        for row in rows:
            kept = best.get(row[per])
            if kept is None or _newer(row, kept, latest, spec.key):
                best[row[per]] = row
        return [row for row in rows if best[row[per]] is not row]

    def latest_sums(self, entity: str, *, per: str, latest: str, group: Sequence[str], sums: Sequence[str],
                    where: dict[str, Any] | None = None, between: Range | None = None) -> list[dict[str, Any]]:
        """Rows and sums of ``sums`` per ``group`` over one row per ``per`` (its largest ``latest``),
        in SQL: e.g. audience per movie and day over each showtime's latest morning snapshot,
        without reading the snapshots into Python.

        Summed over every matching row, minus the rows a later one of the same ``per`` supersedes
        (``_superseded``: usually none): two passes over an index instead of a window function's
        sort of every row. ``group=()``: one line, the totals (none when nothing matches)."""
        spec = self._spec(entity)
        self._check(spec, [*group, *sums])
        text, params = self._where(spec, where, between)
        cols = "".join(f"{_quote(g)}, " for g in group)
        total = ", ".join(f"sum({_quote(c)})" for c in sums)
        grouped = f" GROUP BY {cols[:-2]} ORDER BY {cols[:-2]}" if group else ""  # no group: one line, the totals
        records = self._execute(f"SELECT {cols}count(*), {total} FROM {_quote(entity)}{text}{grouped}", params)
        out: dict[tuple[Any, ...], dict[str, Any]] = {}
        for record in records:
            row = {g: _plain(v, spec.columns[g]) for g, v in zip(group, record, strict=False)}
            row["rows"] = int(record[len(group)])
            row.update({c: int(v or 0) for c, v in zip(sums, record[len(group) + 1:], strict=True)})
            out[tuple(row[g] for g in group)] = row
        for old in self._superseded(entity, per, latest, where, between, [*group, *sums]):
            line = out[tuple(_plain(old[g], spec.columns[g]) for g in group)]
            line["rows"] -= 1
            for c in sums:
                line[c] -= int(old[c] or 0)
        return [row for row in out.values() if row["rows"] > 0]

    def latest_rows(self, entity: str, *, per: str, latest: str, columns: Sequence[str], order: Sequence[str],
                    desc: bool = False, limit: int | None = None, where: dict[str, Any] | None = None,
                    between: Range | None = None, unique: bool = False) -> list[dict[str, Any]]:
        """``columns`` of one row per ``per`` (its largest ``latest``), ordered, at most ``limit``:
        the first rows in that order, skipping those a later row of their ``per`` supersedes
        (``unique``: the caller knows that no ``per`` has several rows, so none is looked for)."""
        spec = self._spec(entity)
        cols = list(columns)
        self._check(spec, [*cols, *order])
        dropped = set() if unique else {tuple(_plain(r[k], spec.columns[k]) for k in spec.key)
                                        for r in self._superseded(entity, per, latest, where, between, [])}
        direction = " DESC" if desc else ""
        collate = ' COLLATE "C"' if self.dialect == "postgres" else ""
        ordering = ", ".join(f"{_quote(c)}{collate if spec.columns[c] == 'text' else ''}{direction}" for c in order)
        selected = list(dict.fromkeys((*cols, *spec.key)))

        def ordered(only: dict[str, Any], what: Sequence[str], count: int | None) -> list[tuple[Any, ...]]:
            text, params = self._where(spec, (where or {}) | only, between)
            query = f"SELECT {', '.join(map(_quote, what))} FROM {_quote(entity)}{text} ORDER BY {ordering}"
            return self._execute(query + (f" LIMIT {count}" if count is not None else ""), params)

        only: dict[str, Any] = {}
        if limit is not None:
            # first the ``per`` of the first rows, from what a covering index holds (not the rows'
            # other columns), then those rows whole: the answer is among them (at most
            # ``len(dropped)`` of the first ``limit + len(dropped)`` rows are superseded)
            only = {per: sorted({r[0] for r in ordered({}, [per], int(limit) + len(dropped))})}
        out = []
        for record in ordered(only, selected, None):
            row = {c: _plain(v, spec.columns[c]) for c, v in zip(selected, record, strict=True)}
            if tuple(row[k] for k in spec.key) in dropped:
                continue
            out.append({c: row[c] for c in cols})
            if limit is not None and len(out) >= limit:
                break
        return out

    def aggregate(self, entity: str, *, group: Sequence[str], values: dict[str, tuple[str, str]],
                  where: dict[str, Any] | None = None, between: Range | None = None) -> list[dict[str, Any]]:
        """Per ``group``: ``values`` name -> (min|max|sum|count, column), over the rows that match
        (``group=()``: one line over all of them)."""
        spec = self._spec(entity)
        self._check(spec, [*group, *(c for _, c in values.values())])
        if any(f not in ("min", "max", "sum", "count", "count_distinct") for f, _ in values.values()):
            raise StorageError("aggregate: min, max, sum, count or count_distinct")
        text, params = self._where(spec, where, between)
        cols = "".join(f"{_quote(g)}, " for g in group)
        aggs = ", ".join(f"count(DISTINCT {_quote(c)})" if f == "count_distinct" else f"{f}({_quote(c)})"
                         for f, c in values.values())
        grouped = f" GROUP BY {cols[:-2]} ORDER BY {cols[:-2]}" if group else ""  # no group: one line
        records = self._execute(f"SELECT {cols}{aggs} FROM {_quote(entity)}{text}{grouped}", params)
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
        return {c: _decode(v, spec.columns[c]) for c, v in zip(spec.columns, record, strict=True)}


def _instant(value: Any) -> dt.datetime:
    """A stored datetime (ISO text in SQLite, a datetime from PostgreSQL) as an aware instant."""
    when = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _newer(row: dict[str, Any], than: dict[str, Any], latest: str, key: Sequence[str]) -> bool:
    a, b = row[latest], than[latest]
    if isinstance(a, (str, dt.datetime)) and isinstance(b, (str, dt.datetime)):
        a, b = _instant(a), _instant(b)
    if a != b:
        return bool(a > b)
    return tuple(str(row[k]) for k in key) > tuple(str(than[k]) for k in key)


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
