"""``scrapy storage-replay`` as a real subprocess against a real PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cineradar.backends import SPECS
from cineradar.storage.postgres import PostgresStorage
from cineradar.storage.spool import Spool
from cineradar.storage.sqlite import SQLiteStorage
from tests.storage.storage_samples import sample_rows

ROOT = Path(__file__).resolve().parents[2]
SECRET = "s3cret-pw"


def replay(tmp_path: Path, dsn: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "storage-replay", "-s", "STORAGE_BACKENDS=postgres",
           "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", f"SQLITE_PATH={tmp_path / 'cineradar.db'}", *args]
    env = os.environ | {"DATABASE_URL": dsn, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_replay_reports_counts_and_exits_1_until_every_row_is_written(own_pg_server, tmp_path):
    rows = sample_rows(5)
    spool = Spool(tmp_path / "spool", "postgres")
    for entity in ("tix_showtimes", "tmdb_movies"):
        spool.append(entity, rows[entity])
    Spool(tmp_path / "spool", "sqlite").append("tix_theatres", rows["tix_theatres"])  # not configured, spooled
    SQLiteStorage(tmp_path / "cineradar.db").open(SPECS)  # the store exists: replay never creates one (issue 17)
    dsn = own_pg_server.dsn.replace("postgres@", f"postgres:{SECRET}@")  # trust auth ignores the password

    own_pg_server.stop()
    down = replay(tmp_path, dsn)
    assert down.returncode == 1, down.stderr
    assert "postgres: 10 spooled, 0 replayed, 10 remain (StorageError: postgres" in down.stdout
    assert "sqlite: 5 spooled, 5 replayed, 0 remain" in down.stdout
    assert SECRET not in down.stdout + down.stderr
    assert spool.count() == 10

    own_pg_server.start()
    up = replay(tmp_path, dsn)
    assert up.returncode == 0, up.stdout + up.stderr
    assert "postgres: 10 spooled, 10 replayed, 0 remain" in up.stdout
    assert not spool.path.exists()
    store = PostgresStorage(dsn)
    store.open(SPECS)
    assert store.fetch("tix_showtimes") == rows["tix_showtimes"]
    assert store.count("tmdb_movies") == 5
    store.close()
    sqlite = SQLiteStorage(tmp_path / "cineradar.db")
    sqlite.open(SPECS)
    assert sqlite.fetch("tix_theatres") == rows["tix_theatres"]
    sqlite.close()

    again = replay(tmp_path, dsn)
    assert again.returncode == 0 and "postgres: nothing spooled" in again.stdout


def test_unreadable_spool_lines_are_kept_aside_and_reported(own_pg_server, tmp_path):
    rows = sample_rows(2)["tix_showtimes"]
    spool = Spool(tmp_path / "spool", "postgres")
    spool.append("tix_showtimes", rows[:1])
    with spool.path.open("a", encoding="utf-8") as fh:
        fh.write('{"entity": "tix_showtimes", "row": {"showtime_id": "9')  # torn by a crash
    spool.append("tix_showtimes", rows[1:])  # starts on a fresh line

    result = replay(tmp_path, own_pg_server.dsn)
    assert result.returncode == 1
    assert "postgres: 2 spooled, 2 replayed, 0 remain; unreadable lines kept in" in result.stdout
    assert spool.corrupt_path.read_text() == '{"entity": "tix_showtimes", "row": {"showtime_id": "9\n'
    store = PostgresStorage(own_pg_server.dsn)
    store.open(SPECS)
    assert store.fetch("tix_showtimes") == rows
    store.close()


@pytest.mark.e2e
def test_a_poison_row_is_set_aside_and_never_blocks_the_spool_again(tmp_path):
    rows = sample_rows(3)["tix_showtimes"]
    spool = Spool(tmp_path / "spool", "sqlite")
    spool.append("tix_showtimes", rows[:1])
    spool.append("no_such_entity", [{"id": 1}])  # refused by the backend: a data error, not an outage
    spool.append("tix_showtimes", [rows[1] | {"price": {"not": "text"}}, rows[2]])
    SQLiteStorage(tmp_path / "cineradar.db").open(SPECS)  # the store exists: replay never creates one (issue 17)
    cmd = [sys.executable, "-m", "scrapy", "storage-replay", "-s", "STORAGE_BACKENDS=sqlite",
           "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", f"SQLITE_PATH={tmp_path / 'cineradar.db'}"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    first = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert first.returncode == 3, first.stdout + first.stderr
    assert f"sqlite: 4 spooled, 2 replayed, 0 remain; 2 refused by sqlite, kept in {spool.rejected_path}" in (
        first.stdout)
    refused = [json.loads(line) for line in spool.rejected_path.read_text().splitlines()]
    assert [(r["entity"], bool(r["error"])) for r in refused] == [("tix_showtimes", True), ("no_such_entity", True)]
    sqlite = SQLiteStorage(tmp_path / "cineradar.db")
    sqlite.open(SPECS)
    assert sqlite.fetch("tix_showtimes") == [rows[0], rows[2]]
    sqlite.close()
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0 and "sqlite: nothing spooled" in again.stdout
