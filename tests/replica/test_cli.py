"""`python -m replica`: first stdout line, loopback only, admin paths, knobs at run time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from replica import Fault, Knobs, truth
from replica.repertuary import CITIES

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def cli_replica():  # noqa: ANN201
    proc = subprocess.Popen([sys.executable, "-m", "replica", "--preset", "tiny", "--date", "2026-11-21",
                             "--seed", "3"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    urls = json.loads(proc.stdout.readline())  # type: ignore[union-attr]
    yield urls
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(20) == 0


def get(url: str, data: bytes | None = None) -> dict:
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_first_line_has_every_site(cli_replica):
    assert set(cli_replica) == {"tix_app", "tix_api", "tmdb", "tmdb_image", "nominatim", "repertuary"}
    assert set(cli_replica["repertuary"]) == set(CITIES)


def test_every_site_is_on_loopback_with_its_own_port(cli_replica):
    urls = [cli_replica["tix_app"], cli_replica["tix_api"], cli_replica["tmdb"], cli_replica["tmdb_image"],
            cli_replica["nominatim"], *cli_replica["repertuary"].values()]
    assert all(u.startswith("http://127.0.0.1:") for u in urls)
    assert len({u.split("/")[2] for u in urls}) == 34  # the image host too: like image.tmdb.org, its own origin


def test_admin_truth_equals_the_python_api(cli_replica):
    import datetime as dt

    served = get(f"{cli_replica['tmdb']}/_replica/truth?source=repertuary")
    assert served == truth("tiny", 3, dt.date(2026, 11, 21), "repertuary")


def test_knobs_change_at_run_time(cli_replica):
    answer = get(f"{cli_replica['tix_api']}/_replica/knobs", json.dumps({"access_ttl_s": 60}).encode())
    assert answer["access_ttl_s"] == 60


@pytest.mark.e2e
def test_cli_refuses_other_addresses():
    proc = subprocess.run([sys.executable, "-m", "replica", "--host", "0.0.0.0"], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode != 0 and "127.0.0.1" in proc.stderr


def test_unknown_fault_kind_is_rejected():
    with pytest.raises(ValueError, match="allowed"):
        Fault.parse("meteor:p=1")


def test_fault_schedule_fires_on_the_listed_requests():
    import random

    fault = Fault.parse("5xx:at=2+3,site=tix_api")
    fired = [fault.fires(random.Random(0)) for _ in range(4)]
    assert fired == [False, True, True, False]


def test_knobs_reject_unknown_names():
    with pytest.raises(ValueError, match="unknown knob"):
        Knobs().update({"latencyms": 5})
