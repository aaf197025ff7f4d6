"""A DATABASE_URL password never shows in an error, whatever characters it holds.

libpq misreads an unencoded '@', '/', '?', '#' or stray '%' in a URL's password: part of it becomes
the host or the port and its error names that part. Such a DSN is refused before connecting
(cineradar/storage/dsn.py); every error of a usable DSN is cleaned of the password in every form.
Connections go to a closed port on 127.0.0.1 (nothing else is contacted).
"""

from __future__ import annotations

import re

import pytest

from cineradar.storage.base import StorageError
from cineradar.storage.postgres import PostgresStorage
from tools.local_servers import free_port

PASSWORDS = ["Alpha@Bravo", "Alpha/Bravo@Charlie", "Alpha%Bravo", "Alpha#Bravo", "Alpha?Bravo", "Alpha:Bravo@Delta",
             "Alpha%zzBravo/Charlie@Delta"]


def fragments(password: str) -> list[str]:
    return [p for p in re.split(r"[@:/%?#]", password) if len(p) >= 3]


def error_of(dsn: str) -> str:
    try:
        PostgresStorage(dsn, connect_timeout=2).open([])
    except StorageError as exc:
        return str(exc)
    raise AssertionError("no error")


@pytest.mark.parametrize("password", PASSWORDS)
def test_an_unencoded_password_is_refused_without_showing_it(password):
    port = free_port()
    message = error_of(f"postgresql://cine:{password}@127.0.0.1:{port}/cineradar")
    assert not [f for f in fragments(password) if f in message], message
    assert "DATABASE_URL" in message and "percent-encode" in message, message


@pytest.mark.parametrize("password", PASSWORDS)
def test_an_encoded_password_never_shows_in_an_error(password):
    from urllib.parse import quote
    port = free_port()
    for dsn in (f"postgresql://cine:{quote(password, safe='')}@127.0.0.1:{port}/cineradar",
                f"host=127.0.0.1 port={port} user=cine password='{password}' dbname=cineradar"):
        message = error_of(dsn)
        assert "failed" in message and not [f for f in fragments(password) if f in message], message
