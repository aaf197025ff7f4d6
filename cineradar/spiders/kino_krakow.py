"""``kino_krakow``: the repertuary spider for Kraków (www.kino.krakow.pl), the original's name."""

from __future__ import annotations

from typing import Any

from cineradar.spiders.repertuary import RepertuarySpider


class KinoKrakowSpider(RepertuarySpider):
    name = "kino_krakow"

    def __init__(self, name: str | None = None, **kwargs: Any) -> None:
        city = kwargs.setdefault("city", "krakow")
        super().__init__(name, **kwargs)
        if city != "krakow":  # one line and exit 1 from start(), like any bad argument
            self.start_error = self.start_error or (
                f"kino_krakow crawls Kraków only, not {city!r}; use `scrapy crawl repertuary -a city=...`")
