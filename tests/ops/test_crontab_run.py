"""`scrapy timeline --crontab`: the generated lines, run as cron runs them (issue 17 point 4, issue 16
point 5). Most tests replace `scrapy` with a recording fake (tests/ops/cron_helpers.py); the last
runs the real crawls against the replica."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from cineradar import timeline
from replica import Replica
from tests.conftest import ROOT
from tests.ops.conftest import DAY0, fresh_checkout
from tests.ops.cron_helpers import fake_scrapy_bin, records, run_like_cron
from tests.tix.helpers import seed_token

pytestmark = pytest.mark.e2e  # every test runs crontab lines in bash

WIB = ZoneInfo("Asia/Jakarta")
BIN = Path(sys.executable).parent

MORNING = """
timezone = "Asia/Jakarta"

[[job]]
name = "tix_movies"
spider = "tix_movies"
cron = "0 6 * * *"
batches = 3
args = { date = "{date}" }

[[job]]
name = "tix_seats_morning"
spider = "tix_seats"
after = ["tix_movies"]
batches = 2
args = { mode = "morning", date = "{date}" }

[[job]]
name = "tmdb_match_tix"
spider = "tmdb_match"
after = ["tix_movies"]
args = { source = "tix" }

[[job]]
name = "tix_seats_final"
spider = "tix_seats"
cron = "*/5 8-23 * * *"
args = { mode = "final", now = "{now}" }

[[job]]
name = "hang"
spider = "tix_seats"
cron = "0 9 * * *"
args = { mode = "hang" }
timeout = 0.01
"""


def write_env(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


@pytest.fixture
def world(tmp_path):
    """A project folder, the fake's folder, an environment file and where the fake records."""
    project = tmp_path / "project"
    project.mkdir()
    record = tmp_path / "record.jsonl"
    env = write_env(tmp_path / "etc/cineradar.env",
                    f"FAKE_SCRAPY_RECORD={record}\nCR_SECRET='a$(touch {tmp_path}/MARK)b'\n"
                    "export CR_PLAIN=plain value\n")
    return {"tmp": tmp_path, "project": project, "record": record, "env": env,
            "path": f"{fake_scrapy_bin(tmp_path / 'fakebin')}:{BIN}:/usr/bin:/bin"}


def crontab_for(world, text: str, **kw) -> str:
    (world["tmp"] / "timeline.toml").write_text(text)
    schedule = timeline.load(world["tmp"] / "timeline.toml")
    kw = {"python": sys.executable, "env_file": str(world["env"]), "settings": ["LOG_LEVEL=INFO"]} | kw
    return timeline.crontab(schedule, world["project"], world["path"], **kw)


def today_wib() -> str:
    return dt.datetime.now(WIB).date().isoformat()


def test_a_partial_batch_stops_nothing_and_the_seats_start_once_all_ended(world):
    text = crontab_for(world, MORNING)
    (result,) = run_like_cron(text, world["tmp"], only="tix_movies")
    assert result.returncode == 0 and result.stdout == result.stderr == ""  # nothing for cron to mail
    seen = records(world["record"])
    starts = [r for r in seen if r["event"] == "start"]
    movies = sorted(r["argv"][-1] for r in starts if "tix_movies" in r["argv"])
    assert movies == ["batch=0/3", "batch=1/3", "batch=2/3"]  # batch 1 was partial: 0 and 2 ran all the same
    # Every dependent started after every batch had ended (whatever its status).
    last_movie_end = max(i for i, r in enumerate(seen) if r["event"] == "end" and "tix_movies" in r["argv"])
    dependents = [i for i, r in enumerate(seen) if r["event"] == "start" and "tix_movies" not in r["argv"]]
    assert len(dependents) == 3 and min(dependents) > last_movie_end
    for r in starts:  # the -s options and the environment file reached every job; placeholders filled
        assert r["argv"][r["argv"].index("-s") + 1] == "LOG_LEVEL=INFO"
        assert r["env"] == {"CR_SECRET": f"a$(touch {world['tmp']}/MARK)b", "CR_PLAIN": "plain value"}
        assert r["cwd"] == str(world["project"])
    assert all(f"date={today_wib()}" in r["argv"] for r in starts if "tmdb_match" not in r["argv"])
    assert not (world["tmp"] / "MARK").exists()
    # Each job its own date-stamped log, which says how it ended; the seats say which batch was partial.
    logs = world["project"] / "logs"
    day = today_wib()
    partial = (logs / f"tix_movies.1of3-{day}.log").read_text()
    assert "fake scrapy ran: crawl tix_movies" in partial and "ended PARTIAL (exit status 3)" in partial
    assert "ended SUCCESS (exit status 0)" in (logs / f"tix_movies.2of3-{day}.log").read_text()
    seats = (logs / f"tix_seats_morning.0of2-{day}.log").read_text()
    assert "after tix_movies: 2 of 3 ended success; tix_movies[1/3] PARTIAL: this job covers what is stored" in seats
    assert "ended SUCCESS" in (logs / f"tmdb_match_tix-{day}.log").read_text()
    assert oct((logs / f"tmdb_match_tix-{day}.log").stat().st_mode & 0o777) == "0o640"
    status = json.loads((world["project"] / ".scrapy/cron/tix_movies.1of3.json").read_text())
    assert status["status"] == "partial" and status["exit"] == 3 and status["date"] == day


def test_an_overlapping_start_is_skipped_and_a_job_past_its_timeout_is_stopped(world):
    text = crontab_for(world, MORNING)
    state = world["project"] / ".scrapy/cron"
    state.mkdir(parents=True)
    with open(state / "tix_seats_final.lock", "a") as held:  # the previous run still going
        fcntl.flock(held, fcntl.LOCK_EX)
        (result,) = run_like_cron(text, world["tmp"], only="tix_seats_final")
    assert result.returncode == 75 and records(world["record"]) == []
    assert "tix_seats_final: skipped: the previous run is still running" in (
        world["project"] / f"logs/tix_seats_final-{today_wib()}.log").read_text()
    (result,) = run_like_cron(text, world["tmp"], only="tix_seats_final")
    assert result.returncode == 0 and [r["event"] for r in records(world["record"])] == ["start", "end"]
    now = next(a for a in records(world["record"])[0]["argv"] if a.startswith("now="))
    assert dt.datetime.fromisoformat(now[4:]).utcoffset() == dt.timedelta(hours=7)
    (result,) = run_like_cron(text, world["tmp"], only="mode=hang")  # timeout = 0.01 min
    assert [r["event"] for r in records(world["record"])][2:] == ["start", "term"]
    log = (world["project"] / f"logs/hang-{today_wib()}.log").read_text()
    assert "ended CANCELLED (exit status 1): still running after 0.01 min, stopped" in log
    assert json.loads((state / "hang.json").read_text())["status"] == "cancelled"


HOSTILE = """
timezone = "Asia/Jakarta"

[[job]]
name = "hostile"
spider = "tix_movies"
cron = "0 6 * * *"
cities = ["krakow; touch {mark}", "$(touch {mark})"]
[job.args]
date = "{{date}}"
a = "x; touch {mark}"
b = "$(touch {mark})"
c = "`touch {mark}`"
d = "it's \\" ' ; touch {mark} ; '"
e = "50% off & | > {mark}"
f = "\\\\$HOME"

[[job]]
name = "cmd"
command = "daily-summary"
command_args = ["--date", "$(touch {mark})", "`touch {mark}`;touch {mark}", "'", "%"]
cron = "5 0 * * *"
"""


def test_hostile_values_reach_the_job_as_plain_text_and_nothing_else_runs(world):
    mark = world["tmp"] / "MARK"
    hostile_dir = world["tmp"] / "proj ; touch MARK $(touch MARK) `x` 'q' 100%"
    hostile_dir.mkdir()
    env = write_env(world["tmp"] / "env $(touch MARK) dir/cineradar.env", world["env"].read_text())
    world["project"] = hostile_dir  # the project folder's name is quoted too
    text = crontab_for(world, HOSTILE.format(mark=mark), env_file=str(env),
                       settings=[f"LOG_FILE_EXTRA=$(touch {mark}); touch {mark}"])
    results = run_like_cron(text, world["tmp"])
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert not mark.exists() and not (world["tmp"] / "MARK").exists() and not (hostile_dir / "MARK").exists()
    argvs = [r["argv"] for r in records(world["record"]) if r["event"] == "start"]
    crawls = [a for a in argvs if a[0] == "crawl"]
    assert sorted(a[-1] for a in crawls) == [f"city=$(touch {mark})", f"city=krakow; touch {mark}"]
    for argv in crawls:
        assert argv[:2] == ["crawl", "tix_movies"]
        assert {f"a=x; touch {mark}", f"b=$(touch {mark})", f"c=`touch {mark}`", f"d=it's \" ' ; touch {mark} ; '",
                f"e=50% off & | > {mark}", "f=\\$HOME"} <= set(argv)
        assert argv[-4:-2] == ["-s", f"LOG_FILE_EXTRA=$(touch {mark}); touch {mark}"]
    (command,) = [a for a in argvs if a[0] == "daily-summary"]
    assert command[:6] == ["daily-summary", "--date", f"$(touch {mark})", f"`touch {mark}`;touch {mark}", "'", "%"]


@pytest.mark.parametrize(("change", "error"), [
    (('a = "x', 'a = "x\\n* * * * * touch MARK'), "control character"),
    (('"%"]', '"%", "\\r"]'), "control character"),
    (('cron = "5 0 * * *"', 'cron = "5 0 * * * touch MARK"'), "invalid cron|not 5 plain fields"),
    (('name = "cmd"', 'name = "cmd; touch MARK"'), "not a plain word"),
    (('name = "cmd"', 'name = "cmd\\ntouch MARK"'), "not a plain word"),
    (('"50% off', '"50\\\\% off'), "backslash before %"),
])
def test_what_a_crontab_line_cannot_carry_is_refused(world, change, error):
    text = HOSTILE.format(mark=world["tmp"] / "MARK").replace(*change)
    assert change[1] in text
    with pytest.raises(timeline.ScheduleError, match=error):
        crontab_for(world, text)
    # The command: one line, exit 1, no crontab printed.
    (world["tmp"] / "timeline.toml").write_text(text)
    proc = subprocess.run([sys.executable, "-m", "scrapy", "timeline", "--crontab", "--schedule",
                           str(world["tmp"] / "timeline.toml")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout == "" and len(proc.stderr.strip().splitlines()) == 1, proc.stderr


@pytest.mark.parametrize(("content", "mode", "error"), [
    ("CR_A=1\n", 0o644, "mode 644 lets others read or write it"),
    ("CR_A=1\n", 0o620, "mode 620 lets others read or write it"),
    ("CR_A=1\nthis is not a variable\n", 0o600, "could not parse statement starting at line 2"),
    ("CR_A\n", 0o600, "CR_A has no value"),
])
def test_an_unsafe_or_unreadable_environment_file_starts_nothing(world, content, mode, error):
    write_env(world["env"], content, mode)
    text = crontab_for(world, MORNING)
    (result,) = run_like_cron(text, world["tmp"], only="tix_seats_final")
    assert result.returncode == 1 and records(world["record"]) == []
    assert result.stderr.strip().splitlines() == [
        f"cron job tix_seats_final: environment file {world['env']}: {error}; not started"] or error in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_the_logrotate_example_is_valid_and_rotates_the_job_logs(world):
    logrotate = shutil.which("logrotate") or "/usr/sbin/logrotate"
    assert Path(logrotate).exists(), "logrotate missing: scripts/system-packages logrotate (see .ci/run)"
    example = ROOT / "deploy/logrotate.conf"
    debug = subprocess.run([logrotate, "-d", "-s", str(world["tmp"] / "state"), str(example)],
                           capture_output=True, text=True, timeout=60)
    assert debug.returncode == 0 and "error" not in debug.stderr.lower(), debug.stderr
    # The same rules on this test's logs: yesterday's and today's files rotated, not compressed yet.
    logs = world["project"] / "logs"
    logs.mkdir(mode=0o750)
    for name in ("tix_movies.0of9-2026-01-18.log", "tix_movies.0of9-2026-01-19.log"):
        (logs / name).write_text("a crawl's log\n")
    conf = world["tmp"] / "logrotate.conf"
    conf.write_text(example.read_text().replace("/var/log/cineradar", str(logs)))
    conf.chmod(0o644)
    run = subprocess.run([logrotate, "-f", "-s", str(world["tmp"] / "state"), str(conf)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in logs.iterdir()) == ["tix_movies.0of9-2026-01-18.log.1",
                                                     "tix_movies.0of9-2026-01-19.log.1"]


# ---- one real run: the crawls against the replica, through `scrapy timeline --crontab` ----------------

REAL = """
timezone = "Asia/Jakarta"

[[job]]
name = "tix_movies"
spider = "tix_movies"
cron = "0 6 * * *"
batches = 2
args = { date = "{date}", cities = "AMBON,BANDUNG" }

[[job]]
name = "tix_seats_morning"
spider = "tix_seats"
after = ["tix_movies"]
args = { mode = "morning", date = "{date}", cities = "AMBON,BANDUNG" }
"""


def test_the_real_lines_crawl_the_replica_and_log_each_job(tmp_path):
    replica = Replica(preset="tiny", seed=1, date=DAY0)
    replica.knobs.access_ttl_s = 30 * 86400
    replica.start()
    try:
        project = fresh_checkout(tmp_path / "checkout")
        (project / "data").mkdir()
        seed_token(project / "data/cineradar.db", replica.urls["tix_api"])
        (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
        env = write_env(tmp_path / "cineradar.env",
                        f"CINERADAR_ENDPOINTS={tmp_path / 'endpoints.json'}\nCINERADAR_TODAY={DAY0}\n"
                        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS=\n")
        (project / "timeline.toml").write_text(REAL)
        generated = subprocess.run([sys.executable, "-m", "scrapy", "timeline", "--crontab", "--env-file", str(env),
                                    "-s", "REMOTE_CONTROL_ENABLED=False"], cwd=project, capture_output=True,
                                   text=True, timeout=60, env=os.environ | {"PYTHONPATH": str(project)})
        assert generated.returncode == 0, generated.stderr
        (result,) = run_like_cron(generated.stdout, tmp_path, only="tix_movies")
        assert result.returncode == 0, result.stderr
    finally:
        log = requests.get(replica.urls["tix_api"] + "/_replica/log", timeout=10).json()
        replica.stop()
    for name in ("tix_movies.0of2", "tix_movies.1of2", "tix_seats_morning"):
        text = (project / f"logs/{name}-{DAY0}.log").read_text()
        assert "ended SUCCESS (exit status 0)" in text and "Spider closed (finished)" in text, text[-2000:]
        assert "'REMOTE_CONTROL_ENABLED': 'False'" in text  # the -s options carried
    with sqlite3.connect(project / "data/cineradar.db") as db:
        runs = db.execute("SELECT spider, status FROM crawl_runs ORDER BY started_at").fetchall()
    assert sorted(runs) == [("tix_movies", "success"), ("tix_movies", "success"), ("tix_seats", "success")]
    layouts = [e["t"] for e in log if e["site"] == "tix_api" and "/layout" in e["path"]]
    schedules = [e["t"] for e in log if e["site"] == "tix_api" and "/schedules" in e["path"]]
    assert layouts and schedules and min(layouts) > max(schedules)  # the seats after both batches


def test_a_job_that_cannot_start_or_was_killed_is_never_reported_as_done(world):
    (world["tmp"] / "empty").mkdir()
    world["path"] = str(world["tmp"] / "empty")  # no scrapy on the crontab's PATH
    text = crontab_for(world, MORNING)
    (result,) = run_like_cron(text, world["tmp"], only="tix_seats_final")
    assert result.returncode == 127 and result.stderr.count("\n") == 1
    assert "cron job tix_seats_final: could not start scrapy:" in result.stderr
    assert json.loads((world["project"] / ".scrapy/cron/tix_seats_final.json").read_text())["status"] == "failed"
    # A batch killed (kill -9) before it could record its end: the dependents say so.
    state = world["project"] / ".scrapy/cron"
    for i in range(3):
        (state / f"tix_movies.{i}of3.json").write_text(json.dumps(
            {"job": f"tix_movies[{i}/3]", "date": today_wib(), "status": "running" if i == 2 else "success"}))
    from cineradar.cron_job import after_report

    assert after_report(state, ["tix_movies"], dt.datetime.now(WIB).date()) == [
        "after tix_movies: 2 of 3 ended success; tix_movies[2/3] INTERRUPTED: this job covers what is stored"]
