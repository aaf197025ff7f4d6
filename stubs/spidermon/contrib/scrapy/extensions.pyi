from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from scrapy.spiders import Spider

class Spidermon:
    def __init__(
        self,
        crawler: Crawler,
        spider_opened_suites: Sequence[Any] | None = None,
        spider_closed_suites: Sequence[Any] | None = None,
        engine_stopped_suites: Sequence[Any] | None = None,
        spider_opened_expression_suites: Sequence[Any] | None = None,
        spider_closed_expression_suites: Sequence[Any] | None = None,
        engine_stopped_expression_suites: Sequence[Any] | None = None,
        expressions_monitor_class: Any = None,
        periodic_suites: dict[str, float] | None = None,
    ) -> None: ...
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Spidermon: ...
    def spider_opened(self, spider: Spider) -> None: ...
    def spider_closed(self, spider: Spider) -> None: ...
