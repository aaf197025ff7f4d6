# ruff: noqa: N999 - the file name is the command name: `scrapy tix-aggregates`
"""``scrapy tix-aggregates --date D``: recompute a day's TIX.id schedules and snapshots
from the primary backend and write them to every backend (cineradar/aggregates.py).
Exit status 1 when a backend refused them or the date has nothing stored."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from cineradar.commands.daily_summary import parse_day
from cineradar.extensions.tix_aggregates import rebuild


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--date YYYY-MM-DD|today|yesterday]"

    def short_desc(self) -> str:
        return "Recompute a day's TIX.id schedules and snapshots from what is stored, in every backend"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--date", default="today", help="YYYY-MM-DD, today or yesterday (WIB); default today")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        day = parse_day(opts.date).isoformat()
        counts, errors = rebuild(self.settings, [day])
        for name, error in errors.items():
            print(f"tix-aggregates {day}: not written to {name}: {error}")
        print(f"tix-aggregates {day}: " + ", ".join(f"{n} {e}" for e, n in counts.items()))
        self.exitcode = 1 if errors or not any(counts.values()) else 0
