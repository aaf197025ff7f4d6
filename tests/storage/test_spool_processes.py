"""The spool shared by real processes: two writers and a replayer on one folder lose no row."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cineradar.backends import SPECS
from cineradar.storage.spool import Spool
from cineradar.storage.sqlite import SQLiteStorage
from tests.conftest import ROOT

ENV = os.environ | {"PYTHONPATH": str(ROOT)}
BATCHES, ROWS = 120, 10

WRITER = textwrap.dedent("""
    import sys
    from cineradar.storage.spool import Spool
    from tests.storage.storage_samples import tix_showtime
    spool_dir, base = sys.argv[1], int(sys.argv[2])
    spool = Spool(spool_dir, "sqlite")
    for batch in range({batches}):
        first = base + batch * {rows}
        spool.append("tix_showtimes", [tix_showtime(i).row() for i in range(first, first + {rows})])
""").format(batches=BATCHES, rows=ROWS)

REPLAYER = textwrap.dedent("""
    import os, sys
    from cineradar.backends import SPECS
    from cineradar.storage.spool import Spool
    from cineradar.storage.sqlite import SQLiteStorage
    spool_dir, db, stop = sys.argv[1:4]
    spool = Spool(spool_dir, "sqlite")
    store = SQLiteStorage(db)
    store.open(SPECS)
    rounds = 0
    while True:
        last = os.path.exists(stop)  # checked before the replay: the writers are done
        spool.replay(store)
        rounds += 1
        if last:
            break
    store.close()
    print(rounds)
""")


@pytest.mark.e2e
def test_two_writers_and_a_replayer_on_one_spool_lose_no_row(tmp_path):
    spool_dir, db, stop = tmp_path / "spool", tmp_path / "cineradar.db", tmp_path / "writers-done"
    replayer = subprocess.Popen([sys.executable, "-c", REPLAYER, str(spool_dir), str(db), str(stop)], cwd=ROOT,
                                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(spool_dir), str(base)], cwd=ROOT, env=ENV,
                                stderr=subprocess.PIPE, text=True)
               for base in (0, 1_000_000)]
    try:
        for writer in writers:
            _, err = writer.communicate(timeout=300)
            assert writer.returncode == 0, err
        stop.touch()
        out, err = replayer.communicate(timeout=300)
        assert replayer.returncode == 0, err
    finally:
        for proc in (*writers, replayer):
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert int(out) > 1  # the replayer ran beside the writers, not only after them
    store = SQLiteStorage(db)
    store.open(SPECS)
    ids = {row["showtime_id"] for row in store.fetch("tix_showtimes")}
    store.close()
    expected = {str(2_000_000_000 + base + i) for base in (0, 1_000_000) for i in range(BATCHES * ROWS)}
    assert ids == expected  # every row appended by either writer is in the backend
    assert Spool(spool_dir, "sqlite").count() == 0


def test_spool_files_and_folder_are_private(tmp_path):
    """Spooled rows may hold the TIX.id refresh token: 0600 files in a 0700 folder."""
    spool = Spool(tmp_path / "spool", "sqlite")
    spool.append("tix_showtimes", [{"showtime_id": "1"}])
    spool.reject("tix_showtimes", [({"showtime_id": "2"}, "refused")])
    assert stat.S_IMODE((tmp_path / "spool").stat().st_mode) == 0o700
    for path in (spool.path, spool.rejected_path, spool.lock_path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_sqlite_store_file_and_folder_are_private(tmp_path):
    store = SQLiteStorage(tmp_path / "data" / "cineradar.db")
    store.open(SPECS)
    store.put_state("tix_jwt", {"refresh_token": "r"})
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    for path in Path(tmp_path / "data").iterdir():  # the database and its -wal / -shm files
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store.close()
