"""``scrapy timeline``: the day's jobs on Scrapyd, from the schedule file (cineradar/timeline.py,
run by cineradar/timeline_runner.py). What it does for users: ``Command`` below (``scrapy timeline -h``)."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shlex
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy.settings import SETTINGS_PRIORITIES

from cineradar.commands import ProjectCommand
from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

    from cineradar.timeline import PlannedJob


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


class Command(ProjectCommand):
    usage = ("[--dry-run [--date YYYY-MM-DD] | --crontab [--env-file FILE] [--logs DIR]] [--schedule FILE] "
             "[--state FILE] [--clock URL]")
    summary = "Start the day's jobs on Scrapyd at their times and in order, from the schedule file"
    description = (
        "Reads the schedule (TIMELINE_FILE, default timeline.toml: [[job]] entries with cron times in the "
        "schedule's timezone, batches, cities, dependencies) and keeps running: each job is scheduled on "
        "the least busy Scrapyd node of `nodes` (TIMELINE_NODES overrides; a node that does not answer "
        "is skipped) when its time comes, or once every job it waits for has ended. Commands "
        "(tix-token, daily-summary) run here as "
        "`scrapy <command>` with this command's -s settings. A job whose previous run is still running is "
        "skipped, one that runs past its `timeout` is cancelled. Starts missed while this command was "
        "stopped run once when it is back. The state (what ran, when, where) is kept in TIMELINE_STATE "
        "(default .scrapy/timeline-state.json), so a restart repeats nothing. Scrapyd credentials: "
        "SCRAPYD_USERNAME and SCRAPYD_PASSWORD in the environment.\n\n"
        "--dry-run prints the day's plan and starts nothing; --crontab prints the same timeline as "
        "crontab lines for machines without Scrapyd: one line per timed job, each job logged to its own "
        "date-stamped file under --logs, loading --env-file, with this command's -s options; batches side "
        "by side, and the jobs that wait for them once they have all ended. "
        "A dependent job starts once every job it waits for has ended, whatever its status (it covers "
        "what is stored, and its log and the timeline's say which ended otherwise). --clock URL takes "
        "\"now\" from a clock service "
        "(POST {} answering {\"now\": ISO}, e.g. the replica's /_replica/clock): for tests and replays only."
    )
    exit_status = ("0  plan or crontab printed; stopped by SIGINT/SIGTERM", "1  the schedule file or state is "
                   "unreadable or invalid", "2  usage error")

    def long_desc(self) -> str:
        statuses = "".join(f"\n  {line}" for line in self.exit_status)
        paragraphs = "\n\n".join(textwrap.fill(p, 78) for p in self.description.split("\n\n"))
        return f"{paragraphs}\n\nExit status:{statuses}"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--dry-run", action="store_true", help="print the day's plan, start nothing")
        parser.add_argument("--date", type=_day, default=None, metavar="YYYY-MM-DD",
                            help="with --dry-run: the day to plan (default: today in the schedule's timezone)")
        parser.add_argument("--crontab", action="store_true", help="print the timeline as crontab lines")
        parser.add_argument("--env-file", default=None, metavar="FILE",
                            help="with --crontab: KEY=VALUE file every job loads (read, never executed; "
                                 "must not be readable by others)")
        parser.add_argument("--logs", default="logs", metavar="DIR",
                            help="with --crontab: folder of the jobs' date-stamped logs (default logs)")
        parser.add_argument("--schedule", default=None, metavar="FILE", help="schedule file (default TIMELINE_FILE)")
        parser.add_argument("--state", default=None, metavar="FILE", help="state file (default TIMELINE_STATE)")
        parser.add_argument("--clock", default=None, metavar="URL",
                            help="read the time from this clock service (tests, replays; default TIMELINE_CLOCK_URL "
                                 "or the system clock)")
        parser.add_argument("--interval", type=float, default=None, metavar="SECONDS",
                            help="seconds between checks (default TIMELINE_INTERVAL, 5)")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        # Here, not at module import: Scrapy imports every command's module at each `scrapy ...`
        # start, and croniter/requests cost start-up time to commands that never use them.
        from cineradar import timeline

        path = opts.schedule or defaulted(settings).get("TIMELINE_FILE")
        try:
            schedule = timeline.load(path)
        except (timeline.ScheduleError, ValueError) as exc:
            print(f"timeline: {exc}", file=sys.stderr)
            return 1
        nodes = settings.getlist("TIMELINE_NODES") or schedule.get("nodes", [])
        tz = schedule.get("timezone", "Asia/Jakarta")
        if opts.crontab:
            return self._crontab(settings, opts, schedule)
        if opts.dry_run:
            day = opts.date or dt.datetime.now(ZoneInfo(tz)).date()
            jobs = timeline.plan(schedule, day)
            print(f"timeline for {day} ({tz}), {len(jobs)} jobs, nodes: {', '.join(nodes)}")
            for job in jobs:
                print(job.describe())
            return 0
        if opts.date:
            print("timeline: --date goes with --dry-run (the timeline runs today, by its clock)", file=sys.stderr)
            return 2
        if not nodes:
            print("timeline: no Scrapyd nodes (schedule `nodes` or TIMELINE_NODES)", file=sys.stderr)
            return 1
        return self._run(settings, opts, schedule, nodes)

    def _crontab(self, settings: BaseSettings, opts: argparse.Namespace, schedule: dict[str, Any]) -> int:
        from cineradar import timeline
        from cineradar.timeline_runner import ENV_SETTINGS

        # The venv's bin first: cron's PATH lacks it, and `scrapy` must be this project's.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "/usr/bin:/bin")])
        overrides = [f"{name}={settings[name]}" for name in settings
                     if settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
                     and isinstance(settings[name], str | int | float | bool)]
        secret = [o.partition("=")[0] for o in overrides if o.partition("=")[0] in ENV_SETTINGS]
        if secret:  # a crontab line is a file and every job's argv: secrets go in the --env-file
            print(f"timeline: {', '.join(secret)} given with -s would be written into the crontab and every "
                  "job's command line (ps): put it in the --env-file instead", file=sys.stderr)
            return 1
        env_file = str(Path(opts.env_file).absolute()) if opts.env_file else None
        try:
            text = timeline.crontab(schedule, Path.cwd(), path, python=sys.executable, env_file=env_file,
                                    logs=opts.logs, settings=overrides)
        except timeline.ScheduleError as exc:
            print(f"timeline: {exc}", file=sys.stderr)
            return 1
        print(text, end="")
        return 0

    def _run(self, settings: BaseSettings, opts: argparse.Namespace, schedule: dict[str, Any],
             nodes: list[str]) -> int:
        from cineradar.timeline_runner import Runner, ScrapydNode, system_clock, url_clock

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s timeline %(levelname)s: %(message)s"))
        log = logging.getLogger("cineradar.timeline")
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
        user, password = os.environ.get("SCRAPYD_USERNAME"), os.environ.get("SCRAPYD_PASSWORD")
        auth = (user, password) if user and password else None
        clock_url = opts.clock or settings.get("TIMELINE_CLOCK_URL")
        state = Path(opts.state or defaulted(settings).get("TIMELINE_STATE"))
        try:
            runner = Runner(schedule, nodes=[ScrapydNode(url, auth) for url in nodes],
                            clock=url_clock(clock_url) if clock_url else system_clock(schedule.get("timezone",
                                                                                                   "Asia/Jakarta")),
                            state_path=state, outcome=lambda job: run_status(settings, job),
                            run_command=CommandStarter(settings, state.parent / "timeline-logs"))
        except RuntimeError as exc:
            print(f"timeline: {exc}", file=sys.stderr)
            return 1
        stopping: list[int] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda signum, _frame: stopping.append(signum))
        log.info("running %s on %s (state %s%s)", opts.schedule or defaulted(settings).get("TIMELINE_FILE"),
                 ", ".join(nodes), state, f", clock {clock_url}" if clock_url else "")
        interval = opts.interval or defaulted(settings).getfloat("TIMELINE_INTERVAL")
        while not stopping:
            try:
                runner.tick()
            except Exception as exc:  # noqa: BLE001 - one bad tick (a clock or store hiccup) must not end the day
                log.error("tick failed: %s: %s", type(exc).__name__, exc)
            time.sleep(interval)  # the scheduler's own pace; PEP 475 resumes it after a signal
        log.info("stopped; state in %s", state)
        return 0


def run_status(settings: BaseSettings, job: str) -> str | None:
    """The status of Scrapyd job ``job``'s run record in the primary store (None: no record)."""
    from cineradar.commands.tix_token import primary_backend

    backend = primary_backend(settings)
    try:
        rows = backend.fetch("crawl_runs", {"run_id": job})
    finally:
        backend.close()
    return str(rows[0]["status"]) if rows else None


class CommandStarter:
    """Starts a project command as `python -m scrapy <command> ...` with the -s settings this one got."""

    def __init__(self, settings: BaseSettings, logs: Path) -> None:
        self.logs = logs
        self.overrides = [f"{name}={settings[name]}" for name in settings
                          if settings.getpriority(name) == SETTINGS_PRIORITIES["cmdline"]
                          and isinstance(settings[name], str | int | float | bool)]

    def __call__(self, job: PlannedJob, key: str) -> subprocess.Popen[bytes]:
        from cineradar.timeline_runner import child_settings

        assert job.command is not None
        settings, env = child_settings(self.overrides)  # secrets in the environment, not argv
        argv = [sys.executable, "-m", "scrapy", *shlex.split(job.command), *settings]
        self.logs.mkdir(parents=True, exist_ok=True)
        with open(self.logs / (key.replace("/", "_") + ".log"), "ab") as out:
            return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env)
