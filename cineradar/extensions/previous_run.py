"""The previous successful run of the same spider and arguments, read at spider open for the
drop monitors (cineradar/monitors.py). A module of its own, without Spidermon: it is an
extension of every crawl, and Spidermon (about 0.3 s of imports) is imported only when the
monitors run, at spider close (cineradar/extensions/monitoring.py)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals

from cineradar.extensions.storage_hub import StorageHub
from cineradar.items import CrawlRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger("cineradar.monitors")  # its lines, as before the move

PREVIOUS_RUNS_READ = 50  # the newest successful runs of the spider read at open (one bounded query)


class PreviousRun:
    """At spider open, reads the previous successful run of the same spider and arguments
    (on a storage worker thread, one bounded query: the newest PREVIOUS_RUNS_READ successful
    runs of the spider) for the drop monitors, which read it from here (``previous``)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.previous: dict[str, Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PreviousRun:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        return ext

    async def spider_opened(self, spider: Spider) -> None:
        args: Any = getattr(spider, "args", None)
        wanted = args.model_dump(mode="json", exclude_none=True) if args is not None else {}
        wanted = {k: v for k, v in wanted.items() if not k.startswith("_") and k not in ("date", "now")}
        hub = self.crawler.get_extension(StorageHub)
        settings = self.crawler.settings
        if hub is None or not settings.getbool("CRAWL_RUN_RECORDS") or settings.getbool("STORE_READ_ONLY"):
            return
        where = {"spider": spider.name, "status": "success"}
        try:
            rows = await hub.call(hub.primary, lambda b: b.fetch(CrawlRun.entity, where,
                                                                 newest=("finished_at", PREVIOUS_RUNS_READ)))
        except Exception as exc:  # noqa: BLE001 - no history: the drop checks are skipped
            logger.info("previous runs not read (%s): drop monitors skipped", exc)
            rows = []
        for row in rows:  # newest first
            run = {k: json.loads(v) if k in ("args", "stats") and isinstance(v, str) else v for k, v in row.items()}
            given = {k: v for k, v in (run.get("args") or {}).items()
                     if not k.startswith("_") and k not in ("date", "now")}
            if given == wanted:
                self.previous = run
                return
