"""Real storage faults in real crawls: a full or read-only disk, a poison row, permanent errors.

Disk faults use a 600 KB tmpfs and read-only bind mounts (as root, chmod would not stop
a write): mounted directly as root, else with passwordless sudo; without either, those
tests are skipped with the reason.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cineradar.storage.spool import Spool
from replica import Knobs, Replica
from tests.conftest import open_store, run_crawl
from tools.local_servers import free_port

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)
SECRET = "pw-Never-Logged-42"
ARGS = ("city=krakow", "days=7", f"date={DAY0}")
FAST = {"DOWNLOAD_DELAY": "0", "SITE_RATE_LIMITS": "{}", "STORAGE_RETRY_TIMES": "0"}


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    replica = Replica(preset="default", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


# root mounts directly; elsewhere (CI runners) passwordless sudo, if there is one.
AS_ROOT = [] if os.geteuid() == 0 else ["sudo", "-n"]


def _mount(*args: str) -> None:
    result = subprocess.run([*AS_ROOT, "mount", *args], capture_output=True, text=True, check=False)
    if result.returncode:
        pytest.skip(f"cannot mount here ({result.stderr.strip() or result.returncode}): the disk-fault "
                    "tests need root with CAP_SYS_ADMIN or passwordless sudo")


def _umount(path: Path) -> None:
    subprocess.run([*AS_ROOT, "umount", "-l", str(path)], check=False)


@contextlib.contextmanager
def small_tmpfs(path: Path, size: str = "600k") -> Iterator[Path]:
    """A real full disk: a tmpfs of ``size``."""
    path.mkdir(parents=True, exist_ok=True)
    _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path))
    try:
        yield path
    finally:
        _umount(path)


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[Path]:
    """A real read-only folder: ``path`` bind-mounted onto itself read-only."""
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield path
    finally:
        _umount(path)


def log_of(tmp_path: Path) -> str:
    return (tmp_path / "repertuary.log").read_text()


def spooled_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def postgres_down() -> dict[str, str]:
    """A second backend whose server is away (connection refused): an outage, so its rows spool."""
    return {"STORAGE_BACKENDS": "sqlite,postgres",
            "DATABASE_URL": f"postgresql://postgres:{SECRET}@127.0.0.1:{free_port()}/postgres"}


# ------------------------------------------------------------------ 3. a spool that cannot be written
@pytest.mark.parametrize("fault", ["disk full", "read-only"])
def test_a_spool_that_cannot_be_written_fails_the_crawl_and_claims_nothing(replica, tmp_path, fault):
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir(mode=0o700)
    with contextlib.ExitStack() as stack:
        stack.enter_context(small_tmpfs(spool_dir) if fault == "disk full" else read_only(spool_dir))
        stats = run_crawl("repertuary", replica.urls, tmp_path, *ARGS, returncode=1,
                          settings=FAST | postgres_down() | {"STORAGE_SPOOL_DIR": str(spool_dir)})
        # Every line whole: nothing torn. The crawl's final run record, spooled at close by the storage
        # hub for the backend that is down, is not one of the crawl's rows.
        spooled = [r for r in spooled_lines(spool_dir / "postgres.jsonl") if r["entity"] != "crawl_runs"]
    log = log_of(tmp_path)
    why = stats["cineradar/outcome/failed"]
    assert "could not be written to the spool" in why and str(spool_dir / "postgres.jsonl") in why
    assert ("No space left on device" if fault == "disk full" else "Read-only file system") in why
    assert f"crawl FAILED: {why}" in log
    # "spooled" is said (log and stats) only of the rows that are in the spool file.
    assert stats.get("cineradar/storage/postgres/spooled", 0) == len(spooled)
    assert sum(int(n) for n in re.findall(r"(\d+) \S+ rows spooled to ", log)) == len(spooled)
    assert SECRET not in log + json.dumps(stats)
    if fault == "read-only":
        assert not spooled
    else:
        assert spooled  # some batches did fit before the disk was full
    # Nothing that is not durable in every backend is recorded as seen.
    store = open_store(tmp_path / "cineradar.db")
    seen = len(store.seen_since("repertuary", dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    store.close()
    assert seen <= len(spooled)


def test_a_full_disk_under_the_database_fails_the_crawl_with_one_line(replica, tmp_path):
    data = tmp_path / "data"
    with small_tmpfs(data):
        stats = run_crawl("repertuary", replica.urls, tmp_path, *ARGS, returncode=1,
                          settings=FAST | {"SQLITE_PATH": str(data / "cineradar.db"),
                                           "STORAGE_SPOOL_DIR": str(data / "spool")})
        spool = Spool(data / "spool", "sqlite")
        assert spool.count() == 0
    why = stats["cineradar/outcome/failed"]
    assert "database or disk is full" in why and str(data / "cineradar.db") in why
    assert "spooled" not in log_of(tmp_path)
    assert "cineradar/storage/sqlite/spooled" not in stats


def test_a_read_only_database_and_spool_fail_the_crawl_at_once(replica, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    open_store(data / "cineradar.db").close()  # an existing store, then its disk turns read-only
    with read_only(data):
        stats = run_crawl("repertuary", replica.urls, tmp_path, *ARGS, returncode=1,
                          settings=FAST | {"SQLITE_PATH": str(data / "cineradar.db"),
                                           "STORAGE_SPOOL_DIR": str(data / "spool")})
    why = stats["cineradar/outcome/failed"]
    assert why.startswith("storage sqlite: sqlite open failed") and "Read-only file system" in why
    assert "cineradar/storage/sqlite/errors" not in stats  # not retried like an outage
    assert "spooled" not in log_of(tmp_path)
    assert stats.get("item_scraped_count", 0) == 0


# ------------------------------------------------------------------ 9. permanent errors
def corrupt_store(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "cineradar.db").write_bytes(b"this is not a database\n" * 512)
    return {}


@pytest.mark.parametrize(("case", "settings", "expected"), [
    ("corrupt sqlite file", corrupt_store, "file is not a database"),
    ("unknown backend", lambda _: {"STORAGE_BACKENDS": "sqlite,nosuch"}, "unknown storage backend 'nosuch'"),
    ("bad sslmode", lambda _: postgres_down() | {"DATABASE_URL": postgres_down()["DATABASE_URL"] + "?sslmode=bogus"},
     'invalid sslmode value: "bogus"'),
])
def test_a_permanent_storage_error_fails_the_crawl_at_once(replica, tmp_path, case, settings, expected):
    stats = run_crawl("repertuary", replica.urls, tmp_path, *ARGS, returncode=1, settings=FAST | settings(tmp_path))
    why = stats["cineradar/outcome/failed"]
    assert expected in why, why
    assert "\n" not in why and SECRET not in log_of(tmp_path) + json.dumps(stats)
    assert not [k for k in stats if k.endswith(("/errors", "/spooled"))]  # neither retried nor spooled
    assert not (tmp_path / "spool").exists() or not list((tmp_path / "spool").glob("*.jsonl"))
    assert stats.get("item_scraped_count", 0) == 0  # stopped before anything was stored


def test_an_authentication_failure_fails_the_crawl_at_once(replica, pg_server, tmp_path):
    dsn = pg_server.dsn.replace("postgres@", f"nobody:{SECRET}@")  # a role the server does not know
    stats = run_crawl("repertuary", replica.urls, tmp_path, *ARGS, returncode=1,
                      settings=FAST | {"STORAGE_BACKENDS": "sqlite,postgres", "DATABASE_URL": dsn})
    why = stats["cineradar/outcome/failed"]
    assert why.startswith("storage postgres:") and 'role "nobody" does not exist' in why
    assert SECRET not in log_of(tmp_path) + json.dumps(stats)
    assert "cineradar/storage/postgres/spooled" not in stats


# ------------------------------------------------------------------ 4. poison rows
def test_poison_rows_in_the_spool_are_set_aside_and_the_crawl_stores_everything_else(tmp_path):
    small = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    small.start()
    try:
        spool = Spool(tmp_path / "spool", "sqlite")
        good = {"city": "krakow", "slug": "left-from-yesterday", "name": "Left From Yesterday"}
        spool.append("no_such_entity", [{"id": 1}])  # an entity this version does not know
        spool.append("repertuary_cinemas", [good, {"city": "krakow", "slug": {"not": "text"}, "name": "x"}])
        stats = run_crawl("repertuary", small.urls, tmp_path, *ARGS, returncode=3, settings=FAST)
        truth = small.truth("repertuary")["cities"]["krakow"]
    finally:
        small.stop()
    assert stats["cineradar/storage/sqlite/rejected"] == 2
    assert [v for k, v in stats.items() if k.startswith("cineradar/outcome/partial/rows refused by sqlite")] == [2]
    rejected = spooled_lines(spool.rejected_path)
    assert [r["entity"] for r in rejected] == ["no_such_entity", "repertuary_cinemas"]
    assert all(r["error"] for r in rejected)
    assert not spool.path.exists()  # nothing blocks the next batches or replays
    store = open_store(tmp_path / "cineradar.db")
    assert len(store.fetch("repertuary_showtimes")) == len(truth["showtimes"])
    assert {r["slug"] for r in store.fetch("repertuary_films")} == {f["slug"] for f in truth["films"]}
    cinemas = {r["slug"] for r in store.fetch("repertuary_cinemas")}
    assert cinemas == {s["cinema_slug"] for s in truth["showtimes"]} | {"left-from-yesterday"}
    store.close()
