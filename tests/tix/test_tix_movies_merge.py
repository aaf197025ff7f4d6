"""tix_movies emits movies and theatres as pages give them; the store merges the repeats.

* One SIGINT (a real signal to a ``scrapy crawl tix_movies`` subprocess) mid-crawl: every
  stored showtime has its movie (with that city) and its theatre stored: nothing fetched
  is lost on a graceful stop (before: every showtime, no movie and no theatre).
* Three ``-a batch=N/3`` jobs run in two different orders give identical stores, equal to
  one full crawl and to the replica's truth (before: the movie rows of the last job only).
* An unknown chain on every schedule page costs the showtimes carrying it, no theatre.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from replica.core import Knobs
from replica.server import Replica
from tests.conftest import replica_today
from tests.tix.helpers import DAY, MORNING, ROOT, crawl, open_store
from tests.tix.test_tix_e2e import (
    expected_movies,
    expected_showtimes,
    expected_theatres,
    stored_movies,
    stored_showtimes,
    stored_theatres,
)

pytestmark = pytest.mark.e2e
TINY = "AMBON,BANDUNG,JAKARTA"


def everything(path: Path) -> dict[str, list[dict[str, Any]]]:
    store = open_store(path)
    try:
        return {entity: store.fetch(entity) for entity in ("tix_movies", "tix_theatres", "tix_showtimes")}
    finally:
        store.close()


def test_batch_jobs_in_any_order_store_what_one_full_crawl_stores(tmp_path):
    with Replica(preset="tiny", date=DAY, now=MORNING, knobs=Knobs(faults=[])) as replica:
        truth = replica.truth("tix")
        stores = {}
        for label, order in (("forward", [0, 1, 2]), ("backward", [2, 0, 1])):
            work = tmp_path / label
            work.mkdir()
            for n in order:  # one city per job: every movie is listed by several jobs
                crawl("tix_movies", replica.urls, work, f"cities={TINY}", f"batch={n}/3", f"date={DAY}",
                      name=f"batch-{n}")
            stores[label] = work / "cineradar.db"
        full = tmp_path / "full"
        full.mkdir()
        crawl("tix_movies", replica.urls, full, f"cities={TINY}", f"date={DAY}")
    forward, backward, whole = (everything(p) for p in (stores["forward"], stores["backward"], full / "cineradar.db"))
    assert forward == backward == whole
    store = open_store(stores["backward"])
    assert stored_movies(store) == expected_movies(truth)
    assert stored_theatres(store) == expected_theatres(truth)
    assert stored_showtimes(store) == expected_showtimes(truth)
    assert {m["movie_id"]: len(m["cities"]) for m in whole["tix_movies"]} == {
        m["movie_id"]: len(m["cities"]) for m in truth["movies"]}
    assert max(len(m["cities"]) for m in truth["movies"]) > 1  # the case that used to be lost
    # the day aggregates, recomputed from the store by each job at its close, converge too
    aggregates = [derived(p) for p in (stores["forward"], stores["backward"], full / "cineradar.db")]
    assert aggregates[0] == aggregates[1] == aggregates[2]
    latest = next(s for s in aggregates[0]["tix_day_snapshots"] if s["snapshot_id"] == "latest")
    assert latest["summary"] == {"total_cities": 3, "total_movies": len(truth["movies"]),
                                 "presale_count": sum(1 for m in truth["movies"] if m["presale"])}
    schedules = {s["movie_id"]: s for s in aggregates[0]["tix_schedules"]}
    assert {m: sorted(s["cities"]) for m, s in schedules.items()} == {
        m["movie_id"]: sorted(m["cities"]) for m in truth["movies"]}
    shown = {show["showtime_id"] for s in schedules.values() for theatres in s["cities"].values() for t in theatres
             for room in t["rooms"] for show in room["all_showtimes"]}
    assert shown == {s["showtime_id"] for s in truth["showtimes"]}


def derived(path: Path) -> dict[str, list[dict[str, Any]]]:
    """The aggregate rows, without the time they were computed at."""
    store = open_store(path)
    try:
        return {entity: [{k: v for k, v in row.items() if k not in ("uploaded_at", "scraped_at")}
                         for row in store.fetch(entity)] for entity in ("tix_schedules", "tix_day_snapshots")}
    finally:
        store.close()


def _popen_crawl(urls: dict[str, Any], work: Path, *args: str) -> tuple[subprocess.Popen[str], Path]:
    """``scrapy crawl tix_movies`` as a subprocess, with the settings of tests/tix/helpers.scrapy."""
    endpoints = work / "endpoints.json"
    endpoints.write_text(json.dumps(urls))
    stats = work / "stats.json"
    values = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(work / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(work / "spool"), "STATS_DUMP_PATH": str(stats),
              "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(work / "crawl.log")} | replica_today(args)
    cmd = [sys.executable, "-m", "scrapy", "crawl", "tix_movies"]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIX_")} | {"PYTHONPATH": str(ROOT)}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE), stats


def test_one_sigint_mid_crawl_keeps_every_movie_and_theatre_of_what_was_fetched(tmp_path):
    # The default preset, all 83 cities, 80 ms per response: a stop after 60 API answers
    # comes long before the end (the crawl needs several hundred).
    with Replica(preset="default", date=DAY, now=MORNING, knobs=Knobs(faults=[], latency_ms=80)) as replica:
        truth = replica.truth("tix")
        proc, stats_path = _popen_crawl(replica.urls, tmp_path, f"date={DAY}")
        deadline = time.monotonic() + 120
        while replica.ctx.requests["tix_api"] < 60:  # wait for the crawl to be well under way
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the crawl never got going"
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # one Ctrl-C: a graceful stop
        proc.communicate(timeout=120)
        served = replica.ctx.requests["tix_api"]
    log = (tmp_path / "crawl.log").read_text()
    assert "shutdown" in json.loads(stats_path.read_text()).get("finish_reason", "") or "shutdown" in log
    data = everything(tmp_path / "cineradar.db")
    movies = {m["movie_id"]: m for m in data["tix_movies"]}
    theatres = {t["theatre_id"]: t for t in data["tix_theatres"]}
    showtimes = data["tix_showtimes"]
    assert 0 < len(showtimes) < len(truth["showtimes"]), f"stopped mid-crawl ({served} API requests served)"
    for show in showtimes:  # each showtime fetched: its movie (with this city) and its theatre stored
        assert show["city"] in movies[show["movie_id"]]["cities"]
        assert theatres[show["theatre_id"]]["city"] == show["city"]
    # and what is stored is the truth, merged over what was fetched
    truth_theatres = expected_theatres(truth)
    for theatre_id, row in theatres.items():
        name, merchant, city, address, rooms = truth_theatres[theatre_id]
        assert (row["name"], row["merchant"], row["city"], row["address"]) == (name, merchant, city, address)
        assert set(row["room_types"]) <= set(rooms)
    assert set(theatres) == {s["theatre_id"] for s in showtimes}
    truth_movies = {m["movie_id"]: m for m in truth["movies"]}
    assert all(set(m["cities"]) <= set(truth_movies[i]["cities"]) for i, m in movies.items())


def test_an_unknown_chain_on_every_page_costs_no_theatre(tmp_path):
    with Replica(preset="tiny", date=DAY, now=MORNING, knobs=Knobs(faults=[])) as replica:
        replica.knobs.update({"faults": ["unknown_merchant:p=1,site=tix_api,path=/v1/schedules"]})
        result = crawl("tix_movies", replica.urls, tmp_path, f"cities={TINY}", f"date={DAY}", check=False)
        truth = replica.truth("tix")
    # So many showtimes dropped by validation is a partial crawl (the validation monitor says so) ...
    assert result["returncode"] == 3 and "dropped by validation" in result["log"]
    # ... but no theatre is lost to it.
    data = everything(tmp_path / "cineradar.db")
    expected = expected_theatres(truth)
    assert {t["theatre_id"] for t in data["tix_theatres"]} == set(expected)
    for row in data["tix_theatres"]:  # the chain when any page named it rightly, else none
        assert row["merchant"] in (expected[row["theatre_id"]][1], None)
    renamed = result["stats"]["cineradar/tix/movies/unknown_merchant"]
    assert len(data["tix_showtimes"]) < len(truth["showtimes"]) and renamed > 0
