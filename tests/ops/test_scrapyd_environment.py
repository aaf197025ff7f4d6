"""A Scrapyd node configured once, through its environment (docs/configuration.md): every job writes
where CINERADAR_STORAGE_BACKENDS / CINERADAR_SQLITE_PATH / CINERADAR_SPOOL_DIR say, with no fork of
settings.py and nothing per job."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time

import pytest
import requests

from tests.conftest import ROOT
from tests.ops.conftest import AUTH, BIN, DAY0, deploy, free_port, schedule, wait_finished

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def scrapyd(replica, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("scrapyd-env")
    (tmp / "endpoints.json").write_text(json.dumps(replica.urls))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CINERADAR_")} | {
        "SCRAPYD_USERNAME": AUTH[0], "SCRAPYD_PASSWORD": AUTH[1], "SCRAPYD_HTTP_PORT": str(port),
        "SCRAPYD_HOME": str(tmp / "home"), "SCRAPYD": str(BIN / "scrapyd"),
        "CINERADAR_ENDPOINTS": str(tmp / "endpoints.json"), "CINERADAR_TODAY": replica.date.isoformat(),
        # The node's configuration: a store and spool outside Scrapyd's folder.
        "CINERADAR_STORAGE_BACKENDS": "sqlite", "CINERADAR_SQLITE_PATH": str(tmp / "srv/store.db"),
        "CINERADAR_SPOOL_DIR": str(tmp / "srv/spool"), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    log = (tmp / "scrapyd.log").open("w")
    proc = subprocess.Popen(["bash", str(ROOT / "scripts/scrapyd")], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    for _ in range(100):
        try:
            requests.get(url + "daemonstatus.json", timeout=1)
            break
        except requests.ConnectionError:
            time.sleep(0.1)  # waiting for the server to listen, not driving time
    try:
        yield {"url": url, "home": tmp / "home", "tmp": tmp, "port": port}
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def test_a_job_writes_where_the_nodes_environment_says(scrapyd, replica, tmp_path):
    proc = deploy(scrapyd, tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    job = schedule(scrapyd, "repertuary", city="krakow", days="1", date=DAY0.isoformat())
    wait_finished(scrapyd, job)
    store = scrapyd["tmp"] / "srv/store.db"
    assert store.exists(), (scrapyd["home"] / "logs/cineradar/repertuary" / f"{job}.log").read_text()[-3000:]
    with sqlite3.connect(store) as db:
        status = db.execute("SELECT status FROM crawl_runs WHERE run_id = ?", (job,)).fetchone()
        stored = {r[0] for r in db.execute("SELECT showtime_id FROM repertuary_showtimes")}
    truth = replica.truth("repertuary")["cities"]["krakow"]["showtimes"]
    wanted = {s["showtime_id"] for s in truth if s["date"] == DAY0.isoformat()}
    assert status == ("success",)
    assert wanted and wanted <= stored
    assert not (scrapyd["home"] / "data/cineradar.db").exists()  # settings.py's default path: untouched
