"""A local JSONL spool for rows a backend could not take. No Scrapy imports.

One file per backend (``<dir>/<backend>.jsonl``), one ``{"entity", "row"}`` object per
line, appended with flush + fsync so a crash after spooling loses nothing. Replaying
upserts the rows (idempotent by natural key) and removes the file only when every row
was written.

Several processes share a spool folder (Scrapyd jobs, batch jobs, ``storage-replay``):
an exclusive ``flock`` on ``<backend>.lock`` is held for each append and for a whole
replay (read, upsert, remove), so a row appended by another process is never removed
unwritten. The lock is per backend so one backend's long replay never holds up another.

A line that is not a valid record (e.g. torn by a crash while appending) is never
dropped: replay moves it to ``<backend>.jsonl.corrupt`` and says so. Rows the backend
refuses as data (``RejectedDataError``: unknown entity, a value it cannot store) are
found by bisecting the batch and set aside in ``<backend>.rejected.jsonl`` with the
error, so one poison row never blocks the rows behind it.

A spooled row may carry its freshness key (``"seen": [source, key, when]``, only in the
primary backend's spool, which holds the freshness state): replay records it as seen
(``storage.freshness.record_seen``) once the row is written, so the state catches up with what is stored.

Files are created mode 0600 and the folder 0700: spooled rows may hold the TIX.id
refresh token.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cineradar.storage.base import RejectedDataError, Storage, StorageError
from cineradar.storage.freshness import Seen, record_seen

logger = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700


def upsert_bisecting(backend: Storage, entity: str, rows: list[dict[str, Any]]) -> tuple[int, list[tuple[int, str]]]:
    """Upsert ``rows``; a batch refused as data is split until each refused row is alone.

    Returns (rows written, [(index in ``rows``, error)] of the refused rows). Any other
    error (an outage, a permanent error) is raised: the caller retries, spools or stops;
    every row is idempotent, so the halves already written may be written again.
    """
    written = 0
    rejected: list[tuple[int, str]] = []

    def attempt(start: int, end: int) -> None:
        nonlocal written
        try:
            written += backend.upsert(entity, rows[start:end])
        except OSError as exc:  # a driver's own I/O error: an outage, never the spool's
            raise StorageError(f"{backend.name} upsert into {entity} failed: {exc}") from exc
        except RejectedDataError as exc:
            if end - start == 1:
                rejected.append((start, str(exc)))
                return
            middle = (start + end) // 2
            attempt(start, middle)
            attempt(middle, end)

    if rows:
        attempt(0, len(rows))
    return written, rejected


def _open_private(path: Path, flags: int) -> int:
    """os.open with mode 0600 for a file this creates (the mode of an existing file is kept)."""
    return os.open(path, flags | os.O_CLOEXEC, FILE_MODE)


class Spool:
    def __init__(self, directory: str | Path, backend: str) -> None:
        self.directory = Path(directory)
        self.backend = backend
        self.path = self.directory / f"{backend}.jsonl"
        self.last_rejected = 0  # rows the last replay set aside as refused

    @property
    def corrupt_path(self) -> Path:
        return self.path.with_name(self.path.name + ".corrupt")

    @property
    def rejected_path(self) -> Path:
        return self.directory / f"{self.backend}.rejected.jsonl"

    @property
    def lock_path(self) -> Path:
        return self.directory / f"{self.backend}.lock"

    def exists(self) -> bool:
        return self.path.exists()

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold this backend's spool lock (blocking; call it off the reactor)."""
        self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
        fd = _open_private(self.lock_path, os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    # ------------------------------------------------------------------ writing
    def append(self, entity: str, rows: list[dict[str, Any]], seen: list[Seen | None] | None = None) -> None:
        """Append rows durably (fsync); on any OSError nothing of this call stays in the file.

        ``seen`` (parallel to ``rows``): (source, key, when) to record once the row is written.
        """
        records = []
        for i, row in enumerate(rows):
            record: dict[str, Any] = {"entity": entity, "row": row}
            mark = seen[i] if seen else None
            if mark:
                record["seen"] = [mark[0], mark[1], mark[2].isoformat()]
            records.append(json.dumps(record, ensure_ascii=False) + "\n")
        lines = "".join(records)
        with self.locked():
            self._append_lines(self.path, lines)

    def _append_lines(self, path: Path, lines: str, *, errors: str = "strict") -> None:
        fd = _open_private(path, os.O_RDWR | os.O_CREAT | os.O_APPEND)
        try:
            size = os.fstat(fd).st_size
            if size:
                os.lseek(fd, -1, os.SEEK_END)
                if os.read(fd, 1) != b"\n":  # a crash cut the last line: start on a fresh one
                    lines = "\n" + lines
            data = lines.encode("utf-8", errors)
            try:
                view = memoryview(data)
                while view:  # os.write may write less than asked
                    view = view[os.write(fd, view):]
                os.fsync(fd)
            except OSError:
                with contextlib.suppress(OSError):  # leave no half-written rows behind
                    os.ftruncate(fd, size)
                raise
        finally:
            os.close(fd)

    def reject(self, entity: str, refused: list[tuple[dict[str, Any], str]]) -> None:
        """Set refused rows aside with their error (caller holds no lock)."""
        with self.locked():
            self._reject_locked(entity, refused)

    def _reject_locked(self, entity: str, refused: list[tuple[dict[str, Any], str]]) -> None:
        if refused:
            lines = "".join(json.dumps({"entity": entity, "row": row, "error": error}, ensure_ascii=False,
                                       default=str) + "\n" for row, error in refused)
            self._append_lines(self.rejected_path, lines)

    # ------------------------------------------------------------------ reading
    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return {entity: [row for row, _ in rows] for entity, rows in self._read()[0].items()}

    def _read(self) -> tuple[dict[str, list[tuple[dict[str, Any], Seen | None]]], list[str]]:
        batches: dict[str, list[tuple[dict[str, Any], Seen | None]]] = defaultdict(list)
        corrupt: list[str] = []
        if self.path.exists():
            with self.path.open(encoding="utf-8", errors="surrogateescape") as fh:
                for line in fh:
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                        entity, row = record["entity"], record["row"]
                        if not isinstance(entity, str) or not isinstance(row, dict):
                            raise TypeError("not an {entity, row} record")
                        mark = record.get("seen")
                        seen = (str(mark[0]), str(mark[1]), dt.datetime.fromisoformat(mark[2])) if mark else None
                    except (ValueError, KeyError, TypeError, IndexError):
                        corrupt.append(line if line.endswith("\n") else line + "\n")
                        continue
                    batches[entity].append((row, seen))
        return dict(batches), corrupt

    def count(self) -> int:
        return sum(len(rows) for rows in self.pending().values())

    def rejected_count(self) -> int:
        if not self.rejected_path.exists():
            return 0
        with self.rejected_path.open("rb") as fh:
            return sum(1 for line in fh if line.strip())

    # ------------------------------------------------------------------ replay
    def replay(self, backend: Storage, batch_size: int = 500) -> int:
        """Write every spooled row to ``backend``; raise (keeping the file) on failure.

        Returns the rows written; ``self.last_rejected`` holds how many were refused as
        data and set aside in ``rejected_path`` (they no longer block the spool).
        """
        self.last_rejected = 0
        with self.locked():
            pending, corrupt = self._read()
            written = 0
            refused: dict[str, list[tuple[dict[str, Any], str]]] = {}
            for entity, records in pending.items():
                for start in range(0, len(records), batch_size):
                    batch = records[start:start + batch_size]
                    done, bad = upsert_bisecting(backend, entity, [row for row, _ in batch])
                    written += done
                    if bad:
                        refused.setdefault(entity, []).extend((batch[i][0], error) for i, error in bad)
                    refused_at = {i for i, _ in bad}
                    record_seen(backend, [seen for i, (_, seen) in enumerate(batch) if seen and i not in refused_at])
            # Only after every good row is written: a failed replay sets nothing aside twice.
            for entity, bad_rows in refused.items():
                self._reject_locked(entity, bad_rows)
                self.last_rejected += len(bad_rows)
                logger.error("spool %s: %d %s rows refused by %s, kept in %s (first: %s)", self.path,
                             len(bad_rows), entity, self.backend, self.rejected_path, bad_rows[0][1])
            if corrupt:
                self._append_lines(self.corrupt_path, "".join(corrupt), errors="surrogateescape")
                logger.error("spool %s: %d unreadable lines kept in %s", self.path, len(corrupt), self.corrupt_path)
            if self.path.exists():
                self.path.unlink()
        return written
