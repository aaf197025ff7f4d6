"""The crawl run record (cineradar/extensions/outcome.py): one row per crawl, of every spider."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import field_serializer

from cineradar.items.base import (
    CineItem,
    D,
    NonEmpty,
    NonNegative,
    NonNegativeFloat,
    UtcDatetime,
    _iso,
)


class CrawlRun(CineItem):
    """One crawl: written when it starts (``running``) and again when it ends."""

    entity: ClassVar[str] = "crawl_runs"
    key: ClassVar[tuple[str, ...]] = ("run_id",)
    source: ClassVar[str] = "run"

    run_id: NonEmpty = D("The run's id (unique per crawl).")
    spider: NonEmpty = D("The spider's name (`tix_movies`, `tix_seats`, `repertuary`, ...).")
    status: Literal["running", "success", "partial", "failed"] = D(
        "`running` until it ends; then `success`, `partial` (some data missing or unstored, exit 3) "
        "or `failed` (exit 1).")
    started_at: UtcDatetime = D("When the crawl started, ISO 8601 in UTC (`+00:00`).")
    finished_at: UtcDatetime | None = D("When it ended, ISO 8601 in UTC; null while running.", None)
    args: dict[str, Any] = D("The spider arguments (`-a name=value`), secrets left out.", {})
    reason: str | None = D("Why the run ended as it did: `complete`, or what is missing or what failed; "
                           "null while running.", None)
    duration_s: NonNegativeFloat | None = D("Seconds from start to end; null while running.", None)
    items: dict[str, int] = D("Items that passed validation, per entity (`tix_showtimes`: 12137, ...).", {})
    requests: NonNegative = D("HTTP requests sent (retries included).", 0)
    errors: NonNegative = D("ERROR lines logged.", 0)
    stats: dict[str, Any] = D("Scrapy's stats of the run at its end: counts, and times as ISO 8601 in UTC.", {})

    @field_serializer("stats", when_used="json")
    def _iso_times(self, stats: dict[str, Any]) -> dict[str, Any]:
        # Scrapy's start_time/finish_time are datetimes: the same ISO form as every other datetime
        return {k: _iso(v) if isinstance(v, dt.datetime) else v for k, v in stats.items()}
