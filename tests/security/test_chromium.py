"""The Playwright login (real Chromium): TLS verified on the login page (TLS_CA_FILE trusted, a bad
certificate refused before anything is typed), and Chromium's sandbox on unless running as root."""

from __future__ import annotations

import os

import pytest

from cineradar.auth.login import LoginOptions, chromium_args, login
from cineradar.auth.tokens import Credentials, LoginError
from replica.server import Replica
from tests.security.conftest import BAD_CERTS
from tests.security.tlsfront import TlsFront
from tests.tix.helpers import DAY, MORNING, PASSWORD, PHONE

TIMEOUT = 30.0


@pytest.fixture(scope="module")
def replica():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


def test_the_sandbox_is_off_only_for_root():
    assert "--no-sandbox" not in chromium_args(euid=1000)
    assert chromium_args(euid=0)[0] == "--no-sandbox"
    assert not any("ignore-certificate-errors" in a for a in chromium_args(euid=1000))


async def test_chromium_starts_with_its_sandbox_when_not_root(replica, monkeypatch):
    # The machine runs the tests as root, where Chromium cannot start its sandbox: claiming another
    # user must make the launch ask for the sandbox, which Chromium then refuses as root. Proof that
    # neither --no-sandbox nor Playwright's default (chromium_sandbox=False adds it) was used.
    if os.geteuid() != 0:
        pytest.skip("needs root to show the refusal")
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(Exception, match="(?i)sandbox"):
        await login(Credentials(PHONE, PASSWORD), LoginOptions(replica.urls["tix_app"], timeout=TIMEOUT))


def logins(replica: Replica) -> int:
    return sum(1 for e in replica.ctx.log if e["path"] == "/v1/users/login")


async def test_login_page_over_tls_with_the_ca_setting(replica, ca, good_cert, ca_file):
    # Chromium keeps its own trust store: TLS_CA_FILE's keys are trusted in the chain the server sends
    # (here leaf + CA, docs/security-tls.md)
    before, plain = logins(replica), dict(replica.ctx.base_urls)
    sites = {"tix_app": replica.urls["tix_app"], "tix_api": replica.urls["tix_api"]}
    with TlsFront(sites, good_cert, chain_ca=ca) as front:
        replica.ctx.base_urls |= front.urls  # the page's API calls and CORS origin over https too
        try:
            options = LoginOptions(front.urls["tix_app"], timeout=TIMEOUT, ca_file=str(ca_file))
            tokens = await login(Credentials(PHONE, PASSWORD), options)
        finally:
            replica.ctx.base_urls.clear()
            replica.ctx.base_urls.update(plain)
    assert tokens.token and front.requests["tix_app"] >= 1 and logins(replica) == before + 1
    assert front.requests["tix_api"] >= 1


@pytest.mark.parametrize("bad", BAD_CERTS)
async def test_login_page_with_a_bad_certificate_fails_before_anything_is_typed(replica, request, ca_file, bad):
    before = logins(replica)
    with TlsFront({"tix_app": replica.urls["tix_app"]}, request.getfixturevalue(bad)) as front:
        host = front.urls["tix_app"].removeprefix("https://")
        options = LoginOptions(front.urls["tix_app"], timeout=TIMEOUT, ca_file=str(ca_file))
        with pytest.raises(LoginError, match=f"certificate of {host} does not verify"):
            await login(Credentials(PHONE, PASSWORD), options)
    assert (front.requests["tix_app"], logins(replica)) == (0, before)


@pytest.mark.parametrize("bad", BAD_CERTS)
async def test_splash_is_not_asked_to_log_in_on_a_host_with_a_bad_certificate(replica, request, ca_file, bad):
    # Splash 3.5 ignores certificate errors itself: the crawler checks the host first. SPLASH_URL
    # names a port where nothing listens: asked at all, the error would be SplashUnreachable.
    from cineradar.auth.splash_login import SplashRenderer

    before = logins(replica)
    with TlsFront({"tix_app": replica.urls["tix_app"]}, request.getfixturevalue(bad)) as front:
        host = front.urls["tix_app"].removeprefix("https://")
        options = LoginOptions(front.urls["tix_app"], timeout=TIMEOUT, ca_file=str(ca_file))
        with pytest.raises(LoginError, match=f"certificate of {host} does not verify"):
            await SplashRenderer("http://127.0.0.1:9", attempts=1).login(Credentials(PHONE, PASSWORD), options)
    assert (front.handshakes["tix_app"], logins(replica)) == (0, before)


async def test_splash_over_the_network_in_clear_is_refused(replica):
    from cineradar.auth.splash_login import SplashRenderer

    options = LoginOptions(replica.urls["tix_app"], timeout=TIMEOUT)
    with pytest.raises(LoginError, match="in clear"):
        await SplashRenderer("http://splash.example.org:8050", attempts=1).login(Credentials(PHONE, PASSWORD), options)
