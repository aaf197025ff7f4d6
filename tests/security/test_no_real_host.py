"""With ENDPOINTS given, a crawl touches no real host: every name resolved is counted in the crawl's
process (a sitecustomize in the TEST patches the resolver functions, never the code), and logos go
beside the configured store, never into the working folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from replica.server import Replica
from tests.tix.helpers import DAY, MORNING, ROOT

pytestmark = pytest.mark.e2e

SITECUSTOMIZE = '''
import os, socket
_LOG = os.environ["RESOLVED_LOG"]
_LOCAL = {"127.0.0.1", "localhost", "::1", "", None}

def _note(host):
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOCAL:
        with open(_LOG, "a") as log:
            log.write(f"{name}\\n")
        raise socket.gaierror(socket.EAI_NONAME, f"test: no resolving {name}")

def _wrap(func):
    def resolve(host, *args, **kwargs):
        _note(host)
        return func(host, *args, **kwargs)
    return resolve

for _name in ("getaddrinfo", "gethostbyname", "gethostbyname_ex"):
    setattr(socket, _name, _wrap(getattr(socket, _name)))
'''


@pytest.fixture(scope="module")
def replica():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


def crawl(spider: str, replica: Replica, tmp_path: Path, *args: str) -> tuple[int, list[str], Path]:
    hooks, work, data = tmp_path / "hooks", tmp_path / "work", tmp_path / "data"
    for folder in (hooks, work, data):
        folder.mkdir()
    (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE)
    resolved = tmp_path / "resolved.txt"
    resolved.touch()
    endpoints = tmp_path / "endpoints.json"
    endpoints.write_text(json.dumps(replica.urls))
    cmd = [sys.executable, "-m", "scrapy", "crawl", spider]
    for arg in args:
        cmd += ["-a", arg]
    for key, value in {"ENDPOINTS": endpoints, "SQLITE_PATH": data / "cineradar.db", "CRAWL_TODAY": DAY,
                       "DOWNLOAD_DELAY": 0, "REPERTUARY_MAX_ATTEMPTS": 1,
                       "STORAGE_SPOOL_DIR": data / "spool", "LOG_FILE": tmp_path / "crawl.log"}.items():
        cmd += ["-s", f"{key}={value}"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TIX_", "TMDB_", "CINERADAR_"))} | {
        "PYTHONPATH": f"{hooks}{os.pathsep}{ROOT}", "SCRAPY_SETTINGS_MODULE": "cineradar.settings",
        "RESOLVED_LOG": str(resolved), "TMDB_READ_TOKEN": replica.knobs.tmdb_bearer,
        "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}
    proc = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=300)
    return proc.returncode, resolved.read_text().split(), work


def test_tmdb_tv_with_endpoints_resolves_no_real_host_and_keeps_logos_beside_the_store(replica, tmp_path):
    shows = replica.truth("tmdb")["tv"][:3]
    code, resolved, work = crawl("tmdb_tv", replica, tmp_path, "imdb_ids=" + ",".join(s["imdb_id"] for s in shows))
    log = (tmp_path / "crawl.log").read_text()
    assert resolved == [], resolved  # today: image.tmdb.org, for every logo
    assert code == 0, log[-3000:]
    assert list(work.iterdir()) == []  # nothing in the working folder (today: ./data/logos/...)
    logos = list((tmp_path / "data" / "logos").rglob("*.*"))
    assert logos and replica.ctx.requests["tmdb image"] >= len(logos)


def test_the_resolver_patch_sees_real_hosts(replica, tmp_path):
    # The check itself: without ENDPOINTS' image host, the real one is looked up (and counted).
    replica_urls = dict(replica.urls)
    try:
        replica.urls.pop("tmdb_image")
        replica.urls["tmdb_image"] = "https://image.tmdb.org/t/p/original"
        shows = replica.truth("tmdb")["tv"][:1]
        _, resolved, _ = crawl("tmdb_tv", replica, tmp_path, f"imdb_ids={shows[0]['imdb_id']}")
    finally:
        replica.urls.clear()
        replica.urls.update(replica_urls)
    assert "image.tmdb.org" in resolved


@pytest.mark.parametrize(("spider", "args"), [("tix_movies", ("cities=JAKARTA", f"date={DAY}")),
                                              ("kino_krakow", ("days=1",)), ("tmdb_movies", ())])
def test_other_crawls_with_endpoints_resolve_no_real_host(replica, tmp_path, spider, args):
    code, resolved, work = crawl(spider, replica, tmp_path, *args)
    assert resolved == [] and list(work.iterdir()) == [], (resolved, (tmp_path / "crawl.log").read_text()[-2000:])
