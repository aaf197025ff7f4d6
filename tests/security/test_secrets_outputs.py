"""No secret of the environment in any output of any spider, nor any file's content in an error.

Every spider crawls the replica (which accepts the fake secrets as its real credentials, so each
one is in use) into SQLite, a real PostgreSQL and the Firestore emulator, at LOG_LEVEL DEBUG,
with a feed and a stats dump; then every file the crawls wrote, their stdout/stderr, the
PostgreSQL crawl_runs and Firestore's scraper_runs are searched for each secret. Input files
(``tmdb_tv -a file``, ``tix_seats -a showtimes``) holding a fake secret, and /proc/self/environ,
must fail the crawl naming what is wrong, never their content.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from scrapy.settings import Settings

from cineradar.backends import open_backends
from replica import Knobs, Replica
from replica.core import JAKARTA
from tests.conftest import ROOT, open_store
from tests.storage import conftest as storage

pytestmark = pytest.mark.e2e
pg_server, fs_emulator = storage.pg_server, storage.fs_emulator

DAY = dt.date(2026, 1, 15)
MORNING = dt.datetime.combine(DAY, dt.time(5), JAKARTA)
PHONE, PASSWORD = "+6281399887766", "Tix-Pw-S3cr3t-7781"
BEARER = "tmdb-S3cr3t-Bearer-4410"
DB_PASSWORD = "Db-S3cr3t-9920"
SCRAPYD_PASSWORD = "Scrapyd-S3cr3t-3301"
FILE_SECRET = "File-S3cr3t-5512"
SECRETS = {"TIX_PHONE_NUMBER": PHONE, "TIX_PASSWORD": PASSWORD, "TMDB_READ_TOKEN": BEARER,
           "DATABASE_URL password": DB_PASSWORD, "SCRAPYD_PASSWORD": SCRAPYD_PASSWORD, "file content": FILE_SECRET}


@pytest.fixture(scope="module")
def crawled(pg_server, fs_emulator, tmp_path_factory) -> dict[str, Any]:  # noqa: ANN001
    work = tmp_path_factory.mktemp("secrets")
    dsn = pg_server.dsn.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)  # trust auth: the password is unused
    fs_emulator.clear()
    secret_file = work / "ids.txt"
    secret_file.write_text(f"tt0944947\nTMDB_READ_TOKEN={FILE_SECRET}\n-----BEGIN PRIVATE KEY----- {FILE_SECRET}\n")
    knobs = Knobs(tix_phone=PHONE, tix_password=PASSWORD, tmdb_bearer=BEARER)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIX_", "TMDB_", "SCRAPYD_", "DATABASE_URL"))} | {
        "PYTHONPATH": str(ROOT), "SCRAPY_SETTINGS_MODULE": "cineradar.settings",
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": "", "TIX_PHONE_NUMBER": PHONE, "TIX_PASSWORD": PASSWORD,
        "TMDB_READ_TOKEN": BEARER, "DATABASE_URL": dsn, "SCRAPYD_PASSWORD": SCRAPYD_PASSWORD,
        "FIRESTORE_EMULATOR_HOST": fs_emulator.host, "GOOGLE_CLOUD_PROJECT": storage.FIRESTORE_PROJECT}
    runs: dict[str, Any] = {}
    with Replica(preset="tiny", seed=1, date=DAY, now=MORNING, knobs=knobs) as replica:
        (work / "endpoints.json").write_text(json.dumps(replica.urls))
        shows = ",".join(s["imdb_id"] for s in replica.truth("tmdb")["tv"][:2])
        crawls = [("tix_login", ()), ("tix_movies", ("batch=2/9", f"date={DAY}")),
                  ("tix_seats", ("mode=morning", f"date={DAY}")),
                  ("repertuary", ("city=krakow", "days=1", f"date={DAY}")), ("kino_krakow", ("days=1", f"date={DAY}")),
                  ("tmdb_movies", ("preset=full", "pages=1")), ("tmdb_match", ("source=tix",)),
                  ("tmdb_tv", (f"imdb_ids={shows}",)),
                  ("tmdb_tv", (f"file={secret_file}",)), ("tmdb_tv", ("file=/proc/self/environ",)),
                  ("tix_seats", (f"showtimes={secret_file}", f"date={DAY}")),
                  ("tix_seats", ("showtimes=/proc/self/environ", f"date={DAY}"))]
        for n, (spider, args) in enumerate(crawls):
            name = f"{n:02d}-{spider}"
            settings = {"ENDPOINTS": str(work / "endpoints.json"), "SQLITE_PATH": str(work / "cineradar.db"),
                        "STORAGE_SPOOL_DIR": str(work / "spool"), "STATS_DUMP_PATH": str(work / f"{name}.stats.json"),
                        "LOG_FILE": str(work / f"{name}.log"), "LOG_LEVEL": "DEBUG", "CRAWL_TODAY": DAY.isoformat(),
                        "STORAGE_BACKENDS": "sqlite,postgres,firestore", "FILES_STORE": str(work / "files"),
                        "TMDB_IMAGE_URL": replica.urls["tmdb"] + "/t/p/original",
                        "FEEDS": json.dumps({str(work / f"{name}.feed.jsonl"): {"format": "jsonlines"}})}
            cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
            for arg in args:
                cmd += ["-a", arg]
            for key, value in settings.items():
                cmd += ["-s", f"{key}={value}"]
            proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False)
            (work / f"{name}.stdout").write_text(proc.stdout)
            (work / f"{name}.stderr").write_text(proc.stderr)
            runs[name] = proc.returncode
    backends = open_backends(Settings({"STORAGE_BACKENDS": "sqlite,postgres,firestore", "DATABASE_URL": dsn,
                                       "SQLITE_PATH": str(work / "cineradar.db"),
                                       "FIRESTORE_EMULATOR_HOST": fs_emulator.host,
                                       "GOOGLE_CLOUD_PROJECT": storage.FIRESTORE_PROJECT}))
    try:
        records = {b.name: b.fetch("crawl_runs") for b in backends}
    finally:
        for backend in backends:
            backend.close()
    store = open_store(work / "cineradar.db")
    try:
        tokens = store.get_state("tix_jwt") or {}
    finally:
        store.close()
    with psycopg.connect(pg_server.dsn) as conn:
        pg_text = "\n".join(r[0] for r in conn.execute("SELECT row_to_json(t)::text FROM crawl_runs t"))
    return {"work": work, "runs": runs, "records": records, "pg_text": pg_text,
            "tokens": {k: tokens.get(k) for k in ("token", "refresh_token")}}


def test_every_spider_ran_with_the_secrets_in_use(crawled):
    runs = crawled["runs"]
    assert [runs[k] for k in sorted(runs)][:8] == [0] * 8, runs  # the eight spiders crawled the replica
    assert {r["spider"] for r in crawled["records"]["firestore"]} >= {"tix_login", "tix_movies", "tmdb_tv"}


def test_the_remote_control_server_is_off_unless_asked_for(crawled):
    """Scrapy 2.19's RemoteControl runs code sent with its token inside a crawl holding every secret."""
    logs = {p.name: p.read_text() for p in crawled["work"].glob("0[0-7]-*.log")}
    assert len(logs) == 8 and all("Enabled extensions:" in log for log in logs.values())
    assert [name for name, log in logs.items() if "RemoteControl" in log] == []


def test_no_secret_in_any_file_the_crawls_wrote(crawled):
    work: Path = crawled["work"]
    found = []
    for path in sorted(p for p in work.rglob("*") if p.is_file() and p.name not in ("ids.txt",)):
        data = path.read_bytes()  # the store (cineradar.db) included: it holds tokens by design, never these
        found += [(path.name, what) for what, secret in SECRETS.items() if secret.encode() in data]
    assert found == [], found


def test_no_secret_in_run_records_of_any_backend(crawled):
    text = crawled["pg_text"] + json.dumps(crawled["records"], default=str)
    assert [what for what, secret in SECRETS.items() if secret in text] == []


@pytest.mark.parametrize(("index", "says"), [
    ("08-tmdb_tv", "not an IMDb id"),
    ("09-tmdb_tv", "is not UTF-8 text"),
    ("10-tix_seats", "has no usable line"),
    ("11-tix_seats", "is not UTF-8 text"),
])
def test_an_unusable_input_file_is_named_with_what_is_wrong(crawled, index, says):
    log = (crawled["work"] / f"{index}.log").read_text()
    failed = [line for line in log.splitlines() if "crawl FAILED" in line]
    assert crawled["runs"][index] == 1 and failed and says in failed[0], log[-2000:]


def test_the_tix_tokens_stay_in_the_store(crawled):
    """The user access and refresh tokens tix_login stored: in no log, stats dump, feed or run record."""
    tokens = crawled["tokens"]
    assert all(tokens.values()), tokens  # the login ran and stored both
    found = [(path.name, kind) for path in crawled["work"].rglob("*")
             if path.is_file() and not path.name.startswith("cineradar.db")
             for kind, token in tokens.items() if token.encode() in path.read_bytes()]
    records = crawled["pg_text"] + json.dumps(crawled["records"], default=str)
    found += [("run records", kind) for kind, token in tokens.items() if token in records]
    assert found == []
