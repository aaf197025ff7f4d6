"""Real servers for the storage tests: a throwaway PostgreSQL 15 cluster and the Firestore emulator.

Both bind 127.0.0.1 on free ports, start once per test session and are stopped (their
folders removed) at its end. Each test gets its own PostgreSQL schema and an emptied
emulator. A server is skipped only when its binaries are missing (CI installs them:
.ci/services.sh); a server that is installed but fails to start is an error.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from urllib.parse import quote

import psycopg
import pytest

from cineradar.backends import SPECS
from cineradar.storage.firestore import FirestoreStorage
from cineradar.storage.postgres import PostgresStorage
from cineradar.storage.sqlite import SQLiteStorage
from tools.local_servers import FirestoreEmulator, PostgresServer, firestore_missing, postgres_missing

FIRESTORE_PROJECT = "cineradar-test"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    with PostgresServer() as server:
        yield server


@pytest.fixture
def pg_dsn(pg_server: PostgresServer) -> str:
    """A DSN whose search_path is a fresh schema: every test starts from an empty database."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_server.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_server.dsn}?options={quote(f'-c search_path={schema}')}"


@pytest.fixture
def pg_store(pg_dsn: str) -> Iterator[PostgresStorage]:
    store = PostgresStorage(pg_dsn)
    store.open(SPECS)
    yield store
    store.close()


@pytest.fixture
def own_pg_server() -> Iterator[PostgresServer]:
    """A cluster of the test's own, for tests that stop and restart the server."""
    reason = postgres_missing()
    if reason:
        pytest.skip(reason)
    with PostgresServer() as server:
        yield server


@pytest.fixture(scope="session")
def fs_emulator() -> Iterator[FirestoreEmulator]:
    reason = firestore_missing()
    if reason:
        pytest.skip(reason)
    with FirestoreEmulator() as emulator:
        yield emulator


@pytest.fixture
def fs_host(fs_emulator: FirestoreEmulator) -> str:
    fs_emulator.clear()
    return fs_emulator.host


@pytest.fixture
def fs_store(fs_host: str) -> Iterator[FirestoreStorage]:
    store = FirestoreStorage(FIRESTORE_PROJECT, emulator_host=fs_host, timeout=10)
    store.open(SPECS)
    yield store
    store.close()


@pytest.fixture
def fs_client(fs_store: FirestoreStorage):  # noqa: ANN201
    """The raw google-cloud-firestore client of fs_store, to look at documents as they are."""
    return fs_store.client


@pytest.fixture
def sqlite_store(tmp_path) -> Iterator[SQLiteStorage]:  # noqa: ANN001
    store = SQLiteStorage(tmp_path / "reference.db")
    store.open(SPECS)
    yield store
    store.close()
