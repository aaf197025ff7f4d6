"""Politeness per site: SiteRateMiddleware with an injected clock, then real crawls timed by the replica."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import urllib.request

import pytest
from scrapy import Request
from scrapy.http import Response

from cineradar.middlewares.site_rate import SiteRateMiddleware
from replica import Knobs, Replica
from tests.conftest import run_crawl

GAP = 1 / 3.5


class FakeClock:
    """Time moves only when set; sleeps are recorded, not slept."""

    def __init__(self) -> None:
        self.t = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += seconds


def send(mw: SiteRateMiddleware, clock: FakeClock, slot: str, site: str = "repertuary") -> float:
    """The send time the middleware gives a request arriving now (time stands still)."""
    return mw.reserve(site, slot)


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    return max(sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times))


def middleware(slot_delay: float = 2.0) -> tuple[SiteRateMiddleware, FakeClock]:
    clock = FakeClock()
    return SiteRateMiddleware({"repertuary": 3.5}, {"repertuary.pl": "repertuary"}, slot_delay, clock), clock


def test_sessions_of_many_cities_share_one_cap():
    mw, clock = middleware()
    times = [send(mw, clock, f"repertuary:city{c}:{s}") for c in range(29) for s in range(7)]
    assert times[:3] == pytest.approx([0, GAP, 2 * GAP])
    assert max_in_window(times, 1.0) == 4  # 3.5/s: never more than 4 starts in any second
    assert times[-1] == pytest.approx((29 * 7 - 1) * GAP)


def test_a_session_keeps_its_own_delay_and_others_fill_the_gap():
    mw, clock = middleware()
    a = [send(mw, clock, "a") for _ in range(3)]
    b = [send(mw, clock, "b") for _ in range(3)]
    assert a == pytest.approx([0, 2, 4])
    assert b == pytest.approx([GAP, 2 + GAP, 4 + GAP])  # between a's, not after them


def test_krakow_alone_keeps_its_speed():
    # 7 sessions x one request per 2 s is 3.5/s already: the cap adds no waiting.
    mw, clock = middleware()
    times = [send(mw, clock, f"repertuary:krakow:{i % 7}") for i in range(70)]
    assert times[-1] == pytest.approx(69 * GAP)
    assert times[-1] <= 70 * 2.0 / 7


def test_later_requests_are_timed_from_now():
    mw, clock = middleware(slot_delay=0)
    send(mw, clock, "a")
    clock.t = 10.0
    assert send(mw, clock, "b") == 10.0


def request(site: str, slot: str) -> Request:
    return Request("http://127.0.0.1:1/x", meta={"site": site, "download_slot": slot})


def test_a_request_waits_for_its_turn():
    mw, clock = middleware()
    for slot in "abc":
        clock.t = 0.0
        asyncio.run(mw.process_request(request("repertuary", slot)))
    assert clock.t == pytest.approx(2 * GAP)  # the third one slept until its turn
    assert max(clock.slept) <= 0.5  # in short steps, watching for a graceful stop


def test_other_sites_are_not_capped():
    mw, clock = middleware()
    for _ in range(10):
        asyncio.run(mw.process_request(request("themoviedb.org", "x")))
    assert clock.slept == []


def test_a_graceful_stop_drops_the_waiting_requests():
    from types import SimpleNamespace

    from scrapy.exceptions import IgnoreRequest

    mw, clock = middleware()
    mw.crawler = SimpleNamespace(engine=SimpleNamespace(running=False))  # type: ignore[assignment]
    asyncio.run(mw.process_request(request("repertuary", "a")))  # its turn is now: sent
    with pytest.raises(IgnoreRequest):
        asyncio.run(mw.process_request(request("repertuary", "b")))


def test_site_from_meta_domain_map_or_registered_domain():
    mw, _ = middleware()
    assert mw.site_of(Request("https://www.kino.krakow.pl/film/x.html")) == "krakow.pl"
    mw = SiteRateMiddleware({"repertuary": 3.5}, {"repertuary.pl": "repertuary", "kino.krakow.pl": "repertuary"})
    assert mw.site_of(Request("https://www.kino.krakow.pl/film/x.html")) == "repertuary"
    assert mw.site_of(Request("https://gdansk.repertuary.pl/")) == "repertuary"
    assert mw.site_of(Request("https://api.themoviedb.org/3/movie/1")) == "themoviedb.org"
    assert mw.site_of(Request("http://127.0.0.1:5/", meta={"site": "repertuary"})) == "repertuary"
    assert mw.site_of(Request("http://127.0.0.1:5/other")) == "127.0.0.1"  # the same host, no meta: not capped


def test_the_project_caps_repertuary_and_knows_krakows_host():
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert settings.getdict("SITE_RATE_LIMITS") == {"repertuary": 3.5}
    mw = SiteRateMiddleware(settings.getdict("SITE_RATE_LIMITS"), settings.getdict("SITE_DOMAINS"))
    assert mw.site_of(Request("https://www.kino.krakow.pl/")) == mw.site_of(Request("https://x.repertuary.pl/"))


def test_waiting_does_not_block_the_event_loop():
    mw = SiteRateMiddleware({"s": 20.0}, slot_delay=0)  # the real clock: 50 ms apart

    async def run() -> tuple[list[float], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        task = asyncio.create_task(ticker())
        loop = asyncio.get_running_loop()
        done: list[float] = []

        async def one(i: int) -> None:
            await mw.process_request(Request("http://h/", meta={"site": "s", "download_slot": str(i)}))
            done.append(loop.time())

        await asyncio.gather(*(one(i) for i in range(5)))
        task.cancel()
        return done, ticks

    done, ticks = asyncio.run(run())
    assert max(done) - min(done) == pytest.approx(0.2, abs=0.05)
    assert ticks >= 10  # the loop ran other work while requests waited


# ---------------------------------------------------------------- against the replica
@pytest.mark.e2e
@pytest.mark.serial  # counts requests per second at the wire: run alone
def test_several_cities_never_exceed_the_site_cap(tmp_path):
    """Three cities (21 sessions at DOWNLOAD_DELAY 2 s: up to 10.5 requests/s without the cap)."""
    day0 = dt.date(2026, 11, 21)
    replica = Replica(preset="tiny", seed=1, date=day0, knobs=Knobs())
    replica.start()
    try:
        stats = run_crawl("repertuary", replica.urls, tmp_path, "city=krakow,warszawa,gdansk", "days=7",
                          f"date={day0}")  # DOWNLOAD_DELAY and SITE_RATE_LIMITS as configured
        with urllib.request.urlopen(f"{replica.urls['repertuary']['krakow']}/_replica/requests?log=1") as answer:
            log = json.load(answer)["log"]
    finally:
        replica.stop()
    times = [t for t, site, _method, _path in log if site.startswith("repertuary:")]
    assert len(times) == stats["downloader/request_count"] > 60
    # Arrival times at the replica carry the machine's scheduling jitter (one request sent a little
    # late lands close to the next): one request of tolerance on top of what the cap allows.
    assert max_in_window(times, 1.0) <= 4 + 1  # 3.5/s: 4 starts fit in one second at 0.286 s apart
    assert max_in_window(times, 10.0) <= 36 + 1  # the mean holds over longer windows (+1 for the edge)
    assert (max(times) - min(times)) >= (len(times) - 1) / 3.5 * 0.97  # the floor is respected


def test_a_hosts_site_is_worked_out_once(monkeypatch):
    """The public suffix lookup (tldextract) runs once per host, not once per request (TIX.id's
    API has no cap: each of its 12,000 requests a day paid for the lookup)."""
    from cineradar.middlewares import site_rate

    looked_up: list[str] = []
    real = site_rate._registered_domain
    monkeypatch.setattr(site_rate, "_registered_domain", lambda host: looked_up.append(host) or real(host))
    mw, _ = middleware()
    for n in range(500):
        request = Request(f"https://api-b2b.tix.id/v1/movies/xxi/layout?show_time_id={n}&tz=7")
        assert mw.site_of(request) == "tix.id"
        mw.process_response(request, Response(request.url, request=request))
    assert looked_up == ["api-b2b.tix.id"]


@pytest.mark.e2e
@pytest.mark.serial  # counts requests per second at the wire: run alone
def test_the_cap_holds_at_the_wire_under_cpu_load(tmp_path):
    """With CPU hogs beside the crawl (the event loop wakes late), no second at the replica holds more
    requests than the cap allows: 3.5/s fits 4 starts in any one-second window, 0.286 s apart; a
    request released late must push the next one back, not leave it on its planned time."""
    import subprocess
    import sys

    day0 = dt.date(2026, 11, 21)
    replica = Replica(preset="tiny", seed=1, date=day0, knobs=Knobs())
    replica.start()
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]  # both cores busy
    try:
        stats = run_crawl("repertuary", replica.urls, tmp_path, "city=krakow,warszawa,gdansk", "days=7",
                          f"date={day0}")
        with urllib.request.urlopen(f"{replica.urls['repertuary']['krakow']}/_replica/requests?log=1") as answer:
            log = json.load(answer)["log"]
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()
        replica.stop()
    times = [t for t, site, _method, _path in log if site.startswith("repertuary:")]
    assert len(times) == stats["downloader/request_count"] > 60
    assert max_in_window(times, 1.0) <= 4  # the replica's own clock, at arrival
    assert max_in_window(times, 10.0) <= 36


@pytest.mark.parametrize(("limits", "declared", "read_only", "enabled"), [
    ({"repertuary": 3.5}, ("tix_api",), False, False),  # tix_seats: only the TIX API, not capped
    ({"repertuary": 3.5, "tix.id": 5}, ("tix_api",), False, True),  # TIX's host capped: on
    ({"repertuary": 3.5}, None, False, True),  # a spider that does not declare its hosts: on
    ({"repertuary": 3.5}, ("tix_api", "repertuary"), False, True),  # one of them capped
    ({"repertuary": 3.5}, ("tix_api",), True, True),  # shell/fetch/parse (read-only): any URL may come
])
def test_off_only_for_a_spider_whose_declared_hosts_are_all_uncapped(limits, declared, read_only, enabled):
    from types import SimpleNamespace

    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    crawler = get_crawler(settings_dict={
        "SITE_RATE_LIMITS": limits, "STORE_READ_ONLY": read_only, "SITE_DOMAINS": {"repertuary.pl": "repertuary"},
        "ENDPOINTS": json.dumps({"tix_app": "https://app.tix.id", "tix_api": "https://api-b2b.tix.id",
                                 "repertuary": {"krakow": "https://www.repertuary.pl"}})})
    crawler.spider = SimpleNamespace(request_endpoints=declared, download_delay=None)
    if enabled:
        assert isinstance(SiteRateMiddleware.from_crawler(crawler), SiteRateMiddleware)
    else:
        with pytest.raises(NotConfigured):
            SiteRateMiddleware.from_crawler(crawler)
