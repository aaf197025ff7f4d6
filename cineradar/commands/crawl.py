"""``scrapy crawl``, with an exit code that says whether the crawl was complete.

Scrapy's own command exits 0 whenever the spider could be started. This one exits
1 when the crawl failed and 3 when it was partial (see cineradar/extensions/outcome.py),
so cron, Scrapyd wrappers and CI see a crawl that lost data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

from cineradar.extensions import outcome

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return ("Run a spider. Exit status: 0 complete, 1 failed (nothing or not everything could be done), "
                "3 partial (some data missing or still spooled; the log's last 'crawl PARTIAL' line says what).")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        first = len(outcome.STATUSES)
        super().run(args, opts)
        codes = [outcome.EXIT_CODES.get(s, 1) for s in outcome.STATUSES[first:]]
        if self.exitcode == 0 and codes:
            self.exitcode = 1 if 1 in codes else max(codes)
