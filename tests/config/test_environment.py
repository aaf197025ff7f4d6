"""Deployment settings from CINERADAR_* variables (cineradar/config.py): precedence -s > environment >
settings.py, one clear line for a bad value, and the table's two documents kept current."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cineradar import config
from cineradar.storage import PermanentStorageError
from cineradar.storage.firestore import FirestoreStorage
from tests.conftest import ROOT


def scrapy(args: list[str], env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("CINERADAR_")}
    return subprocess.run([sys.executable, "-m", "scrapy", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120, env=base | {"PYTHONPATH": str(ROOT)} | (env or {}))


def get(setting: str, env: dict[str, str] | None = None, *options: str) -> str:
    proc = scrapy(["settings", "--get", setting, *options], env)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


# ---------------------------------------------------------------- documents
def test_the_configuration_table_is_current():
    assert (ROOT / "docs/configuration.md").read_text(encoding="utf-8") == config.markdown(), (
        "docs/configuration.md is stale: run `python -m cineradar.config markdown > docs/configuration.md`")


def test_the_env_example_lists_every_variable():
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    assert text == config.env_example(), "stale: run `python -m cineradar.config env > .env.example`"
    listed = {line.lstrip("# ").split("=", 1)[0] for line in text.splitlines() if "=" in line.split(" ")[-1]}
    assert {v.name for v in config.VARIABLES} | set(config.SECRETS) <= listed


def test_every_variable_names_a_setting_the_code_reads():
    # No variable for a setting nobody reads: each is in settings.py, or is Scrapy's/Spidermon's own.
    source = "\n".join(p.read_text() for p in (ROOT / "cineradar").rglob("*.py"))
    for var in config.VARIABLES:
        assert var.name.startswith("CINERADAR_")
        assert var.setting.startswith("SPIDERMON_") or var.setting == "FILES_STORE" or f'"{var.setting}"' in source, var


# ---------------------------------------------------------------- precedence
@pytest.mark.parametrize(("setting", "variable", "value"), [
    ("SQLITE_PATH", "CINERADAR_SQLITE_PATH", "/srv/x/cineradar.db"),
    ("STORAGE_SPOOL_DIR", "CINERADAR_SPOOL_DIR", "/srv/x/spool"),
    ("LOG_LEVEL", "CINERADAR_LOG_LEVEL", "WARNING"),
    ("TIX_RENDERER", "CINERADAR_RENDERER", "splash"),
    ("SPLASH_URL", "CINERADAR_SPLASH_URL", "http://127.0.0.1:8051"),
    ("SPIDERMON_EMAIL_SENDER", "CINERADAR_ALERT_SMTP_FROM", "crawler@example.org"),
    ("SPIDERMON_SMTP_HOST", "CINERADAR_ALERT_SMTP_HOST", "127.0.0.1"),
    ("FILES_STORE", "CINERADAR_FILES_STORE", "/srv/x/files"),
    ("GOOGLE_CLOUD_PROJECT", "CINERADAR_FIRESTORE_PROJECT", "proj-1"),
])
@pytest.mark.e2e
def test_environment_beats_settings_py_and_s_beats_the_environment(setting, variable, value):
    assert get(setting, {variable: value}) == value
    assert get(setting, {variable: value}, "-s", f"{setting}=from-s") == "from-s"


@pytest.mark.e2e
def test_lists_and_numbers_are_parsed():
    env = {"CINERADAR_STORAGE_BACKENDS": " sqlite , postgres", "CINERADAR_ALERT_SMTP_PORT": "2525",
           "CINERADAR_ALERT_SMTP_TO": "a@example.org,b@example.org", "CINERADAR_ALERT_SMTP_TLS": "yes"}
    values = config.overrides(env)
    assert values == {"STORAGE_BACKENDS": ["sqlite", "postgres"], "SPIDERMON_SMTP_PORT": 2525,
                      "SPIDERMON_EMAIL_TO": ["a@example.org", "b@example.org"], "SPIDERMON_SMTP_ENFORCE_TLS": True}
    assert json.loads(get("STORAGE_BACKENDS", env).replace("'", '"')) == ["sqlite", "postgres"]


@pytest.mark.e2e
def test_an_empty_value_is_unset():
    assert get("SQLITE_PATH", {"CINERADAR_SQLITE_PATH": ""}) == "data/cineradar.db"


# ---------------------------------------------------------------- bad values
@pytest.mark.parametrize(("env", "says"), [
    ({"CINERADAR_STORAGE_BACKENDS": "sqlite,mysql"},
     "CINERADAR_STORAGE_BACKENDS: unknown backend 'mysql'; allowed: a comma-separated list of sqlite, "
     "postgres, firestore"),
    ({"CINERADAR_ALERT_SMTP_PORT": "twenty-five"}, "CINERADAR_ALERT_SMTP_PORT: expected an integer, got 'twenty-five'"),
    ({"CINERADAR_LOG_LEVEL": "loud"}, "CINERADAR_LOG_LEVEL: unknown value 'LOUD'; allowed: DEBUG, INFO"),
    ({"CINERADAR_TODAY": "15.01.2026"}, "CINERADAR_TODAY: expected a day as YYYY-MM-DD, got '15.01.2026'"),
])
@pytest.mark.e2e
def test_a_bad_value_is_one_line_naming_the_variable(env, says):
    for command in (["list"], ["crawl", "repertuary"], ["stored"]):
        proc = scrapy(command, env)
        assert proc.returncode == 1, proc.stderr
        assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
        assert says in proc.stderr


@pytest.mark.e2e
def test_a_bad_secret_is_named_but_not_shown():
    proc = scrapy(["list"], {"CINERADAR_DATABASE_URL": "mysql://user:hunter2@db/x"})
    assert proc.returncode == 1
    assert "CINERADAR_DATABASE_URL: bad value" in proc.stderr and "hunter2" not in proc.stderr


# ---------------------------------------------------------------- firestore credentials file
def test_a_missing_firestore_credentials_file_is_one_line(tmp_path):
    store = FirestoreStorage(project="p", credentials_file=str(tmp_path / "nope.json"))
    with pytest.raises(PermanentStorageError, match=r"no such credentials file: .*nope.json \(CINERADAR_FIRESTORE"):
        store.open([])


def test_the_firestore_client_uses_the_credentials_file(tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    path = tmp_path / "sa.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "proj-1", "private_key_id": "k1",
                                "private_key": key, "client_email": "crawler@proj-1.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}))
    store = FirestoreStorage(project="proj-1", credentials_file=str(path))
    store.open([])  # builds the client; no request is made until a read or write
    try:
        assert store.client._credentials.service_account_email == "crawler@proj-1.iam.gserviceaccount.com"
    finally:
        store.close()
    path.write_text("{}")
    with pytest.raises(PermanentStorageError, match="not a service-account key file"):
        FirestoreStorage(project="proj-1", credentials_file=str(path)).open([])


def test_the_documented_bounds_are_settings_py_settings():
    import cineradar.settings as project

    assert all(hasattr(project, name) for name in config.BOUNDS)
    assert project.TIX_AUTH_DEADLINE < 30  # the promise the table makes
