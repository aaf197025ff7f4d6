"""The day's plan: which jobs start when (WIB), from a TOML schedule file. No Scrapy here.

``plan(schedule, day)`` expands each ``[[job]]`` of the file into the jobs of one calendar day
in the schedule's timezone: cron times through croniter, ``batches``/``cities`` into one job each,
``after`` into a dependency (the job starts once every job of the named ones has succeeded), and
``{date}``/``{yesterday}`` in arguments (``{now}`` stays: the runner fills it in when it starts
the job). ``scrapy timeline --dry-run --date D`` prints it; ``crontab()`` writes the same day as
crontab lines for machines without Scrapyd. The runner is cineradar/timeline_runner.py.
"""

from __future__ import annotations

import datetime as dt
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from croniter import croniter


class ScheduleError(ValueError):
    pass


PLAIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class PlannedJob:
    group: str  # the [[job]] name; `after` refers to groups
    name: str  # unique in the day: group, [batch] or [city], @HH:MM for repeated cron jobs
    at: dt.datetime | None  # None: starts when every job of `after` has succeeded
    spider: str | None = None
    command: str | None = None
    args: dict[str, str] = field(default_factory=dict)
    after: tuple[str, ...] = ()
    timeout: float | None = None  # minutes: a run still going after that long is cancelled

    @property
    def series(self) -> str:
        """The name without its time: runs of one series never overlap."""
        return self.name.split("@", 1)[0]

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
        if not isinstance(name, str) or not PLAIN_WORD.fullmatch(name):
            # names become file names, lock names and crontab words: letters, digits, _ and - only
            raise ScheduleError(f"job name {name!r} is not a plain word (letters, digits, _ and -)")
        batches = job.get("batches")
        if batches is not None and (not isinstance(batches, int) or isinstance(batches, bool) or batches < 1):
            raise ScheduleError(f"job {name}: batches must be a positive whole number, got {batches!r}")
        if bool(job.get("spider")) == bool(job.get("command")):
            raise ScheduleError(f"job {name}: give exactly one of spider or command")
        if not job.get("cron") and not job.get("after"):
            raise ScheduleError(f"job {name}: give cron or after")
        if job.get("cron") and not croniter.is_valid(job["cron"]):
            raise ScheduleError(f"job {name}: invalid cron {job['cron']!r}")
        unknown = [a for a in job.get("after", []) if a not in names]
        if unknown:
            raise ScheduleError(f"job {name}: after names unknown jobs {unknown}")
        timeout = job.get("timeout")
        if timeout is not None and (not isinstance(timeout, int | float) or timeout <= 0):
            raise ScheduleError(f"job {name}: timeout must be a positive number of minutes, got {timeout!r}")
    nodes = schedule.get("nodes", [])
    if not isinstance(nodes, list) or not all(isinstance(n, str) and n.startswith("http") for n in nodes):
        raise ScheduleError(f"nodes must be a list of Scrapyd URLs, got {nodes!r}")
    try:
        ZoneInfo(schedule.get("timezone", "Asia/Jakarta"))
    except (ValueError, KeyError) as exc:
        raise ScheduleError(f"unknown timezone {schedule.get('timezone')!r}") from exc


def plan(schedule: dict[str, Any], day: dt.date) -> list[PlannedJob]:
    tz = ZoneInfo(schedule.get("timezone", "Asia/Jakarta"))
    start = dt.datetime.combine(day, dt.time(), tz)
    end = start + dt.timedelta(days=1)
    values = {"date": day.isoformat(), "yesterday": (day - dt.timedelta(days=1)).isoformat(), "now": "{now}"}
    jobs: list[PlannedJob] = []
    for spec in schedule.get("job", []):
        times: list[dt.datetime | None] = [None]
        if spec.get("cron"):
            it = croniter(spec["cron"], start - dt.timedelta(seconds=1))
            times = []
            while (t := it.get_next(dt.datetime)) < end:
                times.append(t)
        args = {k: str(v).format(**values) for k, v in spec.get("args", {}).items()}
        for at in times:
            for suffix, extra in variants(spec):
                name = spec["name"] + suffix + (f"@{at:%H:%M}" if at and len(times) > 1 else "")
                command = spec.get("command")
                if command:
                    command = " ".join([command, *(str(a).format(**values) for a in spec.get("command_args", []))])
                jobs.append(PlannedJob(group=spec["name"], name=name, at=at, spider=spec.get("spider"),
                                       command=command, args=args | extra, after=tuple(spec.get("after", ())),
                                       timeout=spec.get("timeout")))
    return order(jobs)


def variants(spec: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """A [[job]]'s jobs as (name suffix, extra arguments): one per batch or city, else one."""
    if spec.get("batches"):
        n = int(spec["batches"])
        return [(f"[{i}/{n}]", {"batch": f"{i}/{n}"}) for i in range(n)]
    if spec.get("cities"):
        return [(f"[{c}]", {"city": c}) for c in spec["cities"]]
    return [("", {})]


def order(jobs: list[PlannedJob]) -> list[PlannedJob]:
    """Timed jobs by time; dependent jobs (in file order) right after the jobs they wait for."""
    result = sorted((j for j in jobs if j.at is not None), key=lambda j: (j.at, j.name))
    for job in (j for j in jobs if j.at is None):
        deps = [i for i, j in enumerate(result) if j.group in job.after]
        pos = max(deps) + 1 if deps else len(result)
        while pos < len(result) and result[pos].at is None:  # after the dependents placed before it
            pos += 1
        result.insert(pos, job)
    return result


CRON_FIELDS = re.compile(r"(@(yearly|annually|monthly|weekly|daily|hourly)|[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){4})")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def cron_word(value: str, where: str) -> str:
    """One shell word for a crontab line: shlex-quoted, with cron's ``%`` escaped. A control character
    (a newline would start a new crontab line) or a ``\\%`` (cron cannot carry it) is refused."""
    if CONTROL.search(value):
        raise ScheduleError(f"{where}: {value!r} has a control character, which a crontab line cannot carry")
    if "\\%" in value:
        raise ScheduleError(f"{where}: {value!r} has a backslash before %, which a crontab line cannot carry")
    return shlex.quote(value).replace("%", "\\%")


def crontab(schedule: dict[str, Any], project_dir: str | Path, path: str = "/usr/local/bin:/usr/bin:/bin", *,
            python: str = "python3", env_file: str | None = None, logs: str = "logs",
            settings: list[str] | tuple[str, ...] = ()) -> str:
    """The same timeline as crontab lines (cronie's CRON_TZ for the timezone), for running without Scrapyd.

    One line per timed group (bash: ``J`` holds the cron_job call, ``S`` the -s options):
    ``python -m cineradar.cron_job`` runs its jobs (batches and cities side
    by side, each with its own date-stamped log, lock and outcome record, see cineradar/cron_job.py),
    then, on the same line, the jobs that wait for it (``--after``: they start once every job they
    wait for has ended, whatever its status, as on Scrapyd; a dependent of several timed groups is on
    the line of the last one and also waits for the others' locks). Every word is shlex-quoted; the
    placeholders stay in the arguments and are filled by cron_job when the job starts. ``settings``
    (``NAME=VALUE``) become ``-s`` options of every job; secrets belong in ``env_file``, not there.
    """
    tz = str(schedule.get("timezone", "Asia/Jakarta"))
    specs = schedule.get("job", [])
    times = {s["name"]: s["cron"] for s in specs if s.get("cron")}

    def first_minute(name: str) -> int:  # when a cron group first runs in a day, for "the last it waits for"
        t = croniter(times[name], dt.datetime(2026, 1, 4)).get_next(dt.datetime)
        return t.hour * 60 + t.minute

    def root(spec: dict[str, Any]) -> str:  # the timed group whose line a dependent joins
        while not spec.get("cron"):
            spec = next(s for s in specs if s["name"] == max(spec["after"], key=lambda n: first_minute(root_of(n))))
        return str(spec["name"])

    def root_of(name: str) -> str:
        return root(next(s for s in specs if s["name"] == name))

    common = [python, "-m", "cineradar.cron_job", "--tz", tz, "--logs", logs]
    if env_file:
        common += ["--env-file", env_file]
    overrides = [w for value in settings for w in ("-s", value)]
    # Once per line, in bash arrays: the lines stay short (vixie-derived crons cap a command near 1000 bytes).
    arrays = (f"J=({' '.join(cron_word(w, 'cron job') for w in common)}) "
              f"S=({' '.join(cron_word(w, '-s option') for w in overrides)})")

    def job(spec: dict[str, Any]) -> str:
        name = spec["name"]
        words: list[str] = []
        if spec.get("timeout"):
            words += ["--timeout", str(spec["timeout"])]
        if spec.get("batches"):
            words += ["--batches", str(int(spec["batches"]))]
        elif spec.get("cities"):
            words += ["--cities", ",".join(str(c) for c in spec["cities"])]
        for group in spec.get("after", ()):
            words += ["--after", str(group)]
        words += [name, "--"]
        if spec.get("command"):
            words += [str(spec["command"]), *(str(a) for a in spec.get("command_args", []))]
        else:
            words += ["crawl", str(spec["spider"])]
            for key, value in spec.get("args", {}).items():
                words += ["-a", f"{key}={value}"]
        return " ".join(['"${J[@]}"', *(cron_word(w, f"job {name}") for w in words), '"${S[@]}"'])

    for where, value in (("PATH", path), ("project folder", str(project_dir))):
        if CONTROL.search(value):
            raise ScheduleError(f"{where} {value!r} has a control character, which a crontab line cannot carry")
    lines = [f"# CineRadar timeline as crontab lines (generated by `scrapy timeline --crontab`), times in {tz}.",
             "# CRON_TZ: cronie reads it, Debian's cron does not (set the machine's timezone: docs/operations.md).",
             f"# Each job logs to {logs}/<job>-<date>.log; outcomes and locks in .scrapy/cron/.",
             f"CRON_TZ={tz}", "SHELL=/bin/bash", f"PATH={path}"]
    for spec in specs:
        if not spec.get("cron"):
            continue
        if not CRON_FIELDS.fullmatch(str(spec["cron"])):
            raise ScheduleError(f"job {spec['name']}: cron {spec['cron']!r} is not 5 plain fields")
        chain = [job(spec)] + [job(dep) for dep in specs if not dep.get("cron") and root(dep) == spec["name"]]
        line = f"cd {cron_word(str(project_dir), 'project folder')} && {arrays} && {{ {'; '.join(chain)}; }}"
        lines.append(f"{spec['cron']:<16} {line}")
    return "\n".join(lines) + "\n"
