"""The arguments of the TIX.id spiders (``tix_movies``, ``tix_login``, ``tix_seats``)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator

from cineradar.args.base import SpiderArgs
from cineradar.args.validators import aware, batch, batch_slice, comma_items, readable_file, tix_city_names
from cineradar.cities import tix_cities

TIX_CITY_COUNT = 83  # batch=N/M takes a slice of the 83 cities


class TixArgs(SpiderArgs):
    timezone: ClassVar[str] = "Asia/Jakarta"
    # TIX.id's window is not documented (docs/sources/tix.md): schedules are asked per WIB day and
    # the original only asked for today; presale movies list later days, so a week is allowed.
    date_window: ClassVar[tuple[int, int] | None] = (0, 6)
    window_note: ClassVar[str] = "TIX.id days from today to 6 days ahead"

    cities: str | None = Field(None, description="comma-separated TIX.id city names, e.g. JAKARTA,BANDUNG")
    batch: str | None = Field(None, description="N/M: the N-th of M batches of the 83 cities (0-based)")

    @field_validator("cities")
    @classmethod
    def _cities(cls, value: str | None) -> str | None:
        return tix_city_names(value)

    @field_validator("batch")
    @classmethod
    def _batch(cls, value: str | None) -> str | None:
        return batch(value, TIX_CITY_COUNT)

    def selected_cities(self) -> list[tuple[str, str]]:
        cities = list(tix_cities())
        if self.cities:
            wanted = comma_items(self.cities)
            cities = [c for c in cities if c[1] in wanted]
        return batch_slice(cities, self.batch)


class TixSeatsArgs(TixArgs):
    """``tix_seats``: which showtimes get a seat snapshot.

    ``mode=morning``: every showtime of the day; ``jit``: those starting within the next
    ``window`` minutes (default 20); ``final``: those starting within ``window`` minutes
    (default 5), each requested ``lead`` minutes (default 5) before its start. Showtimes
    come from the store (tix_showtimes of the day) or from ``showtimes=file.jsonl``.
    ``cities`` filters them; ``batch=N/M`` takes the N-th of M contiguous slices of the
    list (the original's seat batching).
    """

    mode: Literal["morning", "jit", "final"] = Field("morning", description="morning, jit or final")
    showtimes: str | None = Field(None, description="a JSONL file of showtime rows instead of the store")
    window: float | None = Field(None, gt=0, le=24 * 60, description="minutes ahead (jit 20, final 5)")
    lead: float = Field(5.0, ge=0, le=120, description="final: minutes before the start to snapshot")
    now: dt.datetime | None = Field(None, description="the reference instant, ISO with offset (default: now)")

    @field_validator("showtimes")
    @classmethod
    def _showtimes_file(cls, value: str | None) -> str | None:
        # Whether it exists is known now; whether its lines are usable is known when read (start).
        return readable_file(value)

    @field_validator("now")
    @classmethod
    def _aware(cls, value: dt.datetime | None) -> dt.datetime | None:
        return aware(value)

    @property
    def window_minutes(self) -> float:
        return self.window or {"morning": 0.0, "jit": 20.0, "final": 5.0}[self.mode]

    def reference_time(self) -> dt.datetime:
        return self.now or dt.datetime.now(ZoneInfo(self.timezone))

    def slice(self, items: list[Any]) -> list[Any]:
        return batch_slice(items, self.batch)
