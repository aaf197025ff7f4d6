"""``scrapy stored``: what the configured storage holds, per entity (and per day for showtimes)."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING, Any

from cineradar.backends import SPECS, open_backends
from cineradar.commands import ProjectCommand
from cineradar.storage import MissingStoreError
from cineradar.terminal import printable

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class Command(ProjectCommand):
    usage = "[--sample N]"
    summary = "Print how many rows each entity has in the storage backends"
    description = (
        "For every backend of STORAGE_BACKENDS, prints each entity that has rows: how many, how many "
        "per day for dated entities, and the first --sample rows (long values cut short). Reads only."
    )
    exit_status = ("0  printed", "1  a backend could not be opened or read")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sample", type=int, default=2, metavar="N", help="rows to show per non-empty entity")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        try:
            backends = open_backends(settings, create=False)
        except MissingStoreError:
            raise  # ProjectCommand: one line, exit 1
        except Exception as exc:  # noqa: BLE001 - one line for the user, not a traceback
            print(f"stored: storage could not be opened ({type(exc).__name__}: {printable(exc)})")
            return 1
        try:
            for backend in backends:
                print(f"== {backend.name} ==")
                for spec in SPECS:
                    count = backend.count(spec.name)
                    if not count:
                        continue
                    print(f"{spec.name:24} {count:7d}")
                    rows = backend.fetch(spec.name)
                    if "date" in spec.columns:
                        per_day = Counter(str(r["date"]) for r in rows)
                        print("  per day: " + printable(", ".join(f"{d} {n}" for d, n in sorted(per_day.items()))))
                    for row in rows[: opts.sample]:
                        print("  " + printable(_short(row)))  # stored text: no escape reaches the terminal
        except Exception as exc:  # noqa: BLE001
            print(f"stored: reading failed ({type(exc).__name__}: {printable(exc)})")
            return 1
        finally:
            for backend in backends:
                backend.close()
        return 0


def _short(row: dict[str, Any]) -> str:
    parts = []
    for key, value in row.items():
        if value in (None, [], {}, ""):
            continue
        text = str(value)
        parts.append(f"{key}={text if len(text) <= 40 else text[:37] + '...'}")
    return ", ".join(parts)
