"""Shared test helpers: crawler settings for tests, a temp store, the replica, crawl runner."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Keep tldextract (used by Scrapy's cookie middleware) on its bundled suffix list:
# tests never reach beyond 127.0.0.1.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

# Crawler objects need an installed reactor in Scrapy 2.19 (unit tests never run it).
install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")

ROOT = Path(__file__).resolve().parent.parent

TEST_SETTINGS = {
    "REMOTE_CONTROL_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
}


# ---------------------------------------------------------------- test tiers
# Two tiers: unit (pure code, the default: `bash scripts/test --fast`) and e2e (anything that
# starts a process, a server, a browser or a crawl). A test is e2e when it carries the marker
# or uses one of these fixtures (the marker is then added here, at collection). An unmarked
# test that starts a process or opens a listening socket fails at once with the line below,
# so the fast tier cannot silently grow slow again.
E2E_FIXTURES = {
    "replica", "replica_module", "scrapyd", "deployed", "pg_server", "pg_dsn", "pg_store", "own_pg_server",
    "fs_emulator", "fs_host", "fs_store", "fs_client", "token",
    "cli_replica", "rep", "tix_tiny", "tix_fresh",  # tests/replica: replica servers of their own
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = {v for v in callspec.params.values() if isinstance(v, str)} if callspec else set()
        if E2E_FIXTURES.intersection(getattr(item, "fixturenames", ())) or E2E_FIXTURES & params:
            item.add_marker(pytest.mark.e2e)


@contextlib.contextmanager
def _unit_tier_guard(item: pytest.Item) -> Iterator[None]:
    """Refuse processes and listening sockets in a test not marked e2e (setup and call)."""
    if item.get_closest_marker("e2e"):
        yield
        return
    popen_init, listen = subprocess.Popen.__init__, socket.socket.listen

    def refuse(what: str) -> None:
        raise pytest.fail.Exception(
            f"{item.nodeid} {what} but is not in the e2e tier: mark it @pytest.mark.e2e "
            f"(or use a fixture listed in tests/conftest.py E2E_FIXTURES)", pytrace=False)

    def guarded_popen(self: subprocess.Popen[Any], args: Any, *a: Any, **k: Any) -> None:
        self._child_created = False  # Popen.__del__ reads it
        refuse(f"starts a process ({str(args)[:80]})")

    def guarded_listen(self: socket.socket, *a: Any) -> None:
        refuse("opens a listening socket")

    subprocess.Popen.__init__ = guarded_popen  # type: ignore[method-assign]
    socket.socket.listen = guarded_listen  # type: ignore[method-assign]
    try:
        yield
    finally:
        subprocess.Popen.__init__ = popen_init  # type: ignore[method-assign]
        socket.socket.listen = listen  # type: ignore[method-assign]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _unit_tier_guard(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _unit_tier_guard(item):
        return (yield)


def pytest_sessionstart(session: pytest.Session) -> None:
    """The project's commands are entry points (setup.py); scripts/setup installs them. Written
    here as ROOT/cineradar.egg-info too (git ignores it), which every `python -m scrapy` run
    from ROOT finds, so the tests see setup.py's commands even where the venv lacks the project.
    Under a lock: parallel workers (pytest-xdist) share the checkout."""
    with open(ROOT / ".egg-info.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        subprocess.run([sys.executable, "setup.py", "-q", "egg_info"], cwd=ROOT, check=True, capture_output=True)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "cineradar.db"


@pytest.fixture
def make_crawler(tmp_path: Path, store_path: Path):
    """A Scrapy crawler with project settings, a temp SQLite store and spool."""

    def make(spidercls: type | None = None, **settings: Any):
        from scrapy import Spider
        from scrapy.utils.project import get_project_settings

        values = dict(get_project_settings()) | TEST_SETTINGS | {
            "SQLITE_PATH": str(store_path), "STORAGE_SPOOL_DIR": str(tmp_path / "spool"),
        } | settings
        return get_crawler(spidercls or Spider, values)

    return make


def replica_today(args: tuple[str, ...] | list[str]) -> dict[str, str]:
    """CRAWL_TODAY for a crawl of a replica's day: the ``date=`` given is that replica's today
    (its dataset's day), so `-a date` windows count from it, not from the test machine's clock."""
    dates = [a.split("=", 1)[1] for a in args if a.startswith("date=")]
    return {"CRAWL_TODAY": dates[-1]} if dates else {}


def run_crawl(spider: str, endpoints: dict[str, Any], tmp_path: Path, *args: str,
              settings: dict[str, Any] | None = None, timeout: int = 600, returncode: int = 0) -> dict[str, Any]:
    """Run ``scrapy crawl`` as a real subprocess against ``endpoints``; return its stats.

    Raises unless the crawl exits with ``returncode`` (1 failed, 3 partial: commands/crawl.py)."""
    endpoints_file = tmp_path / "endpoints.json"
    endpoints_file.write_text(json.dumps(endpoints))
    stats_file = tmp_path / f"stats-{spider}-{len(list(tmp_path.glob('stats-*')))}.json"
    values = {"ENDPOINTS": str(endpoints_file), "SQLITE_PATH": str(tmp_path / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(tmp_path / "spool"), "STATS_DUMP_PATH": str(stats_file),
              "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(tmp_path / f"{spider}.log")} \
        | replica_today(args) | (settings or {})
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})
    if proc.returncode != returncode or not stats_file.exists():
        log = (tmp_path / f"{spider}.log").read_text() if (tmp_path / f"{spider}.log").exists() else ""
        raise AssertionError(f"crawl failed ({proc.returncode}):\n{proc.stderr[-3000:]}\n{log[-3000:]}")
    return json.loads(stats_file.read_text())


def open_store(path: Path):
    from cineradar.backends import SPECS
    from cineradar.storage.sqlite import SQLiteStorage

    store = SQLiteStorage(path)
    store.open(SPECS)
    return store
