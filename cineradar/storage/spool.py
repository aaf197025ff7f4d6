"""A local JSONL spool for rows a backend could not take. No Scrapy imports.

One file per backend (``<dir>/<backend>.jsonl``), one ``{"entity", "row"}`` object per
line, appended with flush + fsync so a crash after spooling loses nothing. Replaying
upserts the rows (idempotent by natural key) and removes the file only when every row
was written.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from cineradar.storage.base import Storage


class Spool:
    def __init__(self, directory: str | Path, backend: str) -> None:
        self.path = Path(directory) / f"{backend}.jsonl"

    def append(self, entity: str, rows: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps({"entity": entity, "row": row}, ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def pending(self) -> dict[str, list[dict[str, Any]]]:
        batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        if self.path.exists():
            with self.path.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        record = json.loads(line)
                        batches[record["entity"]].append(record["row"])
        return dict(batches)

    def count(self) -> int:
        return sum(len(rows) for rows in self.pending().values())

    def replay(self, backend: Storage, batch_size: int = 500) -> int:
        """Write every spooled row to ``backend``; raise (keeping the file) on failure."""
        written = 0
        for entity, rows in self.pending().items():
            for start in range(0, len(rows), batch_size):
                written += backend.upsert(entity, rows[start:start + batch_size])
        if self.path.exists():
            self.path.unlink()
        return written
