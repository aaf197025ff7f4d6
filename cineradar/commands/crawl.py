"""``scrapy crawl``, with an exit code that says whether the crawl was complete.

Scrapy's own command exits 0 whenever the spider could be started. This one exits
1 when the crawl failed and 3 when it was partial (see cineradar/extensions/outcome.py),
so cron, Scrapyd wrappers and CI see a crawl that lost data.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl

from cineradar.commands import HelpFormatter
from cineradar.extensions import outcome


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return ("Run a spider of this project (`scrapy list` names them; -a NAME=VALUE sets its\n"
                "arguments). Unlike Scrapy's own crawl, the exit status says whether the crawl\n"
                "was complete; the log's last line (crawl finished, PARTIAL or FAILED) says why.\n\n"
                "Exit status:\n"
                "  0  complete\n"
                "  1  failed: it could not start, or a permanent error stopped it\n"
                "  3  partial: some data is missing or still spooled (see storage-replay),\n"
                "     or it was stopped early (Ctrl-C, a CLOSESPIDER_* limit)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        first = len(outcome.STATUSES)
        super().run(args, opts)
        codes = [outcome.EXIT_CODES.get(s, 1) for s in outcome.STATUSES[first:]]
        if self.exitcode == 0 and codes:
            self.exitcode = 1 if 1 in codes else max(codes)
