"""``scrapy crawl``, with an exit code that says whether the crawl was complete.

Scrapy's own command exits 0 whenever the spider could be started. This one exits
1 when the crawl failed, 2 when the spider's arguments are invalid and 3 when it was
partial (see cineradar/extensions/outcome.py), so cron, Scrapyd wrappers and CI see a
crawl that lost data.

Invalid arguments are refused before the crawler exists: one line on stderr (also with
--nolog), nothing fetched, no run record. A Scrapyd job (``-a _job=...``) is let through
instead: the spider refuses them at start, so the job's log (the LOG_FILE Scrapyd gives)
carries the ERROR line and its run record reads FAILED; the command still prints the line
and exits 2.
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawl

from cineradar import scrapyd_guard
from cineradar.args import SpiderArgs, SpiderArgumentError, crawl_today
from cineradar.cities import did_you_mean
from cineradar.commands import HelpFormatter
from cineradar.extensions import outcome
from cineradar.feeds import mixed_csv_feed

ARGUMENTS_EXIT_CODE = 2


class Command(ScrapyCrawl):
    def long_desc(self) -> str:
        return ("Run a spider of this project (`scrapy list` names them; -a NAME=VALUE sets its\n"
                "arguments). Unlike Scrapy's own crawl, the exit status says whether the crawl\n"
                "was complete; the log's last line (crawl finished, PARTIAL or FAILED) says why.\n\n"
                "Exit status:\n"
                "  0  complete\n"
                "  1  failed: it could not start, or a permanent error stopped it\n"
                "  2  no such spider, invalid or unknown spider arguments, a CSV feed of\n"
                "     several entities, or a JOBDIR the spider cannot resume (one line on\n"
                "     stderr says which and what is allowed); nothing was fetched\n"
                "  3  partial: some data is missing or still spooled (see storage-replay),\n"
                "     or it was stopped early (Ctrl-C, a CLOSESPIDER_* limit)")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        # A Scrapyd job's -s values are screened raw, before they reach the settings and so before
        # any spider module, add-on or class path is loaded (cineradar/scrapyd_guard.py).
        assert self.settings is not None
        refusal = scrapyd_guard.screen_crawl_options(self.settings, args, opts)
        super().process_options(args, opts)
        if refusal:
            self.settings.set(scrapyd_guard.REFUSAL_SETTING, refusal, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        missing = self.unknown_spider(args[0]) if len(args) == 1 else None
        if missing:  # Scrapy's own answer is a KeyError traceback
            print(f"scrapy crawl: {missing}", file=sys.stderr)
            self.exitcode = ARGUMENTS_EXIT_CODE
            return
        # A CSV feed of several entities is refused like an argument: before the feed file exists.
        problem = (self.argument_error(args[0], opts.spargs) or self.feed_error(args[0])) if len(args) == 1 else None
        scrapyd_job = scrapyd_guard.is_scrapyd_job(opts.spargs)
        if problem and not scrapyd_job:
            print(f"scrapy crawl: {problem}", file=sys.stderr)
            self.exitcode = ARGUMENTS_EXIT_CODE
            return
        first = len(outcome.STATUSES)
        super().run(args, opts)
        codes = [outcome.EXIT_CODES.get(s, 1) for s in outcome.STATUSES[first:]]
        if self.exitcode == 0 and codes:
            self.exitcode = 1 if 1 in codes else max(codes)
        if problem:  # a Scrapyd job: its log and run record say FAILED; the exit code says why
            print(f"scrapy crawl: {problem}", file=sys.stderr)
            self.exitcode = ARGUMENTS_EXIT_CODE

    def unknown_spider(self, spider_name: str) -> str | None:
        """One line when no spider has this name (with a "did you mean"), else None."""
        assert self.crawler_process is not None
        names = sorted(self.crawler_process.spider_loader.list())
        if spider_name in names:
            return None
        return f"no spider named {spider_name!r}{did_you_mean(spider_name, names)}; allowed: {', '.join(names)}"

    def feed_error(self, spider_name: str) -> str | None:
        """One line when a CSV feed would mix entities (cineradar/feeds.py) or the spider cannot
        resume the JOBDIR's crawl, else None."""
        assert self.crawler_process is not None and self.settings is not None
        spidercls = self.crawler_process.spider_loader.load(spider_name)
        resume = getattr(spidercls, "resume_error", None)
        return mixed_csv_feed(spidercls, self.settings) or (resume(self.settings) if resume else None)

    def argument_error(self, spider_name: str, spargs: dict[str, str]) -> str | None:
        """The one-line problem with the spider's ``-a`` arguments, or None when they are valid.

        An unknown spider name is left to Scrapy's own error."""
        assert self.crawler_process is not None
        try:
            spidercls = self.crawler_process.spider_loader.load(spider_name)
        except KeyError:
            return None
        model = getattr(spidercls, "args_model", None)
        if not (isinstance(model, type) and issubclass(model, SpiderArgs)):
            return None
        try:
            model.parse(spider_name, dict(spargs), today=crawl_today(self.settings))
        except SpiderArgumentError as exc:
            return str(exc)
        return None
