"""The item processor counts item_scraped_count in CoreStats' place: once per item that passed every
pipeline, none for a dropped one, and CoreStats' receiver is off the signal so nothing counts twice.

A real crawl (feed lines = item_scraped_count = stored rows) is in tests/tix/test_feeds.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from pydispatch.dispatcher import getAllReceivers, liveReceivers
from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.extensions.corestats import CoreStats
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from cineradar.pipelines.manager import ItemProcessor


class DropOdd:
    def process_item(self, item):
        if item % 2:
            raise DropItem("odd")
        return item


def crawler_with(*extensions_of):
    stats = MemoryStatsCollector(get_crawler())
    crawler = SimpleNamespace(signals=SignalManager(), stats=stats, spider=object())
    extensions = []
    for make in extensions_of:
        extension = make(stats)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        extensions.append(extension)
    crawler.extensions = SimpleNamespace(middlewares=extensions)
    return crawler


def receivers(crawler):
    return list(liveReceivers(getAllReceivers(crawler.signals.sender, signals.item_scraped)))


async def scrape(processor, crawler, items):
    for item in items:
        try:
            output = await processor.process_item_async(item)
        except DropItem:
            continue
        await crawler.signals.send_catch_log_async(signal=signals.item_scraped, item=output, response=None,
                                                   spider=crawler.spider)  # what Scrapy's scraper does next


async def test_items_that_pass_are_counted_once_and_dropped_ones_not():
    crawler = crawler_with(CoreStats)
    processor = ItemProcessor(DropOdd(), crawler=crawler)
    await processor.open_spider_async()
    assert receivers(crawler) == []  # CoreStats no longer counts through the signal
    await scrape(processor, crawler, range(10))
    assert crawler.stats.get_value("item_scraped_count") == 5


async def test_without_scrapys_counter_nothing_is_counted_here():
    class OwnCount(CoreStats):
        def item_scraped(self, item, spider):  # a subclass that counts its own way: left alone
            self.stats.inc_value("item_scraped_count", 10)

    crawler = crawler_with(OwnCount)
    processor = ItemProcessor(crawler=crawler)
    await processor.open_spider_async()
    assert len(receivers(crawler)) == 1
    await scrape(processor, crawler, range(3))
    assert crawler.stats.get_value("item_scraped_count") == 30


@pytest.mark.parametrize("connected", [True, False])
async def test_a_core_stats_not_listening_is_not_replaced(connected):
    crawler = crawler_with(CoreStats)
    if not connected:
        crawler.signals.disconnect(crawler.extensions.middlewares[0].item_scraped, signal=signals.item_scraped)
    processor = ItemProcessor(crawler=crawler)
    await processor.open_spider_async()
    await scrape(processor, crawler, range(4))
    assert crawler.stats.get_value("item_scraped_count") == (4 if connected else None)
