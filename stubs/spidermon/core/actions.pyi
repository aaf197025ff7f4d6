import abc
from typing import Any

from scrapy.crawler import Crawler
from spidermon.core.options import ActionOptionsMetaclass
from spidermon.data import Data
from spidermon.results.monitor import MonitorResult

class Action(metaclass=ActionOptionsMetaclass):
    # None until run() sets them; an action reads them in run_action, called by run.
    result: MonitorResult
    data: Data

    def __init__(self) -> None: ...
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Action: ...
    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]: ...
    @property
    def name(self) -> str: ...
    def run(self, result: MonitorResult, data: Data) -> None: ...
    @abc.abstractmethod
    def run_action(self) -> None: ...
