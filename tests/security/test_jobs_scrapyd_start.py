"""Scrapyd started from the deploy folder: never without credentials, never off loopback, whichever
way it is started and whatever configuration file it reads (cineradar/scrapyd_server.py).

Each start runs a real Scrapyd process with HOME in a temporary folder (so ~/.scrapyd.conf is the
test's) on a free loopback port; the test waits until it either exits or answers, and stops it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import scrapyd
from scrapyd.config import Config

from cineradar.scrapyd_server import config_problems
from tests.conftest import ROOT
from tests.ops.conftest import AUTH, free_port, fresh_checkout

pytestmark = pytest.mark.e2e
BIN = Path(sys.executable).parent
TXAPP = str(Path(scrapyd.__file__).parent / "txapp.py")


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def start(cmd: list[str], cwd: Path, env: dict[str, str], port: int) -> tuple[int | None, str]:
    """Run a Scrapyd start; (exit code, output) once it exited, or (None, output) when it served."""
    with (cwd / "out.log").open("w+") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None and not listening(port):
                time.sleep(0.1)  # waiting for the process to exit or listen, not driving time
            code = proc.poll()
        finally:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
        out.seek(0)
        return code, out.read()


def clean_env(tmp: Path, port: int, **extra: str) -> dict[str, str]:
    (tmp / "user").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPYD_")}
    return env | {"HOME": str(tmp / "user"), "SCRAPYD_HTTP_PORT": str(port)} | extra


@pytest.mark.parametrize("how", ["scrapyd", "python -m scrapyd", "twistd -y"])
def test_plain_scrapyd_in_the_checkout_refuses_to_start_without_credentials(tmp_path, how):
    checkout = fresh_checkout(tmp_path / "checkout")
    port = free_port()
    cmd = {"scrapyd": [str(BIN / "scrapyd")],
           "python -m scrapyd": [sys.executable, "-m", "scrapyd"],
           "twistd -y": [str(BIN / "twistd"), "-n", "--pidfile=", "-y", TXAPP]}[how]
    code, out = start(cmd, checkout, clean_env(tmp_path, port), port)
    assert code not in (None, 0), out[-2000:]
    assert "CineRadar refuses to start Scrapyd: no credentials" in out, out[-2000:]
    assert not listening(port)


def test_scrapyd_home_folder_refuses_too(tmp_path):
    """scripts/scrapyd's folder (its copy of scrapyd.conf) started with plain `scrapyd`."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "scrapyd.conf").write_text((ROOT / "scrapyd.conf").read_text())
    (home / "scrapy.cfg").write_text("")
    port = free_port()
    code, out = start([str(BIN / "scrapyd")], home, clean_env(tmp_path, port), port)
    assert (code not in (None, 0), "no credentials" in out) == (True, True), out[-2000:]


def test_user_config_cannot_rebind_scrapyd_off_loopback(tmp_path):
    """~/.scrapyd.conf is read after the shipped scrapyd.conf: its bind_address is the one Scrapyd uses.

    192.0.2.1 (TEST-NET-1) is not loopback and not on this machine: nothing is ever exposed, and
    today's Scrapyd fails only because it cannot bind it, not because anything checked."""
    port = free_port()
    env = clean_env(tmp_path, port, SCRAPYD_USERNAME=AUTH[0], SCRAPYD_PASSWORD=AUTH[1],
                    SCRAPYD_HOME=str(tmp_path / "home"), SCRAPYD=str(BIN / "scrapyd"))
    (tmp_path / "user/.scrapyd.conf").write_text("[scrapyd]\nbind_address = 192.0.2.1\n")
    code, out = start(["bash", str(ROOT / "scripts/scrapyd")], tmp_path, env, port)
    assert code not in (None, 0), out[-2000:]
    assert "bind_address in Scrapyd's configuration is '192.0.2.1'" in out, out[-2000:]
    assert "Scrapyd web console available" not in out


def test_user_config_cannot_put_scrapyds_own_application_back(tmp_path):
    port = free_port()
    env = clean_env(tmp_path, port, SCRAPYD_USERNAME=AUTH[0], SCRAPYD_PASSWORD=AUTH[1],
                    SCRAPYD_HOME=str(tmp_path / "home"), SCRAPYD=str(BIN / "scrapyd"))
    (tmp_path / "user/.scrapyd.conf").write_text("[scrapyd]\napplication = scrapyd.app.application\n"
                                                 "[services]\nschedule.json = scrapyd.webservice.Schedule\n")
    code, out = start(["bash", str(ROOT / "scripts/scrapyd")], tmp_path, env, port)
    assert (code, "not cineradar.scrapyd_server.application" in out) == (2, True), out[-2000:]
    assert "not cineradar.scrapyd_server.Schedule" in out


@pytest.mark.parametrize(("env", "says"), [
    ({"SCRAPYD_BIND_ADDRESS": "0.0.0.0"}, "SCRAPYD_BIND_ADDRESS is '0.0.0.0'"),
    ({"SCRAPYD_BIND_ADDRESS": "::"}, "SCRAPYD_BIND_ADDRESS is '::'"),
    ({"SCRAPYD_USERNAME": "a:b"}, "must not contain ':'"),
    ({"SCRAPYD_PASSWORD": ""}, "no credentials"),
])
def test_config_problems_named(env, says):
    config = Config()
    config.cp.read(str(ROOT / "scrapyd.conf"))
    problems = config_problems(config, {"SCRAPYD_USERNAME": "ops", "SCRAPYD_PASSWORD": "pw"} | env)
    assert any(says in p for p in problems), problems


def test_shipped_config_with_credentials_passes():
    config = Config()
    config.cp.read(str(ROOT / "scrapyd.conf"))
    for loopback in ("127.0.0.1", "::1", "localhost"):
        assert config_problems(config, {"SCRAPYD_USERNAME": "ops", "SCRAPYD_PASSWORD": "pw",
                                        "SCRAPYD_BIND_ADDRESS": loopback}) == []
