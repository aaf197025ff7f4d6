"""Firestore backend through google-cloud-firestore (sync client). No Scrapy imports.

``FirestoreStorage(project)`` talks to Google Cloud, or to a local emulator when
``FIRESTORE_EMULATOR_HOST`` (or ``emulator_host=``) is set. Layout, as the original's
(docs/sources/tix.md#firestore-layout), plus one collection per other entity:

==========================  =================================================================
entity / state              documents
==========================  =================================================================
tix_theatres                ``theatres/{theatre_id}``: ``room_types`` a list of strings that
                            only accumulates (the original's existing ∪ new), lat/lng/place_id
                            never overwritten by null, ``created_at`` set on creation,
                            ``last_seen`` an instant (the day's start in WIB, naive UTC ISO)
tix_seat_snapshots          ``seat_snapshots/{snapshot_id}``; ``layout`` as
                            ``[{row, seats}]`` (Firestore holds no array in an array),
                            ``time`` as ``showtime`` (FIELD_NAMES: the original's names)
tix_daily_summaries         ``daily_summaries/{date}``
tix_schedules               ``schedules/{date}/movies/{movie_id}``, ``poster_url`` as ``poster``
                            (and ``schedules/{date}``
                            holding only ``date``, so the dates can be listed)
tix_day_snapshots           ``snapshots/{date}`` and ``snapshots/latest``
crawl_runs                  ``scraper_runs/{run_id}``
state ``tix_jwt``           ``auth_tokens/tix_jwt`` (full overwrite; ``stored_at`` naive UTC as
                            the original's, ours zone-aware as ``stored_at_utc``); other state
                            names ``cineradar_state/{name}``
everything else             ``{entity}/{natural key}`` (key parts joined by ``|``)
freshness                   ``cineradar_seen/{source}|{key}`` with ``last_seen_at``
==========================  =================================================================

docs/firestore.md lists these shapes and how the original's clients read them.

Document IDs escape ``%`` and ``/`` (and ``|`` inside a composite key) as ``%25``,
``%2F``, ``%7C``. Every write goes through ``WriteBatch`` commits of at most 500
writes (never BulkWriter: the emulator silently drops its writes). Firestore cannot
hold an array directly inside an array: the seat layout has its own shape (above), any
other inner array is stored as ``{"$array": [...]}`` and unwrapped on read. Dates and
datetimes are stored as the row's ISO strings (but ``last_seen``), so rows read back
equal what SQLite returns.

Every write is a full ``set()``: the emulator drops merge-writes
(``set(merge=True)``/``update``) to map keys that need quoting in a field path (``2D``,
``IMAX 2D``, ``900001``), so nothing relies on field-mask merges (and its ``set()``
keeps fields the new document lacks, so the token document is deleted and set in one
commit). Entities with merge rules (storage/merge.py: movies, theatres) are read, merged
and rewritten whole in a transaction, by the same rules SQLite and PostgreSQL apply in
SQL. The schedules and snapshots are not computed here: cineradar/aggregates.py derives
them from the stored rows and writes them to every backend alike.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from cineradar.compat import firestore_emulator_client
from cineradar.storage import merge
from cineradar.storage.base import EntitySpec, PermanentStorageError, RejectedDataError, StorageError

logger = logging.getLogger(__name__)
T = TypeVar("T")  # what a guarded client call returns (FirestoreStorage._call)

WIB = ZoneInfo("Asia/Jakarta")
MAX_BATCH = 500  # Firestore's limit of writes per commit
ARRAY = "$array"  # wrapper of an array held directly inside an array
MAX_ID_BYTES = 1500

SCHEDULES = "tix_schedules"  # schedules/{date}/movies/{movie_id}
SNAPSHOTS = "tix_day_snapshots"  # snapshots/{date} and snapshots/latest
COLLECTIONS = {  # entity -> the original's collection (docs/sources/tix.md#firestore-layout)
    "tix_theatres": "theatres",
    "tix_seat_snapshots": "seat_snapshots",
    "tix_daily_summaries": "daily_summaries",
    "crawl_runs": "scraper_runs",
    SNAPSHOTS: "snapshots",
}
STATE_COLLECTIONS = {"tix_jwt": "auth_tokens"}
SEEN = "cineradar_seen"


def doc_id(*parts: Any) -> str:
    """A deterministic, valid document ID from natural-key values."""
    escaped = [str(p).replace("%", "%25").replace("/", "%2F") for p in parts]
    if len(parts) > 1:
        escaped = [p.replace("|", "%7C") for p in escaped]
    value = "|".join(escaped)
    if value in (".", ".."):
        value = value.replace(".", "%2E")
    elif value.startswith("__") and value.endswith("__"):  # reserved by Firestore
        value = "%5F" + value[1:]
    if len(value.encode()) > MAX_ID_BYTES:
        digest = hashlib.sha256(value.encode()).hexdigest()
        value = value.encode()[: MAX_ID_BYTES - 80].decode(errors="ignore") + "#" + digest
    return value


class FirestoreStorage:
    name = "firestore"

    def __init__(self, project: str | None = None, emulator_host: str | None = None,
                 database: str | None = None, timeout: float = 20.0, credentials_file: str | None = None) -> None:
        if not project:
            raise PermanentStorageError("firestore backend selected but GOOGLE_CLOUD_PROJECT is not set")
        self.project = project
        self.emulator_host = emulator_host or os.environ.get("FIRESTORE_EMULATOR_HOST") or None
        self.database = database
        self.timeout = timeout
        self.credentials_file = credentials_file  # a service-account JSON; None: Google's own lookup
        self._client: Any = None
        self._specs: dict[str, EntitySpec] = {}
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ lifecycle
    def open(self, specs: list[EntitySpec]) -> None:
        with self._lock:
            for spec in specs:
                self._specs[spec.name] = spec
            if self._client is None:
                self._client = self._make_client()

    def _make_client(self) -> Any:
        from google.api_core.retry import Retry, if_transient_error
        from google.auth.exceptions import GoogleAuthError
        from google.cloud import firestore

        self._retry = Retry(predicate=if_transient_error, initial=0.2, maximum=2.0, multiplier=2.0,
                            timeout=self.timeout)
        try:
            if self.emulator_host:
                return firestore_emulator_client(self.project, self.emulator_host, self.database)
            if self.credentials_file:
                return self._client_from_file(firestore.Client)
            return firestore.Client(project=self.project, database=self.database)
        except GoogleAuthError as exc:
            raise PermanentStorageError(f"firestore: no credentials ({exc}); set GOOGLE_APPLICATION_CREDENTIALS "
                               "or FIRESTORE_EMULATOR_HOST") from None

    def _client_from_file(self, client_class: Any) -> Any:
        path = str(self.credentials_file)
        try:
            return client_class.from_service_account_json(path, project=self.project, database=self.database)
        except FileNotFoundError:
            raise PermanentStorageError(f"firestore: no such credentials file: {path} "
                                        "(CINERADAR_FIRESTORE_CREDENTIALS)") from None
        except (ValueError, KeyError) as exc:  # not JSON, or not a service-account key
            raise PermanentStorageError(f"firestore: not a service-account key file: {path} "
                                        f"(CINERADAR_FIRESTORE_CREDENTIALS; {type(exc).__name__})") from None

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise StorageError("firestore storage is not open")
        return self._client

    def _call(self, what: str, func: Callable[..., T], *args: Any) -> T:
        from google.api_core.exceptions import (
            GoogleAPICallError,
            InvalidArgument,
            NotFound,
            PermissionDenied,
            RetryError,
            Unauthenticated,
        )

        try:
            return func(*args)
        except (PermissionDenied, Unauthenticated, NotFound) as exc:  # credentials, project or database
            raise PermanentStorageError(f"firestore {what} failed: {exc}") from None
        except InvalidArgument as exc:  # the server refuses a value of this batch
            raise RejectedDataError(f"firestore {what} failed: {exc}") from None
        except (GoogleAPICallError, RetryError) as exc:
            raise StorageError(f"firestore {what} failed: {exc}") from None
        except (ValueError, TypeError) as exc:
            raise RejectedDataError(f"firestore {what}: {exc}") from None

    def _commit(self, writes: Iterable[tuple[Any, dict[str, Any]]], what: str) -> int:
        """Commit (ref, document) full writes in WriteBatches of at most 500."""
        count = 0
        batch = self.client.batch()
        pending = 0
        for ref, data in writes:
            batch.set(ref, data)
            pending += 1
            count += 1
            if pending == MAX_BATCH:
                self._call(what, lambda b: b.commit(retry=self._retry, timeout=self.timeout), batch)
                batch, pending = self.client.batch(), 0
        if pending:
            self._call(what, lambda b: b.commit(retry=self._retry, timeout=self.timeout), batch)
        return count

    def _stream(self, query: Any, what: str) -> list[Any]:
        return self._call(what, lambda: list(query.stream(retry=self._retry, timeout=self.timeout)))

    # ---------------------------------------------------------------------- items
    def collection_of(self, entity: str) -> str:
        return COLLECTIONS.get(entity, entity)

    def _ref(self, spec: EntitySpec, row: dict[str, Any]) -> Any:
        if spec.name == SCHEDULES:
            return self._schedule_ref(str(row.get("date")), str(row.get("movie_id")))
        return self.client.collection(self.collection_of(spec.name)).document(
            doc_id(*(row.get(k) for k in spec.key)))

    def _queries(self, entity: str, where: dict[str, Any]) -> list[Any]:
        """The collections holding an entity's documents (one per date for schedules)."""
        if entity != SCHEDULES:
            return [self.client.collection(self.collection_of(entity))]
        if where.get("date") is not None:
            dates = [str(where["date"])]
        else:  # the date documents, written beside their movies (the emulator cannot list missing ones)
            dates = [snap.id for snap in self._stream(self.client.collection("schedules"), "list of schedules")]
        return [self.client.collection("schedules").document(doc_id(d)).collection("movies") for d in dates]

    def upsert(self, entity: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        spec = self._spec(entity)
        with self._lock:
            now = _now_iso()
            if spec.merge:
                self._merge_upsert(spec, merge.premerge(spec, rows), now)
            else:
                try:
                    writes = [(self._ref(spec, row), _encode_row(row, spec) | {"updated_at": now}) for row in rows]
                except (ValueError, TypeError) as exc:
                    raise RejectedDataError(f"firestore upsert into {entity}: {exc}") from None
                if entity == "crawl_runs":  # beside ours, the fields the original's admin dashboard reads
                    writes = [(ref, doc | admin_run_fields(row)) for (ref, doc), row in zip(writes, rows, strict=True)]
                if entity == SCHEDULES:  # schedules/{date} itself, so fetch() can find the dates
                    writes += [(self.client.collection("schedules").document(doc_id(d)), {"date": d})
                               for d in sorted({str(row["date"]) for row in rows})]
                self._commit(writes, f"upsert into {entity}")
        return len(rows)

    def _merge_upsert(self, spec: EntitySpec, rows: list[dict[str, Any]], now: str) -> None:
        """Read, merge by the item's rules, write: one transaction per 500 documents, so a
        concurrent writer's part is never lost (Firestore retries the transaction on contention).
        Fields a row does not carry (``created_at``, anything added by hand) are kept."""
        from google.api_core.exceptions import GoogleAPICallError, RetryError
        from google.cloud.firestore_v1 import transactional

        @transactional
        def write(transaction: Any, chunk: list[tuple[Any, dict[str, Any]]]) -> None:
            refs = [ref for ref, _ in chunk]
            current = {snap.reference.path: snap.to_dict() or {}
                       for snap in transaction.get_all(refs, retry=self._retry, timeout=self.timeout) if snap.exists}
            for ref, row in chunk:
                doc = current.get(ref.path)
                stored = _decode_row(doc, spec) if doc is not None else None
                merged = _encode_row(merge.merge_row(spec, stored, row), spec)
                transaction.set(ref, (doc or {}) | merged | {
                    "updated_at": now, "created_at": (doc or {}).get("created_at") or now})

        what = f"upsert into {spec.name}"
        try:
            pairs = [(self._ref(spec, row), row) for row in rows]
            for row in rows:
                _encode_row(row, spec)  # a row that cannot be stored is refused as data, before any write
        except (ValueError, TypeError) as exc:
            raise RejectedDataError(f"firestore {what}: {exc}") from None
        for start in range(0, len(pairs), MAX_BATCH):
            chunk = pairs[start:start + MAX_BATCH]
            # A plain read first, with this backend's retry and timeout: a server that is down
            # fails here within ``timeout`` (beginning a transaction retries for a minute).
            self._call(what, lambda refs: list(self.client.get_all(refs, retry=self._retry, timeout=self.timeout)),
                       [ref for ref, _ in chunk])
            try:
                write(self.client.transaction(), chunk)
            except (GoogleAPICallError, RetryError, ValueError, TypeError) as exc:
                # ValueError too: a transaction that never began fails its rollback with one
                raise StorageError(f"firestore {what} failed: {exc}") from None

    def fetch(self, entity: str, where: dict[str, Any] | None = None, *,
              newest: tuple[str, int] | None = None) -> list[dict[str, Any]]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        spec = self._spec(entity)
        where = where or {}
        unknown = [c for c in where if c not in spec.columns]
        if unknown:
            raise StorageError(f"{entity} has no column {unknown[0]!r}")
        if any(v is None for v in where.values()):
            return []  # SQL's "column = NULL" matches nothing
        rows = []
        for query in self._queries(entity, where):
            local: dict[str, Any] = {}
            for column, value in where.items():
                kind = spec.columns[column]
                if kind == "json":
                    local[column] = value  # compared after decoding
                else:
                    query = query.where(filter=FieldFilter(field_name(entity, column), "==", _encode(value, kind)))
            rows += [_decode_row(snap.to_dict() or {}, spec) for snap in self._stream(query, f"fetch from {entity}")]
        rows = [row for row in rows if all(row.get(c) == v for c, v in local.items())]
        if newest is not None:  # sorted here: an order_by on another field needs a composite index
            column, limit = newest
            rows.sort(key=lambda row: (row.get(column) is not None, str(row.get(column) or "")), reverse=True)
            return rows[:limit]
        rows.sort(key=lambda row: tuple(row.get(k) for k in spec.key))
        return rows

    def count(self, entity: str) -> int:
        self._spec(entity)
        total = 0
        for collection in self._queries(entity, {}):
            query = collection.count()
            result = self._call(f"count of {entity}", lambda q=query: q.get(retry=self._retry, timeout=self.timeout))
            total += int(result[0][0].value)
        return total

    def _spec(self, entity: str) -> EntitySpec:
        try:
            return self._specs[entity]
        except KeyError:
            raise RejectedDataError(f"unknown entity {entity!r}; open() it first") from None

    # ------------------------------------------------------------------ aggregates
    def _schedule_ref(self, date: str, movie_id: str) -> Any:
        return (self.client.collection("schedules").document(doc_id(date))
                .collection("movies").document(doc_id(movie_id)))

    # ---------------------------------------------------------------------- state
    def _state_ref(self, name: str) -> Any:
        return self.client.collection(STATE_COLLECTIONS.get(name, "cineradar_state")).document(doc_id(name))

    def get_state(self, name: str) -> dict[str, Any] | None:
        snap = self._call("get_state", lambda: self._state_ref(name).get(retry=self._retry, timeout=self.timeout))
        if not snap.exists:
            return None
        value: dict[str, Any] = _decode_json(snap.to_dict())
        if name in STATE_COLLECTIONS and TOKEN_STAMP_AWARE in value:  # ours back under its own name
            value[TOKEN_STAMP] = value.pop(TOKEN_STAMP_AWARE)
        return value

    def put_state(self, name: str, value: dict[str, Any]) -> None:
        value = dict(value)
        stamp = value.get(TOKEN_STAMP)
        if name in STATE_COLLECTIONS and isinstance(stamp, str):
            # the original's stored_at is naive UTC (its check subtracts it from utcnow()); ours beside it
            aware = dt.datetime.fromisoformat(stamp)
            if aware.tzinfo is not None:
                value[TOKEN_STAMP_AWARE] = stamp
                value[TOKEN_STAMP] = aware.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
        # delete + set in one commit: a full overwrite even on the emulator, whose set() keeps old fields
        batch, doc = self.client.batch(), self._state_ref(name)
        batch.delete(doc)
        batch.set(doc, _encode_json(value))
        self._call("put_state", lambda: batch.commit(retry=self._retry, timeout=self.timeout))

    def seen_since(self, source: str, since: dt.datetime) -> set[str]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        # One range filter (no composite index needed); the source is filtered here.
        query = self.client.collection(SEEN).where(filter=FieldFilter("last_seen_at", ">=", since))
        return {data["key"] for data in (snap.to_dict() or {} for snap in self._stream(query, "seen_since"))
                if data.get("source") == source}

    def mark_seen(self, source: str, keys: list[str], when: dt.datetime) -> None:
        collection = self.client.collection(SEEN)
        writes = ((collection.document(doc_id(source, key)), {"source": source, "key": key, "last_seen_at": when})
                  for key in dict.fromkeys(keys))
        self._commit(writes, "mark_seen")


# --------------------------------------------------------------------------- values
def field_name(entity: str, column: str) -> str:
    """The document field holding an item's column (the original's name where it differs)."""
    return FIELD_NAMES.get((entity, column), column)


RUN_TYPES = {"tix_movies": "movies", "tix_seats": "seats"}  # the original's run_type names


def admin_run_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A crawl run as the original's admin dashboard reads ``scraper_runs``: ordered by
    ``timestamp`` (naive UTC ISO, as the original wrote it), with ``run_type``, ``status``,
    ``date`` and the counts of a movies run (movies, cities, theatres_total/success/failed,
    presales) or a seats run (showtimes_scraped/success). Zero where the run has no such count."""
    stats = row.get("stats") or {}
    when = str(row.get("finished_at") or row.get("started_at") or "")
    instant = dt.datetime.fromisoformat(when).astimezone(dt.UTC).replace(tzinfo=None) if when else None
    invalid_theatres = sum(v for k, v in stats.items() if k.startswith("cineradar/invalid/tix_theatres/"))
    theatres = int(stats.get("cineradar/tix/movies/theatres", 0))
    return {
        "timestamp": instant.isoformat() if instant else None,
        "run_type": RUN_TYPES.get(str(row.get("spider")), row.get("spider")),
        "date": (row.get("args") or {}).get("date") or (when[:10] if when else None),
        "movies": int(stats.get("cineradar/tix/movies/movies", 0)),
        "cities": int(stats.get("cineradar/tix/movies/cities_ok", 0)),
        "theatres_total": theatres + invalid_theatres,
        "theatres_success": theatres,
        "theatres_failed": invalid_theatres,
        "presales": int(stats.get("cineradar/tix/movies/presales", 0)),
        "showtimes_scraped": int(stats.get("cineradar/tix/seats/requested", 0)),
        "showtimes_success": int(stats.get("cineradar/tix/seats/snapshots", 0)),
    }


def _encode_row(row: dict[str, Any], spec: EntitySpec) -> dict[str, Any]:
    data = {column: _encode(row.get(column), kind) for column, kind in spec.columns.items()}
    for (entity, column), (encode, _) in SHAPES.items():
        if entity == spec.name and row.get(column) is not None:
            data[column] = encode(row[column])
    return {field_name(spec.name, column): value for column, value in data.items()}


def _encode(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return _encode_json(value)
    if kind == "bool":
        return bool(value)
    if kind == "int":
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"{value!r} is not an integer")
        return int(value)
    if kind == "float":
        return float(value)
    if kind in ("date", "datetime"):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value if isinstance(value, str) else str(value)


def _encode_json(value: Any, in_array: bool = False) -> Any:
    if isinstance(value, dict):
        return {str(k): _encode_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_encode_json(v, in_array=True) for v in value]
        return {ARRAY: items} if in_array else items
    return value


def _decode_json(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and ARRAY in value and isinstance(value[ARRAY], list):
            return [_decode_json(v) for v in value[ARRAY]]
        return {k: _decode_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_json(v) for v in value]
    return value


def _decode_row(data: dict[str, Any], spec: EntitySpec) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for column, kind in spec.columns.items():
        value = data.get(field_name(spec.name, column))
        shape = SHAPES.get((spec.name, column))
        if value is not None and shape is not None:
            value = shape[1](value)
        elif value is not None and kind == "json":
            if spec.merge.get(column) == "union" and isinstance(value, dict):
                value = sorted(k for k, v in value.items() if v)  # {category: true}, as written before
            else:
                value = _decode_json(value)
        row[column] = value
    return row


# --------------------------------------------------------- fields in the original's shape
def _day_to_instant(value: Any) -> str:
    """A theatre's last_seen day as the instant it began in WIB, naive UTC ISO like the
    original's timestamps ("2026-01-15" -> "2026-01-14T17:00:00")."""
    start = dt.datetime.combine(dt.date.fromisoformat(str(value)), dt.time(), WIB)
    return start.astimezone(dt.UTC).replace(tzinfo=None).isoformat()


def _instant_to_day(value: Any) -> str:
    text = str(value)
    if "T" not in text:  # a date, as written before
        return text
    stamp = dt.datetime.fromisoformat(text)
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    return stamp.astimezone(WIB).date().isoformat()


def _layout_to_maps(value: Any) -> list[dict[str, Any]]:
    """Firestore holds no array directly in an array: each [row, seats] pair becomes
    {"row", "seats"}; a reader gets the original's shape back with
    ``layout.map(r => [r.row, r.seats])``."""
    return [{"row": name, "seats": list(codes)} for name, codes in value]


def _maps_to_layout(value: Any) -> list[list[Any]]:
    if value and isinstance(value[0], dict) and ARRAY in value[0]:  # the generic wrapper, as written before
        layout: list[list[Any]] = _decode_json(value)
        return layout
    return [[entry["row"], list(entry["seats"])] for entry in value]


# (entity, column) -> (encode, decode) of the fields whose document shape differs from the row's
SHAPES = {
    ("tix_theatres", "last_seen"): (_day_to_instant, _instant_to_day),
    ("tix_seat_snapshots", "layout"): (_layout_to_maps, _maps_to_layout),
}
# (entity, column) -> document field, where the item's name for a concept (one name across
# entities, docs/data.md) is not the field the original's clients read (docs/firestore.md).
# Documents written before a rename already use these names: nothing to migrate.
FIELD_NAMES = {
    ("tix_seat_snapshots", "time"): "showtime",
    ("tix_seat_failures", "time"): "showtime",  # beside the snapshots, in the same shape
    ("tix_schedules", "poster_url"): "poster",
}
TOKEN_STAMP = "stored_at"  # the original's token check compares it with a naive utcnow()
TOKEN_STAMP_AWARE = "stored_at_utc"  # ours, zone-aware, kept beside it


def _now_iso(naive: bool = False) -> str:
    now = dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=None).isoformat() if naive else now.isoformat().replace("+00:00", "Z")

