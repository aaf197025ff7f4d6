# ruff: noqa: N999 - the file name is the command name: `scrapy storage-replay`
"""``scrapy storage-replay``: write the spooled rows to their backends (cineradar/commands/storage_replay.py)."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import ScrapyCommand

from cineradar.commands import storage_replay


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--backend NAME ...]"

    def short_desc(self) -> str:
        return "Replay the storage spools (rows a backend could not take during a crawl); exit 1 if rows remain"

    def long_desc(self) -> str:
        return (storage_replay.__doc__ or "").strip()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        storage_replay.add_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.exitcode = storage_replay.main(self.settings, opts, sys.stdout)
