"""Shared helpers of the benchmark scripts: the replica as a subprocess, crawls, rusage."""

from __future__ import annotations

import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
WIB = ZoneInfo("Asia/Jakarta")
# The account the replica accepts (its defaults); the crawler reads them from the environment only.
CREDENTIALS = {"TIX_PHONE_NUMBER": "+6281234567890", "TIX_PASSWORD": "replica-password"}


class ReplicaProcess:
    """``python -m replica ...`` in the background; its first stdout line is the endpoints JSON."""

    def __init__(self, *args: str) -> None:
        self.args = list(args)
        self.proc: subprocess.Popen[str] | None = None
        self.urls: dict[str, Any] = {}

    def __enter__(self) -> ReplicaProcess:
        self.proc = subprocess.Popen([PYTHON, "-m", "replica", *self.args], cwd=ROOT, stdout=subprocess.PIPE,
                                     text=True, env=os.environ | {"PYTHONPATH": str(ROOT)})
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"the replica did not start (exit {self.proc.wait()})")
        self.urls = json.loads(line)
        # Keep reading its stdout, so a chatty replica never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()
        return self

    def check_alive(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError(f"the replica exited with {self.proc.returncode} during the benchmark")

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def crawl(command: list[str], workdir: Path, urls: dict[str, Any], name: str, *, env: dict[str, str] | None = None,
          settings: dict[str, str] | None = None) -> dict[str, Any]:
    """Run a scrapy command as a subprocess; return its stats, wall time and peak RSS."""
    endpoints = workdir / "endpoints.json"
    endpoints.write_text(json.dumps(urls))
    stats_path = workdir / f"stats-{name}.json"
    values = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(workdir / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(workdir / "spool"), "STATS_DUMP_PATH": str(stats_path),
              "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(workdir / f"{name}.log"),
              "LOG_LEVEL": "INFO"} | (settings or {})
    # The replica's day is its today: `-a date` windows count from it (CRAWL_TODAY, cineradar/args/base.py).
    dates = [a.split("=", 1)[1] for a in command if a.startswith("date=")]
    if dates:
        values.setdefault("CRAWL_TODAY", dates[-1])
    cmd = [PYTHON, "-m", "scrapy", *command]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.perf_counter()
    stderr_path = workdir / f"{name}.stderr"
    with stderr_path.open("w") as stderr_file:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)} | (env or {}),
                                stdout=subprocess.DEVNULL, stderr=stderr_file)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    stderr = stderr_path.read_text()
    if proc.returncode != 0:
        raise RuntimeError(f"scrapy {' '.join(command)} failed ({proc.returncode}): {stderr[-2000:]}")
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    # ru_maxrss is in KiB on Linux: the peak resident set of that process.
    return {"stats": stats, "wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def run_bare(spider: Path, workdir: Path, name: str, args: dict[str, str], settings: dict[str, str]) -> dict[str, Any]:
    """``scrapy runspider`` from a folder with no scrapy.cfg: Scrapy's defaults plus ``settings``,
    none of the project's (its code stays importable, for a handler class named in ``settings``)."""
    bare = workdir / name
    bare.mkdir(exist_ok=True)
    cmd = [PYTHON, "-m", "scrapy", "runspider", str(spider), "-s", f"LOG_FILE={bare / 'log'}"]
    for key, value in args.items():
        cmd += ["-a", f"{key}={value}"]
    for key, value in settings.items():
        cmd += ["-s", f"{key}={value}"]
    started = time.perf_counter()
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"} | {"PYTHONPATH": str(ROOT)}
    with (bare / "stderr").open("w") as stderr_file:
        proc = subprocess.Popen(cmd, cwd=bare, env=env, stdout=subprocess.DEVNULL, stderr=stderr_file)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"scrapy runspider {spider.name} failed: {(bare / 'stderr').read_text()[-2000:]}")
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024, "cpu_s": usage.ru_utime + usage.ru_stime}


def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="cineradar-bench-"))


def early_morning(day: dt.date | None = None) -> tuple[dt.date, str]:
    """Today (WIB) and 05:00 WIB of it: the replica's frozen clock, before any showtime starts."""
    day = day or dt.datetime.now(WIB).date()
    return day, dt.datetime.combine(day, dt.time(5, 0), WIB).isoformat()


def self_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def admin(base: str, path: str) -> Any:
    """GET one of the replica's admin paths (``truth?source=tix``, ``requests``...)."""
    import urllib.request

    with urllib.request.urlopen(f"{base}/_replica/{path}", timeout=60) as response:
        return json.loads(response.read())


def open_store(path: Path):  # noqa: ANN201 - the SQLite store a benchmark crawl wrote
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from cineradar.backends import SPECS
    from cineradar.storage.sqlite import SQLiteStorage

    store = SQLiteStorage(path)
    store.open(SPECS)
    return store
