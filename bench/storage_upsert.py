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

SQLite is also compared with raw sqlite3 on the same rows and table (``RawSqlite``: the
values encoded inline, one ``INSERT ... ON CONFLICT DO UPDATE`` executemany per batch in a
transaction, the adapter's connection pragmas): ``--rounds`` rounds, adapter and raw batch
by batch in alternating order, fresh files each round; each round's ratios (adapter rows/s over raw rows/s,
insert and update) are printed with the load average, and the gate is the median of the
per-round ratios: at least 0.95 for both. ``--only-sqlite`` runs this comparison alone.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cineradar.backends import SPECS  # noqa: E402
from cineradar.storage.base import Storage  # noqa: E402
from cineradar.storage.firestore import MAX_BATCH, FirestoreStorage  # noqa: E402
from cineradar.storage.postgres import PostgresStorage  # noqa: E402
from cineradar.storage.sqlite import SQLiteStorage  # noqa: E402
from tests.storage.storage_samples import showtime_rows  # noqa: E402
from tools.local_servers import FirestoreEmulator, PostgresServer  # noqa: E402

MIN_RAW_RATIO = 0.95  # the SQLite adapter against raw sqlite3, insert and update (median of the rounds)
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


class RawSqlite:
    """Plain sqlite3 into the adapter's own table (same columns, key, pragmas): the reference."""

    def __init__(self, path: Path) -> None:
        spec = next(s for s in SPECS if s.name == "tix_showtimes")
        store = SQLiteStorage(path)
        store.open(SPECS)  # the same table, columns and primary key
        store.close()
        self.conn = sqlite3.connect(str(path), isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.columns = list(spec.columns)
        self.kinds = [spec.columns[c] for c in self.columns]
        names = ", ".join(f'"{c}"' for c in self.columns)
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in self.columns if c not in spec.key)
        self.sql = (f'INSERT INTO tix_showtimes ({names}, updated_at) VALUES ({", ".join("?" * len(self.columns))}, ?)'
                    f' ON CONFLICT ({", ".join(spec.key)}) DO UPDATE SET {sets}, updated_at = excluded.updated_at')

        # Written as someone would by hand: only the JSON and boolean columns touched.
        self.json = [i for i, k in enumerate(self.kinds) if k == "json"]
        self.bool = [i for i, k in enumerate(self.kinds) if k == "bool"]

    def upsert(self, rows: list[dict[str, Any]]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime())
        values = []
        for row in rows:
            value = [row.get(c) for c in self.columns]
            for i in self.json:
                if value[i] is not None:
                    # the adapter's JSON text (orjson, compact, sorted keys): the same bytes to write
                    value[i] = orjson.dumps(value[i], option=orjson.OPT_SORT_KEYS).decode()
            for i in self.bool:
                if value[i] is not None:
                    value[i] = int(value[i])
            value.append(now)
            values.append(value)
        self.conn.execute("BEGIN")
        self.conn.executemany(self.sql, values)
        self.conn.execute("COMMIT")


def compare_raw_sqlite(rows: list[dict[str, Any]], batch: int, rounds: int) -> bool:
    """The adapter against raw sqlite3; PASS when both median ratios reach MIN_RAW_RATIO.

    Within a round the two write the same batches into two files of one folder, batch by
    batch, in alternating order (A B, B A, ...): a load change on this shared machine hits
    both alike. Timed in CPU seconds of this thread (user + system: SQLite runs in it, its
    file writes included), which other processes' load disturbs far less than wall time.
    A round's ratio is raw's seconds over the adapter's (= adapter rows per CPU second over raw's).
    """
    ratios: list[tuple[float, float]] = []
    for number in range(rounds):
        with tempfile.TemporaryDirectory(prefix="cineradar-bench-sqlite-raw-") as folder:
            adapter = SQLiteStorage(Path(folder) / "adapter.db")
            adapter.open(SPECS)
            raw = RawSqlite(Path(folder) / "raw.db")
            seconds = {("adapter", "insert"): 0.0, ("raw", "insert"): 0.0, ("adapter", "update"): 0.0,
                       ("raw", "update"): 0.0}
            for pass_name in ("insert", "update"):
                for index, start in enumerate(range(0, len(rows), batch)):
                    chunk = rows[start:start + batch]
                    for which in (("adapter", "raw") if (index + number) % 2 == 0 else ("raw", "adapter")):
                        began = time.thread_time()
                        if which == "adapter":
                            adapter.upsert("tix_showtimes", chunk)
                        else:
                            raw.upsert(chunk)
                        seconds[(which, pass_name)] += time.thread_time() - began
            assert adapter.count("tix_showtimes") == len(rows), "row count after two passes"
            adapter.close()
            raw.conn.close()
        ins = seconds[("raw", "insert")] / seconds[("adapter", "insert")]
        upd = seconds[("raw", "update")] / seconds[("adapter", "update")]
        ratios.append((ins, upd))
        print(f"SQLite adapter vs raw sqlite3, round {number + 1}: insert {ins:.3f}"
              f" ({len(rows) / seconds[('adapter', 'insert')]:,.0f} vs {len(rows) / seconds[('raw', 'insert')]:,.0f}"
              f" rows per CPU s), update {upd:.3f} ({len(rows) / seconds[('adapter', 'update')]:,.0f} vs"
              f" {len(rows) / seconds[('raw', 'update')]:,.0f} rows per CPU s), load average {os.getloadavg()[0]:.2f}",
              flush=True)
    insert = statistics.median(r for r, _ in ratios)
    update = statistics.median(r for _, r in ratios)
    ok = insert >= MIN_RAW_RATIO and update >= MIN_RAW_RATIO
    print(f"{'PASS' if ok else 'FAIL'} SQLite adapter / raw sqlite3 (median of {rounds} rounds, batches"
          f" alternating): insert {insert:.3f}, update {update:.3f} (each >= {MIN_RAW_RATIO:g})", flush=True)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=500, help="rows per upsert call (STORAGE_BATCH_SIZE)")
    parser.add_argument("--firestore-docs", type=int, default=5_000,
                        help="documents for the emulator (its insert rate falls as a collection grows)")
    parser.add_argument("--rounds", type=int, default=4, help="adapter/raw sqlite3 rounds, alternating")
    parser.add_argument("--only-sqlite", action="store_true",
                        help="only the SQLite adapter against raw sqlite3 (no PostgreSQL, no Firestore)")
    args = parser.parse_args(argv)

    rows = showtime_rows(args.rows)
    if args.only_sqlite:
        print(f"# {args.rows:,} TixShowtime rows, {args.batch}-row batches; {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.2f} at start", flush=True)
        return 0 if compare_raw_sqlite(rows, args.batch, args.rounds) else 1
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
    below |= not compare_raw_sqlite(rows, args.batch, args.rounds)
    with FirestoreEmulator() as emulator:
        docs = rows[: args.firestore_docs]
        measure(f"Firestore emulator, {MAX_BATCH}-write WriteBatch",
                lambda: FirestoreStorage("cineradar-bench", emulator_host=emulator.host, timeout=60), docs,
                MAX_BATCH, f"{MAX_BATCH} writes per commit (Firestore); no throughput target", None)
    print(f"# load average {os.getloadavg()[0]:.2f} at the end", flush=True)
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main())
