"""A local JSONL spool for rows a backend could not take. No Scrapy imports.

One file per backend (``<dir>/<backend>.jsonl``), one ``{"entity", "row"}`` object per
line, appended with flush + fsync so a crash after spooling loses nothing. Replaying
upserts the rows (idempotent by natural key) and removes the file only when every row
was written. A line that is not a valid record (e.g. torn by a crash while appending)
is never dropped: replay moves it to ``<backend>.jsonl.corrupt`` and says so.
"""

from __future__ import annotations

import json
import logging
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from cineradar.storage.base import Storage

logger = logging.getLogger(__name__)


class Spool:
    def __init__(self, directory: str | Path, backend: str) -> None:
        self.path = Path(directory) / f"{backend}.jsonl"

    def append(self, entity: str, rows: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        torn = False
        if self.path.exists() and self.path.stat().st_size:
            with self.path.open("rb") as fh:
                fh.seek(-1, os.SEEK_END)
                torn = fh.read(1) != b"\n"  # a crash cut the last line: start on a fresh one
        with self.path.open("a", encoding="utf-8") as fh:
            if torn:
                fh.write("\n")
            for row in rows:
                fh.write(json.dumps({"entity": entity, "row": row}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    @property
    def corrupt_path(self) -> Path:
        return self.path.with_name(self.path.name + ".corrupt")

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        return self._read()[0]

    def _read(self) -> tuple[dict[str, list[dict[str, Any]]], list[str]]:
        batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
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
                    except (ValueError, KeyError, TypeError):
                        corrupt.append(line if line.endswith("\n") else line + "\n")
                        continue
                    batches[entity].append(row)
        return dict(batches), corrupt

    def count(self) -> int:
        return sum(len(rows) for rows in self.pending().values())

    def replay(self, backend: Storage, batch_size: int = 500) -> int:
        """Write every spooled row to ``backend``; raise (keeping the file) on failure."""
        pending, corrupt = self._read()
        written = 0
        for entity, rows in pending.items():
            for start in range(0, len(rows), batch_size):
                written += backend.upsert(entity, rows[start:start + batch_size])
        if corrupt:
            with self.corrupt_path.open("a", encoding="utf-8", errors="surrogateescape") as fh:
                fh.writelines(corrupt)
                fh.flush()
                os.fsync(fh.fileno())
            logger.error("spool %s: %d unreadable lines kept in %s", self.path, len(corrupt), self.corrupt_path)
        if self.path.exists():
            self.path.unlink()
        return written
