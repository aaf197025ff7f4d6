"""``scrapy timeline``: the day's jobs on Scrapyd, from the schedule file (cineradar/timeline.py)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cineradar import timeline
from cineradar.commands import ProjectCommand

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


class Command(ProjectCommand):
    usage = "--dry-run [--date YYYY-MM-DD] [--schedule FILE]"
    summary = "Print (and, later, run on Scrapyd) the day's job plan from the schedule file"
    description = (
        "Reads the schedule (TIMELINE_FILE, default timeline.toml: TOML [[job]] entries with cron times in "
        "the schedule's timezone, batches, cities and dependencies) and prints every job of the day in WIB: "
        "its start time or the jobs it waits for, the spider or command and its arguments. Driving Scrapyd "
        "(schedule.json, listjobs.json, cancel.json) is not implemented yet: only --dry-run runs."
    )
    exit_status = ("0  plan printed", "1  the schedule file is unreadable or invalid",
                   "2  usage error (without --dry-run: not implemented yet)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--dry-run", action="store_true", help="print the day's plan, start nothing")
        parser.add_argument("--date", type=_day, default=None, metavar="YYYY-MM-DD",
                            help="the day to plan (default: today in the schedule's timezone)")
        parser.add_argument("--schedule", default=None, metavar="FILE", help="schedule file (default TIMELINE_FILE)")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        path = opts.schedule or settings.get("TIMELINE_FILE", "timeline.toml")
        try:
            schedule = timeline.load(path)
        except (timeline.ScheduleError, ValueError) as exc:
            print(f"timeline: {exc}")
            return 1
        if not opts.dry_run:
            print("timeline: only --dry-run is implemented so far (it prints the plan and starts nothing)")
            return 2
        tz = schedule.get("timezone", "Asia/Jakarta")
        day = opts.date or dt.datetime.now(ZoneInfo(tz)).date()
        jobs = timeline.plan(schedule, day)
        print(f"timeline for {day} ({tz}), {len(jobs)} jobs, nodes: {', '.join(schedule.get('nodes', []))}")
        for job in jobs:
            print(job.describe())
        return 0
