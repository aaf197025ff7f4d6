"""The house holds a new source: a toy source kept in its own folder (tests/fixtures/toy_source/:
declaration, items, parser, spider, fixtures, replica site) crawls end to end into a temporary
store, found through the environment alone (PYTHONPATH + CINERADAR_SOURCE_MODULES), touching no
file of the project (docs/adding-a-source.md).

Everything runs in subprocesses (the replica with ``--site``, ``scrapy crawl toy``), so the toy's
declaration never enters this test process's registries.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e

TOY = ROOT / "tests" / "fixtures" / "toy_source"


def project_state() -> str:
    """The tracked files' content and every untracked file not ignored: a digest that changes if a
    shared file (settings.py, endpoints.py, items, replica/server.py...) is edited or one is added."""
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    diff = subprocess.run(["git", "diff", "HEAD"], cwd=ROOT, capture_output=True, check=True).stdout
    return hashlib.sha256(status.encode() + diff).hexdigest()


def toy_env() -> dict[str, str]:
    return os.environ | {"PYTHONPATH": f"{ROOT}{os.pathsep}{TOY}", "CINERADAR_SOURCE_MODULES": "toy_source",
                         "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the replica on 127.0.0.1
        return json.loads(answer.read())


@pytest.fixture
def toy_replica(tmp_path: Path):
    """The project's replica with the toy's site registered through its hook (``--site``)."""
    proc = subprocess.Popen([sys.executable, "-m", "replica", "--preset", "tiny", "--date", "2026-11-21",
                             "--site", "toy_source.replica:site"], cwd=ROOT, env=toy_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line:
            raise AssertionError(f"replica did not start: {proc.stderr.read() if proc.stderr else ''}")
        yield json.loads(line)
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_toy_source_in_its_own_folder_crawls_end_to_end(toy_replica: dict[str, Any], tmp_path: Path):
    before = project_state()
    assert "toy" in toy_replica, "the replica's hook did not bind the toy's site"
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps(toy_replica))
    store, stats = tmp_path / "store.db", tmp_path / "stats.json"
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "toy", "-s", f"ENDPOINTS={endpoints}", "-s", f"SQLITE_PATH={store}",
         "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}", "-s", f"STATS_DUMP_PATH={stats}",
         "-s", "REMOTE_CONTROL_ENABLED=False", "-s", f"LOG_FILE={tmp_path / 'toy.log'}"],
        cwd=ROOT, env=toy_env(), capture_output=True, text=True, timeout=300)
    log = (tmp_path / "toy.log").read_text() if (tmp_path / "toy.log").exists() else ""
    assert proc.returncode == 0, f"{proc.stderr[-2000:]}\n{log[-3000:]}"

    # What the replica served (its own truth and counters), stored whole.
    truth = get(toy_replica["toy"] + "/_replica/truth?source=toy")["screenings"]
    with sqlite3.connect(store) as db:
        rows = db.execute("SELECT screening_id, title, starts_at FROM toy_screenings ORDER BY screening_id").fetchall()
        run = db.execute("SELECT spider, status FROM crawl_runs").fetchall()
    assert [(r, t) for r, t, _ in rows] == sorted((s["id"], s["title"]) for s in truth)
    assert {r: when for r, _, when in rows} == {s["id"]: s["starts_at"] for s in truth}
    assert run == [("toy", "success")]
    # 7 screenings, TOY_PAGE_SIZE 3 (the declaration's default): 3 pages, each asked once.
    assert get(toy_replica["toy"] + "/_replica/requests")["toy"] == 3
    assert project_state() == before, "the toy source touched a file of the project"


def test_the_declaration_gives_the_settings_defaults_and_s_still_wins():
    def setting(name: str, *extra: str) -> Any:
        out = subprocess.run([sys.executable, "-m", "scrapy", "settings", "--get", name, *extra], cwd=ROOT,
                             env=toy_env(), capture_output=True, text=True, timeout=120, check=True).stdout
        return out.strip()

    assert ast.literal_eval(setting("SITE_RATE_LIMITS"))["toy"] == 20.0
    assert ast.literal_eval(setting("MONITOR_MIN_ITEMS"))["toy"] == 1
    assert setting("TOY_URL") == "https://toy.invalid"
    assert "toy_source.spiders" in setting("SPIDER_MODULES")
    assert setting("TOY_PAGE_SIZE", "-s", "TOY_PAGE_SIZE=5") == "5"
