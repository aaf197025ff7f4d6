"""Helpers of the TIX.id tests: the replica's day, crawls as real subprocesses, the store."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from replica.core import JAKARTA
from tests.conftest import replica_today

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 1, 15)
MORNING = dt.datetime.combine(DAY, dt.time(5), JAKARTA)  # before any showtime: nothing has started
PHONE, PASSWORD = "+6281234567890", "replica-password"  # the replica's account (its default knobs)
CREDENTIALS = {"TIX_PHONE_NUMBER": PHONE, "TIX_PASSWORD": PASSWORD}
APP_HEADERS = {"platform": "web", "lang": "en", "app_version": "1.0.0", "device_id": "null",
               "session_id": "null", "Content-Type": "application/json"}


def scrapy(command: list[str], urls: dict[str, Any], workdir: Path, *, name: str, env: dict[str, str] | None = None,
           settings: dict[str, Any] | None = None, timeout: int = 240, check: bool = True) -> dict[str, Any]:
    """Run ``scrapy <command>`` as a subprocess against ``urls``; return stats, log and output."""
    endpoints = workdir / "endpoints.json"
    endpoints.write_text(json.dumps(urls))
    stats_path = workdir / f"stats-{name}.json"
    log_path = workdir / f"{name}.log"
    values = {"ENDPOINTS": str(endpoints), "SQLITE_PATH": str(workdir / "cineradar.db"),
              "STORAGE_SPOOL_DIR": str(workdir / "spool"), "STATS_DUMP_PATH": str(stats_path),
              "REMOTE_CONTROL_ENABLED": "False", "LOG_FILE": str(log_path)} | (settings or {})
    cmd = [sys.executable, "-m", "scrapy", *command]
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("TIX_")}
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=base_env | {"PYTHONPATH": str(ROOT)} | (env or {}))
    log = log_path.read_text() if log_path.exists() else ""
    if check and proc.returncode != 0:
        raise AssertionError(f"scrapy {' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-3000:]}\n"
                             f"{log[-3000:]}")
    stats = json.loads(stats_path.read_text()) if stats_path.exists() else {}
    return {"stats": stats, "log": log, "stdout": proc.stdout, "stderr": proc.stderr, "returncode": proc.returncode}


def crawl(spider: str, urls: dict[str, Any], workdir: Path, *args: str, name: str | None = None,
          **kwargs: Any) -> dict[str, Any]:
    command = ["crawl", spider]
    for arg in args:
        command += ["-a", arg]
    kwargs["settings"] = replica_today(args) | (kwargs.get("settings") or {})
    return scrapy(command, urls, workdir, name=name or spider, **kwargs)


def open_store(path: Path):  # noqa: ANN201
    from cineradar.backends import SPECS
    from cineradar.storage.sqlite import SQLiteStorage

    store = SQLiteStorage(path)
    store.open(SPECS)
    return store


def clean(value: str | None) -> str | None:
    """What the crawler does to addresses and categories: whitespace runs collapsed, stripped."""
    text = re.sub(r"\s+", " ", value or "").strip()
    return text or None


def post(url: str, body: dict[str, Any], token: str | None = None) -> dict[str, Any]:
    headers = dict(APP_HEADERS) | ({"Authorization": f"Bearer {token}"} if token else {})
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers=headers, method="POST")
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def get(url: str, token: str) -> dict[str, Any]:
    request = urllib.request.Request(url, headers=APP_HEADERS | {"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def api_login(api: str) -> dict[str, str]:
    """The replica's (designed) login call: what the browser form posts."""
    return post(f"{api}/v1/users/login", {"phone_number": PHONE, "password": PASSWORD})["data"]


def seed_token(store_path: Path, api: str, *, quoted: bool = False, now: dt.datetime | None = None) -> dict[str, Any]:
    """Store a token document as ``tix_login`` would, without a browser (test setup), at
    ``now`` by the crawler's clock (default: the real one)."""
    from cineradar.auth.tokens import TOKEN_STATE, Tokens, token_doc

    data = api_login(api)
    doc = token_doc(Tokens(data["token"], data["refresh_token"]), phone=PHONE, now=now or dt.datetime.now(dt.UTC),
                    source="login")
    if quoted:  # as the original stored them before its fix (docs/sources/tix.md#login-flow)
        doc["token"], doc["refresh_token"] = f'"{doc["token"]}"', f'"{doc["refresh_token"]}"'
    store = open_store(store_path)
    store.put_state(TOKEN_STATE, doc)
    store.close()
    return doc
