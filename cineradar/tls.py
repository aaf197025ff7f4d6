"""Verified TLS for every client of the crawl, and what a certificate that does not verify means.

* ``ca_file(settings)``: TLS_CA_FILE (env CINERADAR_TLS_CA_FILE), an extra PEM bundle trusted
  besides the system's roots, for private mirrors. Read by Scrapy's download handlers
  (cineradar/compat.py), the TIX.id auth client, Splash, Chromium and PostgreSQL.
* ``client_context(ca)``: the ``ssl.SSLContext`` of the aiohttp clients (auth API, Splash).
* ``certificate_failure(exc)``: the reason when ``exc`` (or what caused it) is a certificate
  that did not verify, from any of the handlers; ``None`` otherwise. A crawl stops at the first
  one (cineradar/middlewares/tls_failure.py): retrying cannot make a certificate valid.

No Scrapy imports: the auth code and storage use this module too.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import os
import ssl
from typing import Any

SETTING = "TLS_CA_FILE"


class TlsConfigError(ValueError):
    """TLS_CA_FILE names nothing usable."""


def ca_file(settings: Any) -> str | None:
    """TLS_CA_FILE, checked: an existing, readable PEM file with at least one certificate."""
    value = str(settings.get(SETTING) or "").strip()
    if not value:
        return None
    path = os.path.abspath(os.path.expanduser(value))
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise TlsConfigError(f"{SETTING}={value}: cannot read it ({exc.strerror})") from None
    if b"-----BEGIN CERTIFICATE-----" not in data:
        raise TlsConfigError(f"{SETTING}={value}: no PEM certificate in it")
    return path


def client_context(ca: str | None = None) -> ssl.SSLContext:
    """Certificates and host names verified against the system's roots, plus ``ca`` if given."""
    context = ssl.create_default_context()
    if ca:
        context.load_verify_locations(cafile=ca)
    return context


def spki_hashes(ca: str) -> list[str]:
    """base64(sha256(SubjectPublicKeyInfo)) of every certificate in ``ca`` (Chromium's key pins)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    with open(ca, "rb") as handle:
        certs = x509.load_pem_x509_certificates(handle.read())
    keys = [c.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo) for c in certs]
    return [base64.b64encode(hashlib.sha256(key).digest()).decode() for key in keys]


VERIFY_MARKERS = ("certificate verify failed", "certificate_verify_failed", "hostname mismatch",
                  "doesn't match", "does not match", "self-signed certificate", "self signed certificate",
                  "unable to get local issuer certificate", "certificate has expired", "verificationerror",
                  "invalid_certificate", "bad certificate")


def certificate_failure(exc: BaseException | None) -> str | None:
    """A short reason if ``exc`` is (or was caused by) a certificate that did not verify."""
    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError) and getattr(current, "verify_message", None):
            return str(current.verify_message)
        if type(current).__name__ in ("ClientConnectorCertificateError", "VerificationError",
                                      "CertificateError"):
            return _short(current)
        value = getattr(current, "value", None)  # a twisted Failure (a BaseException in Twisted 26): its exception
        if isinstance(value, BaseException) and value is not current:
            todo.append(value)
        if not isinstance(current, BaseException):
            continue
        text = f"{type(current).__name__} {current}".lower()
        if type(current).__module__.startswith("OpenSSL") and any(m in text for m in VERIFY_MARKERS):
            return _short(current)
        todo.extend([current.__cause__, current.__context__])
        todo.extend(getattr(current, "reasons", None) or [])  # twisted's ResponseNeverReceived & co.
        for arg in getattr(current, "args", ()):
            todo.extend(arg if isinstance(arg, list) else [arg] if isinstance(arg, BaseException) else [])
    return None


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    lowered = text.lower()
    for marker in ("certificate verify failed", "hostname mismatch", "self-signed certificate",
                   "self signed certificate", "unable to get local issuer certificate", "certificate has expired"):
        if marker in lowered:
            start = lowered.index(marker)
            return text[start:start + 120].rstrip(")]'\" ")
    return text[:160] or type(exc).__name__


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8, ::1 (a Unix socket path counts as local too)."""
    host = host.strip().strip("[]").lower()
    if not host or host.startswith("/") or host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
