"""A real Scrapyd on 127.0.0.1, started with scripts/scrapyd, fed by scrapyd-deploy from a fresh copy.

Jobs crawl the replica (CINERADAR_ENDPOINTS in Scrapyd's environment: a job may not set ENDPOINTS)
into the SQLite store under SCRAPYD_HOME; outcomes are read back from the run records.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess

import pytest
import requests

from tests.conftest import ROOT
from tests.ops.conftest import AUTH, DAY0, deploy, job_log, run_record, schedule, wait_finished

pytestmark = pytest.mark.e2e


def test_scrapyd_refuses_to_start_without_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")} | {"SCRAPYD_HOME": str(tmp_path)}
    proc = subprocess.run(["bash", str(ROOT / "scripts/scrapyd")], env=env, capture_output=True, text=True,
                          timeout=30)
    assert proc.returncode == 2
    assert "refusing to start Scrapyd without authentication" in proc.stderr
    assert not (tmp_path / "twistd.pid").exists()


def test_calls_without_credentials_are_refused(scrapyd, tmp_path):
    for path in ("listprojects.json", "daemonstatus.json", "schedule.json"):
        assert requests.get(scrapyd["url"] + path, timeout=60).status_code == 401
    proc = deploy(scrapyd, tmp_path, credentials=False)
    assert "401" in proc.stdout + proc.stderr
    assert not (scrapyd["home"] / "eggs/cineradar").exists() or "r1" not in str(
        list((scrapyd["home"] / "eggs/cineradar").iterdir()))


def test_deploy_lists_only_the_cineradar_project(deployed):
    projects = requests.get(deployed["url"] + "listprojects.json", auth=AUTH, timeout=60).json()["projects"]
    assert projects == ["cineradar"]  # no stray "default" from a scrapy.cfg
    spiders = requests.get(deployed["url"] + "listspiders.json", params={"project": "cineradar"}, auth=AUTH,
                           timeout=60).json()["spiders"]
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


@pytest.mark.parametrize(("arg", "says"), [
    ({"city": "berlin"}, "-a city: unknown city 'berlin'; allowed: all, krakow"),
    ({"city": "krakow", "date": (DAY0 + dt.timedelta(days=1)).isoformat()}, f"-a date: {DAY0 + dt.timedelta(1)} is "
     "outside the source's window"),
])
def test_job_with_a_bad_argument_is_visibly_failed(deployed, replica, arg, says):
    """Scrapyd passes _job: the crawl starts, so its log and run record say FAILED; it exits 2."""
    before = len(replica.ctx.log)
    job = schedule(deployed, "repertuary", **arg)
    wait_finished(deployed, job)
    log = job_log(deployed, "repertuary", job)
    errors = [line for line in log.splitlines() if " ERROR: " in line]
    assert (run_record(deployed, job)["status"], len(replica.ctx.log) - before) == ("failed", 0), log[-3000:]
    assert says in errors[0] and errors[-1].split(" ERROR: ")[1].startswith("crawl FAILED: repertuary: -a "), errors
    scrapyd_log = (deployed["tmp"] / "scrapyd.log").read_text()
    assert f"exitstatus=2 project='cineradar' spider='repertuary' job='{job}'" in scrapyd_log


def test_allowed_setting_is_accepted(deployed):
    job = schedule(deployed, "repertuary", city="krakow", days="1", date=DAY0.isoformat(), setting="LOG_LEVEL=DEBUG")
    wait_finished(deployed, job)
    assert run_record(deployed, job)["status"] == "success"
    assert "DEBUG:" in job_log(deployed, "repertuary", job)
