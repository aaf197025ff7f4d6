"""The TMDB site's rate after a 429 (cineradar/middlewares/site_rate.py), with an injected clock."""

from __future__ import annotations

from scrapy import Request
from scrapy.http import Response

from cineradar.middlewares.site_rate import SiteRateMiddleware


class FakeClock:
    def __init__(self) -> None:
        self.t = 0.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


def tmdb(retry_after: str | None = None, status: int = 429) -> tuple[Request, Response]:
    request = Request("http://127.0.0.1:1/3/movie/1", meta={"site": "tmdb", "download_slot": "tmdb_api"})
    headers = {"Retry-After": retry_after} if retry_after else {}
    return request, Response(request.url, status=status, headers=headers, request=request)


def test_a_429_pauses_the_whole_site_for_its_retry_after_and_halves_the_rate():
    clock = FakeClock()
    mw = SiteRateMiddleware({"tmdb": 35.0}, slot_delay=0, clock=clock)
    assert mw.reserve("tmdb", "tmdb_api") == 0.0
    mw.process_response(*tmdb("3"))
    assert mw.reserve("tmdb", "tmdb_api") == 3.0  # no request of the site before the Retry-After
    assert abs(mw.gaps["tmdb"] - 2 / 35) < 1e-9
    mw.process_response(*tmdb("3"))  # the same burst: not halved again
    assert abs(mw.gaps["tmdb"] - 2 / 35) < 1e-9


def test_the_rate_comes_back_after_successes():
    clock = FakeClock()
    mw = SiteRateMiddleware({"tmdb": 35.0}, slot_delay=0, clock=clock)
    mw.process_response(*tmdb(None))
    assert mw.reserve("tmdb", "tmdb_api") == 1.0  # no Retry-After: one second
    for _ in range(20):
        mw.process_response(*tmdb(status=200))
    assert mw.gaps["tmdb"] == 1 / 35


async def test_a_request_arriving_during_a_pause_waits_for_it():
    clock = FakeClock()
    mw = SiteRateMiddleware({"tmdb": 10.0}, slot_delay=0, clock=clock)
    for _ in range(3):
        mw.reserve("tmdb", "tmdb_api")  # three requests ahead: the next one's turn is at 0.3 s
    mw.process_response(*tmdb("2"))
    request, _ = tmdb()
    await mw.process_request(request)
    assert clock.t >= 2.0


def test_tmdb_spiders_share_one_slot_capped_under_tmdbs_limit():
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    for name in ("tmdb_movies", "tmdb_match"):
        settings = get_project_settings().copy()
        SpiderLoader.from_settings(settings).load(name).update_settings(settings)
        assert settings.getdict("SITE_RATE_LIMITS")["tmdb"] == 35.0 < 40
        assert settings.getdict("DOWNLOAD_SLOTS")["tmdb_api"]["concurrency"] == 16
        assert settings.getfloat("DOWNLOAD_DELAY") == 0.0  # the site cap spaces them, not a 2 s slot delay
        assert settings.getdict("DOWNLOAD_HANDLERS")["http"] == "cineradar.handlers.TmdbAuthDownloadHandler"
