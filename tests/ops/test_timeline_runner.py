"""The runner's policies with a fake clock and a fake Scrapyd (FakeNode): the point is the decisions
(overlap, timeouts, failed dependencies, restarts), which a real Scrapyd would only make slow.
The whole path on a real Scrapyd: test_timeline_run.py."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from cineradar.timeline_runner import NodeDown, Runner, ScrapydNode

WIB = ZoneInfo("Asia/Jakarta")
DAY = dt.date(2026, 11, 21)
SCHEDULE: dict[str, Any] = {"timezone": "Asia/Jakarta", "project": "cineradar", "job": [
    {"name": "movies", "spider": "tix_movies", "cron": "0 6 * * *", "batches": 2},
    {"name": "seats", "spider": "tix_seats", "after": ["movies"]},
    {"name": "jit", "spider": "tix_seats", "cron": "*/10 8 * * *", "args": {"now": "{now}"}, "timeout": 15},
]}


class FakeNode(ScrapydNode):
    """A Scrapyd in memory: jobs stay running until the test finishes them."""

    def __init__(self, url: str, up: bool = True) -> None:
        super().__init__(url)
        self.up, self.jobs, self.finished, self.cancelled = up, {}, set(), []  # type: ignore[var-annotated]

    def _check(self) -> None:
        if not self.up:
            raise NodeDown(self.url)

    def status(self) -> dict[str, Any]:
        self._check()
        return {"status": "ok", "running": len(self.jobs) - len(self.finished), "pending": 0}

    def schedule(self, project: str, spider: str, args: dict[str, str]) -> str:
        self._check()
        job = f"{self.url}-{len(self.jobs)}"
        self.jobs[job] = (spider, args)
        return job

    def listjobs(self, project: str) -> dict[str, Any]:
        self._check()
        return {"pending": [], "running": [{"id": j} for j in self.jobs if j not in self.finished],
                "finished": [{"id": j} for j in self.finished]}

    def cancel(self, project: str, job: str) -> None:
        self.cancelled.append(job)
        self.finished.add(job)


class World:
    def __init__(self, tmp_path, nodes: list[FakeNode]) -> None:
        self.now = dt.datetime.combine(DAY, dt.time(5, 0), WIB)
        self.nodes, self.records, self.tmp = nodes, {}, tmp_path  # type: ignore[var-annotated]

    def runner(self) -> Runner:
        return Runner(SCHEDULE, nodes=self.nodes, clock=lambda: self.now, state_path=self.tmp / "state.json",
                      outcome=self.records.get, run_command=lambda job, key: None)  # type: ignore[arg-type,return-value]

    def at(self, hh: int, mm: int) -> None:
        self.now = dt.datetime.combine(DAY, dt.time(hh, mm), WIB)

    def finish(self, job: str, status: str) -> None:
        self.records[job] = status
        for node in self.nodes:
            if job in node.jobs:
                node.finished.add(job)


def started(world: World, spider: str | None = None) -> list[str]:
    return [j for n in world.nodes for j, (s, _) in n.jobs.items() if spider in (None, s)]


def test_a_partial_batch_does_not_stop_its_dependent(tmp_path, caplog):
    """The dependent starts once every batch has ended, whatever its status (issue 17 point 4),
    and says which did not succeed: the same rule as the cron lines (tests/ops/test_crontab_run.py)."""
    world = World(tmp_path, [FakeNode("http://a/")])
    runner = world.runner()
    runner.tick()
    world.at(6, 0)
    runner.tick()
    first, second = started(world, "tix_movies")
    world.finish(first, "partial")
    runner.tick()
    assert started(world, "tix_seats") == []  # one batch still running
    world.finish(second, "success")
    for _ in range(3):
        runner.tick()
    assert len(started(world, "tix_seats")) == 1
    assert runner.runs[f"{DAY}/seats"]["status"] == "running"
    assert runner.runs[f"{DAY}/seats"]["after_not_success"] == [f"{DAY}/movies[0/2] partial"]
    assert "starting although 2026-11-21/movies[0/2] partial" in caplog.text


def test_no_overlap_and_a_job_past_its_timeout_is_cancelled(tmp_path):
    world = World(tmp_path, [FakeNode("http://a/")])
    runner = world.runner()
    runner.tick()
    world.at(8, 0)
    runner.tick()
    (jit,) = started(world, "tix_seats")
    assert world.nodes[0].jobs[jit][1]["now"] == "2026-11-21T08:00:00+07:00"  # the timeline's clock
    world.at(8, 10)
    runner.tick()  # 10 min in, under its 15 min timeout: the 08:10 start is skipped, not stacked
    assert started(world, "tix_seats") == [jit]
    assert runner.runs[f"{DAY}/jit@08:10"]["status"] == "skipped"
    world.at(8, 16)
    runner.tick()
    assert world.nodes[0].cancelled == [jit] and runner.runs[f"{DAY}/jit@08:00"]["status"] == "cancelled"
    world.at(8, 20)
    runner.tick()
    assert len(started(world, "tix_seats")) == 2


def test_a_restart_repeats_nothing_and_a_down_node_is_skipped(tmp_path):
    world = World(tmp_path, [FakeNode("http://down/", up=False), FakeNode("http://a/"), FakeNode("http://b/")])
    runner = world.runner()
    runner.tick()
    world.at(6, 0)
    runner.tick()
    # Least loaded first: the two batches go to a and b; the down node gets nothing.
    assert [len(n.jobs) for n in world.nodes] == [0, 1, 1]
    again = world.runner()  # the command restarted: same state file
    world.at(6, 5)
    again.tick()
    assert [len(n.jobs) for n in world.nodes] == [0, 1, 1]
    world.at(8, 35)  # down since 06:05: 08:00..08:30 missed, 08:30 runs once
    again.tick()
    assert len(started(world, "tix_seats")) == 1
    assert [again.runs[f"{DAY}/jit@08:{m}"]["status"] for m in ("00", "10", "20")] == ["missed"] * 3
