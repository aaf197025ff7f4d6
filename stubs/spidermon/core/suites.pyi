from collections.abc import Sequence
from typing import Any
from unittest import TestSuite

from scrapy.crawler import Crawler
from spidermon.core.options import MonitorOptionsMetaclass

class MonitorSuite(TestSuite, metaclass=MonitorOptionsMetaclass):
    monitors: Sequence[Any]
    monitors_finished_actions: list[Any]
    monitors_passed_actions: list[Any]
    monitors_failed_actions: list[Any]

    def __init__(
        self,
        name: str | None = None,
        monitors: Sequence[Any] | None = None,
        monitors_finished_actions: Sequence[Any] | None = None,
        monitors_passed_actions: Sequence[Any] | None = None,
        monitors_failed_actions: Sequence[Any] | None = None,
        order: int | None = None,
        crawler: Crawler | None = None,
    ) -> None: ...
    def add_monitors(self, monitors: Sequence[Any]) -> None: ...
