from typing import Any, NoReturn

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

class Data(dict[str, Any]):
    """What a monitor and an action read, by attribute (the runner's keyword arguments); read-only."""

    crawler: Crawler
    spider: Spider
    stats: dict[str, Any]
    stats_history: list[dict[str, Any]]
    job: Any
    meta: dict[str, Any]

    def __getattr__(self, name: str) -> Any: ...
    def clear(self, *args: Any, **kws: Any) -> NoReturn: ...
    def popitem(self, *args: Any, **kws: Any) -> NoReturn: ...
