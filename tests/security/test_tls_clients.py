"""Verified TLS outside Scrapy's handlers: the TIX.id auth client (guest token, refresh with the
refresh token as Bearer), behind the TLS-terminating proxy in front of the replica."""

from __future__ import annotations

import asyncio
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from scrapy.settings import Settings

from cineradar.auth.api import TixAuthClient
from cineradar.auth.tokens import TixAuthError
from replica.server import Replica
from tests.security.conftest import BAD_CERTS
from tests.security.tlsfront import TlsFront
from tests.tix.helpers import DAY, MORNING, api_login


@pytest.fixture(scope="module")
def replica():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


def client(api: str, stats: Counter[str], ca_file: object = None) -> TixAuthClient:
    settings = Settings({"TLS_CA_FILE": str(ca_file) if ca_file else None, "TIX_AUTH_ATTEMPTS": 4})
    return TixAuthClient.from_settings(api, settings, inc_stat=lambda key: stats.update([key]))


def in_own_thread(coro: Any) -> Any:
    """Run a coroutine on a loop of its own thread: Playwright's sync API (the browser tests of
    this worker) keeps its loop marked running in the main thread between tests."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def test_auth_client_trusts_the_ca_setting(replica, good_cert, ca_file):
    in_own_thread(_trusts_the_ca_setting(replica, good_cert, ca_file))


async def _trusts_the_ca_setting(replica, good_cert, ca_file):
    refresh_token = api_login(replica.urls["tix_api"])["refresh_token"]
    stats: Counter[str] = Counter()
    with TlsFront({"tix_api": replica.urls["tix_api"]}, good_cert) as front:
        auth = client(front.urls["tix_api"], stats, ca_file)
        try:
            guest = await auth.guest_token()
            tokens = await auth.refresh(refresh_token)
        finally:
            await auth.close()
    assert guest and tokens.token and front.requests["tix_api"] == 2 and front.credentials["tix_api"] == 1


@pytest.mark.parametrize("bad", BAD_CERTS)
def test_auth_client_refuses_a_bad_certificate_at_once_and_sends_nothing(replica, request, ca_file, bad):
    in_own_thread(_refuses_a_bad_certificate(replica, request.getfixturevalue(bad), ca_file))


async def _refuses_a_bad_certificate(replica, cert, ca_file):
    refresh_token = api_login(replica.urls["tix_api"])["refresh_token"]
    stats: Counter[str] = Counter()
    with TlsFront({"tix_api": replica.urls["tix_api"]}, cert) as front:
        auth = client(front.urls["tix_api"], stats, ca_file)
        host = front.urls["tix_api"].removeprefix("https://")
        try:
            with pytest.raises(TixAuthError, match=f"certificate of {host} does not verify"):
                await auth.refresh(refresh_token)
            with pytest.raises(TixAuthError, match=f"certificate of {host} does not verify"):
                await auth.guest_token()
        finally:
            await auth.close()
    assert (front.handshakes["tix_api"], front.credentials["tix_api"]) == (0, 0)
    # one attempt each, no retry round (4 attempts with backoff) for a certificate
    assert (stats["cineradar/tix/auth/requests/refresh"], stats["cineradar/tix/auth/requests/guest"]) == (1, 1)
