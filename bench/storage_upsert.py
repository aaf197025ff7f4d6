"""Storage upsert throughput: TixShowtime rows into PostgreSQL, SQLite and the Firestore emulator.

    .venv/bin/python bench/storage_upsert.py [--rows 100000] [--batch 500] [--firestore-docs 5000]

Upserts ``--rows`` TixShowtime rows (``row()`` dicts, as the store pipeline passes them)
in ``--batch``-row batches through the storage adapters themselves: into a throwaway
PostgreSQL 15 cluster (durable settings: fsync on) with the COPY-staging upsert the
adapter uses and, for comparison, the pipelined executemany one; into SQLite (WAL,
synchronous=NORMAL); and ``--firestore-docs`` documents into the Firestore emulator in
500-write WriteBatch commits. Each is run twice: the first pass inserts, the second
updates every row (the ON CONFLICT path). Every server is started here on 127.0.0.1
and stopped before the script exits. Prints each figure beside its limit.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cineradar.backends import SPECS  # noqa: E402
from cineradar.storage.base import Storage  # noqa: E402
from cineradar.storage.firestore import MAX_BATCH, FirestoreStorage  # noqa: E402
from cineradar.storage.postgres import PostgresStorage  # noqa: E402
from cineradar.storage.sqlite import SQLiteStorage  # noqa: E402
from tests.storage.storage_samples import showtime_rows  # noqa: E402
from tools.local_servers import FirestoreEmulator, PostgresServer  # noqa: E402

TARGET_ROWS_PER_S = 20_000  # the project's target for PostgreSQL and SQLite on this machine (2 cores)


def timed_upserts(store: Storage, rows: list[dict[str, Any]], batch: int) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), batch):
        store.upsert("tix_showtimes", rows[start:start + batch])
    return time.perf_counter() - started


def measure(label: str, make: Callable[[], Storage], rows: list[dict[str, Any]], batch: int,
            limit: str, target: float | None) -> list[float]:
    store = make()
    store.open(SPECS)
    rates = []
    try:
        for pass_name in ("insert", "update"):
            cpu = time.process_time()
            seconds = timed_upserts(store, rows, batch)
            cpu = time.process_time() - cpu
            rate = len(rows) / seconds
            rates.append(rate)
            verdict = "" if target is None else ("  OK" if rate >= target else "  BELOW TARGET")
            print(f"{label:<44} {pass_name:<6} {len(rows):>7,} rows {seconds:7.2f} s {rate:>9,.0f} rows/s "
                  f"(client CPU {cpu:5.2f} s)   limit: {limit}{verdict}", flush=True)
        assert store.count("tix_showtimes") == len(rows), "row count after two passes"
    finally:
        store.close()
    return rates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="rows per upsert call (STORAGE_BATCH_SIZE)")
    parser.add_argument("--firestore-docs", type=int, default=5_000,
                        help="documents for the emulator (its insert rate falls as a collection grows)")
    args = parser.parse_args(argv)

    rows = showtime_rows(args.rows)
    print(f"# {args.rows:,} TixShowtime rows, {args.batch}-row batches; {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
    target_text = f">= {TARGET_ROWS_PER_S:,} rows/s (target)"
    below = False
    with PostgresServer(durable=True) as pg:
        for method in ("copy", "executemany"):
            rates = measure(f"PostgreSQL 15, {method}" + (" (adapter default)" if method == "copy" else ""),
                            lambda m=method: PostgresStorage(pg.dsn, method=m), rows, args.batch,
                            target_text if method == "copy" else "comparison only",
                            TARGET_ROWS_PER_S if method == "copy" else None)
            below |= method == "copy" and min(rates) < TARGET_ROWS_PER_S
    with tempfile.TemporaryDirectory(prefix="cineradar-bench-sqlite-") as folder:
        rates = measure("SQLite (WAL, synchronous=NORMAL)", lambda: SQLiteStorage(Path(folder) / "bench.db"), rows,
                        args.batch, target_text, TARGET_ROWS_PER_S)
        below |= min(rates) < TARGET_ROWS_PER_S
    with FirestoreEmulator() as emulator:
        docs = rows[: args.firestore_docs]
        measure(f"Firestore emulator, {MAX_BATCH}-write WriteBatch",
                lambda: FirestoreStorage("cineradar-bench", emulator_host=emulator.host, timeout=60), docs,
                MAX_BATCH, f"{MAX_BATCH} writes per commit (Firestore); no throughput target", None)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end", flush=True)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
