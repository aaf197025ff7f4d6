"""``scrapy tix-aggregates``: recompute a day's TIX.id schedules and day snapshots from what is stored.

The same rebuild the TixAggregates extension runs at the end of a crawl (cineradar/aggregates.py),
for a day whose aggregates a backend refused then, or after rows were replayed from a spool.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from cineradar.commands import ProjectCommand
from cineradar.commands.daily_summary import add_date_option
from cineradar.extensions.tix_aggregates import rebuild

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class Command(ProjectCommand):
    usage = "[--date YYYY-MM-DD|today|yesterday]"
    summary = "Recompute a day's TIX.id schedules and snapshots from what is stored, in every backend"
    description = (
        "Reads the day's TIX.id movies and showtimes from the primary backend (the first of "
        "STORAGE_BACKENDS), rebuilds the day's schedules (one per movie) and day snapshot from them, "
        "and writes these to every backend, replacing what was there. Crawls of tix_movies do this "
        "themselves when they end; run it when one could not (its log says so) or after storage-replay."
    )
    exit_status = ("0  written to every backend", "1  a backend refused them, or nothing is stored for that date")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_date_option(parser)

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        day = opts.date.isoformat()
        counts, errors = rebuild(settings, [day], create=False)
        for name, error in errors.items():
            print(f"tix-aggregates {day}: not written to {name}: {error}")
        print(f"tix-aggregates {day}: " + ", ".join(f"{n} {e}" for e, n in counts.items()))
        return 1 if errors or not any(counts.values()) else 0
