"""Helpers shared by the benchmark scripts: a replica subprocess and a crawl runner."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV = os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


@contextmanager
def replica(*args: str) -> Iterator[dict[str, Any]]:
    """Run ``python -m replica ARGS`` on 127.0.0.1; yield its base URLs; stop it."""
    proc = subprocess.Popen([sys.executable, "-m", "replica", *args], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        urls = json.loads(proc.stdout.readline())
        yield urls
    finally:
        proc.terminate()
        proc.wait(30)


def admin(base: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base}/_replica/{path}", timeout=60) as response:
        return json.loads(response.read())


def crawl(spider: str, urls: dict[str, Any], workdir: Path, args: list[str],
          settings: dict[str, Any]) -> tuple[float, dict[str, Any], int]:
    """Run ``scrapy crawl``; return (wall seconds, stats, peak RSS in KiB of the crawl process).

    Peak RSS is the largest of the waited-for children, so run crawls before stopping the
    replica subprocess.
    """
    endpoints = workdir / "endpoints.json"
    endpoints.write_text(json.dumps(urls))
    stats_path = workdir / f"stats-{spider}.json"
    values = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(workdir / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(workdir / "spool"), "STATS_DUMP_PATH": str(stats_path),
              "REMOTE_CONTROL_ENABLED": "False", "LOG_LEVEL": "WARNING"} | settings
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=ENV, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed:\n{proc.stderr[-4000:]}")
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, json.loads(stats_path.read_text()), peak_kib


def open_store(path: Path):
    from cineradar.hub import SPECS
    from cineradar.storage.sqlite import SQLiteStorage

    store = SQLiteStorage(path)
    store.open(SPECS)
    return store


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cineradar-bench-"))
