"""Two Scrapyd cancel.json calls (the second forces an unclean shutdown) end a job FAILED: non-zero exit
in Scrapyd's own log, the outcome line last in the job's log, a final run record (not stuck at
`running`), and LogParser reads the job log as failed. A real Scrapyd (tests/ops/conftest.py)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest
import requests
from logparser import parse as logparser_parse

from replica import Replica
from tests.ops.conftest import AUTH, DAY0, job_log, run_record, schedule, wait_finished

pytestmark = pytest.mark.e2e


def cancel(scrapyd: dict[str, Any], job: str) -> None:
    answer = requests.post(scrapyd["url"] + "cancel.json", auth=AUTH, timeout=60,
                           data={"project": "cineradar", "job": job}).json()
    assert answer["status"] == "ok", answer


def wait_for_log(scrapyd: dict[str, Any], job: str, text: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if text in job_log(scrapyd, "repertuary", job):
                return
        except FileNotFoundError:
            pass
        assert time.monotonic() < deadline, f"{text!r} never in the job's log"
        time.sleep(0.2)  # polling the job's log, as an operator would


def running_record(scrapyd: dict[str, Any], job: str, timeout: float = 60) -> dict[str, Any]:
    """The job's first run record. Written after "Spider opened" and not awaited by the crawl
    (cineradar/extensions/outcome.py): on a busy machine it lands a moment after that log line."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return run_record(scrapyd, job)
        except (AssertionError, sqlite3.OperationalError):  # no row yet / no database yet
            assert time.monotonic() < deadline, f"no run record for {job} in {timeout} s"
            time.sleep(0.2)  # polling the store, as an operator would


def test_two_cancels_end_the_job_failed_with_its_run_record_and_line(deployed, replica: Replica):
    # Every repertuary page answers after 2 s: the job is still crawling when it is cancelled.
    replica.knobs.update({"faults": ["latency:p=1.0,site=repertuary,seconds=2"]})
    try:
        job = schedule(deployed, "repertuary", city="krakow", days="7", date=DAY0.isoformat())
        wait_for_log(deployed, job, "Spider opened")
        assert running_record(deployed, job)["status"] == "running"
        cancel(deployed, job)
        wait_for_log(deployed, job, "shutting down gracefully")
        cancel(deployed, job)  # the second: Scrapy forces an unclean shutdown
        wait_finished(deployed, job)
    finally:
        replica.knobs.update({"faults": []})
    log = job_log(deployed, "repertuary", job)
    assert "forcing unclean shutdown" in log
    assert "crawl FAILED: stopped by a forced shutdown" in log.rstrip("\n").splitlines()[-1]
    assert run_record(deployed, job)["status"] == "failed"
    assert logparser_parse(log)["finish_reason"] == "failed"
    scrapyd_log = (deployed["tmp"] / "scrapyd.log").read_text()
    assert f"exitstatus=1 project='cineradar' spider='repertuary' job='{job}'" in scrapyd_log
