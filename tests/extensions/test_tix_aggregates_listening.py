"""TixAggregates listens to every scraped item only in a crawl that can yield movies or showtimes
(it collects their dates); tix_seats' 11,502 items a morning do not reach it."""

from __future__ import annotations

import datetime as dt

from scrapy import signals

from cineradar.extensions.tix_aggregates import TixAggregates
from cineradar.items import TixShowtime
from cineradar.spiders.tix_movies import TixMoviesSpider
from cineradar.spiders.tix_seats import TixSeatsSpider


def test_only_crawls_yielding_movies_or_showtimes_listen_to_items(make_crawler):
    item = TixShowtime.model_construct(date=dt.date(2026, 12, 8))
    for spidercls, dates in ((TixMoviesSpider, {"2026-12-08"}), (TixSeatsSpider, set())):
        crawler = make_crawler()
        crawler.spider = type("S", (), {"name": spidercls.name, "entities": spidercls.entities})()
        ext = TixAggregates.from_crawler(crawler)
        crawler.signals.send_catch_log(signal=signals.item_scraped, item=item, response=None, spider=crawler.spider)
        assert ext.dates == dates, spidercls.name
