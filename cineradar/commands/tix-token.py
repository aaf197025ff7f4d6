# ruff: noqa: N999 - the file name is the command name: `scrapy tix-token`
"""``scrapy tix-token``: log in to TIX.id, refresh or check the stored token (cineradar/commands/tix_token.py)."""

from __future__ import annotations

import argparse

from scrapy.commands import ScrapyCommand

from cineradar.commands import tix_token


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no reactor: the login runs in its own asyncio loop
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--check [--min-ttl MIN]] [--refresh] [--visible]"

    def short_desc(self) -> str:
        return "Log in to TIX.id (real Chromium) and store the token, refresh it, or check it"

    def long_desc(self) -> str:
        return (tix_token.__doc__ or "").strip()

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        tix_token.add_options(parser)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.exitcode = tix_token.main(self.settings, opts)
