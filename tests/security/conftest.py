"""Fixtures of the security tests: a test CA (trustme), certificates right and wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
import trustme


@pytest.fixture(scope="session")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca: trustme.CA, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture(scope="session")
def good_cert(ca: trustme.CA):  # noqa: ANN201
    return ca.issue_cert("127.0.0.1", "localhost")


@pytest.fixture(scope="session")
def wrong_name_cert(ca: trustme.CA):  # noqa: ANN201
    """Signed by the trusted CA, for another host."""
    return ca.issue_cert("api.example.org")


@pytest.fixture(scope="session")
def untrusted_cert():  # noqa: ANN201
    """The right name, signed by a CA nobody trusts (what a self-signed proxy shows)."""
    return trustme.CA().issue_cert("127.0.0.1", "localhost")


BAD_CERTS = ["wrong_name_cert", "untrusted_cert"]
