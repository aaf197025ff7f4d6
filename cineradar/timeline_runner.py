"""Runs the day's plan (cineradar/timeline.py) on Scrapyd nodes: ``scrapy timeline`` without --dry-run.

No Scrapy here. ``Runner.tick()`` is called every few seconds with an injected clock; each call:

* follows the runs it started: a Scrapyd job listed as finished in listjobs.json succeeded when
  its run record (crawl_runs, keyed by Scrapyd's job id) says ``success``; a command (tix-token,
  daily-summary: Scrapyd runs spiders only) succeeded when its process exited 0. A job running
  longer than its ``timeout`` is cancelled through cancel.json.
* starts the timed jobs whose time has come. Per series (a job's name without its ``@HH:MM``)
  only the latest due start runs: starts missed while the command was down (or behind) are
  recorded as ``missed`` and run once, not once each. A start whose previous run of the same
  series is still pending or running is ``skipped`` (never two runs of one series at once).
* starts a dependent job once every job of its ``after`` groups that day has ended, whatever its
  status (it covers what is stored); one log line names those that did not end ``success``.

What was started when, on which node, with which job id, is kept in a JSON state file written
atomically after every change, so a restart of the command neither repeats nor forgets a run.
Only starts after the state file's creation count as missed: a first start does not replay the
morning.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

import requests

from cineradar.timeline import PlannedJob, plan

logger = logging.getLogger("cineradar.timeline")

Clock = Callable[[], dt.datetime]
DONE = {"success", "partial", "failed", "cancelled", "blocked", "skipped", "missed"}



# Settings the project also reads from the environment (cineradar/backends.py, auth/tmdb.py):
# a command the timeline starts gets them there, never in its argv (`ps` shows argv to every user).
ENV_SETTINGS = ("DATABASE_URL", "TMDB_READ_TOKEN", "TMDB_API_KEY")


def child_settings(overrides: list[str], environ: dict[str, str] | None = None) -> tuple[list[str], dict[str, str]]:
    """(the ``-s NAME=VALUE`` argv part, the environment) for a child given ``overrides``."""
    env = dict(os.environ if environ is None else environ)
    argv: list[str] = []
    for override in overrides:
        name, _, value = override.partition("=")
        if name in ENV_SETTINGS:
            env[name] = value
        else:
            argv += ["-s", override]
    return argv, env


class NodeDown(Exception):
    """The node does not answer (connection refused, timeout, 5xx)."""


class ScrapydNode:
    """One Scrapyd, through its JSON API with HTTP basic auth."""

    def __init__(self, url: str, auth: tuple[str, str] | None = None, timeout: float = 10.0) -> None:
        self.url = url.rstrip("/") + "/"
        self.session = requests.Session()
        self.session.auth = auth
        self.timeout = timeout

    def _call(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            response = self.session.request(method, self.url + path, timeout=self.timeout, **kw)
        except requests.RequestException as exc:
            raise NodeDown(f"{self.url}: {type(exc).__name__}") from None
        if response.status_code >= 500:
            raise NodeDown(f"{self.url}: HTTP {response.status_code}")
        if response.status_code == 401:
            raise NodeDown(f"{self.url}: HTTP 401 (check SCRAPYD_USERNAME and SCRAPYD_PASSWORD)")
        try:
            answer = dict(response.json())
        except ValueError:
            raise NodeDown(f"{self.url}{path}: HTTP {response.status_code}, not JSON") from None
        if answer.get("status") != "ok":
            raise RuntimeError(f"{self.url}{path}: {answer.get('message', answer)}")
        return answer

    def status(self) -> dict[str, Any]:
        return self._call("GET", "daemonstatus.json")

    def schedule(self, project: str, spider: str, args: dict[str, str]) -> str:
        return str(self._call("POST", "schedule.json", data={"project": project, "spider": spider} | args)["jobid"])

    def listjobs(self, project: str) -> dict[str, Any]:
        return self._call("GET", "listjobs.json", params={"project": project})

    def cancel(self, project: str, job: str) -> None:
        self._call("POST", "cancel.json", data={"project": project, "job": job})


class Process(Protocol):
    pid: int

    def poll(self) -> int | None: ...


def system_clock(tz: str = "Asia/Jakarta") -> Clock:
    return lambda: dt.datetime.now(ZoneInfo(tz))


def url_clock(url: str) -> Clock:
    """"Now" from a clock service answering POST {} with {"now": ISO} (the replica's /_replica/clock):
    a testing and replay aid, so a compressed day follows that clock instead of the system's."""
    def now() -> dt.datetime:
        return dt.datetime.fromisoformat(requests.post(url, json={}, timeout=10).json()["now"])
    return now


class Runner:
    def __init__(self, schedule: dict[str, Any], *, nodes: list[ScrapydNode], clock: Clock, state_path: str | Path,
                 outcome: Callable[[str], str | None], run_command: Callable[[PlannedJob, str], Process]) -> None:
        self.schedule = schedule
        self.project = str(schedule.get("project", "cineradar"))
        self.tz = ZoneInfo(schedule.get("timezone", "Asia/Jakarta"))
        self.nodes = nodes
        self.clock = clock
        self.state_path = Path(state_path)
        self.outcome = outcome
        self.run_command = run_command
        self.processes: dict[str, Process] = {}
        self.down: set[str] = set()  # nodes found down (logged once until they answer again)
        self.state = self._load()
        self.plans: dict[dt.date, list[PlannedJob]] = {}

    # ----- state ------------------------------------------------------------------
    def _load(self) -> dict[str, Any]:
        try:
            state = dict(json.loads(self.state_path.read_text()))
        except FileNotFoundError:
            return {"since": None, "runs": {}}
        except (OSError, ValueError) as exc:
            raise RuntimeError(f"timeline state {self.state_path}: {exc}") from None
        for key, run in state["runs"].items():  # a command's process did not survive the restart
            if run["status"] == "running" and run.get("command"):
                run |= {"status": "failed", "why": "interrupted: the timeline stopped while it ran"}
                logger.warning("%s: interrupted by the restart, counted as failed", key)
        return state

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_path.parent, prefix=".timeline-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(self.state, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_path)

    @property
    def runs(self) -> dict[str, dict[str, Any]]:
        return self.state["runs"]  # type: ignore[no-any-return]

    # ----- the loop -------------------------------------------------------------------
    def tick(self) -> None:
        now = self.clock().astimezone(self.tz)
        if self.state["since"] is None:
            self.state["since"] = now.isoformat()
            logger.info("timeline: first start at %s; earlier starts of the day are not replayed", now)
        since = dt.datetime.fromisoformat(self.state["since"])
        days = [now.date() - dt.timedelta(days=1), now.date()]
        jobs = [(day, job) for day in days for job in self._plan(day)]
        self._follow(now)
        self._start_timed(now, since, jobs)
        self._start_dependents(now, jobs)
        self._save()

    def _plan(self, day: dt.date) -> list[PlannedJob]:
        if day not in self.plans:
            self.plans = {d: p for d, p in self.plans.items() if d >= day - dt.timedelta(days=1)}
            self.plans[day] = plan(self.schedule, day)
        return self.plans[day]

    def _follow(self, now: dt.datetime) -> None:
        listed: dict[str, dict[str, Any] | None] = {}
        for key, run in self.runs.items():
            if run["status"] != "running":
                continue
            if run.get("command"):
                proc = self.processes.get(key)
                code = proc.poll() if proc else None
                if code is not None:
                    self._end(key, "success" if code == 0 else "failed", now, f"exit status {code}")
                continue
            node = run["node"]
            if node not in listed:
                listed[node] = self._listjobs(node)
            jobs = listed[node]
            if jobs is None:
                continue  # its node is down: wait for it
            if any(j["id"] == run["job"] for j in jobs["finished"]):
                status = self.outcome(run["job"])
                if status in (None, "running"):
                    self._end(key, "failed", now, "finished without a run record")
                else:
                    self._end(key, status, now, f"run record {status}")
            elif run.get("timeout") and now - dt.datetime.fromisoformat(run["started"]) > dt.timedelta(
                    minutes=run["timeout"]):
                try:
                    self._node(node).cancel(self.project, run["job"])
                except (NodeDown, RuntimeError) as exc:
                    logger.warning("%s: cancel after %s min failed (%s)", key, run["timeout"], exc)
                    continue
                self._end(key, "cancelled", now, f"still running after {run['timeout']} min")

    def _listjobs(self, url: str) -> dict[str, Any] | None:
        if not any(n.url == url for n in self.nodes):
            return None  # a node no longer configured: its runs stay unknown
        try:
            return self._node(url).listjobs(self.project)
        except (NodeDown, RuntimeError) as exc:
            logger.warning("listjobs on %s failed (%s): its jobs' state is unknown until it answers", url, exc)
            return None

    def _end(self, key: str, status: str, now: dt.datetime, why: str) -> None:
        run = self.runs[key]
        run |= {"status": status, "ended": now.isoformat(), "why": why}
        log = logger.info if status == "success" else logger.warning
        log("%s: %s (%s)", key, status, why)

    def _start_timed(self, now: dt.datetime, since: dt.datetime,
                     jobs: list[tuple[dt.date, PlannedJob]]) -> None:
        due: dict[str, list[tuple[str, PlannedJob]]] = {}
        for day, job in jobs:
            key = f"{day}/{job.name}"
            if job.at is not None and since < job.at <= now and key not in self.runs:
                due.setdefault(job.series, []).append((key, job))
        for series, starts in due.items():
            starts.sort(key=lambda s: s[1].at or now)
            *missed, (key, job) = starts
            for old, _ in missed:
                self.runs[old] = {"status": "missed", "why": f"coalesced into {key}"}
            if missed:
                logger.warning("%s: %d missed start(s) coalesced into one run", series, len(missed))
            self._start(key, job, now)

    def _start_dependents(self, now: dt.datetime, jobs: list[tuple[dt.date, PlannedJob]]) -> None:
        for day, job in jobs:
            key = f"{day}/{job.name}"
            if job.at is not None or key in self.runs:
                continue
            deps = [f"{day}/{j.name}" for d, j in jobs if d == day and j.group in job.after]
            states = [self.runs.get(k, {}).get("status") for k in deps]
            states = [s for s in states if s != "missed"]  # a coalesced start counts through the run that replaced it
            # Once every job it waits for has ended, whatever its status: a partial batch does not stop
            # the others' dependents (the dependent covers what is stored), as on the cron lines.
            if states and all(s in DONE for s in states):
                others = [f"{k} {self.runs[k]['status']}" for k in deps
                          if self.runs[k]["status"] not in ("success", "missed")]
                if others:
                    logger.warning("%s: starting although %s: it covers what is stored", key, ", ".join(others))
                self._start(key, job, now)
                if others and key in self.runs:
                    self.runs[key]["after_not_success"] = others

    def _start(self, key: str, job: PlannedJob, now: dt.datetime) -> None:
        busy = [k for k, r in self.runs.items() if r["status"] == "running" and r.get("series") == job.series]
        if busy:
            self.runs[key] = {"status": "skipped", "series": job.series, "why": f"{busy[0]} still running"}
            logger.warning("%s: not started: the previous run %s is still running", key, busy[0])
            return
        record: dict[str, Any] = {"status": "running", "series": job.series, "started": now.isoformat(),
                                  "planned": job.at.isoformat() if job.at else None, "timeout": job.timeout}
        if job.command:
            proc = self.run_command(job, key)
            self.processes[key] = proc
            self.runs[key] = record | {"command": job.command, "pid": proc.pid}
            logger.info("%s: started `scrapy %s` (pid %d)", key, job.command, proc.pid)
            return
        assert job.spider is not None
        args = {k: v.replace("{now}", now.isoformat()) for k, v in job.args.items()}
        for node in self._nodes_by_load():
            try:
                job_id = node.schedule(self.project, job.spider, args)
            except NodeDown as exc:
                self._mark_down(node.url, str(exc))
                continue
            except RuntimeError as exc:  # the node answered but refused (unknown spider, ...): one line
                self.runs[key] = record | {"status": "failed", "why": str(exc), "ended": now.isoformat()}
                logger.error("%s: refused by %s: %s", key, node.url, exc)
                return
            self.runs[key] = record | {"spider": job.spider, "args": args, "node": node.url, "job": job_id}
            logger.info("%s: started %s on %s as job %s", key, job.spider, node.url, job_id)
            return
        logger.warning("%s: no Scrapyd node answers; it starts when one does", key)

    def _nodes_by_load(self) -> list[ScrapydNode]:
        up: list[tuple[int, int, ScrapydNode]] = []
        for index, node in enumerate(self.nodes):
            try:
                status = node.status()
            except NodeDown as exc:
                self._mark_down(node.url, str(exc))
                continue
            if node.url in self.down:
                self.down.discard(node.url)
                logger.info("Scrapyd node %s answers again", node.url)
            up.append((int(status.get("pending", 0)) + int(status.get("running", 0)), index, node))
        return [node for _, _, node in sorted(up, key=lambda u: (u[0], u[1]))]

    def _mark_down(self, url: str, why: str) -> None:
        if url not in self.down:
            self.down.add(url)
            logger.warning("Scrapyd node %s is down (%s): skipped, its jobs go to the other nodes", url, why)

    def _node(self, url: str) -> ScrapydNode:
        return next(n for n in self.nodes if n.url == url)
