"""One timeline job started by cron: ``python -m cineradar.cron_job``, as the lines of
``scrapy timeline --crontab`` (cineradar/timeline.py) call it. No Scrapy here: it starts fast and
stays small while the crawl runs.

For a job (or each batch/city of it, side by side) it:

* loads the environment file (``--env-file``) without executing it: KEY=VALUE lines in dotenv
  syntax (python-dotenv, no interpolation); a file others can write, or read, or that is owned by
  another user than this one or root, or has a line that does not parse, is refused (exit 1, one
  line on stderr, which cron mails);
* fills ``{date}``, ``{yesterday}`` and ``{now}`` in the arguments from the schedule's timezone
  when it starts (plain replacement: nothing else in an argument is special); CINERADAR_TODAY
  (a replay of a fixed day) sets the day;
* never runs two of one series at once (a lock per job, as the Scrapyd timeline): a start whose
  previous run still holds the lock is ``skipped``;
* appends the crawl's output to its own date-stamped log (``LOGS/<job>-<YYYY-MM-DD>.log``), with a
  first and a last line of its own (started, ended STATUS with the exit status);
* ends a run past its ``--timeout`` with SIGTERM (Scrapy's graceful stop, like Scrapyd's
  cancel.json), then SIGKILL if it is still there after KILL_GRACE seconds;
* records the outcome in ``STATE/<job>.json`` (success, partial, failed, cancelled, skipped),
  which ``--after`` reads: a dependent job waits until every job of the named groups has ended
  (whatever its status: it covers what is stored) and says in its log which ended otherwise.

Exit status: the crawl's own (0 complete, 1 failed, 2 bad arguments, 3 partial), the worst of the
batches, 1 for an unusable environment file, 75 when skipped.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import json
import logging
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from dotenv import dotenv_values

SKIPPED = 75  # EX_TEMPFAIL: the previous run of this series is still going
KILL_GRACE = 120.0  # seconds between SIGTERM at the timeout and SIGKILL
STATUSES = {0: "success", 1: "failed", 2: "failed", 3: "partial", SKIPPED: "skipped"}
PLACEHOLDERS = ("{date}", "{yesterday}", "{now}")


class EnvFileError(ValueError):
    pass


def load_env_file(path: str | Path) -> dict[str, str]:
    """The variables of a dotenv file, read without running anything in it; refused unless only
    its owner (this user or root) can write it and others cannot read it (it holds secrets)."""
    path = Path(path)
    try:
        info = path.stat()
    except OSError as exc:
        raise EnvFileError(f"environment file {path}: {exc.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise EnvFileError(f"environment file {path}: not a regular file")
    if info.st_uid not in (0, os.geteuid()):
        raise EnvFileError(f"environment file {path}: owned by uid {info.st_uid}, not by this user or root")
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH | stat.S_IROTH):
        raise EnvFileError(f"environment file {path}: mode {stat.S_IMODE(info.st_mode):o} lets others read or "
                           "write it (chmod 600, or 640 with the job's group)")
    problems: list[str] = []

    class Collect(logging.Handler):  # python-dotenv reports a line it cannot parse as a warning, then skips it
        def emit(self, record: logging.LogRecord) -> None:
            problems.append(record.getMessage())

    handler = Collect(logging.WARNING)
    dotenv_logger = logging.getLogger("dotenv.main")
    dotenv_logger.addHandler(handler)
    try:
        values = dotenv_values(path, interpolate=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"environment file {path}: {exc}") from None
    finally:
        dotenv_logger.removeHandler(handler)
    if problems:
        raise EnvFileError(f"environment file {path}: {problems[0]}")
    missing = [k for k, v in values.items() if v is None]
    if missing:
        raise EnvFileError(f"environment file {path}: {missing[0]} has no value (write {missing[0]}=...)")
    return {k: v for k, v in values.items() if v is not None}


def fill(arg: str, now: dt.datetime) -> str:
    values = {"{date}": now.date().isoformat(), "{yesterday}": (now.date() - dt.timedelta(days=1)).isoformat(),
              "{now}": now.isoformat(timespec="seconds")}
    for key in PLACEHOLDERS:
        arg = arg.replace(key, values[key])
    return arg


def file_stem(key: str) -> str:
    """A job's name as a file name: tix_movies[3/9] -> tix_movies.3of9, repertuary[krakow] -> repertuary.krakow."""
    group, _, variant = key.partition("[")
    variant = variant.rstrip("]").replace("/", "of")
    variant = re.sub(r"[^A-Za-z0-9_-]", "_", variant)
    return f"{group}.{variant}" if variant else group


def variants(name: str, batches: int | None, cities: list[str]) -> list[tuple[str, list[str]]]:
    """(job key, extra crawl arguments) per batch or city, as cineradar.timeline.variants names them."""
    if batches:
        return [(f"{name}[{i}/{batches}]", ["-a", f"batch={i}/{batches}"]) for i in range(batches)]
    if cities:
        return [(f"{name}[{c}]", ["-a", f"city={c}"]) for c in cities]
    return [(name, [])]


class Job:
    def __init__(self, key: str, argv: list[str], opts: argparse.Namespace, env: dict[str, str],
                 now: dt.datetime) -> None:
        self.key, self.argv, self.opts, self.env, self.now = key, argv, opts, env, now
        self.stem = file_stem(key)
        self.state = Path(opts.state)
        self.log_path = Path(opts.logs) / f"{self.stem}-{now.date().isoformat()}.log"

    def status_path(self) -> Path:
        return self.state / f"{self.stem}.json"

    def record(self, **fields: Any) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state, prefix=".status-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump({"job": self.key, "date": self.now.date().isoformat(), "log": str(self.log_path)} | fields, f)
        os.replace(tmp, self.status_path())

    def run(self, preamble: list[str]) -> int:
        self.state.mkdir(parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.state / f"{self.stem}.lock", "a") as lock, open(self.log_path, "ab") as log:
            os.chmod(self.log_path, 0o640)  # a crawl log may name hosts and ids: not for everyone
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                note(log, f"{self.key}: skipped: the previous run is still running")
                return SKIPPED
            for line in preamble:
                note(log, line)
            argv = [fill(a, self.now) for a in self.argv]
            note(log, f"{self.key}: started: scrapy {' '.join(argv)}")
            self.record(status="running", started=self.now.isoformat(timespec="seconds"), pid=os.getpid())
            code, cancelled = self._child(argv, log)
            status = "cancelled" if cancelled else STATUSES.get(code, "failed")
            ended = dt.datetime.now(self.now.tzinfo).isoformat(timespec="seconds")
            self.record(status=status, started=self.now.isoformat(timespec="seconds"), ended=ended, exit=code)
            note(log, f"{self.key}: ended {status.upper()} (exit status {code})"
                      + (f": still running after {self.opts.timeout} min, stopped" if cancelled else ""))
            return code

    def _child(self, argv: list[str], log: IO[bytes]) -> tuple[int, bool]:
        try:
            proc = subprocess.Popen(["scrapy", *argv], stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                    stdin=subprocess.DEVNULL)
        except OSError as exc:  # no scrapy on PATH, not executable: the job failed, say so (cron mails it)
            note(log, f"{self.key}: could not start scrapy: {exc}")
            print(f"cron job {self.key}: could not start scrapy: {exc}", file=sys.stderr)
            return 127, False
        if not self.opts.timeout:
            return proc.wait(), False
        try:
            return proc.wait(timeout=self.opts.timeout * 60), False
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=KILL_GRACE)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return 1, True


def note(log: IO[bytes], text: str) -> None:
    stamp = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    log.write(f"{stamp} [cron] {text}\n".encode())
    log.flush()


@contextmanager
def _held(lock_path: Path) -> Iterator[None]:
    with open(lock_path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # blocks while that job runs
        fcntl.flock(lock, fcntl.LOCK_UN)
        yield


def after_report(state: Path, groups: list[str], today: dt.date) -> list[str]:
    """Wait until no job of ``groups`` is running (their locks), then one line per group saying how its
    jobs of ``today`` ended: the dependent runs whatever they ended, on what they stored."""
    lines = []
    for group in groups:
        locks = sorted(state.glob(f"{group}.lock")) + sorted(state.glob(f"{group}.*.lock"))
        for lock in locks:
            with _held(lock):
                pass
        records = []
        for path in sorted(state.glob(f"{group}.json")) + sorted(state.glob(f"{group}.*.json")):
            try:
                records.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        todays = [r for r in records if r.get("date") == today.isoformat()]
        if not todays:
            lines.append(f"after {group}: no run today; this job covers what is stored")
            continue
        # A record still "running" once its lock is free: the run was killed before it could end it.
        bad = [f"{r['job']} {'INTERRUPTED' if r.get('status') == 'running' else str(r.get('status')).upper()}"
               for r in todays if r.get("status") != "success"]
        if bad:
            lines.append(f"after {group}: {len(todays) - len(bad)} of {len(todays)} ended success; "
                         f"{', '.join(bad)}: this job covers what is stored")
        else:
            lines.append(f"after {group}: all {len(todays)} ended success")
    return lines


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="python -m cineradar.cron_job",
                                     description="Run one timeline job for cron (see scrapy timeline --crontab).")
    parser.add_argument("name", help="the job's name in the schedule")
    parser.add_argument("--env-file", help="KEY=VALUE file loaded into the job's environment (not executed)")
    parser.add_argument("--logs", default="logs", help="folder of the date-stamped job logs")
    parser.add_argument("--state", default=".scrapy/cron", help="folder of the locks and outcome records")
    parser.add_argument("--tz", default="Asia/Jakarta", help="the schedule's timezone, for {date} and the logs")
    parser.add_argument("--timeout", type=float, default=None, help="minutes before the run is stopped")
    parser.add_argument("--batches", type=int, default=None, help="run N batches side by side (batch=i/N)")
    parser.add_argument("--cities", default="", help="run one job per city (comma-separated) side by side")
    parser.add_argument("--after", action="append", default=[], help="wait for every job of this group to end")
    if "--" not in argv:
        parser.error("give the scrapy arguments after --")
    split = argv.index("--")
    opts = parser.parse_args(argv[:split])
    if not argv[split + 1:]:
        parser.error("give the scrapy arguments after --")
    return opts, argv[split + 1:]


def main(argv: list[str] | None = None) -> int:
    opts, scrapy_args = parse(sys.argv[1:] if argv is None else argv)
    env = dict(os.environ)
    if opts.env_file:
        try:
            env |= load_env_file(opts.env_file)
        except EnvFileError as exc:
            print(f"cron job {opts.name}: {exc}; not started", file=sys.stderr)
            return 1
    now = dt.datetime.now(ZoneInfo(opts.tz))
    if env.get("CINERADAR_TODAY"):  # a replay of a fixed day: {date} is that day, as for the crawls' window
        try:
            now = dt.datetime.combine(dt.date.fromisoformat(env["CINERADAR_TODAY"]), now.timetz())
        except ValueError:
            print(f"cron job {opts.name}: CINERADAR_TODAY={env['CINERADAR_TODAY']!r} is not YYYY-MM-DD; "
                  "not started", file=sys.stderr)
            return 1
    preamble = after_report(Path(opts.state), opts.after, now.date()) if opts.after else []
    cities = [c for c in opts.cities.split(",") if c]
    jobs = [Job(key, scrapy_args + extra, opts, env, now) for key, extra in variants(opts.name, opts.batches, cities)]
    if len(jobs) == 1:
        return jobs[0].run(preamble)
    codes: dict[str, int] = {}
    threads = [threading.Thread(target=lambda j=job: codes.__setitem__(j.key, j.run(preamble))) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    worst = [c for c in codes.values() if c not in (0, SKIPPED)]
    return (1 if 1 in worst else max(worst)) if worst else 0


if __name__ == "__main__":
    sys.exit(main())
