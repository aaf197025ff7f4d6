"""Auth endpoints that hang or fail, against the replica: single flight, cooldown, a bounded crawl.

Counted at the replica's request log (what reached the wire), not with the crawler's counters.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from cineradar.auth.api import TixAuthClient
from cineradar.auth.manager import BlockingStateStore, TokenManager
from cineradar.auth.tokens import TixAuthError
from tests.tix.helpers import DAY, PHONE, crawl, open_store, seed_token

SIX_CITIES = "cities=AMBON,BALI,BALIKPAPAN,BANDUNG,JAKARTA,BATAM"


def calls(replica, path: str) -> list[dict]:  # noqa: ANN001
    return [e for e in replica.ctx.log if e["site"] == "tix_api" and e["path"].split("?")[0] == path]


class Monotonic:
    """The manager's cooldown clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fresh_log(replica):  # noqa: ANN001, ANN201
    replica.ctx.log.clear()
    return replica


def test_hanging_guest_endpoint_ends_the_crawl_quickly_and_failed(fresh_log, tmp_path):
    replica = fresh_log
    replica.knobs.update({"faults": ["hang:p=1,path=^/v1/auth$,site=tix_api"]})
    started = time.monotonic()
    result = crawl("tix_movies", replica.urls, tmp_path, SIX_CITIES, f"date={DAY}", check=False, timeout=120,
                   settings={"TIX_AUTH_TIMEOUT": 2, "TIX_AUTH_FAILURE_COOLDOWN": 600})
    elapsed = time.monotonic() - started
    guest_calls = len(calls(replica, "/v1/auth"))
    errors = [line for line in result["log"].splitlines() if "ERROR" in line and "no guest token" in line]
    # One round of TIX_AUTH_ATTEMPTS (4) calls for the whole crawl, not one round per city.
    assert (result["returncode"], guest_calls, len(errors) >= 1, elapsed < 40) == (1, 4, True, True), \
        (result["returncode"], guest_calls, elapsed, result["log"][-3000:])


# ------------------------------------------------------------------------ the manager, directly
@pytest.fixture
async def manager_on(replica, tmp_path):  # noqa: ANN001, ANN201
    managers: list[TokenManager] = []
    store = open_store(tmp_path / "tokens.db")

    def make(**kwargs) -> TokenManager:  # noqa: ANN003
        client = TixAuthClient(replica.urls["tix_api"], timeout=0.5, backoff=0.01)
        manager = TokenManager(client=client, store=BlockingStateStore(store), login=kwargs.pop("login", None),
                               phone=PHONE, **kwargs)
        managers.append(manager)
        return manager

    replica.ctx.log.clear()
    yield make
    for manager in managers:
        await manager.close()
    store.close()


async def test_waiting_requests_share_one_guest_round_and_fail_fast(manager_on, replica):
    replica.knobs.update({"faults": ["hang:p=1,path=^/v1/auth$,site=tix_api"]})
    manager = manager_on()
    results = await asyncio.gather(*(manager.guest_token() for _ in range(20)), return_exceptions=True)
    assert (all(isinstance(r, TixAuthError) for r in results), len(calls(replica, "/v1/auth"))) == (True, 4)


async def test_guest_is_tried_again_after_the_cooldown(manager_on, replica):
    replica.knobs.update({"faults": ["5xx:path=^/v1/auth$,site=tix_api,at=1+2+3+4"]})
    clock = Monotonic()
    manager = manager_on(monotonic=clock, failure_cooldown=30)
    with pytest.raises(TixAuthError):
        await manager.guest_token()
    clock.now += 29
    with pytest.raises(TixAuthError):
        await manager.guest_token()  # still cooling down: no call
    before = len(calls(replica, "/v1/auth"))
    clock.now += 2
    token, _ = await manager.guest_token()
    assert (bool(token), before, len(calls(replica, "/v1/auth"))) == (True, 4, 5)


async def test_hanging_refresh_is_one_round_while_the_token_is_still_valid(manager_on, replica, tmp_path):
    seed_token(tmp_path / "tokens.db", replica.urls["tix_api"])
    replica.ctx.log.clear()
    replica.knobs.update({"faults": ["hang:p=1,path=^/v1/users/refresh$,site=tix_api"]})
    from tests.tix.test_tix_auth import Clock

    clock = Clock()
    manager = manager_on(clock=clock)
    await manager.user_token()
    clock.advance(minutes=27)  # in the refresh margin, still valid
    tokens = await asyncio.gather(*(manager.user_token() for _ in range(20)))
    assert (len({t for t, _ in tokens}), len(calls(replica, "/v1/users/refresh"))) == (1, 4)


# ------------------------------------------------------------------------ the middleware's verdict
@pytest.fixture
def guest_middleware(make_crawler, replica, tmp_path, monkeypatch):  # noqa: ANN001, ANN201
    import json

    from cineradar.middlewares.jwt_auth import TixJwtAuthMiddleware

    crawler = make_crawler(ENDPOINTS=json.dumps(replica.urls), SQLITE_PATH=str(tmp_path / "mw.db"),
                           TIX_AUTH_TIMEOUT=0.5, TIX_AUTH_ATTEMPTS=1)
    crawler.stats.open_spider()
    monkeypatch.setattr(type(crawler), "engine", None)  # no running crawl: outcome.fail only records
    return TixJwtAuthMiddleware.from_crawler(crawler), crawler


def catalogue(replica):  # noqa: ANN001, ANN201
    from scrapy import Request

    return Request(f"{replica.urls['tix_api']}/v1/movies?city_id=967969975509716992&movie_type=NOW_PLAYING")


async def test_requests_without_a_token_make_the_crawl_partial(guest_middleware, replica):
    from scrapy.exceptions import IgnoreRequest

    from cineradar.extensions.outcome import PARTIAL_PREFIX

    mw, crawler = guest_middleware
    replica.knobs.update({"faults": ["5xx:path=^/v1/auth$,site=tix_api,p=1"]})
    for _ in range(3):
        with pytest.raises(IgnoreRequest):
            await mw.process_request(catalogue(replica))
    await mw.manager.close()
    assert crawler.stats.get_value(PARTIAL_PREFIX + "tix_requests_without_guest_token") == 3


async def test_no_token_at_all_fails_the_crawl_when_idle(guest_middleware, replica):
    from scrapy.exceptions import IgnoreRequest

    from cineradar.extensions.outcome import FAILED_KEY

    mw, crawler = guest_middleware
    replica.knobs.update({"faults": ["5xx:path=^/v1/auth$,site=tix_api,p=1"]})
    with pytest.raises(IgnoreRequest):
        await mw.process_request(catalogue(replica))
    mw.spider_idle()
    await mw.manager.close()
    why = crawler.stats.get_value(FAILED_KEY)
    assert "no guest token could be obtained (guest auth (POST /v1/auth): HTTP 503" in why


async def test_some_answers_mean_partial_not_failed(guest_middleware, replica):
    from scrapy.http import Response

    from cineradar.extensions.outcome import FAILED_KEY

    mw, crawler = guest_middleware
    request = catalogue(replica)
    await mw.process_request(request)
    await mw.process_response(request, Response(request.url, status=200, request=request))
    mw.dropped["guest"] += 1
    mw.spider_idle()
    await mw.manager.close()
    assert crawler.stats.get_value(FAILED_KEY) is None
