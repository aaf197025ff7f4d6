"""At the end of a crawl that stored TIX.id movies or showtimes, recompute the day aggregates.

The schedules (``TixSchedule``) and day snapshots (``TixDaySnapshot``) of every date the
crawl stored movies or showtimes of are recomputed from the primary backend, so from
everything stored so far (other batch jobs of the day included), and written to every
backend alike (cineradar/aggregates.py). Runs at spider close (the outcome's
``before_outcome``), after every pipeline has flushed, through the storage hub's worker
threads (never on the reactor). Each backend on its own: one that refuses them gets them
in its spool (one ERROR line naming it; ``scrapy storage-replay`` writes them) and the crawl
is PARTIAL; the others are written all the same. ``scrapy tix-aggregates --date D`` rebuilds them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from cineradar import aggregates
from cineradar.backends import configured, open_backend
from cineradar.extensions import outcome
from cineradar.extensions.storage_hub import StorageHub
from cineradar.items import TixMovie, TixShowtime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


def rebuild(settings: BaseSettings, dates: list[str], *, create: bool = True) -> tuple[dict[str, int], dict[str, str]]:
    """Blocking (``scrapy tix-aggregates``): open each configured backend on its own, rebuild the
    dates' aggregates from the primary, write them to every backend that opened, close them.

    A backend that cannot be opened costs only itself (it is in the errors); the primary must open.
    ``create=False`` (the command): a store that does not exist is an error, not created."""
    names = configured(settings)
    backends, errors = [], {}
    try:
        for name in names:
            try:
                backends.append(open_backend(name, settings, create=create))
            except Exception as exc:  # noqa: BLE001 - reported per backend; the others still get theirs
                if name == names[0]:
                    raise
                errors[name] = str(exc)
        counts, refused = aggregates.rebuild(backends, dates)
        return counts, errors | refused
    finally:
        for backend in backends:
            backend.close()


class TixAggregates:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dates: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TixAggregates:
        if not crawler.settings.getbool("TIX_AGGREGATES_ENABLED"):
            raise NotConfigured("TIX_AGGREGATES_ENABLED is off")
        ext = cls(crawler)
        # Only a crawl that can yield movies or showtimes listens to every item (tix_seats, 11,502
        # items a morning, yields neither: an item_scraped receiver per item for nothing).
        entities = tuple(getattr(getattr(crawler, "spider", None), "entities", ()) or ())
        if not entities or any(issubclass(entity, TixMovie | TixShowtime) for entity in entities):
            crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        # Before the outcome is decided (a backend that misses them makes the crawl PARTIAL) and
        # before the storage hub closes: written through the crawl's own connections.
        crawler.signals.connect(ext.write, signal=outcome.before_outcome)
        return ext

    def item_scraped(self, item: Any) -> None:
        if isinstance(item, TixMovie | TixShowtime):
            self.dates.add(item.date.isoformat())

    async def write(self) -> None:
        hub = self.crawler.get_extension(StorageHub)
        if not self.dates or hub is None:
            return
        dates = sorted(self.dates)
        stats = self.crawler.stats
        assert stats is not None
        try:
            rows = await hub.call(hub.primary, aggregates.compute, dates)
        except Exception as exc:  # noqa: BLE001 - the primary could not be read: nothing was computed
            logger.error("TIX.id aggregates of %s not computed: the primary backend %s could not be read (%s); "
                         "`scrapy tix-aggregates --date %s` writes them", ", ".join(dates), hub.primary, exc,
                         dates[-1])
            outcome.partial(self.crawler, f"dates without aggregates (primary {hub.primary} unreadable)", len(dates))
            return
        missed: dict[str, set[str]] = {}  # backend -> "spooled" / "lost"
        for entity, batch in rows.items():
            stats.set_value(f"cineradar/aggregates/{entity}", len(batch))
            for start in range(0, len(batch), 100):  # schedule documents are large
                written = await hub.write_everywhere(entity, batch[start:start + 100])
                for name, how in written.items():
                    if how != "written":
                        missed.setdefault(name, set()).add(how)
        for name, hows in sorted(missed.items()):
            if "lost" in hows:
                outcome.partial(self.crawler, f"dates whose aggregates {name} did not get (run `scrapy "
                                              f"tix-aggregates --date {dates[-1]}`)", len(dates))
            else:
                outcome.partial(self.crawler, f"dates whose aggregates wait in {hub.spools[name].path} "
                                              "(run `scrapy storage-replay`)", len(dates))  # spooled: it has one
        if not missed:
            logger.info("TIX.id aggregates of %s: %s", ", ".join(dates),
                        ", ".join(f"{len(b)} {e}" for e, b in rows.items()))
