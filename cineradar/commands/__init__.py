"""Project commands, one module per command, each holding its ``Command`` class.

``scrapy daily-summary``, ``storage-replay``, ``stored``, ``tix-aggregates`` and ``tix-token``
are registered as entry points (setup.py, group ``scrapy.commands``); ``crawl.py`` overrides
Scrapy's own ``crawl`` through COMMANDS_MODULE (settings.py), which also works inside a
Scrapyd egg. The help of each (``scrapy <command> -h``) is written for the people running it.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand, ScrapyHelpFormatter

from cineradar.storage import MissingStoreError

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class HelpFormatter(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, keeping the description's paragraphs and lines as written."""


class ProjectCommand(ScrapyCommand):
    """A command that works on the project's storage without crawling: ``main`` returns the exit status."""

    requires_project = True
    requires_crawler_process = False  # no reactor, no crawler: plain blocking calls
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}
    usage: ClassVar[str] = ""  # the arguments, after `scrapy <command>`
    summary: ClassVar[str] = ""  # one line, for `scrapy -h`
    description: ClassVar[str] = ""  # what it does, for `scrapy <command> -h`
    exit_status: ClassVar[tuple[str, ...]] = ()  # one line per status, e.g. "0  done"

    def syntax(self) -> str:
        return self.usage

    def short_desc(self) -> str:
        return self.summary

    def long_desc(self) -> str:
        statuses = "".join(f"\n  {line}" for line in self.exit_status)
        return f"{textwrap.fill(self.description, 78)}\n\nExit status:{statuses}"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        try:
            self.exitcode = self.main(self.settings, opts)
        except MissingStoreError as exc:  # a read command on a mistyped store path: one line, nothing created
            print(f"{self.command_name}: {exc}", file=sys.stderr)
            self.exitcode = 1

    @property
    def command_name(self) -> str:
        return type(self).__module__.rsplit(".", 1)[-1].replace("_", "-")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        raise NotImplementedError
