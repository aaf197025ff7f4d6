"""Read commands on a mistyped or missing SQLite path: exit 1, one line, no empty store created
(issue 17: `scrapy stored` created one and exited 0)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e  # real `scrapy` subprocesses


def scrapy(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CINERADAR_")} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=ROOT, env=base | env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("command", [["stored"], ["daily-summary", "--date", "2026-01-15"], ["tmdb-review"],
                                     ["tix-aggregates", "--date", "2026-01-15"], ["tix-token", "--check"]])
def test_a_read_command_refuses_a_store_that_does_not_exist(command, tmp_path):
    path = tmp_path / "typo" / "cineradr.db"
    proc = scrapy(*command, env={"CINERADAR_SQLITE_PATH": str(path)})
    assert proc.returncode == 1, proc.stdout + proc.stderr
    out = (proc.stdout + proc.stderr).strip()
    assert len(out.splitlines()) == 1 and "Traceback" not in out, out
    assert f"no SQLite store at {path}" in out
    assert not path.exists() and not path.parent.exists()


def test_storage_replay_does_not_create_the_store_it_replays_into(tmp_path):
    spool = tmp_path / "spool"
    spool.mkdir()
    (spool / "sqlite.jsonl").write_text('{"entity": "tix_movies", "rows": []}\n')
    path = tmp_path / "typo.db"
    proc = scrapy("storage-replay", env={"CINERADAR_SQLITE_PATH": str(path), "CINERADAR_SPOOL_DIR": str(spool)})
    assert proc.returncode == 1 and f"no SQLite store at {path}" in proc.stdout + proc.stderr
    assert not path.exists()


def test_stored_reads_an_existing_store(tmp_path):
    from tests.tix.helpers import open_store

    open_store(tmp_path / "c.db").close()
    proc = scrapy("stored", env={"CINERADAR_SQLITE_PATH": str(tmp_path / "c.db")})
    assert proc.returncode == 0 and "== sqlite ==" in proc.stdout
