"""``scrapy stored``: what the configured storage holds, per entity (and per day for showtimes)."""

from __future__ import annotations

import argparse
from collections import Counter
from typing import Any

from scrapy.commands import ScrapyCommand

from cineradar.hub import SPECS, open_backends


class Command(ScrapyCommand):
    requires_project = True
    default_settings = {"LOG_ENABLED": False}

    def short_desc(self) -> str:
        return "Print how many rows each entity has in the storage backends"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sample", type=int, default=2, help="rows to show per non-empty entity")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        for backend in open_backends(self.settings):
            print(f"== {backend.name} ==")
            for spec in SPECS:
                count = backend.count(spec.name)
                if not count:
                    continue
                print(f"{spec.name:24} {count:7d}")
                rows = backend.fetch(spec.name)
                if "date" in spec.columns:
                    per_day = Counter(str(r["date"]) for r in rows)
                    print("  per day: " + ", ".join(f"{d} {n}" for d, n in sorted(per_day.items())))
                for row in rows[: opts.sample]:
                    print("  " + _short(row))
            backend.close()


def _short(row: dict[str, Any]) -> str:
    parts = []
    for key, value in row.items():
        if value in (None, [], {}, ""):
            continue
        text = str(value)
        parts.append(f"{key}={text if len(text) <= 40 else text[:37] + '...'}")
    return ", ".join(parts)
