"""The crawl command's screening of a Scrapyd job's raw options (cineradar/scrapyd_guard.py), in process.

The end-to-end attacks run on a real Scrapyd in test_jobs_scrapyd.py; these cover the rules one
by one against the project's real settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from scrapy.utils.project import get_project_settings

from cineradar.scrapyd_guard import screen_crawl_options

LOG = str(Path("logs/cineradar/repertuary/job1.log").resolve())


def opts(*settings: str, job: str | None = "job1", **extra: object) -> argparse.Namespace:
    spargs = ["city=krakow"] + ([f"_job={job}"] if job is not None else [])
    values = {"output": None, "overwrite_output": None, "logfile": None, "pidfile": None} | extra
    return argparse.Namespace(set=list(settings), spargs=spargs, **values)


@pytest.mark.parametrize(("setting", "refused"), [
    ("ADDONS={}", "ADDONS"),
    ("SPIDER_MODULES=cineradar.spiders,evilmod", "SPIDER_MODULES"),
    ("COMMANDS_MODULE=evilmod", "COMMANDS_MODULE"),
    ('EXTENSIONS={"evilmod.X": 1}', "EXTENSIONS"),
    ('FEEDS={"x.py": {"format": "csv"}}', "FEEDS"),
    ("LOG_FILE=/tmp/elsewhere.log", "LOG_FILE"),
    ("LOG_FILE=logs/cineradar/repertuary/other-job.log", "LOG_FILE"),
    ("SCRAPYD_SETTINGS_ALLOWLIST=SQLITE_PATH", "SCRAPYD_SETTINGS_ALLOWLIST"),
    ("SCRAPYD_JOB_REFUSED=", "SCRAPYD_JOB_REFUSED"),
    ("REMOTE_CONTROL_ENABLED=True", "REMOTE_CONTROL_ENABLED"),
    ("LOG_LEVEL=/etc/passwd", "LOG_LEVEL"),
    ("CLOSESPIDER_ITEMCOUNT=-1", "CLOSESPIDER_ITEMCOUNT"),
    ("PROGRESS_INTERVAL=evil.Class", "PROGRESS_INTERVAL"),
    ("NOEQUALS", "NOEQUALS"),
])
def test_a_job_setting_off_the_allow_list_never_reaches_the_settings(setting, refused):
    namespace = opts(setting, f"LOG_FILE={LOG}", "LOG_LEVEL=DEBUG")
    message = screen_crawl_options(get_project_settings(), ["repertuary"], namespace)
    assert message is not None and f"refused per-job setting(s) {refused} under Scrapyd" in message
    assert namespace.set == [f"LOG_FILE={LOG}", "LOG_LEVEL=DEBUG"]  # only what may pass is left


def test_the_refusal_names_settings_never_their_values():
    message = screen_crawl_options(get_project_settings(), ["repertuary"], opts("TMDB_READ_TOKEN=S3cretValue"))
    assert message and "TMDB_READ_TOKEN" in message and "S3cretValue" not in message


def test_allowed_settings_pass_untouched():
    namespace = opts(f"LOG_FILE={LOG}", "LOG_LEVEL=debug", "CLOSESPIDER_TIMEOUT=90.5", "CLOSESPIDER_ITEMCOUNT=10",
                     "PROGRESS_INTERVAL=0")
    assert screen_crawl_options(get_project_settings(), ["repertuary"], namespace) is None
    assert len(namespace.set) == 5


def test_options_scrapyd_never_passes_are_refused():
    namespace = opts(output=["/tmp/x.py"], logfile="/tmp/l.log")
    message = screen_crawl_options(get_project_settings(), ["repertuary"], namespace)
    assert message and "-o" in message and "--logfile" in message
    assert (namespace.output, namespace.logfile) == (None, None)


def test_a_job_id_that_is_not_a_plain_token_is_refused():
    message = screen_crawl_options(get_project_settings(), ["repertuary"], opts(job="../x"))
    assert message and "job id is not a plain token" in message


def test_outside_scrapyd_the_operator_sets_anything():
    namespace = opts("SQLITE_PATH=/tmp/x.db", "ADDONS={}", job=None)
    assert screen_crawl_options(get_project_settings(), ["repertuary"], namespace) is None
    assert namespace.set == ["SQLITE_PATH=/tmp/x.db", "ADDONS={}"]
