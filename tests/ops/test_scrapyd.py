"""A real Scrapyd on 127.0.0.1, started with scripts/scrapyd, fed by scrapyd-deploy from a fresh copy.

Jobs crawl the replica (CINERADAR_ENDPOINTS in Scrapyd's environment: a job may not set ENDPOINTS)
into the SQLite store under SCRAPYD_HOME; outcomes are read back from the run records.
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

pytestmark = pytest.mark.e2e
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
                        "CINERADAR_TODAY": DAY0.isoformat(),  # the replica's day is its today (date windows)
                        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    log = (tmp / "scrapyd.log").open("w")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts/scrapyd")], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            requests.get(url + "daemonstatus.json", timeout=1)
            break
        except requests.ConnectionError:
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
    answer = requests.post(scrapyd["url"] + "schedule.json", auth=AUTH, timeout=10,
                           data={"project": "cineradar", "spider": spider} | params).json()
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


def wait_finished(scrapyd: dict[str, Any], job: str, timeout: float = 240) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = requests.get(scrapyd["url"] + "listjobs.json", params={"project": "cineradar"}, auth=AUTH,
                            timeout=10).json()
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


def test_scrapyd_refuses_to_start_without_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")} | {"SCRAPYD_HOME": str(tmp_path)}
    proc = subprocess.run(["bash", str(ROOT / "scripts/scrapyd")], env=env, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2
    assert "refusing to start Scrapyd without authentication" in proc.stderr
    assert not (tmp_path / "twistd.pid").exists()


def test_calls_without_credentials_are_refused(scrapyd, tmp_path):
    for path in ("listprojects.json", "daemonstatus.json", "schedule.json"):
        assert requests.get(scrapyd["url"] + path, timeout=10).status_code == 401
    proc = deploy(scrapyd, tmp_path, credentials=False)
    assert "401" in proc.stdout + proc.stderr
    assert not (scrapyd["home"] / "eggs/cineradar").exists() or "r1" not in str(
        list((scrapyd["home"] / "eggs/cineradar").iterdir()))


def test_deploy_lists_only_the_cineradar_project(deployed):
    projects = requests.get(deployed["url"] + "listprojects.json", auth=AUTH, timeout=10).json()["projects"]
    assert projects == ["cineradar"]  # no stray "default" from a scrapy.cfg
    spiders = requests.get(deployed["url"] + "listspiders.json", params={"project": "cineradar"}, auth=AUTH,
                           timeout=10).json()["spiders"]
    assert {"repertuary", "tix_movies", "tix_seats"} <= set(spiders)


def test_repertuary_job_stores_its_data(deployed, replica):
    job = schedule(deployed, "repertuary", city="krakow", days="2", date=DAY0.isoformat())
    wait_finished(deployed, job)
    record = run_record(deployed, job)
    assert record["status"] == "success", job_log(deployed, "repertuary", job)[-3000:]
    truth = replica.truth("repertuary")["cities"]["krakow"]["showtimes"]
    days = {DAY0.isoformat(), (DAY0 + dt.timedelta(1)).isoformat()}
    wanted = {s["showtime_id"] for s in truth if s["date"] in days}
    with sqlite3.connect(deployed["home"] / "data/cineradar.db") as db:
        stored = {r[0] for r in db.execute("SELECT showtime_id FROM repertuary_showtimes")}
    assert wanted and wanted <= stored


@pytest.mark.parametrize("setting", [
    "SQLITE_PATH={tmp}/elsewhere.db",
    'PLAYWRIGHT_LAUNCH_OPTIONS={{"executable_path": "{tmp}/evil.sh"}}',
    "STORAGE_SPOOL_DIR={tmp}/spool",
    "ENDPOINTS={tmp}/endpoints.json",
])
def test_job_with_a_refused_setting_fails(deployed, setting):
    tmp = deployed["tmp"]
    marker = tmp / "ran"
    (tmp / "evil.sh").write_text(f"#!/bin/sh\ntouch {marker}\n")
    (tmp / "evil.sh").chmod(0o755)
    value = setting.format(tmp=tmp)
    job = schedule(deployed, "repertuary", city="krakow", days="1", date=DAY0.isoformat(), setting=value)
    wait_finished(deployed, job)
    name = value.split("=", 1)[0]
    assert run_record(deployed, job)["status"] == "failed"
    log = job_log(deployed, "repertuary", job)
    assert f"refused per-job setting(s) {name} under Scrapyd" in log
    assert "crawl FAILED" in log
    assert not (tmp / "elsewhere.db").exists() and not (tmp / "spool").exists() and not marker.exists()
    with sqlite3.connect(deployed["home"] / "data/cineradar.db") as db:
        assert db.execute("SELECT COUNT(*) FROM crawl_runs WHERE run_id = ?", (job,)).fetchone()[0] == 1
    # Scrapyd's own log says the process exited non-zero (its job list shows "finished" regardless).
    assert f"exitstatus=1 project='cineradar' spider='repertuary' job='{job}'" in (tmp / "scrapyd.log").read_text()


def test_allowed_setting_is_accepted(deployed):
    job = schedule(deployed, "repertuary", city="krakow", days="1", date=DAY0.isoformat(), setting="LOG_LEVEL=DEBUG")
    wait_finished(deployed, job)
    assert run_record(deployed, job)["status"] == "success"
    assert "DEBUG:" in job_log(deployed, "repertuary", job)
