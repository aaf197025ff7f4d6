"""The one place where CineRadar leans on what a dependency does not promise.

Each entry says what it relies on and why there is no public way; tests/test_compat.py and
tests/storage/test_compat_firestore.py check each one, so an upgrade that moves it fails
those tests by name instead of a crawl. Checked against Scrapy 2.19.0, aiohttp 3.14.5,
google-cloud-firestore 2.34.1 (google-api-core 2.44.0, grpcio 1.85.1).

No Scrapy import at module level: the storage adapters use this module too.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

# Scrapy 2.19 ships an aiohttp download handler but exports it only from a private module;
# this dotted path is the one Scrapy itself sets in DOWNLOAD_HANDLERS_BASE when it runs
# without a Twisted reactor. tix_seats uses it (TIX_SEATS_HTTP_HANDLER = "aiohttp", the
# default): it spends less CPU per request than the Twisted handler, which is what the seat
# crawl is bound by (bench/tix_seats.py). Scrapy marks it experimental and logs a WARNING
# saying so at each start (once per scheme): a decision taken here, not a warning, so
# quiet_aiohttp_experimental_warning says it once, at INFO (cineradar/extensions/quiet_logs.py).
# TIX_SEATS_HTTP_HANDLER = "twisted" goes back to Scrapy's standard handler.
AIOHTTP_DOWNLOAD_HANDLER = "scrapy.core.downloader.handlers._aiohttp.AiohttpDownloadHandler"
# The (private) module whose logger says so, and the message's end; tests/test_compat.py checks both.
AIOHTTP_EXPERIMENTAL_LOGGER = "scrapy.core.downloader.handlers._base_streaming"
AIOHTTP_EXPERIMENTAL_MESSAGE = "is experimental and is not recommended for production use."


class _AiohttpExperimental(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.said = False

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).endswith(AIOHTTP_EXPERIMENTAL_MESSAGE):
            return True
        if self.said:
            return False  # once per process, not once per scheme and crawl
        self.said = True
        record.levelno, record.levelname = logging.INFO, "INFO"  # which handler is used: information
        return True


def quiet_aiohttp_experimental_warning() -> None:
    """Scrapy's "AiohttpDownloadHandler is experimental" WARNING said once, at INFO (idempotent)."""
    logger = logging.getLogger(AIOHTTP_EXPERIMENTAL_LOGGER)
    if not any(isinstance(f, _AiohttpExperimental) for f in logger.filters):
        logger.addFilter(_AiohttpExperimental())

FIRESTORE_EMULATOR_HOST = "FIRESTORE_EMULATOR_HOST"
_environ_lock = threading.Lock()


def firestore_emulator_client(project: str, host: str, database: str | None = None) -> Any:
    """A google-cloud-firestore ``Client`` talking to the emulator at ``host`` (``HOST:PORT``).

    The library's only public switch to the emulator is the FIRESTORE_EMULATOR_HOST
    environment variable, which the client reads once, when it is constructed. The
    variable is set for that moment only (under a lock, then restored), so a
    ``emulator_host=`` given to one backend does not leak into the process environment
    and into every other client. Relied on: the variable is read in the constructor only.
    """
    from google.auth.credentials import AnonymousCredentials, Credentials
    from google.cloud import firestore

    anonymous: Callable[[], Credentials] = AnonymousCredentials  # typed here: google-auth leaves __init__ bare

    with _environ_lock:
        before = os.environ.get(FIRESTORE_EMULATOR_HOST)
        os.environ[FIRESTORE_EMULATOR_HOST] = host
        try:
            return firestore.Client(project=project, credentials=anonymous(), database=database)
        finally:
            if before is None:
                del os.environ[FIRESTORE_EMULATOR_HOST]
            else:
                os.environ[FIRESTORE_EMULATOR_HOST] = before


# ---------------------------------------------------------------- TLS_CA_FILE in Scrapy's handlers
# Scrapy verifies certificates (DOWNLOAD_VERIFY_CERTIFICATES) against the system's roots only and
# offers no setting for an extra CA. cineradar/handlers.py adds TLS_CA_FILE through these two
# functions. Relied on: the aiohttp handler keeps its ssl.SSLContext in ``_ssl_context`` and
# uses it for every request; HTTP11DownloadHandler keeps its IPolicyForHTTPS in
# ``_contextFactory`` and reads it for every request; Twisted's public OpenSSLDefaultPaths trust
# root adds the system's roots in ``_addCACertsToContext`` (the method optionsForClientTLS calls).
def trust_ca_aiohttp(handler: Any, ca_file: str) -> None:
    """Scrapy's aiohttp handler also trusts ``ca_file`` (its context verifies already)."""
    context = handler._ssl_context
    context.load_verify_locations(cafile=ca_file)


def trust_ca_twisted(handler: Any, ca_file: str) -> None:
    """Scrapy's HTTP/1.1 handler verifies against the system's roots plus ``ca_file``.

    The policy is Twisted's optionsForClientTLS with that trust root: Scrapy's own TLS options
    (DOWNLOADER_CLIENT_TLS_CIPHERS, DOWNLOAD_TLS_MIN/MAX_VERSION, legacy renegotiation) are not
    applied while TLS_CA_FILE is set; the project sets none of them."""
    from twisted.internet.ssl import OpenSSLDefaultPaths, optionsForClientTLS
    from twisted.web.iweb import IPolicyForHTTPS
    from zope.interface import implementer

    class DefaultPathsAndFile(OpenSSLDefaultPaths):
        def _addCACertsToContext(self, context: Any) -> None:
            system_roots: Callable[[Any], None] = super()._addCACertsToContext  # typed here: Twisted's is bare
            system_roots(context)
            context.load_verify_locations(ca_file.encode())

    trust = DefaultPathsAndFile()

    @implementer(IPolicyForHTTPS)
    class Policy:
        def creatorForNetloc(self, hostname: bytes, port: int) -> Any:
            return optionsForClientTLS(hostname.decode("ascii"), trustRoot=trust)  # type: ignore[arg-type]

    if not hasattr(handler, "_contextFactory"):
        raise AttributeError("HTTP11DownloadHandler has no _contextFactory any more (cineradar/compat.py)")
    handler._contextFactory = Policy()
