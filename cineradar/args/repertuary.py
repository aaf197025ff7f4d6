"""The arguments of ``repertuary`` and ``kino_krakow``."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from cineradar.args.base import SpiderArgs
from cineradar.args.validators import comma_items, repertuary_cities
from cineradar.cities import REPERTUARY_CITIES


class RepertuaryArgs(SpiderArgs):
    timezone: ClassVar[str] = "Europe/Warsaw"
    # The site offers today and the next 6 days (set_day/0..6); the spider selects them by that
    # offset, so the first day must be the site's today and `days` reaches the rest.
    date_window: ClassVar[tuple[int, int] | None] = (0, 0)
    window_note: ClassVar[str] = "day 0 is the site's today, -a days=1..7 reaches the week"

    city: str = Field("krakow", description="a city key or 'all'")
    days: int = Field(7, ge=1, le=7, description="how many days from the date (the site offers 7)")

    @field_validator("city")
    @classmethod
    def _city(cls, value: str) -> str:
        return repertuary_cities(value)

    @property
    def cities(self) -> list[str]:
        if self.city == "all":
            return list(REPERTUARY_CITIES)
        return comma_items(self.city)


class KinoKrakowArgs(RepertuaryArgs):
    city: str = Field("krakow", description="krakow only")

    @field_validator("city")
    @classmethod
    def _krakow_only(cls, value: str) -> str:
        # A bad argument like any other: refused before the crawl starts (exit 2).
        if value != "krakow":
            raise ValueError(f"kino_krakow crawls Kraków only, not {value!r}; allowed: krakow "
                             "(use `scrapy crawl repertuary -a city=...` for the others)")
        return value
