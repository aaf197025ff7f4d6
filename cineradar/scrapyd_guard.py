"""Per-job settings under Scrapyd: only an allow-list may be overridden.

Scrapyd's ``schedule.json`` turns every ``setting=NAME=VALUE`` into ``scrapy crawl -s NAME=VALUE``
for the job, so without a guard anyone allowed to schedule a job chooses any setting: a
``PLAYWRIGHT_LAUNCH_OPTIONS`` with an ``executable_path`` runs any program, a ``SQLITE_PATH``
or ``FEEDS`` writes wherever the caller says. This add-on runs before any component is built
(settings are still mutable): under Scrapyd, each setting given on the command line that is
not in ``SCRAPYD_SETTINGS_ALLOWLIST`` is put back to the project's value and the crawl is
refused before its first request (one ERROR line, a FAILED run record in the project's own
store, exit 1). ``LOG_FILE`` is accepted only as the one Scrapyd itself chooses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.project import get_project_settings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings


def under_scrapyd() -> bool:
    """True in a job started by Scrapyd (its runner is the main module; older ones set SCRAPY_JOB)."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return bool(os.environ.get("SCRAPY_JOB")) or getattr(spec, "name", None) == "scrapyd.runner"


def refused_settings(settings: Settings, allowed: set[str], log_file: Path | None) -> list[str]:
    """Names of command-line settings a Scrapyd job may not set."""
    refused = []
    for name in settings.attributes:
        if settings.getpriority(name) != SETTINGS_PRIORITIES["cmdline"] or name in allowed:
            continue
        if name == "LOG_FILE" and log_file is not None and Path(str(settings[name])).resolve() == log_file.resolve():
            continue
        refused.append(name)
    return sorted(refused)


class ScrapydGuard:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ScrapydGuard:
        return cls(crawler)

    def update_settings(self, settings: Settings) -> None:
        if not under_scrapyd():
            return
        spider: Any = self.crawler.spider
        extra = getattr(getattr(spider, "args", None), "model_extra", None) or {}
        job = extra.get("_job") or os.environ.get("SCRAPY_JOB")
        logs_dir = settings.get("SCRAPYD_LOGS_DIR")
        log_file = (Path(logs_dir) / settings.get("BOT_NAME", "cineradar") / spider.name / f"{job}.log"
                    if logs_dir and job else None)
        refused = refused_settings(settings, set(settings.getlist("SCRAPYD_SETTINGS_ALLOWLIST")), log_file)
        if not refused:
            return
        project = get_project_settings()
        for name in refused:  # back to the project's value, before anything reads it
            settings.set(name, project.get(name), priority="cmdline")
        allowed = ", ".join(sorted(settings.getlist("SCRAPYD_SETTINGS_ALLOWLIST")))
        message = (f"{spider.name}: refused per-job setting(s) {', '.join(refused)} under Scrapyd; "
                   f"a job may set only: {allowed} (SCRAPYD_SETTINGS_ALLOWLIST)")
        if hasattr(spider, "start_error"):
            spider.start_error = message  # CineSpider.start() fails with it before any request
        else:
            raise RuntimeError(message)
