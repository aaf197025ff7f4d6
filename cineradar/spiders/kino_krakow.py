"""``kino_krakow``: the repertuary spider for Kraków (www.kino.krakow.pl), the original's name."""

from __future__ import annotations

from typing import ClassVar

from cineradar.args import KinoKrakowArgs, RepertuaryArgs
from cineradar.spiders.repertuary import RepertuarySpider


class KinoKrakowSpider(RepertuarySpider):
    name = "kino_krakow"
    args_model: ClassVar[type[RepertuaryArgs]] = KinoKrakowArgs
