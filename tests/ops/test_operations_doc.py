"""docs/operations.md, tried line by line: every block marked `<!-- runnable -->` runs, in order, each in
its own bash (-euo pipefail), in a temp folder standing for the server (APP a fresh copy of the
checkout, ETC, LOGS, BACKUPS under it), with the replica in place of the real sites (its URLs added
to the environment file the recipe writes) and a throwaway PostgreSQL for the pg_dump block."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cineradar.backends import SPECS
from cineradar.storage.postgres import PostgresStorage
from replica import Replica
from tests.conftest import ROOT
from tests.ops.conftest import fresh_checkout
from tests.storage.conftest import pg_server  # noqa: F401 - a real PostgreSQL, as a fixture

pytestmark = pytest.mark.e2e
DOC = ROOT / "docs/operations.md"


def runnable_blocks(text: str) -> list[str]:
    return re.findall(r"<!-- runnable -->\n```bash\n(.*?)\n```", text, flags=re.S)


def test_the_doc_marks_its_blocks():
    blocks = runnable_blocks(DOC.read_text())
    assert len(blocks) == 6
    assert DOC.read_text().count("<!-- runnable -->") == len(blocks)  # no marker on a block it cannot run


def test_the_recipe_runs(tmp_path, pg_server):  # noqa: F811
    today = dt.datetime.now(ZoneInfo("Europe/Warsaw")).date()  # repertuary's today, as the crawl sees it
    replica = Replica(preset="tiny", seed=1, date=today)
    replica.start()
    try:
        server = tmp_path / "server"
        app = fresh_checkout(server / "srv/cineradar")
        (app / ".venv").symlink_to(ROOT / ".venv")
        (tmp_path / "endpoints.json").write_text(json.dumps(replica.urls))
        store = PostgresStorage(pg_server.dsn)
        store.open(SPECS)  # the tables a deployment has
        store.close()
        env = {"APP": str(app), "ETC": str(server / "etc/cineradar"), "LOGS": str(server / "var/log/cineradar"),
               "BACKUPS": str(server / "var/backups/cineradar"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
               "PATH": os.pathsep.join([str(Path(sys.executable).parent), str(pg_server.bindir), "/usr/sbin",
                                        "/usr/bin", "/bin"]),
               "DATABASE_URL": pg_server.dsn, "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
        outputs = []
        for index, block in enumerate(runnable_blocks(DOC.read_text())):
            proc = subprocess.run(["bash", "-euo", "pipefail", "-c", block], cwd=tmp_path, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, f"block {index}:\n{block}\n{proc.stdout}\n{proc.stderr}"
            outputs.append(proc.stdout)
            if index == 0:  # the environment file is written: the replica stands in for the sites
                with open(server / "etc/cineradar/cineradar.env", "a") as f:
                    f.write(f"CINERADAR_ENDPOINTS={tmp_path / 'endpoints.json'}\n")
    finally:
        replica.stop()
    envfile, check, cron, rotate, sqlite_backup, pg = outputs
    assert envfile.startswith("-rw------- ")
    assert stat.S_IMODE((server / "etc/cineradar").stat().st_mode) == 0o750
    assert "first_check: ended SUCCESS (exit status 0)" in check
    timed = len(re.findall(r"^cron = ", (app / "timeline.toml").read_text(), flags=re.M))
    assert cron.splitlines() == [str(timed), "--batches 9 --after tix_movies tix_seats_morning"]
    assert rotate.strip() == "1"
    backups = list((server / "var/backups/cineradar").glob("cineradar-*.db"))
    assert sqlite_backup.splitlines() == [str(backups[0]), "ok"]
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert int(pg.strip()) >= len(SPECS)  # every table's data in the dump
