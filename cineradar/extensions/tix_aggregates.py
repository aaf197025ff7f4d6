"""At the end of a crawl that stored TIX.id movies or showtimes, recompute the day aggregates.

The schedules (``TixSchedule``) and day snapshots (``TixDaySnapshot``) of every date the
crawl stored movies or showtimes of are recomputed from the primary backend, so from
everything stored so far (other batch jobs of the day included), and written to every
backend alike (cineradar/aggregates.py). Runs at ``spider_closed``, after every pipeline
has flushed, on its own connections in a worker thread (never on the reactor). A backend
that refuses them is one ERROR line and ``cineradar/aggregates/unwritten`` in stats; the
next crawl of the date, or ``scrapy tix-aggregates --date D``, writes them again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cineradar import aggregates
from cineradar.backends import open_backends
from cineradar.extensions import outcome
from cineradar.items import TixMovie, TixShowtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def rebuild(settings: BaseSettings, dates: list[str], *, create: bool = True) -> tuple[dict[str, int], dict[str, str]]:
    """Blocking: open the configured backends, rebuild the dates' aggregates, close them.

    ``create=False`` (the command): a store that does not exist is an error, not created."""
    backends = open_backends(settings, create=create)
    try:
        return aggregates.rebuild(backends, dates)
    finally:
        for backend in backends:
            backend.close()


class TixAggregates:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dates: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TixAggregates:
        if not crawler.settings.getbool("TIX_AGGREGATES_ENABLED", True):
            raise NotConfigured("TIX_AGGREGATES_ENABLED is off")
        ext = cls(crawler)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, TixMovie | TixShowtime):
            self.dates.add(item.date.isoformat())

    async def spider_closed(self) -> None:
        if not self.dates:
            return
        dates = sorted(self.dates)
        stats = self.crawler.stats
        assert stats is not None
        try:
            counts, errors = await asyncio.get_running_loop().run_in_executor(
                None, rebuild, self.crawler.settings, dates)
        except Exception as exc:  # noqa: BLE001 - the primary could not be read: nothing was computed
            counts, errors = {}, {"primary": str(exc)}
        for entity, count in counts.items():
            stats.set_value(f"cineradar/aggregates/{entity}", count)
        for name, error in errors.items():
            logger.error("TIX.id aggregates of %s not written to %s (%s); `scrapy tix-aggregates --date %s` "
                         "writes them", ", ".join(dates), name, error, dates[-1])
            outcome.partial(self.crawler, f"aggregates_unwritten/{name}", len(dates))
        if not errors:
            logger.info("TIX.id aggregates of %s: %s", ", ".join(dates),
                        ", ".join(f"{n} {e}" for e, n in counts.items()))
