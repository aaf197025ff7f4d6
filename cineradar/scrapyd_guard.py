"""Per-job settings under Scrapyd: only an allow-list may be overridden, checked before anything is built.

Scrapyd's ``schedule.json`` turns every ``setting=NAME=VALUE`` into ``scrapy crawl -s NAME=VALUE``
for the job, so without a guard anyone allowed to schedule a job chooses any setting: ``ADDONS``,
``SPIDER_MODULES`` or any other class path imports a module of the caller's choosing, a
``PLAYWRIGHT_LAUNCH_OPTIONS`` with an ``executable_path`` runs any program, ``SQLITE_PATH`` or
``FEEDS`` writes wherever the caller says, ``ENDPOINTS`` sends the credentials elsewhere.

The check runs in the ``crawl`` command (cineradar/commands/crawl.py, also the egg's command
through COMMANDS_MODULE) on the raw ``-s`` strings, before they are merged into the settings
and so before the crawler process imports the spider modules or the crawler loads its add-ons
and components: a refused value never reaches the settings object. Nothing a job sends can turn
it off: the allow-list and the logs folder are read from the project's settings (the deployed
egg), never from the job's ``-s``.

A Scrapyd job is recognised by the ``_job`` spider argument (Scrapyd 1.6 always passes
``-a _job=<id>``, and schedule.json refuses a caller's own ``_job``: cineradar/scrapyd_server.py)
or by Scrapyd's runner being the main module; either is enough, and neither is in the job's
hands. A refused job still starts far enough to fail visibly: one ERROR line in its log, a
FAILED run record (the refused values are dropped, the project's values stand in), exit 1.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from scrapy.settings import BaseSettings

# The setting a refused job's message travels in, from the command to CineSpider (set by the
# command after the job's own -s values were screened: a job cannot set it).
REFUSAL_SETTING = "SCRAPYD_JOB_REFUSED"
JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")  # what Scrapyd's default (uuid1 hex) looks like
LOG_LEVELS = {"CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG"}


def _non_negative_int(value: str) -> bool:
    return value.isdigit() and len(value) <= 9


def _non_negative_number(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return 0 <= number < 10**7


def _any_value(_value: str) -> bool:
    return True


# What an allowed setting's value must look like: a job cannot smuggle a path or a class path
# through an allowed name either. An allowed name without an entry here takes any value
# (the operator widened the allow-list on purpose: _any_value).
VALUE_CHECKS: dict[str, Callable[[str], bool]] = {
    "LOG_LEVEL": lambda v: v.upper() in LOG_LEVELS,
    "CLOSESPIDER_TIMEOUT": _non_negative_number,
    "CLOSESPIDER_ITEMCOUNT": _non_negative_int,
    "CLOSESPIDER_PAGECOUNT": _non_negative_int,
    "CLOSESPIDER_ERRORCOUNT": _non_negative_int,
    "PROGRESS_INTERVAL": _non_negative_number,
}


def under_scrapyd_runner() -> bool:
    """True when Scrapyd's runner started this process (``python -m scrapyd.runner crawl ...``)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    return getattr(spec, "name", None) == "scrapyd.runner" or bool(os.environ.get("SCRAPY_JOB"))


def is_scrapyd_job(spider_args: list[str] | dict[str, str]) -> bool:
    """A Scrapyd job: ``_job`` among the spider arguments (raw ``-a`` strings or parsed) or Scrapyd's runner."""
    names = spider_args.keys() if isinstance(spider_args, dict) else (a.split("=", 1)[0] for a in spider_args)
    return "_job" in set(names) or under_scrapyd_runner()


def _job_id(spider_args: list[str]) -> str | None:
    jobs = [a.split("=", 1)[1] for a in spider_args if a.split("=", 1)[0] == "_job" and "=" in a]
    return jobs[-1] if jobs else None


def screen(spider: str | None, raw_settings: list[str], spider_args: list[str],
           project: BaseSettings) -> tuple[list[str], list[str], list[str]]:
    """Split a job's raw ``-s NAME=VALUE`` strings into (kept, refused names, problems).

    ``project`` holds the project's settings before the job's values (the allow-list, the logs
    folder). A LOG_FILE is kept only as the one Scrapyd gives: <SCRAPYD_LOGS_DIR>/<BOT_NAME>/
    <spider>/<job>.log with a plain job id."""
    allowed = set(project.getlist("SCRAPYD_SETTINGS_ALLOWLIST"))
    job = _job_id(spider_args)
    problems = []
    if job is not None and not JOB_ID.match(job):
        problems.append("the job id is not a plain token (letters, digits, '_', '.', '-')")
    logs_dir = project.get("SCRAPYD_LOGS_DIR")
    log_file = (Path(logs_dir) / str(project.get("BOT_NAME")) / (spider or "") / f"{job}.log"
                if logs_dir and job and spider and JOB_ID.match(job) and JOB_ID.match(spider) else None)
    kept, refused = [], []
    for raw in raw_settings:
        name, sep, value = raw.partition("=")
        name = name.strip()
        if not sep:
            refused.append(name or "(empty)")
        elif name == "LOG_FILE":
            if log_file is not None and Path(value).resolve() == log_file.resolve():
                kept.append(raw)
            else:
                refused.append(name)
        elif name in allowed and VALUE_CHECKS.get(name, _any_value)(value.strip()):
            kept.append(raw)
        else:
            refused.append(name)
    return kept, sorted(set(refused)), problems


def refusal_message(spider: str, refused: list[str], problems: list[str], project: BaseSettings) -> str:
    allowed = ", ".join(sorted(project.getlist("SCRAPYD_SETTINGS_ALLOWLIST")))
    parts = []
    if refused:  # names only: a value may be anything the caller sent, a secret included
        parts.append(f"refused per-job setting(s) {', '.join(refused)} under Scrapyd; "
                     f"a job may set only: {allowed} (SCRAPYD_SETTINGS_ALLOWLIST), with a plain value")
    parts.extend(problems)
    return f"{spider}: " + "; ".join(parts)


def screen_crawl_options(project: BaseSettings, args: list[str], opts: argparse.Namespace) -> str | None:
    """Screen a ``scrapy crawl``'s options in place when it is a Scrapyd job; the refusal line or None.

    Called by the crawl command before Scrapy's own ``process_options`` applies ``-s``: the
    refused values are removed from ``opts.set`` and never reach the settings. Options Scrapyd
    never passes (``-o``, ``-O``, ``--logfile``, ``--pidfile``) are refused too."""
    spider_args = list(opts.spargs or [])
    if not is_scrapyd_job(spider_args):
        return None
    spider = args[0] if args else "crawl"
    kept, refused, problems = screen(spider, list(opts.set or []), spider_args, project)
    opts.set = kept
    for option, attr in (("-o", "output"), ("-O", "overwrite_output"), ("--logfile", "logfile"),
                         ("--pidfile", "pidfile")):
        if getattr(opts, attr, None):
            refused.append(option)
            setattr(opts, attr, None)
    if not refused and not problems:
        return None
    return refusal_message(spider, refused, problems, project)


def start_error(settings: Any) -> str | None:
    """The refusal the crawl command recorded for this job, for CineSpider to fail with at start."""
    value = settings.get(REFUSAL_SETTING)
    return str(value) if value else None
