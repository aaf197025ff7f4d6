"""Scrapy's memory stats collector, with a stats dump Scrapyd's log parsers can read.

Scrapy logs its stats at close with ``pprint``, which wraps a long string value over several
lines; LogParser (and so ScrapydWeb) then fails to read the whole dump and shows the job's
``finish_reason`` as N/A. This dump has the same layout (one key per line, sorted) but never
wraps a value. Scrapy's close_spider logs ``str(collector)``: the only thing changed here.
"""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector


class UnwrappedStatsCollector(MemoryStatsCollector):
    def __str__(self) -> str:
        stats = self.get_stats()
        return "{" + ",\n ".join(f"{key!r}: {stats[key]!r}" for key in sorted(stats)) + "}"
