"""cineradar/tls.py: which failures are a certificate that did not verify; the CA setting checked."""

from __future__ import annotations

import ssl

import pytest
from OpenSSL import SSL
from scrapy.exceptions import DownloadConnectionRefusedError, DownloadFailedError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from cineradar import tls


def chained(outer: BaseException, cause: BaseException) -> BaseException:
    outer.__cause__ = cause
    return outer


def verify_error() -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    exc.verify_message = "unable to get local issuer certificate"
    return exc


@pytest.mark.parametrize("exc", [
    chained(DownloadConnectionRefusedError("Cannot connect"), verify_error()),  # aiohttp handler
    ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "certificate verify failed")]))]),  # twisted
])
def test_certificate_failures_are_recognised(exc):
    assert tls.certificate_failure(exc)


@pytest.mark.parametrize("exc", [
    None, ValueError("x"), DownloadFailedError("Connection lost"), TimeoutError(),
    ResponseFailed([Failure(ConnectionError("lost")), "not an exception", 3]),  # a truncated body
    ResponseNeverReceived([Failure(SSL.Error([("SSL routines", "", "unexpected eof while reading")]))]),
])
def test_other_failures_are_not(exc):
    assert tls.certificate_failure(exc) is None


def test_ca_setting_checked(tmp_path):
    assert tls.ca_file({"TLS_CA_FILE": None}) is None
    with pytest.raises(tls.TlsConfigError, match="cannot read"):
        tls.ca_file({"TLS_CA_FILE": str(tmp_path / "missing.pem")})
    (tmp_path / "empty.pem").write_text("nothing")
    with pytest.raises(tls.TlsConfigError, match="no PEM certificate"):
        tls.ca_file({"TLS_CA_FILE": str(tmp_path / "empty.pem")})


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("127.9.9.9", True), ("::1", True),
                                                 ("[::1]", True), ("localhost", True), ("/run/pg", True),
                                                 ("", True), ("10.0.0.1", False), ("db.example.org", False)])
def test_loopback(host, loopback):
    assert tls.is_loopback(host) is loopback
