"""Shared by the operations tests: a real Scrapyd on 127.0.0.1 (scripts/scrapyd, with credentials),
fed by scrapyd-deploy from a fresh copy of the checkout, and its JSON API.

``scrapyd`` starts Scrapyd with the replica of the requesting module (``replica``; this one's
unless the module defines its own) as CINERADAR_ENDPOINTS; ``deployed`` deploys the egg to it.
Jobs crawl into the SQLite store under SCRAPYD_HOME; ``run_record`` reads a job's run record
(its run_id is Scrapyd's job id) and ``job_log`` the job's log file.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from replica import Replica
from tests.conftest import ROOT

DAY0 = dt.date(2026, 11, 21)
AUTH = ("ops", "s3cret-for-tests")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fresh_checkout(dest: Path) -> Path:
    """The tracked (and new, unignored) files only, as a clone would have them."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                           capture_output=True, text=True).stdout.split()
    for name in files:
        src = ROOT / name
        if src.is_file() and not src.is_symlink():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset="tiny", seed=1, date=DAY0)
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture(scope="module")
def scrapyd(replica: Replica, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("scrapyd")
    (tmp / "endpoints.json").write_text(json.dumps(replica.urls))
    port = free_port()
    env = os.environ | {"SCRAPYD_USERNAME": AUTH[0], "SCRAPYD_PASSWORD": AUTH[1], "SCRAPYD_HTTP_PORT": str(port),
                        "SCRAPYD_HOME": str(tmp / "home"), "SCRAPYD": str(BIN / "scrapyd"),
                        "CINERADAR_ENDPOINTS": str(tmp / "endpoints.json"),
                        # The replica's day is its today: `-a date` windows count from it.
                        "CINERADAR_TODAY": replica.date.isoformat(),
                        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    log = (tmp / "scrapyd.log").open("w")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts/scrapyd")], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(600):  # up to a minute: a busy machine (parallel test workers) starts it slowly
        try:
            requests.get(url + "daemonstatus.json", timeout=5)
            break
        except requests.RequestException:
            time.sleep(0.1)  # waiting for the server to listen, not driving time
    try:
        yield {"url": url, "home": tmp / "home", "tmp": tmp, "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def deploy(scrapyd: dict[str, Any], tmp: Path, *, credentials: bool = True) -> subprocess.CompletedProcess[str]:
    checkout = fresh_checkout(tmp)
    cfg = (checkout / "scrapy.cfg").read_text().replace("http://127.0.0.1:6800/", scrapyd["url"])
    (checkout / "scrapy.cfg").write_text(cfg)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")}
    if credentials:
        env |= {"SCRAPYD_USERNAME": AUTH[0], "SCRAPYD_PASSWORD": AUTH[1]}
    return subprocess.run([str(BIN / "scrapyd-deploy"), "local", "-v", "r1"], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def deployed(scrapyd, tmp_path_factory):
    proc = deploy(scrapyd, tmp_path_factory.mktemp("checkout"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert '"status": "ok"' in proc.stdout + proc.stderr
    return scrapyd


def schedule(scrapyd: dict[str, Any], spider: str, **params: str) -> str:
    answer = requests.post(scrapyd["url"] + "schedule.json", auth=AUTH, timeout=60,
                           data={"project": "cineradar", "spider": spider} | params).json()
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


def wait_finished(scrapyd: dict[str, Any], job: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = requests.get(scrapyd["url"] + "listjobs.json", params={"project": "cineradar"}, auth=AUTH,
                            timeout=60).json()
        for entry in jobs["finished"]:
            if entry["id"] == job:
                return dict(entry)
        time.sleep(0.5)  # polling Scrapyd's job list, as any client does
    raise AssertionError(f"job {job} not finished in {timeout} s")


def run_record(scrapyd: dict[str, Any], job: str) -> dict[str, Any]:
    with sqlite3.connect(scrapyd["home"] / "data/cineradar.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM crawl_runs WHERE run_id = ?", (job,)).fetchone()
    assert row is not None, f"no run record for {job}"
    return dict(row)


def job_log(scrapyd: dict[str, Any], spider: str, job: str) -> str:
    return (scrapyd["home"] / "logs/cineradar" / spider / f"{job}.log").read_text()
