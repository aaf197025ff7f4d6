"""`scrapy timeline` runs a compressed day on a real Scrapyd against the replica.

The replica's clock is frozen at 05:45 WIB and moved on with its knob (POST /_replica/clock);
the timeline reads the same clock (--clock) and starts jobs through schedule.json. The nodes
list starts with a URL nothing listens on. What ran is read back from Scrapyd's listjobs.json,
the run records and the replica's request log.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from replica import Replica
from tests.conftest import ROOT
from tests.ops.conftest import AUTH, DAY0, free_port
from tests.tix.helpers import seed_token

pytestmark = pytest.mark.e2e
WIB = ZoneInfo("Asia/Jakarta")
START = dt.datetime.combine(DAY0, dt.time(5, 45), WIB)
CITIES = "AMBON,BANDUNG"

TIMELINE = """
timezone = "Asia/Jakarta"
project = "cineradar"
nodes = ["{down}", "{up}"]

[[job]]
name = "token_check"
command = "tix-token"
command_args = ["--refresh", "--min-ttl", "25"]
cron = "50 5 * * *"

[[job]]
name = "tix_movies"
spider = "tix_movies"
cron = "0 6 * * *"
batches = 2
args = {{ date = "{{date}}", cities = "{cities}" }}

[[job]]
name = "tix_seats_morning"
spider = "tix_seats"
after = ["tix_movies"]
args = {{ mode = "morning", date = "{{date}}", cities = "{cities}" }}

[[job]]
name = "tix_seats_jit"
spider = "tix_seats"
cron = "20,30,40,50 6 * * *"
args = {{ mode = "jit", window = "20", date = "{{date}}", now = "{{now}}", cities = "{cities}" }}

[[job]]
name = "repertuary"
spider = "repertuary"
cron = "5 6 * * *"
cities = ["krakow"]
args = {{ days = "1", date = "{{date}}" }}

[[job]]
name = "tmdb_match"
spider = "tmdb_match"
after = ["repertuary", "tix_movies"]
"""


@pytest.fixture(scope="module")
def replica():
    """Frozen at 05:45 WIB; tokens that outlive the compressed day; TMDB's token for the Scrapyd jobs."""
    replica = Replica(preset="tiny", seed=1, date=DAY0, now=START)
    replica.knobs.access_ttl_s = 30 * 86400
    old = os.environ.get("TMDB_READ_TOKEN")
    os.environ["TMDB_READ_TOKEN"] = replica.knobs.tmdb_bearer  # read by the scrapyd fixture's environment
    replica.start()
    yield replica
    replica.stop()
    if old is None:
        os.environ.pop("TMDB_READ_TOKEN", None)
    else:
        os.environ["TMDB_READ_TOKEN"] = old


def clock(replica: Replica, **change: Any) -> dt.datetime:
    answer = requests.post(replica.urls["tix_api"] + "/_replica/clock", json=change, timeout=10).json()
    return dt.datetime.fromisoformat(answer["now"])


def set_clock(replica: Replica, hh: int, mm: int) -> None:
    clock(replica, now=dt.datetime.combine(DAY0, dt.time(hh, mm), WIB).isoformat())


class Timeline:
    """`scrapy timeline` as a subprocess, started and stopped by the test."""

    def __init__(self, work: Path, scrapyd: dict[str, Any], replica: Replica) -> None:
        self.work, self.scrapyd, self.replica = work, scrapyd, replica
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = work / "timeline.log"

    def start(self) -> None:
        env = os.environ | {"PYTHONPATH": str(ROOT), "SCRAPYD_USERNAME": AUTH[0], "SCRAPYD_PASSWORD": AUTH[1],
                            "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
        cmd = [sys.executable, "-m", "scrapy", "timeline", "--schedule", str(self.work / "timeline.toml"),
               "--state", str(self.work / "state.json"), "--interval", "0.3",
               "--clock", self.replica.urls["tix_api"] + "/_replica/clock",
               "-s", f"SQLITE_PATH={self.scrapyd['home'] / 'data/cineradar.db'}", "-s", "REMOTE_CONTROL_ENABLED=False"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            assert self.proc.wait(timeout=30) == 0, self.log.read_text()[-3000:]

    def runs(self) -> dict[str, dict[str, Any]]:
        import json

        try:
            return dict(json.loads((self.work / "state.json").read_text())["runs"])
        except FileNotFoundError:
            return {}

    def wait(self, *keys: str, status: str = "success", timeout: float = 120) -> dict[str, dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            runs = self.runs()
            if not (self.work / "state.json").exists():
                time.sleep(0.3)  # the first tick has not written its state yet
                continue
            done = [runs.get(f"{DAY0}/{k}", {}).get("status") for k in keys]
            if all(s == status for s in done):
                return runs
            bad = [(k, runs[f"{DAY0}/{k}"]) for k, s in zip(keys, done, strict=True)
                   if s not in (None, "running", status)]
            assert not bad, f"{bad}\n{self.log.read_text()[-3000:]}"
            assert self.proc is not None and self.proc.poll() is None, self.log.read_text()[-3000:]
            time.sleep(0.3)  # polling the state file, as any observer does; time itself is the replica's
        raise AssertionError(f"{keys} not {status} in {timeout} s: {self.runs()}\n{self.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def day(deployed, replica, tmp_path_factory):
    work = tmp_path_factory.mktemp("timeline")
    down = f"http://127.0.0.1:{free_port()}/"
    (work / "timeline.toml").write_text(TIMELINE.format(down=down, up=deployed["url"], cities=CITIES))
    (deployed["home"] / "data").mkdir(parents=True, exist_ok=True)
    seed_token(deployed["home"] / "data/cineradar.db", replica.urls["tix_api"], now=START)
    timeline = Timeline(work, deployed, replica)
    set_clock(replica, 5, 45)
    timeline.start()
    try:
        # Morning: token check, the movie batches, the seats after them, repertuary, matching after both.
        timeline.wait()  # nothing due yet: the state file appears (its first start is 05:45)
        set_clock(replica, 5, 51)
        timeline.wait("token_check")
        set_clock(replica, 6, 1)
        timeline.wait("tix_movies[0/2]", "tix_movies[1/2]", "tix_seats_morning")
        set_clock(replica, 6, 6)
        timeline.wait("repertuary[krakow]", "tmdb_match")
        set_clock(replica, 6, 21)
        timeline.wait("tix_seats_jit@06:20")
        # Down from 06:21 to 06:55: the 06:30, 06:40 and 06:50 JIT starts are missed; back, one runs.
        timeline.stop()
        before_restart = jobs(deployed)
        set_clock(replica, 6, 55)
        timeline.start()
        runs = timeline.wait("tix_seats_jit@06:50")
        timeline.stop()
        yield {"runs": runs, "before_restart": before_restart, "jobs": jobs(deployed), "down": down,
               "log": timeline.log.read_text(), "scrapyd": deployed}
    finally:
        timeline.stop()


def jobs(scrapyd: dict[str, Any]) -> dict[str, Any]:
    return dict(requests.get(scrapyd["url"] + "listjobs.json", params={"project": "cineradar"}, auth=AUTH,
                             timeout=10).json())


def test_every_job_started_once_on_the_node_that_answers(day):
    runs = {k.split("/", 1)[1]: r for k, r in day["runs"].items()}
    started = {name: r for name, r in runs.items() if r.get("job")}
    assert sorted(started) == sorted(["tix_movies[0/2]", "tix_movies[1/2]", "tix_seats_morning", "repertuary[krakow]",
                                      "tmdb_match", "tix_seats_jit@06:20", "tix_seats_jit@06:50"])
    assert runs["token_check"]["status"] == "success" and runs["token_check"]["command"].startswith("tix-token")
    finished = day["jobs"]["finished"]
    assert sorted(j["id"] for j in finished) == sorted(r["job"] for r in started.values())  # none twice, none extra
    assert not day["jobs"]["pending"] and not day["jobs"]["running"]
    assert {r["node"] for r in started.values()} == {day["scrapyd"]["url"]}
    assert f"Scrapyd node {day['down']} is down" in day["log"]


def test_dependencies_respected(day):
    runs = {k.split("/", 1)[1]: r for k, r in day["runs"].items()}
    by_id = {j["id"]: j for j in day["jobs"]["finished"]}

    def span(name: str) -> tuple[str, str]:
        job = by_id[runs[name]["job"]]
        return job["start_time"], job["end_time"]

    movies_end = max(span(f"tix_movies[{i}/2]")[1] for i in range(2))
    assert span("tix_seats_morning")[0] > movies_end
    assert span("tmdb_match")[0] > max(movies_end, span("repertuary[krakow]")[1])
    # Time order of the timed starts, by the replica's clock.
    order = ["token_check", "tix_movies[0/2]", "repertuary[krakow]", "tix_seats_jit@06:20", "tix_seats_jit@06:50"]
    assert [runs[n]["started"] for n in order] == sorted(runs[n]["started"] for n in order)


def test_the_sites_saw_the_seats_only_after_the_movies(day, replica):
    log = requests.get(replica.urls["tix_api"] + "/_replica/log", timeout=10).json()
    layouts = [e["t"] for e in log if e["site"] == "tix_api" and "/layout" in e["path"]]
    schedules = [e["t"] for e in log if e["site"] == "tix_api" and "/schedules" in e["path"]]
    assert layouts and schedules and min(layouts) > max(schedules)
    assert any(e["site"].startswith("repertuary") for e in log) and any(e["site"] == "tmdb" for e in log)


def test_missed_starts_run_once_after_a_restart(day):
    runs = day["runs"]
    assert [runs[f"{DAY0}/tix_seats_jit@{t}"]["status"] for t in ("06:30", "06:40")] == ["missed", "missed"]
    new = [j for j in day["jobs"]["finished"] if j["id"] not in {x["id"] for x in day["before_restart"]["finished"]}]
    assert [j["spider"] for j in new] == ["tix_seats"]  # one JIT run for three missed starts
    assert "tix_seats_jit: 2 missed start(s) coalesced into one run" in day["log"]
