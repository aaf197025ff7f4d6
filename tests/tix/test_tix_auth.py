"""The JWT middleware and its token manager against the real replica (real HTTP, real JWTs).

The user login here is the replica's login call (what the browser form posts), so these
edge cases run in seconds; the browser path is exercised by the end-to-end tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from cineradar.auth.api import TixAuthClient
from cineradar.auth.manager import BlockingStateStore, TokenManager
from cineradar.auth.tokens import TOKEN_STATE, TixAuthError, Tokens, jwt_claims, mask_phone, token_doc, unquote
from cineradar.middlewares.jwt_auth import TixJwtAuthMiddleware
from cineradar.spiders.repertuary import RepertuarySpider
from cineradar.spiders.tix_seats import TixSeatsSpider
from tests.tix.helpers import PHONE, api_login, open_store, scrapy, seed_token

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tix"


class Clock:
    """The manager's clock, movable by the test (the replica keeps its own, frozen at 05:00 WIB)."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
async def harness(replica, tmp_path):  # noqa: ANN001, ANN201
    """A TokenManager on a real SQLite token store, logging in through the replica's login call."""
    stats: Counter[str] = Counter()
    logins: list[int] = []
    clock = Clock()
    store = open_store(tmp_path / "tokens.db")
    api = replica.urls["tix_api"]

    async def login() -> Tokens:
        logins.append(1)
        data = await asyncio.to_thread(api_login, api)
        return Tokens(data["token"], data["refresh_token"])

    managers: list[TokenManager] = []

    def make(**kwargs) -> TokenManager:  # noqa: ANN003
        manager = TokenManager(client=TixAuthClient(api), store=BlockingStateStore(store),
                               login=kwargs.pop("login", login), phone=PHONE, clock=clock,
                               inc_stat=lambda key: stats.update([key]), **kwargs)
        managers.append(manager)
        return manager

    replica.ctx.log.clear()
    yield {"make": make, "stats": stats, "logins": logins, "clock": clock, "store": store, "api": api,
           "path": tmp_path / "tokens.db", "refreshes": lambda: refreshes(replica)}
    for manager in managers:
        await manager.close()
    store.close()


def refreshes(replica) -> int:  # noqa: ANN001
    """Refresh calls that reached the replica (its request log), not the manager's own counter."""
    return sum(1 for e in replica.ctx.log if e["site"] == "tix_api" and e["path"] == "/v1/users/refresh")


async def layout_status(api: str, replica, token: str) -> int:  # noqa: ANN001
    """GET a real layout with this token; the HTTP status."""
    showtime = replica.truth("tix")["showtimes"][0]
    path = {"XXI": "xxi", "CGV": "cgv", "Cinépolis": "cinepolis"}[showtime["merchant"]]
    url = f"{api}/v1/movies/{path}/layout?show_time_id={showtime['showtime_id']}&tz=7"
    async with aiohttp.ClientSession() as session, session.get(url, headers={"Authorization": f"Bearer {token}"}) as r:
        return r.status


# ------------------------------------------------------------------------ the token document
def test_token_document_masks_the_phone(replica):
    data = api_login(replica.urls["tix_api"])
    doc = token_doc(Tokens(data["token"], data["refresh_token"]), phone=PHONE, now=dt.datetime.now(dt.UTC),
                    source="login")
    assert doc["phone"] == "6281***"


def test_token_document_expiry_is_the_jwt_exp(replica):
    data = api_login(replica.urls["tix_api"])
    doc = token_doc(Tokens(data["token"], None), phone=PHONE, now=dt.datetime.now(dt.UTC), source="login")
    assert dt.datetime.fromisoformat(doc["expires_at"]).timestamp() == jwt_claims(data["token"])["exp"]


def test_mask_phone_keeps_four_digits():
    assert mask_phone("+62 812-3456-7890") == "6281***"


@pytest.mark.parametrize(("stored", "used"), [('"eyJ.a.b"', "eyJ.a.b"), ("eyJ.a.b", "eyJ.a.b"), ('""', None)])
def test_local_storage_quotes_are_stripped(stored, used):
    assert unquote(stored) == used


async def test_quoted_stored_token_is_used_unquoted(harness, replica):
    seed_token(harness["path"], harness["api"], quoted=True)
    token, _ = await harness["make"]().user_token()
    assert await layout_status(harness["api"], replica, token) == 200


# ------------------------------------------------------------------------ proactive refresh
async def test_fresh_token_is_used_without_refresh(harness):
    seed_token(harness["path"], harness["api"])
    await harness["make"]().user_token()
    assert harness["refreshes"]() == 0


async def test_token_is_refreshed_below_the_margin(harness):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    first, _ = await manager.user_token()
    harness["clock"].advance(minutes=26)  # 4 of 30 minutes left, margin 5
    second, _ = await manager.user_token()
    assert (second != first, harness["refreshes"]()) == (True, 1)


async def test_refreshed_token_is_stored(harness):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    await manager.user_token()
    harness["clock"].advance(minutes=26)
    token, _ = await manager.user_token()
    assert harness["store"].get_state(TOKEN_STATE)["token"] == token


async def test_short_lived_token_is_not_refreshed_on_every_request(harness, replica):
    replica.knobs.update({"access_ttl_s": 60})
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    for _ in range(5):
        await manager.user_token()
        harness["clock"].advance(seconds=8)  # 40 s of a 60 s token: still above the 15 s margin
    assert harness["refreshes"]() == 0


async def test_server_clock_skew_does_not_cause_refreshes(harness):
    # The replica's clock is frozen on 2026-01-15 05:00 WIB: its tokens "expired" long ago by our
    # clock, but iat tells the skew, so the token is fresh for 30 minutes from now.
    seed_token(harness["path"], harness["api"])
    await harness["make"]().user_token()
    assert harness["refreshes"]() == 0


# ------------------------------------------------------------------------ single flight
async def test_many_waiting_requests_share_one_refresh(harness):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    await manager.user_token()
    harness["clock"].advance(minutes=27)
    tokens = await asyncio.gather(*(manager.user_token() for _ in range(50)))
    assert (len({t for t, _ in tokens}), harness["refreshes"]()) == (1, 1)


async def test_a_401_storm_triggers_one_refresh(harness):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    _, generation = await manager.user_token()
    await asyncio.gather(*(manager.user_rejected(generation) for _ in range(50)))
    assert harness["refreshes"]() == 1


async def test_first_use_loads_the_store_once(harness):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    tokens = await asyncio.gather(*(manager.user_token() for _ in range(20)))
    assert (len({t for t, _ in tokens}), harness["logins"]) == (1, [])


# ------------------------------------------------------------------------ re-login
async def test_revoked_refresh_token_leads_to_one_login(harness, replica):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    _, generation = await manager.user_token()
    replica.knobs.update({"faults": ["token_revoke:at=1"]})  # the next refresh call revokes them all
    await asyncio.gather(*(manager.user_rejected(generation) for _ in range(10)))
    stats = harness["stats"]
    assert (stats["cineradar/tix/auth/refresh_rejected"], len(harness["logins"])) == (1, 1)


async def test_token_after_relogin_works(harness, replica):
    seed_token(harness["path"], harness["api"])
    manager = harness["make"]()
    _, generation = await manager.user_token()
    replica.knobs.update({"faults": ["token_revoke:at=1"]})
    await manager.user_rejected(generation)
    token, _ = await manager.user_token()
    assert await layout_status(harness["api"], replica, token) == 200


async def test_no_stored_token_logs_in(harness):
    token, _ = await harness["make"]().user_token()
    assert (bool(token), len(harness["logins"])) == (True, 1)


async def test_failed_login_is_not_retried_by_every_waiting_request(harness):
    calls: list[int] = []

    async def broken_login() -> Tokens:
        calls.append(1)
        raise TixAuthError("login did not reach /home")

    manager = harness["make"](login=broken_login)
    results = await asyncio.gather(*(manager.user_token() for _ in range(10)), return_exceptions=True)
    assert (all(isinstance(r, TixAuthError) for r in results), len(calls)) == (True, 1)


# ------------------------------------------------------------------------ guest token
async def test_guest_token_is_fetched_once(harness):
    manager = harness["make"]()
    tokens = await asyncio.gather(*(manager.guest_token() for _ in range(20)))
    assert (len({t for t, _ in tokens}), harness["stats"]["cineradar/tix/auth/guest"]) == (1, 1)


# ------------------------------------------------------------------------ the middleware
@pytest.fixture
async def middleware(make_crawler, replica, tmp_path):  # noqa: ANN001, ANN201
    crawler = make_crawler(ENDPOINTS=json.dumps(replica.urls), SQLITE_PATH=str(tmp_path / "mw.db"))
    mw = TixJwtAuthMiddleware.from_crawler(crawler)  # crawler.spider is None: scrapy shell mode, enabled
    api = replica.urls["tix_api"]

    async def login() -> Tokens:
        data = await asyncio.to_thread(api_login, api)
        return Tokens(data["token"], data["refresh_token"])

    mw.manager.login = login  # the replica's login call instead of a browser, for speed
    seed_token(tmp_path / "mw.db", api)
    replica.ctx.log.clear()
    yield mw, crawler
    await mw.manager.close()


async def fetch(request: Request) -> Response:
    """Download ``request`` for real (what Scrapy's handler would do), as a Scrapy Response."""
    headers = {k.decode(): v[0].decode() for k, v in request.headers.items()}
    async with aiohttp.ClientSession() as session, session.get(request.url, headers=headers) as r:
        return Response(request.url, status=r.status, body=await r.read(), request=request)


def layout_request(replica, **meta) -> Request:  # noqa: ANN001, ANN003
    showtime = replica.truth("tix")["showtimes"][0]
    path = {"XXI": "xxi", "CGV": "cgv", "Cinépolis": "cinepolis"}[showtime["merchant"]]
    return Request(f"{replica.urls['tix_api']}/v1/movies/{path}/layout?show_time_id={showtime['showtime_id']}&tz=7",
                   meta=meta)


async def test_layout_url_gets_a_user_token(middleware, replica):
    mw, _ = middleware
    request = layout_request(replica)
    await mw.process_request(request)
    assert (await fetch(request)).status == 200


async def test_catalogue_url_gets_a_guest_token_and_app_headers(middleware, replica):
    mw, _ = middleware
    request = Request(f"{replica.urls['tix_api']}/v1/movies?city_id=967969975509716992&movie_type=NOW_PLAYING"
                      "&timezone=7")
    await mw.process_request(request)
    response = await fetch(request)
    assert (response.status, request.headers.get("platform")) == (200, b"web")


async def test_token_is_removed_from_the_request_after_the_response(middleware, replica):
    mw, _ = middleware
    request = layout_request(replica)
    await mw.process_request(request)
    await mw.process_response(request, await fetch(request))
    assert "Authorization" not in request.headers


async def test_401_refreshes_and_retries(middleware, replica):
    mw, crawler = middleware
    replica.knobs.update({"faults": ["expire_access:at=1"]})  # the next authorised request: 401 EXPIRED
    request = layout_request(replica)
    await mw.process_request(request)
    retry = await mw.process_response(request, await fetch(request))
    await mw.process_request(retry)
    final = await mw.process_response(retry, await fetch(retry))
    assert (final.status, refreshes(replica)) == (200, 1)


async def test_retried_request_carries_no_token(middleware, replica):
    mw, _ = middleware
    replica.knobs.update({"faults": ["expire_access:at=1"]})
    request = layout_request(replica)
    await mw.process_request(request)
    retry = await mw.process_response(request, await fetch(request))
    assert isinstance(retry, Request) and "Authorization" not in retry.headers


async def test_expired_event_detail_is_passed_through_without_refresh(middleware, replica):
    mw, crawler = middleware
    request = layout_request(replica)
    await mw.process_request(request)
    body = (FIXTURES / "layout_started_401.json").read_bytes()
    result = await mw.process_response(request, Response(request.url, status=401, body=body, request=request))
    assert (result.status, refreshes(replica)) == (401, 0)


async def test_gives_up_after_max_renewals(middleware, replica):
    mw, crawler = middleware
    request = layout_request(replica, tix_auth_retries=3)
    await mw.process_request(request)
    body = (FIXTURES / "layout_guest_401.json").read_bytes()
    result = await mw.process_response(request, Response(request.url, status=401, body=body, request=request))
    assert isinstance(result, Response) and crawler.stats.get_value("cineradar/tix/auth/gave_up/user") == 1


async def test_opted_out_request_is_untouched(middleware, replica):
    mw, _ = middleware
    request = layout_request(replica, tix_auth=False)
    await mw.process_request(request)
    assert "Authorization" not in request.headers


def test_middleware_is_off_for_spiders_that_do_not_use_tix(make_crawler):
    crawler = make_crawler(RepertuarySpider)
    crawler.spider = RepertuarySpider.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        TixJwtAuthMiddleware.from_crawler(crawler)


def test_middleware_is_on_for_the_seat_spider(make_crawler):
    crawler = make_crawler(TixSeatsSpider)
    crawler.spider = TixSeatsSpider.from_crawler(crawler)
    assert TixJwtAuthMiddleware.from_crawler(crawler).kind(Request("https://api-b2b.tix.id/v1/movies/xxi/layout"
                                                                   "?show_time_id=1&tz=7")) == "user"


async def test_auth_calls_send_the_user_agent_and_are_counted(make_crawler, replica, tmp_path):
    crawler = make_crawler(ENDPOINTS=json.dumps(replica.urls), SQLITE_PATH=str(tmp_path / "ua.db"),
                           USER_AGENT="cineradar-test/1.0", TIX_AUTH_ATTEMPTS=3)
    mw = TixJwtAuthMiddleware.from_crawler(crawler)
    seed_token(tmp_path / "ua.db", replica.urls["tix_api"])
    replica.ctx.log.clear()
    replica.knobs.update({"faults": ["5xx:at=1,path=^/v1/auth$,site=tix_api"]})  # the first guest call is retried
    await mw.process_request(Request(f"{replica.urls['tix_api']}/v1/cities"))
    await mw.manager.renew()  # one refresh call
    await mw.manager.close()
    sent = {kind: [e for e in replica.ctx.log if e["site"] == "tix_api" and e["path"] == path]
            for kind, path in (("guest", "/v1/auth"), ("refresh", "/v1/users/refresh"))}
    counted = {kind: crawler.stats.get_value(f"cineradar/tix/auth/requests/{kind}") for kind in sent}
    assert {e["user_agent"] for calls in sent.values() for e in calls} == {"cineradar-test/1.0"}
    assert counted == {kind: len(calls) for kind, calls in sent.items()} == {"guest": 2, "refresh": 1}


def test_scrapy_shell_of_a_layout_url_gets_a_user_token(replica, tmp_path):
    """A real ``scrapy shell``: its spider is not one of the project's, so the middleware is on."""
    seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])
    url = layout_request(replica).url
    result = scrapy(["shell", url, "-c", "response.status"], replica.urls, tmp_path, name="shell")
    assert result["stdout"].strip() == "200"


@pytest.mark.parametrize(("url", "meta", "kind"), [
    ("https://api-b2b.tix.id/v1/movies/xxi/layout?show_time_id=1", {}, "user"),  # under the API's prefix
    ("HTTPS://API-B2B.TIX.ID:443/v1/movies/xxi/layout", {"tix_auth": "user"}, "user"),  # same origin, spelt otherwise
    ("https://api-b2b.tix.id:443/v1/cities", {}, None),  # same origin but not the prefix: by meta only
    ("https://api-b2b.tix.id/v1/cities", {}, "guest"),
    ("https://api-b2b.tix.id.example.com/v1/movies/xxi/layout", {"tix_auth": "user"}, None),  # another host
    ("https://api-b2b.tix.id:8443/v1/movies/xxi/layout", {"tix_auth": "user"}, None),  # another port
    ("http://api-b2b.tix.id/v1/movies/xxi/layout", {"tix_auth": "user"}, None),  # another scheme
    ("https://api-b2b.tix.id/v1/movies/xxi/layout", {"tix_auth": False}, None),
])
def test_only_the_api_origin_gets_a_token_kind(make_crawler, url, meta, kind):
    crawler = make_crawler(TixSeatsSpider)
    crawler.spider = TixSeatsSpider.from_crawler(crawler)
    assert TixJwtAuthMiddleware.from_crawler(crawler).kind(Request(url, meta=meta)) == kind
