"""Python's cyclic garbage collector tuned for a crawl: start-up objects frozen, fewer young collections.

Measured on the seat crawl (11,502 layouts, bench/tix_seats.py, docs/performance.md): with
Python's defaults the collector took about a fifth of the crawl's CPU. Its youngest generation
is collected whenever 700 more container objects exist than at the last collection; decoding
one seat layout creates a few hundred at once (they are freed right after), so a young
collection ran every other layout, a middle one every ten of those and a full one every
hundred, and each full collection walked every object the process holds: Scrapy, Twisted,
pydantic, the project's modules, 100 ms each (27 of them, 2.6 s of CPU).

So, when the spider opens (start-up is over):

* ``GC_FREEZE``: what exists then (modules, classes, settings, components) moves to the
  collector's permanent generation (``gc.freeze()``, after one full collection so no garbage is
  frozen). Those objects live as long as the process anyway; a full collection then walks
  only what the crawl itself holds. Reference counting frees frozen objects as usual; only a
  reference cycle among them would stay until the process ends.
* ``GC_GEN0_THRESHOLD``: the youngest generation is collected after that many more objects
  (10,000 instead of 700), so one layout's short-lived objects no longer trigger it; the
  older generations keep Python's ratios (each after 10 collections of the one below).
  Cycles are still found, a little later; memory stays within a few MB of the default's
  (the seat crawl's peak RSS is unchanged, bench/tix_seats.py).

When the engine stops, the thresholds are put back and the frozen objects unfrozen, so a
second crawl in the same process (tests, scripts) starts from Python's state.
"""

from __future__ import annotations

import gc
import logging
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cineradar.defaults import defaulted

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class GcTuning:
    def __init__(self, freeze: bool, gen0_threshold: int) -> None:
        self.freeze = freeze
        self.gen0_threshold = gen0_threshold
        self._saved: tuple[int, ...] | None = None
        self._frozen = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        settings = defaulted(crawler.settings)
        freeze, gen0 = settings.getbool("GC_FREEZE"), settings.getint("GC_GEN0_THRESHOLD")
        if not freeze and gen0 <= 0:
            raise NotConfigured("GC_FREEZE is off and GC_GEN0_THRESHOLD is 0: Python's collector as it is")
        ext = cls(freeze, gen0)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_opened(self) -> None:
        if self.gen0_threshold > 0 and self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(self.gen0_threshold, *self._saved[1:])
        if self.freeze and not self._frozen and gc.isenabled():
            gc.collect()
            gc.freeze()
            self._frozen = True
            logger.debug("gc: %d start-up objects frozen", gc.get_freeze_count())

    def engine_stopped(self) -> None:
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
        if self._frozen:
            gc.unfreeze()
            self._frozen = False
