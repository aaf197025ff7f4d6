"""``kino_krakow``: the repertuary spider for Kraków (www.kino.krakow.pl), the original's name."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from cineradar.args import RepertuaryArgs
from cineradar.spiders.repertuary import RepertuarySpider


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


class KinoKrakowSpider(RepertuarySpider):
    name = "kino_krakow"
    args_model: ClassVar[type[RepertuaryArgs]] = KinoKrakowArgs
