"""Invalid spider arguments: refused before the engine starts, one stderr line, exit 2.

Real ``scrapy crawl`` subprocesses against the replica, counted at the replica (its request
log): nothing is fetched. A Scrapyd job (``-a _job=...``) runs instead, so its log file and
its run record say FAILED; it exits 2 too. ``-a date`` windows count from CRAWL_TODAY here
(the replica's day), checked in-process with an injected today and with freezegun.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from freezegun import freeze_time

from cineradar.args import RepertuaryArgs, SpiderArgumentError, TixArgs, TmdbMoviesArgs
from replica import Replica
from tests.conftest import ROOT, open_store

DAY0 = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset="tiny", seed=1, date=DAY0)
    replica.start()
    yield replica
    replica.stop()


def scrapy_crawl(replica: Replica, tmp_path: Path, spider: str, *args: str, nolog: bool = False,
                 **settings: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
    values = {"ENDPOINTS": str(tmp_path / "endpoints.json"), "SQLITE_PATH": str(tmp_path / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(tmp_path / "spool"), "REMOTE_CONTROL_ENABLED": "False",
              "CRAWL_TODAY": DAY0.isoformat()} | settings
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider, *(["--nolog"] if nolog else [])]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIX_", "SCRAPY_JOB"))}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
                          env=env | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})


BAD = [  # spider, argument, the argument's name in the line, what the line says is allowed
    ("repertuary", "city=berlin", "-a city", "allowed: all, krakow, warszawa"),
    ("repertuary", "date=21.11.2026", "-a date", "YYYY-MM-DD"),
    ("repertuary", "date=2026-02-30", "-a date", "YYYY-MM-DD"),
    ("repertuary", f"date={DAY0 + dt.timedelta(days=1)}", "-a date", f"allowed: {DAY0}, or no -a date"),
    ("repertuary", f"date={DAY0 - dt.timedelta(days=1)}", "-a date", f"allowed: {DAY0}, or no -a date"),
    ("repertuary", "days=0", "-a days", "allowed: 1 to 7"),
    ("repertuary", "days=8", "-a days", "allowed: 1 to 7"),
    ("kino_krakow", "city=gdansk", "-a city", "allowed: krakow"),
    ("tix_movies", "batch=9/9", "-a batch", "allowed: N/M with 0 <= N < M <= 83"),
    ("tix_movies", "cities=GOTHAM", "-a cities", "allowed: "),
    ("tix_movies", f"date={DAY0 + dt.timedelta(days=7)}", "-a date", f"allowed: {DAY0} to {DAY0 + dt.timedelta(6)}"),
    ("tix_seats", "mode=sometimes", "-a mode", "'morning', 'jit' or 'final'"),
    ("tix_seats", "batch=0/0", "-a batch", "allowed: N/M"),
    ("tmdb_movies", f"date={DAY0}", "-a date", "tmdb_movies takes no date"),
]


@pytest.mark.parametrize("nolog", [False, True], ids=["log", "nolog"])
@pytest.mark.parametrize(("spider", "arg", "name", "allowed"), BAD, ids=[f"{b[0]}-{b[1]}" for b in BAD])
def test_a_bad_argument_is_one_stderr_line_and_exit_2(replica, tmp_path, spider, arg, name, allowed, nolog):
    replica.ctx.log.clear()
    proc = scrapy_crawl(replica, tmp_path, spider, arg, nolog=nolog)
    named = [line for line in proc.stderr.splitlines() if f"{name}:" in line]
    assert (proc.returncode, len(named), "Traceback" in proc.stderr, replica.ctx.log) == (2, 1, False, []), \
        proc.stderr[-2000:]
    assert named[0].startswith(f"scrapy crawl: {spider}: ") and allowed in named[0], named[0]
    if nolog:
        assert proc.stderr.splitlines() == named
    assert not (tmp_path / "cineradar.db").exists()  # the engine never started: no store opened, no run record


def test_a_scrapyd_job_with_a_bad_argument_fails_visibly(replica, tmp_path):
    """Scrapyd 1.6 passes _job as a spider argument: the job's log and its run record say FAILED."""
    replica.ctx.log.clear()
    # As Scrapyd starts it: a job may set no -s of its own (cineradar/scrapyd_guard.py), so the
    # replica and the day come from the environment and the store is the default one in its folder.
    (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
    log = tmp_path / "logs/cineradar/repertuary/job-123.log"
    log.parent.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIX_", "SCRAPY_JOB"))} | {
        "PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "",
        "SCRAPY_SETTINGS_MODULE": "cineradar.settings", "CINERADAR_ENDPOINTS": str(tmp_path / "endpoints.json"),
        "CINERADAR_TODAY": DAY0.isoformat()}
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "repertuary", "-a", "city=berlin",
                           "-a", "_job=job-123", "-s", f"LOG_FILE={log}"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    runs = open_store(tmp_path / "data/cineradar.db").fetch("crawl_runs")
    errors = [line for line in log.read_text().splitlines() if " ERROR: " in line]
    assert (proc.returncode, [(r["run_id"], r["status"]) for r in runs], replica.ctx.log) \
        == (2, [("job-123", "failed")], []), proc.stderr[-2000:]
    assert "-a city: unknown city 'berlin'; allowed: all, krakow" in errors[0]
    assert errors[-1].endswith("crawl FAILED: " + errors[0].split(" ERROR: ", 1)[1])
    assert [ln for ln in proc.stderr.splitlines() if "-a city:" in ln][0].startswith("scrapy crawl: repertuary:")


def test_a_date_in_the_window_crawls(replica, tmp_path):
    """The window is not refusing everything: the replica's today (CRAWL_TODAY) is accepted."""
    replica.ctx.log.clear()
    proc = scrapy_crawl(replica, tmp_path, "repertuary", "city=krakow", "days=1", f"date={DAY0}",
                        DOWNLOAD_DELAY="0", LOG_FILE=str(tmp_path / "ok.log"))
    assert (proc.returncode, len(replica.ctx.log) > 0) == (0, True), proc.stderr[-2000:]


# ------------------------------------------------------------------ the windows, in-process
@pytest.mark.parametrize(("model", "offset", "ok"), [
    (RepertuaryArgs, 0, True), (RepertuaryArgs, 1, False), (RepertuaryArgs, -1, False),
    (TixArgs, 0, True), (TixArgs, 6, True), (TixArgs, 7, False), (TixArgs, -1, False),
])
def test_date_window_counts_from_the_given_today(model, offset, ok):
    kwargs: dict[str, Any] = {"date": str(DAY0 + dt.timedelta(days=offset))}
    if ok:
        model.parse("s", kwargs, today=DAY0)
    else:
        with pytest.raises(SpiderArgumentError, match="-a date: .* is outside the source's window"):
            model.parse("s", kwargs, today=DAY0)


def test_date_window_uses_today_in_the_sources_timezone():
    with freeze_time("2026-11-21 23:30:00"):  # 00:30 on the 22nd in Warsaw, 06:30 on the 22nd in Jakarta
        RepertuaryArgs.parse("repertuary", {"date": "2026-11-22"})
        with pytest.raises(SpiderArgumentError, match="today is 2026-11-22 in Europe/Warsaw"):
            RepertuaryArgs.parse("repertuary", {"date": "2026-11-21"})
        TixArgs.parse("tix_movies", {"date": "2026-11-28"})
        with pytest.raises(SpiderArgumentError, match="allowed: 2026-11-22 to 2026-11-28"):
            TixArgs.parse("tix_movies", {"date": "2026-11-21"})


def test_tmdb_takes_no_date_and_no_date_is_fine():
    TmdbMoviesArgs.parse("tmdb_movies", {})
    with pytest.raises(SpiderArgumentError, match="takes no date"):
        TmdbMoviesArgs.parse("tmdb_movies", {"date": "2026-11-21"}, today=DAY0)
