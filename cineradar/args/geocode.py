"""The arguments of ``geocode``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from cineradar.args.base import SpiderArgs
from cineradar.args.validators import comma_items, comma_list, tix_city
from cineradar.cities import repertuary_city


class GeocodeArgs(SpiderArgs):
    source: Literal["tix", "repertuary", "all"] = Field("all", description="tix, repertuary or all")
    cities: str | None = Field(None, description="comma-separated TIX.id city names (JAKARTA) or repertuary "
                                                 "city keys (krakow); default every city")
    requery_days: int | None = Field(None, ge=1, le=3650, description="send again a query whose kept answer is "
                                                                      "'not found' and older than this many days")

    @field_validator("cities")
    @classmethod
    def _cities(cls, value: str | None) -> str | None:
        if value is None:
            return None
        # Each city as the other spiders name it: a TIX.id NAME or a repertuary key, typed in any case,
        # with or without diacritics.
        return comma_list(value, lambda c: tix_city(c) or repertuary_city(c),
                          lambda bad: f"unknown cities {bad or value!r}; allowed: TIX.id city names or repertuary keys")

    def wants_city(self, site: str, city: str) -> bool:
        if not self.cities:
            return True
        names = {c.upper() if site == "tix" else c.lower() for c in comma_items(self.cities)}
        return (city.upper() if site == "tix" else city.lower()) in names
