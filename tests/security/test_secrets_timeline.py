"""The timeline's commands (tix-token, daily-summary) get the secrets it was given through the
environment, never in their argv: `ps` shows every process's argv to every user of the machine.

A real child process reports what the kernel holds for it (/proc/self/cmdline, its environment).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from scrapy.settings import Settings

from cineradar.commands.timeline import CommandStarter
from cineradar.timeline import PlannedJob
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
DSN = "postgresql://cine:Pw-s3cret%40x@127.0.0.1:5/cineradar"


def test_a_timeline_command_gets_the_dsn_in_its_environment_not_its_argv(tmp_path):
    report = tmp_path / "child.json"
    script = tmp_path / "child.py"
    script.write_text("import json, os\n"
                      f"open({str(report)!r}, 'w').write(json.dumps({{'cmdline': open('/proc/self/cmdline').read(),"
                      " 'dsn': os.environ.get('DATABASE_URL'), 'token': os.environ.get('TMDB_READ_TOKEN')}))\n")
    settings = Settings()
    settings.set("DATABASE_URL", DSN, priority="cmdline")
    settings.set("TMDB_READ_TOKEN", "tmdb-s3cret-token", priority="cmdline")
    settings.set("LOG_LEVEL", "DEBUG", priority="cmdline")
    job = PlannedJob(group="g", name="g", at=None, command=f"runspider {script}")
    proc: subprocess.Popen[bytes] = CommandStarter(settings, tmp_path / "logs")(job, "day/g")
    proc.wait(timeout=120)
    seen = json.loads(report.read_text())
    assert "s3cret" not in seen["cmdline"], seen["cmdline"]
    assert (seen["dsn"], seen["token"]) == (DSN, "tmdb-s3cret-token")
    assert "LOG_LEVEL=DEBUG" in seen["cmdline"]  # the other settings still travel as -s


def test_the_crontab_refuses_a_secret_given_with_dash_s(tmp_path):
    """`scrapy timeline --crontab -s DATABASE_URL=...` wrote the password into every crontab line."""
    proc = subprocess.run([sys.executable, "-m", "scrapy", "timeline", "--crontab", "-s", f"DATABASE_URL={DSN}"],
                          cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)}, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1 and "s3cret" not in proc.stdout + proc.stderr, proc.stdout[-2000:]
    assert "DATABASE_URL given with -s" in proc.stderr and "--env-file" in proc.stderr
