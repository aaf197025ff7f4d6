"""A repertuary crawl stopped with a JOBDIR is not resumed into a PARTIAL crawl (issue 17: Kraków
3 of 7 days): the resume is refused with one line before any request; counted at the replica."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT, run_crawl
from tests.repertuary.test_e2e import DAY0, FAST, replica  # noqa: F401 - the module's replica fixture

pytestmark = pytest.mark.e2e


def test_a_stopped_crawl_is_refused_on_resume_with_one_line(replica, tmp_path):  # noqa: F811
    jobdir = tmp_path / "job"
    args = ("city=krakow", "days=7", f"date={DAY0}")
    # Stopped early (as by Ctrl-C): PARTIAL, its queue kept in the JOBDIR.
    run_crawl("repertuary", replica.urls, tmp_path, *args, returncode=3,
              settings=FAST | {"JOBDIR": str(jobdir), "CLOSESPIDER_PAGECOUNT": "4"})
    before = len(replica.ctx.log)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary", "--nolog"]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in (FAST | {"JOBDIR": str(jobdir), "CRAWL_TODAY": str(DAY0), "SQLITE_PATH": str(tmp_path / "c.db"),
                               "ENDPOINTS": json.dumps(replica.urls)}).items():
        cmd += ["-s", f"{key}={value}"]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert f"repertuary: JOBDIR {jobdir} holds a crawl that was stopped; a repertuary crawl cannot resume" in (
        proc.stderr)
    assert len(replica.ctx.log) == before  # nothing fetched


def test_a_fresh_jobdir_crawls_every_day(replica, tmp_path):  # noqa: F811
    run_crawl("repertuary", replica.urls, tmp_path, "city=krakow", "days=2", f"date={DAY0}",
              settings=FAST | {"JOBDIR": str(tmp_path / "job")})
