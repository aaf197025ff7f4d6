"""`scrapy backup`: a whole, consistent, private copy of the SQLite store while another process
keeps writing to it (SQLite's online backup API); a missing store is refused (issue 17 point 9)."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, open_store

WRITER = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE IF NOT EXISTS burst (batch INTEGER, n INTEGER)")
db.commit()
print("ready", flush=True)
batch = 0
while True:  # until the test kills it: 500 rows per transaction, never half a batch committed
    batch += 1
    db.executemany("INSERT INTO burst VALUES (?, ?)", [(batch, n) for n in range(500)])
    db.commit()
"""


def backup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "backup", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env=os.environ | {"PYTHONPATH": str(ROOT)})


@pytest.mark.e2e
def test_a_backup_under_writes_is_whole_consistent_and_private(tmp_path):
    db = tmp_path / "cineradar.db"
    open_store(db).close()  # the store's own tables, as crawls leave them
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        dest = tmp_path / "backups"
        dest.mkdir()
        done = backup(str(dest), "--store", str(db))
        assert writer.poll() is None  # still writing all along
    finally:
        writer.kill()
        writer.wait()
    assert done.returncode == 0, done.stderr
    (copy,) = dest.iterdir()
    assert done.stdout.strip() == str(copy) and copy.name.startswith("cineradar-")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # the store holds the TIX.id tokens
    with sqlite3.connect(copy) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        sizes = con.execute("SELECT batch, count(*) FROM burst GROUP BY batch").fetchall()
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert sizes and all(n == 500 for _, n in sizes)  # one moment's state: no half transaction
    assert {"crawl_runs", "tmdb_matches", "cineradar_migrations"} <= tables


@pytest.mark.e2e
def test_a_missing_store_is_refused_and_nothing_is_written(tmp_path):
    done = backup(str(tmp_path / "out.db"), "--store", str(tmp_path / "nope.db"))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.strip() == f"backup: no SQLite store at {tmp_path / 'nope.db'}: nothing copied"
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == []
