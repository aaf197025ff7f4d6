"""RetryAfterMiddleware with an injected clock and sleep: when each retry is sent, and which are not."""

from __future__ import annotations

import datetime as dt
import email.utils
import random
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler

from cineradar.middlewares.retry import RetryAfterMiddleware, retry_after_seconds

NOW = dt.datetime(2026, 1, 15, 5, 0, tzinfo=dt.UTC)


@pytest.fixture
def harness(make_crawler):  # noqa: ANN001, ANN201
    crawler = make_crawler(RETRY_HTTP_CODES=[500, 503, 429, 401, 404, 422])
    crawler.spider = Spider.from_crawler(crawler, name="t")
    crawler.stats.open_spider()
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    mw = RetryAfterMiddleware(crawler.settings, sleep=sleep, clock=lambda: NOW, rng=random.Random(1))
    mw.crawler = crawler
    return {"mw": mw, "waits": waits, "stats": crawler.stats}


def answer(status: int, request: Request, **headers: Any) -> Response:
    return Response(request.url, status=status, headers=headers, request=request)


async def test_retry_after_seconds_is_waited(harness):
    request = Request("http://127.0.0.1/x")
    retry = await harness["mw"].process_response(request, answer(429, request, **{"Retry-After": "7"}))
    assert (isinstance(retry, Request), sum(harness["waits"]), harness["stats"].get_value("retry/after_wait")) \
        == (True, 7.0, 1)


async def test_retry_after_http_date_is_waited_until(harness):
    request = Request("http://127.0.0.1/x")
    when = email.utils.format_datetime(NOW + dt.timedelta(seconds=30), usegmt=True)
    await harness["mw"].process_response(request, answer(503, request, **{"Retry-After": when}))
    assert sum(harness["waits"]) == 30.0


async def test_retry_after_is_capped(harness):
    request = Request("http://127.0.0.1/x")
    await harness["mw"].process_response(request, answer(429, request, **{"Retry-After": "3600"}))
    assert (sum(harness["waits"]), harness["stats"].get_value("retry/after_capped")) == (120.0, 1)


async def test_other_codes_back_off_exponentially_with_jitter(harness):
    request = Request("http://127.0.0.1/x")
    for _ in range(3):
        request = await harness["mw"].process_response(request, answer(500, request))
    base = 0.5  # retry n waits 0.25-0.5, 0.5-1, 1-2 s: each under one slice or two
    waits = [sum(harness["waits"][:1]), sum(harness["waits"][1:2]), sum(harness["waits"][2:])]
    assert [base * 2 ** n / 2 <= w <= base * 2 ** n for n, w in enumerate(waits)] == [True] * 3


async def test_429_without_retry_after_backs_off(harness):
    request = Request("http://127.0.0.1/x")
    await harness["mw"].process_response(request, answer(429, request))
    assert (0.25 <= harness["waits"][0] <= 0.5, harness["stats"].get_value("retry/backoff_wait")) == (True, 1)


async def test_no_wait_when_retries_are_used_up(harness):
    request = Request("http://127.0.0.1/x", meta={"retry_times": 3})
    response = answer(429, request, **{"Retry-After": "9"})
    assert (await harness["mw"].process_response(request, response) is response, harness["waits"]) == (True, [])


@pytest.mark.parametrize("status", [401, 404, 422])
async def test_never_retried_even_if_listed(harness, status):
    request = Request("http://127.0.0.1/x")
    response = answer(status, request)
    assert (await harness["mw"].process_response(request, response) is response, harness["waits"]) == (True, [])


async def test_dont_retry_is_respected(harness):
    request = Request("http://127.0.0.1/x", meta={"dont_retry": True})
    response = answer(503, request, **{"Retry-After": "5"})
    assert (await harness["mw"].process_response(request, response) is response, harness["waits"]) == (True, [])


async def test_network_errors_back_off(harness):
    from twisted.internet.error import ConnectionRefusedError

    request = Request("http://127.0.0.1/x")
    retry = await harness["mw"].process_exception(request, ConnectionRefusedError())
    assert (isinstance(retry, Request), len(harness["waits"]), 0.25 <= harness["waits"][0] <= 0.5) == (True, 1, True)


@pytest.mark.parametrize(("value", "seconds"), [("120", 120.0), (" 3 ", 3.0), ("-5", 0.0), ("soon", None),
                                                (None, None), ("Thu, 15 Jan 2026 05:01:00 GMT", 60.0)])
def test_retry_after_values(value, seconds):
    assert retry_after_seconds(value, NOW) == seconds


def test_replaces_scrapys_retry_middleware_for_every_spider(make_crawler):
    from scrapy.core.downloader.middleware import DownloaderMiddlewareManager

    from cineradar.spiders.repertuary import RepertuarySpider

    crawler = make_crawler(RepertuarySpider)
    crawler.spider = RepertuarySpider.from_crawler(crawler)
    names = [type(m).__name__ for m in build_from_crawler(DownloaderMiddlewareManager, crawler).middlewares]
    assert ("RetryAfterMiddleware" in names, "RetryMiddleware" in names) == (True, False)


async def test_a_graceful_stop_ends_the_wait(harness):
    mw = harness["mw"]
    mw.stopping = lambda: len(harness["waits"]) >= 2  # Ctrl-C after two slices of a 60 s wait
    request = Request("http://127.0.0.1/x")
    retry = await mw.process_response(request, answer(429, request, **{"Retry-After": "60"}))
    assert (isinstance(retry, Request), sum(harness["waits"])) == (True, 2.0)
