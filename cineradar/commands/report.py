"""``scrapy report``: one day's self-contained HTML report (cineradar/web/report.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cineradar.commands import ProjectCommand
from cineradar.commands.daily_summary import add_date_option

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class Command(ProjectCommand):
    usage = "[--date YYYY-MM-DD|today|yesterday] -o report.html"
    summary = "Write one day's report as a self-contained HTML file (inline CSS and SVG, no JavaScript)"
    description = (
        "Writes the day's TIX.id summary (occupancy by chain and city with charts, top and bottom "
        "showtimes, the 30-day trend per chain), the repertuary coverage of the 7 days from it, the TMDB "
        "match rate and the runs started that day, from the first SQL store of STORAGE_BACKENDS, as one "
        "HTML file that needs nothing beside it: mail it, open it offline, print it."
    )
    exit_status = ("0  written", "1  the store could not be read or the file written")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_date_option(parser)
        parser.add_argument("-o", "--output", required=True, type=Path, help="the HTML file to write")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        from cineradar.web.report import write
        from cineradar.web.store import open_store

        day = opts.date.isoformat()
        try:
            reader, backends = open_store(settings)
        except Exception as exc:  # noqa: BLE001 - one line for the user
            print(f"report: storage could not be opened ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        try:
            path = write(reader, day, opts.output)
        except Exception as exc:  # noqa: BLE001
            print(f"report: failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        finally:
            for backend in backends:
                backend.close()
        print(path)
        return 0
