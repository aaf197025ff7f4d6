from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

class Data(dict[str, Any]):
    """What a monitor and an action read (Spidermon's runner fills it from its keyword arguments)."""

    crawler: Crawler
    spider: Spider
    stats: dict[str, Any]
    stats_history: list[dict[str, Any]]
    job: Any
    meta: dict[str, Any]
