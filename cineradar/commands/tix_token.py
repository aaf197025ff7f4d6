"""The logic of ``scrapy tix-token`` (the command itself is in ``tix-token.py``).

    scrapy tix-token                       # log in with real Chromium, store the token
    scrapy tix-token --refresh             # new access token from the refresh token (login if it is refused)
    scrapy tix-token --check [--min-ttl M] # print the stored token's state; exit 1 below M minutes

The token store is the primary storage backend's state "tix_jwt" (Firestore:
auth_tokens/tix_jwt). Credentials come from TIX_PHONE_NUMBER / TIX_PASSWORD only.
Nothing printed or logged contains a token or the password.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from typing import TYPE_CHECKING, Any

from cineradar.auth.splash_login import chosen_login
from cineradar.endpoints import Endpoints
from cineradar.hub import SPECS, backend_options
from cineradar.storage import Storage, build_backend
from cineradar.tix_auth import (
    TOKEN_STATE,
    TixAuthClient,
    TixAuthError,
    credentials_from_env,
    describe,
    utcnow,
)

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def add_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="print the stored token's state, change nothing")
    parser.add_argument("--min-ttl", type=float, default=None, metavar="MIN",
                        help="with --check: exit 1 when fewer than MIN minutes remain (default: 0)")
    parser.add_argument("--refresh", action="store_true",
                        help="get a new access token with the refresh token; log in if it is refused")
    parser.add_argument("--visible", action="store_true", help="run the browser headed (needs a display)")


class _SyncStore:
    """The token document in a blocking backend, used from asyncio through a thread."""

    def __init__(self, backend: Storage) -> None:
        self.backend = backend

    async def load(self) -> dict[str, Any] | None:
        return await asyncio.to_thread(self.backend.get_state, TOKEN_STATE)

    async def save(self, doc: dict[str, Any]) -> None:
        await asyncio.to_thread(self.backend.put_state, TOKEN_STATE, doc)


def primary_backend(settings: BaseSettings) -> Storage:
    name = settings.getlist("STORAGE_BACKENDS", ["sqlite"])[0]
    backend = build_backend(name, backend_options(name, settings))
    backend.open(SPECS)
    return backend


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


async def _acquire(settings: BaseSettings, backend: Storage, *, refresh: bool, headless: bool) -> None:
    from cineradar.middlewares.jwt_auth import TokenManager

    endpoints = Endpoints.from_settings(settings)
    try:
        phone: str | None = credentials_from_env()[0]
    except TixAuthError:
        phone = None

    login = chosen_login(settings, endpoints.tix_app, credentials_from_env, headless=headless)  # TIX_RENDERER
    manager = TokenManager(client=TixAuthClient(endpoints.tix_api), store=_SyncStore(backend), login=login,
                           phone=phone, failure_cooldown=0)
    try:
        await manager.renew(use_refresh_token=refresh)
    finally:
        await manager.close()


def main(settings: BaseSettings, opts: argparse.Namespace) -> int:
    backend = primary_backend(settings)
    try:
        if opts.check:
            return 0 if print_state(backend.get_state(TOKEN_STATE), min_ttl=opts.min_ttl) else 1
        try:
            asyncio.run(_acquire(settings, backend, refresh=opts.refresh, headless=not opts.visible))
        except TixAuthError as exc:
            print(f"TIX.id authentication failed: {exc}")
            return 1
        return 0 if print_state(backend.get_state(TOKEN_STATE), min_ttl=opts.min_ttl) else 1
    finally:
        backend.close()
