# ruff: noqa: N999 - the file name is the command name: `scrapy daily-summary`
"""``scrapy daily-summary``: one WIB day of seat occupancy (cineradar/commands/daily_summary.py)."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from cineradar.commands import daily_summary


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--date YYYY-MM-DD|today|yesterday] [--no-store]"

    def short_desc(self) -> str:
        return "Aggregate a day's TIX.id seat snapshots (one per showtime) and store the daily summary"

    def long_desc(self) -> str:
        return (daily_summary.__doc__ or "").strip()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        daily_summary.add_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.exitcode = daily_summary.main(self.settings, opts)
