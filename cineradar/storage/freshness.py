"""Freshness state in one place: the key an item is remembered under, and how marks are recorded.

The freshness pipeline (pipelines/freshness.py) skips items whose key the primary backend saw
within their source's threshold (``seen_since``); the storage writer (storage/writer.py) and the
spool's replay (storage/spool.py) record keys as seen (``record_seen``) only once their rows are
durable. No Scrapy imports.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Protocol

from cineradar.storage.base import Storage

Seen = tuple[str, str, dt.datetime]  # (source, freshness key, when seen)


class Keyed(Protocol):
    """An item as freshness sees it (``CineItem`` fits)."""

    @property
    def entity(self) -> str: ...

    def natural_key(self) -> str: ...


def seen_key(item: Keyed) -> str:
    """The key under which an item is remembered as seen (per source)."""
    return f"{item.entity}:{item.natural_key()}"


def record_seen(backend: Storage, seen: list[Seen]) -> None:
    """Record written rows as seen, per (source, time) as ``mark_seen`` takes them (blocking)."""
    groups: dict[tuple[str, dt.datetime], list[str]] = defaultdict(list)
    for source, key, when in seen:
        groups[(source, when)].append(key)
    for (source, when), keys in groups.items():
        backend.mark_seen(source, keys, when)
