"""The day's plan: which jobs start when (WIB), from a TOML schedule file. No Scrapy here.

``plan(schedule, day)`` expands each ``[[job]]`` of the file into the jobs of one calendar day
in the schedule's timezone: cron times through croniter, ``batches``/``cities`` into one job each,
``after`` into a dependency (the job starts once every job of the named ones has succeeded), and
``{date}``/``{yesterday}`` in arguments. ``scrapy timeline --dry-run --date D`` prints it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter


class ScheduleError(ValueError):
    pass


@dataclass(frozen=True)
class PlannedJob:
    group: str  # the [[job]] name; `after` refers to groups
    name: str  # unique in the day: group, [batch] or [city], @HH:MM for repeated cron jobs
    at: dt.datetime | None  # None: starts when every job of `after` has succeeded
    spider: str | None = None
    command: str | None = None
    args: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()

    def describe(self) -> str:
        when = self.at.strftime("%H:%M") if self.at else "after " + " + ".join(self.after)
        what = f"spider {self.spider}" if self.spider else f"command {self.command}"
        args = " ".join(f"{k}={v}" for k, v in self.args.items())
        return f"{when:>28}  {self.name:<32} {what}{'  ' + args if args else ''}"


def load(path: str | Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            schedule = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScheduleError(f"schedule file {path}: {exc}") from None
    validate(schedule)
    return schedule


def validate(schedule: dict[str, Any]) -> None:
    names = [job.get("name") for job in schedule.get("job", [])]
    for job in schedule.get("job", []):
        name = job.get("name")
        if not name:
            raise ScheduleError("every [[job]] needs a name")
        if bool(job.get("spider")) == bool(job.get("command")):
            raise ScheduleError(f"job {name}: give exactly one of spider or command")
        if not job.get("cron") and not job.get("after"):
            raise ScheduleError(f"job {name}: give cron or after")
        if job.get("cron") and not croniter.is_valid(job["cron"]):
            raise ScheduleError(f"job {name}: invalid cron {job['cron']!r}")
        unknown = [a for a in job.get("after", []) if a not in names]
        if unknown:
            raise ScheduleError(f"job {name}: after names unknown jobs {unknown}")
    ZoneInfo(schedule.get("timezone", "Asia/Jakarta"))


def plan(schedule: dict[str, Any], day: dt.date) -> list[PlannedJob]:
    tz = ZoneInfo(schedule.get("timezone", "Asia/Jakarta"))
    start = dt.datetime.combine(day, dt.time(), tz)
    end = start + dt.timedelta(days=1)
    values = {"date": day.isoformat(), "yesterday": (day - dt.timedelta(days=1)).isoformat()}
    jobs: list[PlannedJob] = []
    for spec in schedule.get("job", []):
        times: list[dt.datetime | None] = [None]
        if spec.get("cron"):
            it = croniter(spec["cron"], start - dt.timedelta(seconds=1))
            times = []
            while (t := it.get_next(dt.datetime)) < end:
                times.append(t)
        variants: list[tuple[str, dict[str, str]]] = [("", {})]
        if spec.get("batches"):
            n = int(spec["batches"])
            variants = [(f"[{i}/{n}]", {"batch": f"{i}/{n}"}) for i in range(n)]
        elif spec.get("cities"):
            variants = [(f"[{c}]", {"city": c}) for c in spec["cities"]]
        args = {k: str(v).format(**values) for k, v in spec.get("args", {}).items()}
        for at in times:
            for suffix, extra in variants:
                name = spec["name"] + suffix + (f"@{at:%H:%M}" if at and len(times) > 1 else "")
                command = spec.get("command")
                if command:
                    command = " ".join([command, *(str(a).format(**values) for a in spec.get("command_args", []))])
                jobs.append(PlannedJob(group=spec["name"], name=name, at=at, spider=spec.get("spider"),
                                       command=command, args=args | extra, after=tuple(spec.get("after", ()))))
    return order(jobs)


def order(jobs: list[PlannedJob]) -> list[PlannedJob]:
    """Timed jobs by time; dependent jobs (in file order) right after the jobs they wait for."""
    result = sorted((j for j in jobs if j.at is not None), key=lambda j: (j.at, j.name))
    for job in (j for j in jobs if j.at is None):
        deps = [i for i, j in enumerate(result) if j.group in job.after]
        same = sum(1 for j in result if j.group == job.group)  # earlier batches of this group
        result.insert((max(deps) + 1 if deps else len(result)) + same, job)
    return result
