"""Scrapy's debugging commands (shell, fetch, parse, check, bench) with the store read-only.

Looking at a page must not change what production reads: these commands set STORE_READ_ONLY,
so the crawl they run writes no run record, reads no previous run, stores no item (the store
pipeline is off) and never creates a store (a missing SQLite file stays missing; the TIX.id
token is then fetched as a guest's, kept in memory). ``scrapy view`` does the same
(cineradar/commands/view.py). Registered as entry points over Scrapy's own (setup.py).
"""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand
from scrapy.commands.bench import Command as ScrapyBench
from scrapy.commands.check import Command as ScrapyCheck
from scrapy.commands.fetch import Command as ScrapyFetch
from scrapy.commands.parse import Command as ScrapyParse
from scrapy.commands.shell import Command as ScrapyShell


def read_only(command: ScrapyCommand) -> None:
    """Set STORE_READ_ONLY above the project's settings (the command line's priority)."""
    assert command.settings is not None
    command.settings.set("STORE_READ_ONLY", True, priority="cmdline")


class Shell(ScrapyShell):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)


class Fetch(ScrapyFetch):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)


class Parse(ScrapyParse):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)


class Check(ScrapyCheck):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)


class Bench(ScrapyBench):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        read_only(self)
