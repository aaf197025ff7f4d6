"""tix_seats paths without a test before: batches, the clock-released final mode, the twisted
handler, a JOBDIR queue, and ``scrapy stored``. Real ``scrapy`` subprocesses against the
replica; every figure is checked against the replica's truth or its request log.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from cineradar.auth.tokens import TOKEN_STATE
from tests.tix.helpers import DAY, MORNING, PASSWORD, ROOT, crawl, open_store, scrapy, seed_token

pytestmark = pytest.mark.e2e
TINY_CITIES = "cities=AMBON,BANDUNG,JAKARTA"


@pytest.fixture(scope="module")
def base(replica_module, tmp_path_factory) -> dict[str, Any]:  # noqa: ANN001
    """tix_movies of the tiny day and a stored user token (no browser: seeded as tix_login would)."""
    work = tmp_path_factory.mktemp("tix-seats-base")
    replica_module.clock.set(MORNING)
    crawl("tix_movies", replica_module.urls, work, TINY_CITIES, f"date={DAY}")
    seed_token(work / "cineradar.db", replica_module.urls["tix_api"])
    return {"work": work, "urls": replica_module.urls, "truth": replica_module.truth("tix")}


def copy_store(base: dict[str, Any], dst: Path) -> Path:
    dst.mkdir(parents=True, exist_ok=True)
    shutil.copy(base["work"] / "cineradar.db", dst / "cineradar.db")
    return dst


def snapshots(work: Path) -> dict[str, tuple]:
    return {s["showtime_id"]: (s["total_seats"], s["unavailable_seats"], s["available_seats"], s["layout"])
            for s in open_store(work / "cineradar.db").fetch("tix_seat_snapshots")}


def layout_requests(replica: Any) -> list[dict[str, Any]]:
    return [e for e in replica.ctx.log if e["site"] == "tix_api" and "/layout?" in e["path"]]


def requested_id(entry: dict[str, Any]) -> str:
    match = re.search(r"show_time_id=(\d+)", entry["path"])
    assert match, entry
    return match[1]


# ------------------------------------------------------------------ -a batch=N/M
def test_batches_partition_the_showtimes(base, replica, tmp_path):
    every = {s["showtime_id"] for s in base["truth"]["showtimes"]}
    slices = []
    for n in range(3):
        work = copy_store(base, tmp_path / f"b{n}")
        replica.ctx.log.clear()
        crawl("tix_seats", base["urls"], work, "mode=morning", f"date={DAY}", f"batch={n}/3")
        asked = [requested_id(e) for e in layout_requests(replica) if e["status"] == 200]
        stored = set(snapshots(work))
        assert stored == set(asked)  # what the replica served is what was stored
        slices.append(stored)
    assert set().union(*slices) == every
    assert sum(len(s) for s in slices) == len(every)  # disjoint
    assert all(slices)  # three real slices, none empty


# ------------------------------------------------------------------ the twisted handler
def test_twisted_handler_gives_the_same_snapshots(base, replica, tmp_path):
    default = copy_store(base, tmp_path / "aiohttp")
    aiohttp_run = crawl("tix_seats", base["urls"], default, "mode=morning", f"date={DAY}",
                        settings={"LOG_LEVEL": "DEBUG"})
    twisted = copy_store(base, tmp_path / "twisted")
    replica.ctx.log.clear()
    twisted_run = crawl("tix_seats", base["urls"], twisted, "mode=morning", f"date={DAY}",
                        settings={"TIX_SEATS_HTTP_HANDLER": "twisted", "LOG_LEVEL": "DEBUG"})
    # Which handler each run loaded: Scrapy says that its aiohttp handler is experimental (at INFO, once).
    marker = "AiohttpDownloadHandler is experimental"
    assert (marker in aiohttp_run["log"], marker in twisted_run["log"]) == (True, False)
    truth = {sid: (s["total"], s["unavailable"], s["available"]) for sid, s in base["truth"]["seats"].items()}
    got = snapshots(twisted)
    assert {sid: v[:3] for sid, v in got.items()} == truth
    assert got == snapshots(default)
    assert Counter(requested_id(e) for e in layout_requests(replica)) == Counter(dict.fromkeys(truth, 1))


# ------------------------------------------------------------------ final mode, released by the clock
def test_final_mode_releases_each_request_lead_minutes_before_its_start(base, replica, tmp_path):
    """The one test here on the real clock: with ``-a now`` the spider does not release by the
    clock at all, so the release is measured against real time, some 20-30 s ahead."""
    work = copy_store(base, tmp_path)
    rows = sorted(open_store(work / "cineradar.db").fetch("tix_showtimes"), key=lambda r: r["showtime_id"])[:3]
    lead = dt.timedelta(minutes=1)
    now = dt.datetime.now(dt.UTC)
    offsets = {rows[0]["showtime_id"]: 5.0, rows[1]["showtime_id"]: 20.0, rows[2]["showtime_id"]: 30.0}
    release = {}
    path = tmp_path / "showtimes.jsonl"
    with path.open("w") as out:
        for row in rows:
            starts = now + lead + dt.timedelta(seconds=offsets[row["showtime_id"]])
            release[row["showtime_id"]] = time.monotonic() + offsets[row["showtime_id"]]
            out.write(json.dumps(row | {"starts_at": starts.isoformat()}) + "\n")
    replica.ctx.log.clear()
    crawl("tix_seats", base["urls"], work, "mode=final", "window=5", "lead=1", f"showtimes={path}")
    arrived = {requested_id(e): e["t"] for e in layout_requests(replica)}
    assert set(arrived) == set(offsets) == set(snapshots(work))
    late = {sid: round(arrived[sid] - release[sid], 2) for sid in offsets}
    # Not before its release (0.5 s: the two clocks are read a moment apart), and not held back long after.
    assert all(-0.5 <= late[sid] < 5 for sid in offsets if offsets[sid] >= 20), late
    order = sorted(arrived, key=arrived.get)
    assert order == sorted(offsets, key=offsets.get)


# ------------------------------------------------------------------ JOBDIR: no secret on disk
def test_no_token_or_password_in_a_jobdir_queue(base, replica, tmp_path):
    work = copy_store(base, tmp_path)
    jobdir = tmp_path / "job"
    (work / "endpoints.json").write_text(json.dumps(base["urls"]))
    replica.knobs.update({"latency_ms": 300, "faults": ["expire_access:at=3"]})  # a 401 and a refresh on the way
    replica.ctx.log.clear()
    cmd = [sys.executable, "-m", "scrapy", "crawl", "tix_seats", "-a", "mode=morning", "-a", f"date={DAY}",
           "-s", f"CRAWL_TODAY={DAY}"]
    for key, value in {"ENDPOINTS": work / "endpoints.json", "SQLITE_PATH": work / "cineradar.db",
                       "STORAGE_SPOOL_DIR": work / "spool", "JOBDIR": jobdir, "REMOTE_CONTROL_ENABLED": "False",
                       "TIX_SEATS_CONCURRENCY": 2, "LOG_FILE": work / "seats.log"}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIX_")} | {
        "PYTHONPATH": str(ROOT), "TIX_PHONE_NUMBER": "+6281234567890", "TIX_PASSWORD": PASSWORD}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len([e for e in layout_requests(replica) if e["status"] == 200]) < 6:
            assert proc.poll() is None and time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.05)  # polling the replica's log, not driving time
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    served = {requested_id(e) for e in layout_requests(replica) if e["status"] == 200}
    assert 0 < len(served) < len(base["truth"]["showtimes"]), "stopped mid-crawl"
    files = [p for p in jobdir.rglob("*") if p.is_file()]
    assert any("requests.queue" in str(p) for p in files), files  # the queue was written
    refreshed = open_store(work / "cineradar.db").get_state(TOKEN_STATE)
    seeded = open_store(base["work"] / "cineradar.db").get_state(TOKEN_STATE)
    assert refreshed["token"] != seeded["token"]  # the crawl did hold a second token
    secrets = {"password": PASSWORD, "token": seeded["token"], "refresh token": seeded["refresh_token"],
               "new token": refreshed["token"], "new refresh token": refreshed["refresh_token"]}
    found = [(name, str(p)) for p in files for name, value in secrets.items()
             if value and value.encode() in p.read_bytes()]
    assert found == []


# ------------------------------------------------------------------ scrapy stored
def test_stored_lists_each_entity_with_the_stores_counts(base, tmp_path):
    work = copy_store(base, tmp_path)
    crawl("tix_seats", base["urls"], work, "mode=morning", f"date={DAY}")
    result = scrapy(["stored", "--sample", "0"], base["urls"], work, name="stored")
    listed = {m[1]: int(m[2]) for m in re.finditer(r"^(\w+)\s+(\d+)$", result["stdout"], re.MULTILINE)}
    truth = base["truth"]
    assert (listed["tix_movies"], listed["tix_theatres"], listed["tix_showtimes"], listed["tix_seat_snapshots"]) == (
        len(truth["movies"]), len(truth["theatres"]), len(truth["showtimes"]), len(truth["seats"]))
    store = open_store(work / "cineradar.db")
    assert listed == {name: store.count(name) for name in listed}
    per_day = re.search(r"^tix_showtimes\s+\d+\n  per day: (.*)$", result["stdout"], re.MULTILINE)
    assert per_day and per_day[1] == f"{DAY} {len(truth['showtimes'])}"
