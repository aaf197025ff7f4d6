"""``scrapy tix-token``: log in to TIX.id, refresh or check the stored token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands import ScrapyCommand, ScrapyHelpFormatter

from cineradar.auth.manager import BlockingStateStore, build_manager
from cineradar.auth.tokens import TOKEN_STATE, TixAuthError, describe, utcnow
from cineradar.backends import SPECS, backend_options
from cineradar.defaults import defaulted
from cineradar.endpoints import Endpoints
from cineradar.storage import MissingStoreError, Storage, build_backend

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

LONG_DESC = """\
Log in to TIX.id in a real Chromium and store the token, refresh it, or check it.

  scrapy tix-token                        log in and store the token
  scrapy tix-token --refresh              new access token from the refresh token
                                          (logs in if the refresh token is refused)
  scrapy tix-token --check [--min-ttl M]  print the stored token's state; exit 1 when
                                          none is stored or fewer than M minutes remain
  scrapy tix-token --refresh --min-ttl M  refresh (or log in) only when fewer than M
                                          minutes remain (the timeline's 05:50 check)

The token is kept in the first storage backend (STORAGE_BACKENDS) as the state
"tix_jwt". The phone number and password come from the environment only:
TIX_PHONE_NUMBER and TIX_PASSWORD. Nothing printed contains a token or the password.

Settings: TIX_CHROMIUM_PATH (default $CHROMIUM_PATH or /usr/bin/chromium),
TIX_LOGIN_HEADLESS (--visible overrides it), TIX_LOGIN_TIMEOUT (seconds per login
step), TIX_AUTH_TIMEOUT and TIX_AUTH_ATTEMPTS (the refresh call), ENDPOINTS.

Exit status: 0 when a valid token is stored, 1 otherwise."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter, ScrapyHelpFormatter):
    """Scrapy's help layout, keeping the line breaks of the description above."""


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False  # no reactor: the login runs in its own asyncio loop
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--check] [--min-ttl MIN] [--refresh] [--visible]"

    def short_desc(self) -> str:
        return "Log in to TIX.id (real Chromium) and store the token, refresh it, or check it"

    def long_desc(self) -> str:
        return LONG_DESC

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.formatter_class = HelpFormatter
        parser.add_argument("--check", action="store_true", help="print the stored token's state, change nothing")
        parser.add_argument("--min-ttl", type=float, default=None, metavar="MIN",
                            help="with --check: exit 1 when fewer than MIN minutes remain (default: 0); "
                                 "otherwise: renew only when fewer than MIN minutes remain")
        parser.add_argument("--refresh", action="store_true",
                            help="get a new access token with the refresh token; log in if it is refused")
        parser.add_argument("--visible", action="store_true", help="run the browser headed (needs a display)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.exitcode = main(self.settings, opts)


def primary_backend(settings: BaseSettings, *, create: bool = True) -> Storage:
    name = defaulted(settings).getlist("STORAGE_BACKENDS")[0]
    backend = build_backend(name, backend_options(name, settings, create=create))
    backend.open(SPECS)
    return backend


def describe_ok(doc: dict[str, Any] | None, min_ttl: float) -> bool:
    ttl = describe(doc, utcnow()).get("ttl_minutes")  # absent when no token is stored (a fresh install)
    return ttl is not None and ttl > min_ttl


def print_state(doc: dict[str, Any] | None, *, min_ttl: float | None = None) -> bool:
    """Print the token's state; True if it is present and above ``min_ttl`` minutes."""
    info = describe(doc, utcnow())
    if not info["present"]:
        print("TIX.id token: none stored (run `scrapy tix-token` or `scrapy crawl tix_login`)")
        return False
    ttl = info["ttl_minutes"]
    print(f"TIX.id token for {info['phone'] or '?'} ({info['source'] or 'unknown source'})")
    print(f"  stored at      {info['stored_at']}  ({info['age_minutes']} min ago)")
    print(f"  expires at     {info['expires_at']}  (TTL {ttl} min)")
    print(f"  refresh token  {'yes' if info['has_refresh_token'] else 'no'}"
          + (f", valid until {info['refresh_expires_at']}" if info["refresh_expires_at"] else ""))
    limit = 0.0 if min_ttl is None else min_ttl
    ok = ttl is not None and ttl > limit
    print(f"  status         {'OK' if ok else 'EXPIRED' if ttl is not None and ttl <= 0 else 'BELOW MIN TTL'}"
          + (f" (minimum {limit:g} min)" if min_ttl is not None else ""))
    return ok


async def _acquire(settings: BaseSettings, backend: Storage, *, refresh: bool, visible: bool) -> None:
    endpoints = Endpoints.from_settings(settings)
    manager = build_manager(settings, BlockingStateStore(backend), api_url=endpoints.tix_api,
                            app_url=endpoints.tix_app, failure_cooldown=0, headless=False if visible else None)
    try:
        await manager.renew(use_refresh_token=refresh)
    finally:
        await manager.close()


def main(settings: BaseSettings, opts: argparse.Namespace) -> int:
    try:
        backend = primary_backend(settings, create=not opts.check)  # --check only reads
    except MissingStoreError as exc:
        print(f"tix-token: {exc}", file=sys.stderr)
        return 1
    try:
        if opts.check:
            return 0 if print_state(backend.get_state(TOKEN_STATE), min_ttl=opts.min_ttl) else 1
        if opts.min_ttl is not None:  # the timeline's 05:50 check: renew only when fewer than MIN minutes remain
            doc = backend.get_state(TOKEN_STATE)
            if describe_ok(doc, opts.min_ttl):
                print_state(doc, min_ttl=opts.min_ttl)
                return 0
        try:
            asyncio.run(_acquire(settings, backend, refresh=opts.refresh, visible=opts.visible))
        except TixAuthError as exc:
            print(f"TIX.id authentication failed: {exc}")
            return 1
        return 0 if print_state(backend.get_state(TOKEN_STATE), min_ttl=opts.min_ttl) else 1
    finally:
        backend.close()
