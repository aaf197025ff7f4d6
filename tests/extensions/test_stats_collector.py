"""The project's stats collector: Scrapy's, with plain attribute lookups and Scrapy's warnings kept."""

from __future__ import annotations

import warnings

import pytest
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.statscollectors import StatsCollector
from scrapy.utils.test import get_crawler

from cineradar import stats_collector
from cineradar.stats_collector import UnwrappedStatsCollector


def collector() -> UnwrappedStatsCollector:
    return UnwrappedStatsCollector(get_crawler())


def test_counts_as_scrapys_does():
    stats = collector()
    stats.inc_value("a")
    stats.inc_value("a", 2)
    stats.inc_value("b", start=10)
    stats.max_value("m", 3)
    stats.max_value("m", 1)
    stats.min_value("n", 3)
    stats.min_value("n", 1)
    stats.set_value("s", "x")
    assert stats.get_stats() == {"a": 3, "b": 11, "m": 3, "n": 1, "s": "x"}
    assert stats.get_value("missing", 7) == 7


def test_a_spider_argument_still_warns_as_in_scrapy():
    stats = collector()
    with pytest.warns(ScrapyDeprecationWarning, match="spider"):
        stats.inc_value("a", spider=object())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats.inc_value("a")  # no warning without it


def test_the_wrapped_methods_are_scrapys():
    # The names Scrapy's StatsCollector.__getattribute__ wraps (`if name in {...}`), read from its source:
    # a name Scrapy adds (or drops) fails here instead of losing its warning silently.
    import inspect
    import re

    found = re.search(r"name in \{(.*?)\}", inspect.getsource(StatsCollector.__getattribute__), re.S)
    assert found is not None
    assert set(re.findall(r'"(\w+)"', found.group(1))) == stats_collector._WRAPPED
