"""Attacks of issue 16 on a REAL Scrapyd (tests/ops/conftest.py: scripts/scrapyd, scrapyd-deploy).

A job may set only SCRAPYD_SETTINGS_ALLOWLIST, checked by the crawl command on the raw -s values
before anything is imported (cineradar/scrapyd_guard.py); schedule.json refuses what Scrapyd would
lose (cineradar/scrapyd_server.py). Modules an attacker planted in the jobs' folder (it is on the
job's sys.path) write a marker file when imported: the marker must never exist.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.ops import conftest as ops
from tests.ops.conftest import AUTH, DAY0, job_log, run_record, wait_finished

# The real Scrapyd of the operations tests (its fixtures, used here too).
replica, scrapyd, deployed = ops.replica, ops.scrapyd, ops.deployed

pytestmark = pytest.mark.e2e

SLOTS = multiprocessing.cpu_count() * 2  # the shipped scrapyd.conf: max_proc_per_cpu = 2
TMDB_TOKEN = "tmdb-S3cr3t-for-scrapyd-jobs"


@pytest.fixture(scope="module", autouse=True)
def tmdb_token_in_scrapyds_environment():
    """Scrapyd's environment holds a TMDB token (and SCRAPYD_PASSWORD): its jobs inherit both."""
    old = os.environ.get("TMDB_READ_TOKEN")
    os.environ["TMDB_READ_TOKEN"] = TMDB_TOKEN
    yield
    if old is None:
        os.environ.pop("TMDB_READ_TOKEN", None)
    else:
        os.environ["TMDB_READ_TOKEN"] = old


def post(scrapyd: dict[str, Any], spider: str = "repertuary", **params: Any) -> dict[str, Any]:
    answer = requests.post(scrapyd["url"] + "schedule.json", auth=AUTH, timeout=30,
                           data={"project": "cineradar", "spider": spider} | params)
    return dict(answer.json())


def plant(home: Path, module: str) -> Path:
    """A module in the jobs' folder that leaves a marker when imported."""
    marker = home / f"{module}.ran"
    (home / f"{module}.py").write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
                                       "class X:\n    def update_settings(self, settings):\n        pass\n")
    return marker


def crawl(scrapyd: dict[str, Any], *settings: str) -> str:
    answer = post(scrapyd, city="krakow", days="1", date=DAY0.isoformat(), setting=list(settings))
    assert answer["status"] == "ok", answer
    return str(answer["jobid"])


def refused(scrapyd: dict[str, Any], job: str, *names: str) -> str:
    wait_finished(scrapyd, job)
    log = job_log(scrapyd, "repertuary", job)
    assert run_record(scrapyd, job)["status"] == "failed", log[-3000:]
    line = next((ln for ln in log.splitlines() if "refused per-job setting(s)" in ln), "")
    assert all(name in line for name in names), log[-3000:]
    return log


def test_a_job_cannot_remove_the_guard_with_its_own_addons(deployed):
    elsewhere = deployed["tmp"] / "elsewhere.db"
    job = crawl(deployed, "ADDONS={}", f"SQLITE_PATH={elsewhere}")
    refused(deployed, job, "ADDONS", "SQLITE_PATH")
    assert not elsewhere.exists()


def test_a_job_cannot_widen_the_allow_list_itself(deployed):
    elsewhere = deployed["tmp"] / "widened.db"
    job = crawl(deployed, "SCRAPYD_SETTINGS_ALLOWLIST=SCRAPYD_SETTINGS_ALLOWLIST,SQLITE_PATH",
                f"SQLITE_PATH={elsewhere}")
    refused(deployed, job, "SCRAPYD_SETTINGS_ALLOWLIST", "SQLITE_PATH")
    assert not elsewhere.exists()


def test_feed_then_addons_two_calls_run_no_code(deployed):
    """Call 1 writes a feed named like a module into the jobs' folder; call 2 imports it as an add-on."""
    home = deployed["home"]
    feed = home / "pwnfeed.py"
    first = crawl(deployed, "ADDONS={}", "FEEDS=" + json.dumps({str(feed): {"format": "csv"}}))
    wait_finished(deployed, first)
    assert not feed.exists()
    refused(deployed, first, "FEEDS")
    marker = plant(home, "pwnmod")  # as if call 1 had written it
    second = crawl(deployed, 'ADDONS={"pwnmod.X": 0}')
    wait_finished(deployed, second)
    assert not marker.exists()
    refused(deployed, second, "ADDONS")


@pytest.mark.parametrize("template", [
    "SPIDER_MODULES=cineradar.spiders,{mod}",
    'ADDONS={{"cineradar.scrapyd_guard.ScrapydGuard": 0, "{mod}.X": 1}}',
])
def test_a_class_or_module_setting_imports_nothing(deployed, template):
    mod = "evil_" + template.split("=", 1)[0].lower()
    marker = plant(deployed["home"], mod)
    job = crawl(deployed, template.format(mod=mod))
    wait_finished(deployed, job)
    assert not marker.exists()  # imported before any check ran
    refused(deployed, job, template.split("=", 1)[0])


@pytest.mark.parametrize(("params", "says"), [
    ({"jobid": "a/b"}, "jobid is not a plain token"),
    ({"jobid": "../../x"}, "jobid is not a plain token"),
    ({"city": "k" * 200_000}, "arguments too large"),
    ({"city": "k" * 8000}, "'city' too long"),
    ({"_job=": "x"}, "is not a plain word"),  # sent as _job%3D=x: it would become -a _job==x
])
def test_schedule_refuses_what_scrapyd_would_lose(deployed, params, says):
    answer = post(deployed, **params)
    assert (answer["status"], says in answer.get("message", "")) == ("error", True), answer
    assert "k" * 100 not in json.dumps(answer)  # values are not echoed


def test_lost_jobs_do_not_stall_the_slots(deployed):
    """As many bad calls as Scrapyd has worker slots, then a good job: it still runs to the end."""
    for n in range(SLOTS):
        answer = post(deployed, jobid=f"x/{n}") if n % 2 else post(deployed, city="k" * 200_000)
        assert answer["status"] == "error", answer
    job = crawl(deployed)
    wait_finished(deployed, job, timeout=240)
    assert run_record(deployed, job)["status"] == "success", job_log(deployed, "repertuary", job)[-3000:]


def test_a_job_reading_proc_environ_puts_no_secret_in_its_log_or_run_record(deployed):
    """tmdb_tv -a file=/proc/self/environ printed the job's environment into its Scrapyd log."""
    answer = post(deployed, "tmdb_tv", file="/proc/self/environ")
    assert answer["status"] == "ok", answer
    job = str(answer["jobid"])
    wait_finished(deployed, job)
    log = job_log(deployed, "tmdb_tv", job)
    with sqlite3.connect(deployed["home"] / "data/cineradar.db") as db:
        record = repr(db.execute("SELECT * FROM crawl_runs WHERE run_id = ?", (job,)).fetchall())
    outputs = {"job log": log, "run record": record, "scrapyd log": (deployed["tmp"] / "scrapyd.log").read_text()}
    leaked = [(where, secret) for where, text in outputs.items() for secret in (AUTH[1], TMDB_TOKEN) if secret in text]
    assert leaked == []
    failed = [line for line in log.splitlines() if "crawl FAILED" in line]
    assert failed and "the ids file /proc/self/environ is not UTF-8 text" in failed[0], log[-3000:]
