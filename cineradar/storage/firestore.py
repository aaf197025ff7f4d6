"""Firestore backend through google-cloud-firestore (sync client). No Scrapy imports.

``FirestoreStorage(project)`` talks to Google Cloud, or to a local emulator when
``FIRESTORE_EMULATOR_HOST`` (or ``emulator_host=``) is set. Layout, as the original's
(tix.md 7.1), plus one collection per other entity:

==========================  =================================================================
entity / state              documents
==========================  =================================================================
tix_theatres                ``theatres/{theatre_id}``: ``room_types`` is a map
                            ``{category: true}`` whose categories only accumulate (the
                            original's existing ∪ new), fields the row does not carry
                            (lat/lng/place_id from geocoding) are kept and never overwritten
                            by null, ``created_at`` is set on creation
tix_seat_snapshots          ``seat_snapshots/{snapshot_id}``
tix_daily_summaries         ``daily_summaries/{date}``
crawl_runs                  ``scraper_runs/{run_id}``
state ``tix_jwt``           ``auth_tokens/tix_jwt`` (full overwrite); other state names
                            ``cineradar_state/{name}``
tix_movies, tix_showtimes   rows in ``tix_movies/{date}|{movie_id}`` and
                            ``tix_showtimes/{showtime_id}`` (what fetch() reads), and the
                            original's aggregates ``schedules/{date}/movies/{movie_id}``
                            (movie fields + ``cities`` map: city -> theatre_id -> rooms ->
                            category -> showtimes -> showtime_id), ``snapshots/{date}`` and
                            ``snapshots/latest`` (slim movies, summary, city_stats)
everything else             ``{entity}/{natural key}`` (key parts joined by ``|``)
freshness                   ``cineradar_seen/{source}|{key}`` with ``last_seen_at``
==========================  =================================================================

Document IDs escape ``%`` and ``/`` (and ``|`` inside a composite key) as ``%25``,
``%2F``, ``%7C``. Every write goes through ``WriteBatch`` commits of at most 500
writes (never BulkWriter: the emulator silently drops its writes). Firestore cannot
hold an array directly inside an array, so such an inner array (a seat ``layout``
row) is stored as ``{"$array": [...]}`` and unwrapped on read. Dates and datetimes are
stored as the row's ISO strings, so rows read back equal what SQLite returns.

How the aggregates are kept. Every write is a full ``set()``: the emulator drops
merge-writes (``set(merge=True)``/``update``) to map keys that need quoting in a field
path (``2D``, ``IMAX 2D``, ``900001``: room categories, theatre and showtime IDs), so
nothing relies on field-mask merges (and its ``set()`` keeps fields the new document
lacks, so the token document is deleted and set in one commit). Theatres are read (one ``get_all`` per batch)
and rewritten with the union of room types. The schedule and snapshot documents are
rebuilt in ``close()`` for every date this session wrote movies or showtimes of,
from *all* stored ``tix_movies``/``tix_showtimes`` documents of that date (two
equality queries: the emulator has no collection_group, cursors or array_contains), so
batches and sessions add up and a replayed spool is included; ``snapshots/latest``
moves to the date unless it already holds a later one. Like the original's upload
after the scrape, they are therefore current at the end of a crawl. If the rebuild
fails the rows are stored all the same and ``rebuild_aggregates(dates)`` (run by the
next session writing the date, or by hand) repairs them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from cineradar.storage.base import EntitySpec, PermanentStorageError, RejectedDataError, StorageError

logger = logging.getLogger(__name__)

MAX_BATCH = 500  # Firestore's limit of writes per commit
ARRAY = "$array"  # wrapper of an array held directly inside an array
MAX_ID_BYTES = 1500

COLLECTIONS = {  # entity -> the original's collection (tix.md 7.1)
    "tix_theatres": "theatres",
    "tix_seat_snapshots": "seat_snapshots",
    "tix_daily_summaries": "daily_summaries",
    "crawl_runs": "scraper_runs",
}
STATE_COLLECTIONS = {"tix_jwt": "auth_tokens"}
SEEN = "cineradar_seen"
SCHEDULE_ENTITIES = ("tix_movies", "tix_showtimes")
NEVER_NULLED = ("lat", "lng", "place_id")  # theatre fields a null never overwrites (geocoding)


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
                 database: str | None = None, timeout: float = 20.0) -> None:
        if not project:
            raise PermanentStorageError("firestore backend selected but GOOGLE_CLOUD_PROJECT is not set")
        self.project = project
        self.emulator_host = emulator_host or os.environ.get("FIRESTORE_EMULATOR_HOST") or None
        self.database = database
        self.timeout = timeout
        self._client: Any = None
        self._specs: dict[str, EntitySpec] = {}
        self._dates: set[str] = set()  # schedule dates written this session (snapshots to rebuild)
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
        from google.auth.credentials import AnonymousCredentials
        from google.auth.exceptions import GoogleAuthError
        from google.cloud import firestore

        self._retry = Retry(predicate=if_transient_error, initial=0.2, maximum=2.0, multiplier=2.0,
                            timeout=self.timeout)
        try:
            if self.emulator_host:
                client = firestore.Client(project=self.project, credentials=AnonymousCredentials(),
                                          database=self.database)
                client._emulator_host = self.emulator_host  # what FIRESTORE_EMULATOR_HOST would set
                return client
            return firestore.Client(project=self.project, database=self.database)
        except GoogleAuthError as exc:
            raise PermanentStorageError(f"firestore: no credentials ({exc}); set GOOGLE_APPLICATION_CREDENTIALS "
                               "or FIRESTORE_EMULATOR_HOST") from None

    def close(self) -> None:
        with self._lock:
            if self._client is None:
                return
            try:
                if self._dates:
                    self.rebuild_aggregates(sorted(self._dates))
                    self._dates.clear()
            except StorageError as exc:
                logger.error("firestore: snapshots of %s not rebuilt (%s); the rows are stored, the next "
                             "write of these dates rebuilds them", ", ".join(sorted(self._dates)), exc)
            finally:
                self._client.close()
                self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise StorageError("firestore storage is not open")
        return self._client

    def _call(self, what: str, func: Any, *args: Any) -> Any:
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
        return self.client.collection(self.collection_of(spec.name)).document(
            doc_id(*(row.get(k) for k in spec.key)))

    def upsert(self, entity: str, rows: list[dict[str, Any]]) -> int:
        if not rows:
            return 0
        spec = self._spec(entity)
        with self._lock:
            now = _now_iso()
            try:
                docs = [(self._ref(spec, row), _encode_row(row, spec)) for row in rows]
            except (ValueError, TypeError) as exc:
                raise RejectedDataError(f"firestore upsert into {entity}: {exc}") from None
            if entity == "tix_theatres":
                writes = self._theatre_writes(docs, now)
            else:
                writes = [(ref, data | {"updated_at": now}) for ref, data in docs]
            self._commit(writes, f"upsert into {entity}")
            if entity in SCHEDULE_ENTITIES:
                self._dates.update(str(row["date"]) for row in rows if row.get("date"))
        return len(rows)

    def _theatre_writes(self, docs: list[tuple[Any, dict[str, Any]]], now: str) -> list[tuple[Any, dict[str, Any]]]:
        """Read-modify-write: existing fields kept, room types unioned, nulls never erase lat/lng."""
        refs = {ref.path: ref for ref, _ in docs}
        current = {snap.reference.path: snap.to_dict() or {} for snap in self._call(
            "read of theatres", lambda: list(self.client.get_all(list(refs.values()), retry=self._retry,
                                                                 timeout=self.timeout)))
            if snap.exists}
        for ref, data in docs:
            doc = dict(current.get(ref.path, {}))
            rooms = doc.get("room_types")
            rooms = dict.fromkeys(rooms, True) if isinstance(rooms, list) else dict(rooms or {})
            rooms.update(data.get("room_types") or {})
            doc.update({k: v for k, v in data.items() if not (k in NEVER_NULLED and v is None)})
            doc.update(room_types=rooms, updated_at=now, created_at=doc.get("created_at") or now)
            current[ref.path] = doc
        return [(refs[path], current[path]) for path in refs]

    def fetch(self, entity: str, where: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        from google.cloud.firestore_v1.base_query import FieldFilter

        spec = self._spec(entity)
        where = where or {}
        unknown = [c for c in where if c not in spec.columns]
        if unknown:
            raise StorageError(f"{entity} has no column {unknown[0]!r}")
        if any(v is None for v in where.values()):
            return []  # SQL's "column = NULL" matches nothing
        query = self.client.collection(self.collection_of(entity))
        local: dict[str, Any] = {}
        for column, value in where.items():
            kind = spec.columns[column]
            if kind == "json":
                local[column] = value  # compared after decoding
            else:
                query = query.where(filter=FieldFilter(column, "==", _encode(value, kind)))
        rows = [_decode_row(snap.to_dict() or {}, spec) for snap in self._stream(query, f"fetch from {entity}")]
        rows = [row for row in rows if all(row.get(c) == v for c, v in local.items())]
        rows.sort(key=lambda row: tuple(row.get(k) for k in spec.key))
        return rows

    def count(self, entity: str) -> int:
        self._spec(entity)
        query = self.client.collection(self.collection_of(entity)).count()
        result = self._call(f"count of {entity}", lambda: query.get(retry=self._retry, timeout=self.timeout))
        return int(result[0][0].value)

    def _spec(self, entity: str) -> EntitySpec:
        try:
            return self._specs[entity]
        except KeyError:
            raise RejectedDataError(f"unknown entity {entity!r}; open() it first") from None

    # ------------------------------------------------------------------ aggregates
    def rebuild_aggregates(self, dates: Iterable[str]) -> int:
        """Rewrite ``schedules/{date}/movies/*``, ``snapshots/{date}`` and maybe ``latest``
        from every stored movie and showtime of each date; return the documents written."""
        if not all(entity in self._specs for entity in SCHEDULE_ENTITIES):
            return 0
        latest_ref = self.client.collection("snapshots").document("latest")
        latest = self._call("read of snapshots/latest",
                            lambda: latest_ref.get(retry=self._retry, timeout=self.timeout))
        latest_date = (latest.to_dict() or {}).get("date") if latest.exists else None
        written = 0
        for date in sorted(set(dates)):
            movies = self.fetch("tix_movies", {"date": date})
            showtimes = self.fetch("tix_showtimes", {"date": date})
            now = _now_iso()
            writes = [(self._schedule_ref(date, movie_id), doc)
                      for movie_id, doc in _schedules(date, movies, showtimes, now).items()]
            snapshot = _snapshot(date, movies, showtimes)
            writes.append((self.client.collection("snapshots").document(doc_id(date)), snapshot))
            if latest_date is None or str(latest_date) <= date:
                writes.append((latest_ref, snapshot))
                latest_date = date
            written += self._commit(writes, f"aggregates of {date}")
        return written

    def _schedule_ref(self, date: str, movie_id: str) -> Any:
        return (self.client.collection("schedules").document(doc_id(date))
                .collection("movies").document(doc_id(movie_id)))

    # ---------------------------------------------------------------------- state
    def _state_ref(self, name: str) -> Any:
        return self.client.collection(STATE_COLLECTIONS.get(name, "cineradar_state")).document(doc_id(name))

    def get_state(self, name: str) -> dict[str, Any] | None:
        snap = self._call("get_state", lambda: self._state_ref(name).get(retry=self._retry, timeout=self.timeout))
        return _decode_json(snap.to_dict()) if snap.exists else None

    def put_state(self, name: str, value: dict[str, Any]) -> None:
        # delete + set in one commit: a full overwrite even on the emulator, whose set() keeps old fields
        batch, doc = self.client.batch(), self._state_ref(name)
        batch.delete(doc)
        batch.set(doc, _encode_json(dict(value)))
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


# ----------------------------------------------------------------------- aggregates
def _schedules(date: str, movies: list[dict[str, Any]], showtimes: list[dict[str, Any]],
               now: str) -> dict[str, dict[str, Any]]:
    """movie_id -> the original's schedules document: movie fields + cities map."""
    docs: dict[str, dict[str, Any]] = {}
    for movie in movies:
        docs[movie["movie_id"]] = {
            "movie_id": movie["movie_id"], "title": movie.get("title"), "poster": movie.get("poster_url"),
            "genres": movie.get("genres") or [], "age_category": movie.get("age_category"),
            "merchants": movie.get("merchants") or [], "is_presale": bool(movie.get("is_presale")),
            "date": date, "uploaded_at": now, "cities": {}}
    for row in showtimes:
        doc = docs.setdefault(row["movie_id"], {"movie_id": row["movie_id"], "date": date, "uploaded_at": now,
                                                "cities": {}})
        theatre = doc["cities"].setdefault(row["city"], {}).setdefault(
            row["theatre_id"], {"theatre_id": row["theatre_id"], "merchant": row.get("merchant"), "rooms": {}})
        room = theatre["rooms"].setdefault(row["room_category"], {
            "category": row["room_category"], "price": row.get("price"), "showtimes": {}})
        room["showtimes"][row["showtime_id"]] = {
            "showtime_id": row["showtime_id"], "time": row.get("time"), "starts_at": row.get("starts_at"),
            "status": row.get("status"), "is_available": row.get("is_available")}
    return docs


def _snapshot(date: str, movies: list[dict[str, Any]], showtimes: list[dict[str, Any]]) -> dict[str, Any]:
    """The original's snapshots/{date}: slim movies (most cities first), city_stats, summary."""
    theatres: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in showtimes:
        theatres[row["movie_id"]][row["city"]].add(row["theatre_id"])
    slim = []
    city_stats: dict[str, int] = defaultdict(int)
    for movie in movies:
        for city in movie.get("cities") or []:
            city_stats[city] += 1
        slim.append({"id": movie["movie_id"], "title": movie["title"], "genres": movie.get("genres") or [],
                     "poster": movie.get("poster_url"), "age_category": movie.get("age_category"),
                     "country": movie.get("country"), "merchants": movie.get("merchants") or [],
                     "is_presale": bool(movie.get("is_presale")), "cities": movie.get("cities") or [],
                     "theatre_counts": {c: len(ids) for c, ids in sorted(theatres[movie["movie_id"]].items())}})
    slim.sort(key=lambda m: (-len(m["cities"]), m["id"]))
    return {"date": date, "scraped_at": _now_iso(naive=True), "movies": slim, "city_stats": dict(city_stats),
            "summary": {"total_cities": len(city_stats), "total_movies": len(slim),
                        "presale_count": sum(1 for m in slim if m["is_presale"])}}


# --------------------------------------------------------------------------- values
def _encode_row(row: dict[str, Any], spec: EntitySpec) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for column, kind in spec.columns.items():
        value = _encode(row.get(column), kind)
        if spec.name == "tix_theatres" and column == "room_types" and isinstance(value, list):
            value = {str(category): True for category in value}
        data[column] = value
    for column in NEVER_NULLED:  # kept when a row ever carries them (geocoding)
        if spec.name == "tix_theatres" and column in row and column not in data:
            data[column] = row[column]
    return data


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
        value = data.get(column)
        if value is not None and kind == "json":
            if spec.name == "tix_theatres" and column == "room_types" and isinstance(value, dict):
                value = sorted(k for k, v in value.items() if v)
            else:
                value = _decode_json(value)
        row[column] = value
    return row


def _now_iso(naive: bool = False) -> str:
    now = dt.datetime.now(dt.UTC)
    return now.replace(tzinfo=None).isoformat() if naive else now.isoformat().replace("+00:00", "Z")

