"""The one browser login (cineradar/auth/login.py) with real Chromium against the replica's login page."""

from __future__ import annotations

import time

import pytest
from scrapy.settings import Settings

from cineradar.auth.login import LoginOptions, login
from cineradar.auth.manager import BlockingStateStore, build_manager
from cineradar.auth.tokens import TOKEN_STATE, Credentials, LoginError, TixAuthError, jwt_claims
from tests.tix.helpers import PASSWORD, PHONE, open_store

TIMEOUT = 45.0  # seconds per login step: the old code waited all of it on a wrong password


def login_calls(replica) -> list[dict]:  # noqa: ANN001
    return [e for e in replica.ctx.log if e["site"] == "tix_api" and e["path"] == "/v1/users/login"]


async def test_login_returns_the_replica_tokens(replica):
    replica.ctx.log.clear()
    tokens = await login(Credentials(PHONE, PASSWORD), LoginOptions(replica.urls["tix_app"], timeout=TIMEOUT))
    kinds = (jwt_claims(tokens.token)["typ"], jwt_claims(tokens.refresh_token or "")["typ"])
    assert (kinds, [e["status"] for e in login_calls(replica)]) == (("access", "refresh"), [200])


async def test_wrong_password_fails_as_soon_as_the_page_says_so(replica):
    replica.ctx.log.clear()
    started = time.monotonic()
    with pytest.raises(LoginError) as error:
        await login(Credentials(PHONE, "not-the-password"), LoginOptions(replica.urls["tix_app"], timeout=TIMEOUT))
    elapsed = time.monotonic() - started
    assert "incorrect" in str(error.value) and "not-the-password" not in str(error.value)
    assert [e["status"] for e in login_calls(replica)] == [401]
    assert elapsed < TIMEOUT / 3, f"the wrong password took {elapsed:.1f} s"


def settings_for(replica, **values) -> Settings:  # noqa: ANN001, ANN003
    import json

    return Settings({"ENDPOINTS": json.dumps(replica.urls), **values})


@pytest.fixture
def store(tmp_path):  # noqa: ANN001, ANN201
    backend = open_store(tmp_path / "tokens.db")
    yield backend
    backend.close()


async def renew_with(settings: Settings, store, monkeypatch) -> None:  # noqa: ANN001
    from cineradar.endpoints import Endpoints

    monkeypatch.setenv("TIX_PHONE_NUMBER", PHONE)
    monkeypatch.setenv("TIX_PASSWORD", PASSWORD)
    endpoints = Endpoints.from_settings(settings)
    manager = build_manager(settings, BlockingStateStore(store), api_url=endpoints.tix_api,
                            app_url=endpoints.tix_app, failure_cooldown=0)
    try:
        await manager.renew(use_refresh_token=False)
    finally:
        await manager.close()


async def test_the_chromium_path_setting_is_used(replica, tmp_path, store, monkeypatch):
    settings = settings_for(replica, TIX_CHROMIUM_PATH="/nonexistent/chromium-from-settings")
    with pytest.raises(TixAuthError, match="chromium-from-settings"):
        await renew_with(settings, store, monkeypatch)


async def test_chromium_path_from_the_environment_is_read_at_login_not_at_import(replica, tmp_path, store,
                                                                                 monkeypatch):
    monkeypatch.setenv("CHROMIUM_PATH", "/nonexistent/chromium-from-env")
    with pytest.raises(TixAuthError, match="chromium-from-env"):
        await renew_with(settings_for(replica), store, monkeypatch)


async def test_headed_login_is_really_headed(replica, tmp_path, store, monkeypatch):
    """TIX_LOGIN_HEADLESS=False reaches Chromium: with no display, a headed browser cannot start."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(TixAuthError, match="BrowserType.launch"):  # Playwright: "launched a headed browser without
        await renew_with(settings_for(replica, TIX_LOGIN_HEADLESS=False), store, monkeypatch)  # XServer"
    await renew_with(settings_for(replica, TIX_LOGIN_HEADLESS=True), store, monkeypatch)
    assert store.get_state(TOKEN_STATE)["source"] == "login"


async def test_the_login_timeout_setting_bounds_each_step(replica, tmp_path, store, monkeypatch):
    """The app renders its form late (renderDelayMs): a 0.2 s step limit is not enough."""
    replica.knobs.update({"latency_ms": 1000})
    started = time.monotonic()
    with pytest.raises(TixAuthError, match="Timeout"):
        await renew_with(settings_for(replica, TIX_LOGIN_TIMEOUT=0.5), store, monkeypatch)
    assert time.monotonic() - started < TIMEOUT / 3


def test_the_login_spider_fails_the_crawl_on_a_wrong_password(replica, tmp_path):
    from tests.tix.helpers import crawl

    env = {"TIX_PHONE_NUMBER": PHONE, "TIX_PASSWORD": "not-the-password"}
    result = crawl("tix_login", replica.urls, tmp_path, env=env, check=False,
                   settings={"TIX_LOGIN_TIMEOUT": TIMEOUT})
    errors = [line for line in result["log"].splitlines() if " ERROR: " in line]
    assert (result["returncode"], result["stats"]["cineradar/tix/login/failed"]) == (1, 1)
    assert any("TIX.id login failed" in line and "incorrect" in line for line in errors), errors
    assert "not-the-password" not in result["log"] + result["stderr"]
