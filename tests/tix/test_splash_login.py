"""TIX_RENDERER = "splash" against a real Splash 3.5 on 127.0.0.1 and the replica's login page.

The Splash server comes from scripts/install-splash (.ci/run installs it); without it these
tests skip with the reason. Faults are real: a wrong password typed into the page, no Splash
at SPLASH_URL, the replica's /login page hanging past Splash's render limit. Requests are
counted at the replica's request log.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path
from typing import Any

import pytest

from cineradar.auth.tokens import TOKEN_STATE
from tests.tix.helpers import CREDENTIALS, DAY, PASSWORD, crawl, open_store, scrapy
from tools.local_servers import SplashServer, free_port, splash_missing

TIMES = {"stored_at", "expires_at", "issued_at", "refresh_expires_at"}
TOKENS = {"token", "refresh_token"}


@pytest.fixture(scope="module")
def splash():  # noqa: ANN201
    reason = splash_missing()
    if reason:
        pytest.skip(f"Splash cannot run here: {reason}")
    with SplashServer() as server:
        yield server


def splash_settings(server: SplashServer, **extra: Any) -> dict[str, Any]:
    return {"TIX_RENDERER": "splash", "SPLASH_URL": server.url, "TIX_LOGIN_TIMEOUT": 20} | extra


def stored(work: Path) -> dict[str, Any]:
    store = open_store(work / "cineradar.db")
    try:
        return store.get_state(TOKEN_STATE)
    finally:
        store.close()


def cause_lines(log: str) -> list[str]:
    """The crawl's failure cause (outcome.fail), after checking every ERROR line tells the same cause."""
    errors = [line for line in log.splitlines() if " ERROR: " in line]
    causes = [line for line in errors if "[cineradar.extensions.outcome]" in line and "crawl FAILED" not in line]
    assert causes and all(causes[0].split("failed: ", 1)[-1] in line for line in errors), errors
    return causes


def page_loads(replica: Any) -> int:
    return sum(1 for e in replica.ctx.log if e["site"] == "tix_app" and e["path"] == "/login")


def login_calls(replica: Any) -> int:
    return sum(1 for e in replica.ctx.log if e["site"] == "tix_api" and e["path"].startswith("/v1/users/login"))


@pytest.fixture(scope="module")
def both(splash, replica_module, tmp_path_factory) -> dict[str, Any]:  # noqa: ANN001
    """``scrapy tix-token`` once through Splash, once through Playwright, each into its own store."""
    out: dict[str, Any] = {}
    for name, settings in (("splash", splash_settings(splash)), ("playwright", {})):
        work = tmp_path_factory.mktemp(f"token-{name}")
        out[name] = {"work": work, "result": scrapy(["tix-token"], replica_module.urls, work, name="tix-token",
                                                    env=CREDENTIALS, settings=settings)}
        out[name]["doc"] = stored(work)
    return out


def test_splash_stores_the_same_token_document_as_playwright(both):
    splash_doc, playwright_doc = both["splash"]["doc"], both["playwright"]["doc"]
    assert set(splash_doc) == set(playwright_doc)
    same = set(splash_doc) - TIMES - TOKENS
    assert {k: splash_doc[k] for k in same} == {k: playwright_doc[k] for k in same}
    assert splash_doc["source"] == "login" and splash_doc["phone"] == "6281***"
    for doc in (splash_doc, playwright_doc):  # unquoted JWTs, and the times are ISO instants
        assert doc["token"].startswith("eyJ") and doc["refresh_token"].startswith("eyJ")
        assert all(dt.datetime.fromisoformat(doc[k]).tzinfo for k in TIMES & set(doc))
    # Same lifetime from the same replica: expires_at - issued_at agrees.
    life = {n: dt.datetime.fromisoformat(d["expires_at"]) - dt.datetime.fromisoformat(d["issued_at"])
            for n, d in (("s", splash_doc), ("p", playwright_doc))}
    assert life["s"] == life["p"]


def test_tix_token_through_splash_reports_ok(both):
    assert "status         OK" in both["splash"]["result"]["stdout"]


def test_seat_crawl_uses_the_splash_token(both, replica_module):
    work = both["splash"]["work"]
    crawl("tix_movies", replica_module.urls, work, f"date={DAY}")  # the showtimes whose seats are fetched
    before = login_calls(replica_module)
    seats = crawl("tix_seats", replica_module.urls, work, "mode=morning", f"date={DAY}")
    stats = seats["stats"]
    truth = replica_module.truth("tix")
    assert stats["cineradar/tix/seats/snapshots"] == len(truth["showtimes"]) > 0
    assert stats["cineradar/tix/seats/unaccounted"] == 0
    assert "cineradar/tix/auth/login" not in stats and login_calls(replica_module) == before  # no new login


def test_wrong_password_fails_fast_with_the_page_message(splash, replica, tmp_path):
    before = login_calls(replica)
    started = time.monotonic()
    result = scrapy(["tix-token"], replica.urls, tmp_path, name="tix-token", check=False,
                    env=CREDENTIALS | {"TIX_PASSWORD": "not-the-password"},
                    settings=splash_settings(splash, TIX_LOGIN_TIMEOUT=60))
    elapsed = time.monotonic() - started
    assert result["returncode"] == 1
    assert "the login page says 'Phone number or password is incorrect'" in result["stdout"]
    assert elapsed < 30, f"took {elapsed:.1f} s: waited for the 60 s step timeout"
    assert login_calls(replica) - before == 1  # typed once, not retried
    assert stored(tmp_path) is None


def test_splash_down_gives_one_clear_error(replica, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    result = scrapy(["tix-token"], replica.urls, tmp_path, name="tix-token", check=False, env=CREDENTIALS,
                    settings={"TIX_RENDERER": "splash", "SPLASH_URL": url})
    assert result["returncode"] == 1
    lines = [line for line in result["stdout"].splitlines() if "failed" in line]
    assert lines == [f"TIX.id authentication failed: Splash is unreachable at SPLASH_URL={url} "
                     f"(ClientConnectorError: [Errno 111] Connect call failed ('127.0.0.1', {url.rsplit(':', 1)[1]}))"]


def test_tix_login_crawl_with_splash_down_fails_with_one_error_line(replica, tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    result = crawl("tix_login", replica.urls, tmp_path, env=CREDENTIALS, check=False,
                   settings={"TIX_RENDERER": "splash", "SPLASH_URL": url})
    assert result["returncode"] == 1
    errors = cause_lines(result["log"])
    assert len(errors) == 1 and f"Splash is unreachable at SPLASH_URL={url}" in errors[0]
    assert "cineradar/tix/splash/retry" not in result["stats"]  # nothing to retry against
    assert result["stats"]["cineradar/tix/splash/unreachable"] == 1


def test_render_timeouts_are_retried_then_the_login_succeeds(splash, replica, tmp_path):
    """The /login page hangs on its first two loads: Splash answers 504 twice, the third attempt logs in."""
    replica.knobs.update({"faults": ["hang:site=tix_app,path=^/login$,at=1+2"]})
    before = page_loads(replica)
    result = crawl("tix_login", replica.urls, tmp_path, env=CREDENTIALS,
                   settings=splash_settings(splash, TIX_SPLASH_TIMEOUT=3, TIX_SPLASH_ATTEMPTS=3))
    assert page_loads(replica) - before == 3
    assert result["stats"]["cineradar/tix/splash/retry"] == 2
    assert result["stats"]["cineradar/tix/login/success"] == 1
    assert stored(tmp_path)["token"].startswith("eyJ")


def test_render_timeouts_give_up_counted_and_reported(splash, replica, tmp_path):
    replica.knobs.update({"faults": ["hang:site=tix_app,path=^/login$,p=1"]})
    before = page_loads(replica)
    result = crawl("tix_login", replica.urls, tmp_path, env=CREDENTIALS, check=False,
                   settings=splash_settings(splash, TIX_SPLASH_TIMEOUT=2, TIX_SPLASH_ATTEMPTS=2))
    assert result["returncode"] == 1
    assert page_loads(replica) - before == 2
    stats = result["stats"]
    assert (stats["cineradar/tix/splash/retry"], stats["cineradar/tix/splash/gave_up"]) == (1, 1)
    errors = cause_lines(result["log"])
    assert len(errors) == 1 and "Splash login failed 2 times" in errors[0] and "HTTP 504" in errors[0]
    assert stored(tmp_path) is None


def test_credentials_reach_no_log_and_no_stat(splash, replica, tmp_path):
    """A DEBUG crawl logging in through Splash: the password and phone are in neither log nor stats."""
    offset = len(splash.log())
    result = crawl("tix_login", replica.urls, tmp_path, env=CREDENTIALS,
                   settings=splash_settings(splash, LOG_LEVEL="DEBUG"))
    splash_log = splash.log()[offset:]
    assert '"path": "/execute"' in splash_log and '"password": "***"' in splash_log  # it logged the call
    doc = stored(tmp_path)
    texts = {"crawl log": result["log"] + result["stderr"], "stats": json.dumps(result["stats"]),
             "splash log": splash_log}
    secrets = {"password": PASSWORD, "phone": "81234567890", "token": doc["token"]}
    leaks = [(where, what) for where, text in texts.items() for what, secret in secrets.items() if secret in text]
    assert leaks == []
    assert result["stats"]["cineradar/tix/splash/success"] == 1  # the crawl did log in through Splash
