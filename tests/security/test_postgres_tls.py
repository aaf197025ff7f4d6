"""PostgreSQL's sslmode rule (cineradar/storage/postgres.py tls_dsn) and a real server over TLS.

The server (initdb, ssl=on, a certificate from the test CA for db.cineradar.test) is reached as
``host=db.cineradar.test hostaddr=127.0.0.1``: a host name that is not loopback, so the rule
applies, on a socket that stays on this machine. Trusted CA (TLS_CA_FILE): rows go in; a
certificate for another name or from another CA: a permanent error naming the host, and the
server logs no authorized connection (nothing was sent past the handshake).
"""

from __future__ import annotations

import shutil

import pytest
from psycopg.conninfo import conninfo_to_dict

from cineradar.storage.base import PermanentStorageError
from cineradar.storage.postgres import PostgresStorage, tls_dsn
from tests.security.conftest import BAD_CERTS
from tools.local_servers import PostgresServer, postgres_missing

HOST = "db.cineradar.test"


@pytest.mark.parametrize(("dsn", "expected"), [
    ("postgresql://u:p@db.example.org/cineradar", {"sslmode": "verify-full", "sslrootcert": "system"}),
    ("host=db.example.org,127.0.0.1 dbname=x", {"sslmode": "verify-full", "sslrootcert": "system"}),
    ("postgresql://u@10.0.0.5:5433/x?sslrootcert=/etc/pg/ca.pem", {"sslmode": "verify-full",
                                                                   "sslrootcert": "/etc/pg/ca.pem"}),
    ("postgresql://u@db.example.org/x?sslmode=require", {"sslmode": "require"}),  # explicit: as given
    ("postgresql://u@db.example.org/x?sslmode=disable", {"sslmode": "disable"}),
    ("postgresql://u@127.0.0.1:5432/x", {}),  # loopback: as given
    ("postgresql://u@localhost/x", {}),
    ("postgresql://u@[::1]/x", {}),
    ("dbname=x host=/run/postgresql", {}),  # a Unix socket
    ("dbname=x", {}),
])
def test_sslmode_rule(dsn, expected, monkeypatch):
    for name in ("PGSSLMODE", "PGHOST", "PGSSLROOTCERT"):
        monkeypatch.delenv(name, raising=False)
    params = conninfo_to_dict(tls_dsn(dsn))
    assert {k: params[k] for k in ("sslmode", "sslrootcert") if k in params} == expected


def test_the_ca_setting_is_the_root_file_and_pgsslmode_counts_as_explicit(monkeypatch):
    monkeypatch.delenv("PGSSLROOTCERT", raising=False)
    monkeypatch.delenv("PGSSLMODE", raising=False)
    assert conninfo_to_dict(tls_dsn("host=db.example.org", "/ca.pem"))["sslrootcert"] == "/ca.pem"
    monkeypatch.setenv("PGSSLMODE", "require")
    assert "sslmode" not in conninfo_to_dict(tls_dsn("host=db.example.org"))


class TlsPostgres(PostgresServer):
    def __init__(self, cert) -> None:  # noqa: ANN001
        super().__init__()
        self.cert = cert

    def init(self) -> TlsPostgres:
        super().init()
        crt, key = self.data / "server.crt", self.data / "server.key"
        crt.write_bytes(b"".join(b.bytes() for b in self.cert.cert_chain_pems))
        key.write_bytes(self.cert.private_key_pem.bytes())
        key.chmod(0o600)
        if self._user:
            for path in (crt, key):
                shutil.chown(path, self._user, self._user)
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nlog_connections = on\n")
        return self

    def authorized(self) -> int:
        return (self.dir / "server.log").read_text(errors="replace").count("connection authorized")


def dsn(server: PostgresServer) -> str:
    return f"host={HOST} hostaddr=127.0.0.1 port={server.port} user=postgres dbname=postgres"


needs_postgres = pytest.mark.skipif(bool(postgres_missing()), reason=postgres_missing() or "")


@pytest.mark.e2e
@needs_postgres
def test_postgres_over_verified_tls_with_the_ca_setting(ca, ca_file, monkeypatch):
    monkeypatch.delenv("PGSSLMODE", raising=False)
    with TlsPostgres(ca.issue_cert(HOST)) as server:
        storage = PostgresStorage(dsn(server), ca_file=str(ca_file))
        storage.open([])
        try:
            assert storage._run(lambda conn: conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = "
                                                          "pg_backend_pid()").fetchone())[0] is True
        finally:
            storage.close()


@pytest.mark.e2e
@needs_postgres
@pytest.mark.parametrize("bad", BAD_CERTS)
def test_postgres_refuses_a_bad_certificate_and_sends_nothing(request, ca_file, bad, monkeypatch):
    monkeypatch.delenv("PGSSLMODE", raising=False)
    with TlsPostgres(request.getfixturevalue(bad)) as server:
        before = server.authorized()
        storage = PostgresStorage(dsn(server), ca_file=str(ca_file))
        with pytest.raises(PermanentStorageError) as refused:
            storage.open([])
        text = str(refused.value)  # libpq names the host, or the address when hostaddr is given
        assert (HOST in text or f'"127.0.0.1", port {server.port}' in text) and "certificate" in text, text
        assert server.authorized() == before
