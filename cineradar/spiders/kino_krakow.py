"""``kino_krakow``: the repertuary spider for Kraków (www.kino.krakow.pl), the original's name."""

from __future__ import annotations

from typing import Any

from cineradar.spiders.repertuary import RepertuarySpider


class KinoKrakowSpider(RepertuarySpider):
    name = "kino_krakow"

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        if kwargs.setdefault("city", "krakow") != "krakow":
            from cineradar.args import SpiderArgumentError

            raise SpiderArgumentError("kino_krakow crawls Kraków only; use `scrapy crawl repertuary -a city=...`")
        super().__init__(name, **kwargs)
