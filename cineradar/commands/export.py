"""``scrapy export``: entities of the store to Parquet, CSV or JSONL files (cineradar/export.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cineradar.commands import ProjectCommand

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def _day(text: str) -> str:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None
    return text


class Command(ProjectCommand):
    usage = "[-e ENTITY ...] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format parquet|csv|jsonl] -o DIR"
    summary = "Write entities of the store to Parquet, CSV or JSONL files, one per entity"
    description = (
        "Writes each entity (-e, repeatable; default every entity) of the first SQL store of "
        "STORAGE_BACKENDS to DIR/<entity>.<format>, typed from the data contract (docs/data.md): "
        "Parquet columns typed (nested fields as JSON text), CSV with nested fields as JSON, JSONL as "
        "stored. --from/--to (inclusive) keep the rows of those days for entities with a date (crawl_runs: "
        "by start, UTC); other entities are written whole. Each file appears complete or not at all."
    )
    exit_status = ("0  written", "1  the store could not be read or a file written", "2  bad arguments")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-e", "--entity", action="append", default=[], help="entity to export (repeatable)")
        parser.add_argument("--from", dest="since", type=_day, help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="until", type=_day, help="last day (YYYY-MM-DD)")
        parser.add_argument("--format", default="parquet", choices=("parquet", "csv", "jsonl"))
        parser.add_argument("-o", "--output", required=True, type=Path, help="folder to write the files to")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        from cineradar.backends import SPECS
        from cineradar.export import export
        from cineradar.web.store import open_store

        names = [s.name for s in SPECS]
        unknown = [e for e in opts.entity if e not in names]
        if unknown:
            print(f"export: unknown entity {unknown[0]!r}; known: {', '.join(names)}", file=sys.stderr)
            return 2
        if opts.since and opts.until and opts.since > opts.until:
            print(f"export: --from {opts.since} is after --to {opts.until}", file=sys.stderr)
            return 2
        try:
            reader, backends = open_store(settings)
        except Exception as exc:  # noqa: BLE001 - one line for the user
            print(f"export: storage could not be opened ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        try:
            written = export(reader, opts.entity or names, opts.output, opts.format, since=opts.since,
                             until=opts.until)
        except Exception as exc:  # noqa: BLE001
            print(f"export: failed ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        finally:
            for backend in backends:
                backend.close()
        for w in written:
            print(f"{w.path}\t{w.rows} rows")
        return 0
