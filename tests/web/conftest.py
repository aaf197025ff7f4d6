"""The web tests' shared parts: one demo store filled by real crawls of the replica (built once per
session), `scrapy web` serving it as a subprocess, and real Chromium through Playwright."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from tests.conftest import ROOT
from tests.web import demo_store

PASSWORD = "web-test-password"  # the reviewer's password of these tests (its hash is what the server gets)
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The demo store and the replica it was crawled from (kept running: posters load from it)."""
    workdir = tmp_path_factory.mktemp("web-demo")
    replica = demo_store.start_replica()
    try:
        truth = demo_store.build(workdir, replica)
        yield {"db": workdir / "cineradar.db", "truth": truth, "replica": replica, "dir": workdir}
    finally:
        replica.stop()


@pytest.fixture(scope="session")
def server(demo: dict[str, Any]) -> Iterator[str]:
    """`scrapy web --port 0` on the demo store; its URL (the first line it prints)."""
    env = os.environ | {"PYTHONPATH": str(ROOT), "CINERADAR_WEB_PASSWORD_HASH": generate_password_hash(PASSWORD)}
    # TIX.id's posters (on asset.tix.id) as links; TMDB's from the replica's image host, which ENDPOINTS names
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", "web", "--port", "0", "-s", f"SQLITE_PATH={demo['db']}",
                             "-s", "WEB_REMOTE_IMAGES=False", "-s", f"ENDPOINTS={json.dumps(demo['replica'].urls)}"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:"), (url, proc.stderr.read() if proc.poll() is not None else "")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Per module, not per session: Playwright's sync API marks its event loop running in the worker
    until it stops, and every asyncio test the worker runs after it (another file, with
    `--dist loadfile`) then fails with "Runner.run() cannot be called from a running event loop"."""
    from playwright.sync_api import sync_playwright

    args = CHROMIUM_ARGS + (["--no-sandbox"] if os.geteuid() == 0 else [])
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield chromium
        chromium.close()


@pytest.fixture
def store(demo: dict[str, Any]) -> Iterator[Any]:
    from tests.conftest import open_store

    opened = open_store(demo["db"])
    yield opened
    opened.close()
