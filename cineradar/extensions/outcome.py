"""How a crawl ended (success, partial or failed), said once: a log line, a run record, the exit code.

Any component that knows the crawl is not complete says so through this module:

- ``fail(crawler, message)``: a permanent error (storage refuses writes, a start input
  that cannot be read...). Logged once at ERROR, the spider is closed at once with the
  reason ``failed``.
- ``partial(crawler, what, count)``: part of the data is missing or not yet stored
  (a day not covered, rows left in the spool...). The crawl goes on.
- ``shortfall(crawler, sentence)``: a finding already said in numbers ("151 of 996
  schedule pages never answered"), e.g. a failed monitor; the crawl is partial.

The status is decided at ``spider_closed``, once the other close-time work that may still
find something missing (``before_outcome`` receivers: the day aggregates) has ended, and
before Scrapy dumps its stats, so Scrapy's own ``finish_reason`` stat carries it
(``finished``, ``partial`` or ``failed``; Scrapy's close reason stays in
``cineradar/outcome/close_reason``) and Scrapyd's log parsers (LogParser, ScrapydWeb) read
it. Then the final ``crawl_runs`` row is written to every backend through the storage hub
(spooled for a backend that is down; the hub closes after it), the alerts are sent
(cineradar/alerts.py) and, as the log's last line, ``crawl finished: success``,
``crawl PARTIAL: ...`` or ``crawl FAILED: ...``. The ``crawl`` command reads each crawler's
status from its stats (``status(crawler)``) and exits 1 for failed, 3 for partial.

A crawl stopped early (Ctrl-C, a CLOSESPIDER_* limit) is partial; any other close reason but
``finished`` is failed. A forced shutdown (a second Ctrl-C or SIGTERM) never closes the
spider: the ``crawl`` command then calls ``CrawlOutcome.forced`` after the reactor stopped
(FAILED, the run record, the alerts, the line). A ``running`` row is written when the spider
opens, so a crawl killed with -9 leaves a run that never finished.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import uuid
from typing import TYPE_CHECKING, Any

from scrapy import signals

from cineradar.extensions.storage_hub import StorageHub
from cineradar.items import CrawlRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

FAILED_KEY = "cineradar/outcome/failed"
PARTIAL_PREFIX = "cineradar/outcome/partial/"
SHORTFALL_PREFIX = "cineradar/outcome/shortfall/"
STATUS_KEY = "cineradar/outcome/status"
WHY_KEY = "cineradar/outcome/why"
CLOSE_REASON_KEY = "cineradar/outcome/close_reason"

# Sent (no arguments) at spider_closed before the status is decided; async receivers are awaited.
before_outcome = object()
# Sent (with status and why) once the crawl's status is decided: StatsDump writes the stats then.
outcome_decided = object()

EXIT_CODES = {"success": 0, "failed": 1, "partial": 3}
# Scrapy's finish_reason stat once decided: what Scrapyd, LogParser and ScrapydWeb show.
FINISH_REASONS = {"success": "finished", "partial": "partial", "failed": "failed"}
FORCED_REASON = "forced shutdown"


def fail(crawler: Crawler, message: str, *, close: bool = True) -> None:
    """Record a permanent error: one ERROR line, then close the spider (reason ``failed``)."""
    assert crawler.stats is not None
    if crawler.stats.get_value(FAILED_KEY) is None:  # the first cause is the one worth reading
        crawler.stats.set_value(FAILED_KEY, message)
        logger.error("%s", message)
    if close:
        engine = getattr(crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            task = asyncio.ensure_future(_close(engine))
            ext = crawler.get_extension(CrawlOutcome)
            if ext is not None:  # keeps the task referenced until done (the loop holds it weakly)
                ext.tasks.add(task)
                task.add_done_callback(ext.tasks.discard)


async def _close(engine: Any) -> None:
    try:
        await engine.close_spider_async(reason="failed")
    except RuntimeError:  # already closed, or never opened
        pass


def partial(crawler: Crawler, what: str, count: int = 1) -> None:
    """Record that ``count`` units of ``what`` are missing or not yet stored."""
    assert crawler.stats is not None
    crawler.stats.inc_value(PARTIAL_PREFIX + what, count)


def shortfall(crawler: Crawler, sentence: str) -> None:
    """Record missing data already said in numbers (the sentence is the PARTIAL line's reason)."""
    assert crawler.stats is not None
    crawler.stats.set_value(SHORTFALL_PREFIX + sentence, 1)


def status_of(stats: dict[str, Any], reason: str) -> tuple[str, str]:
    """(status, why) from a finished crawl's stats and close reason."""
    if stats.get(FAILED_KEY) is not None:
        return "failed", str(stats[FAILED_KEY])
    limited = reason.startswith("closespider_")  # a CLOSESPIDER_* limit the user set: stopped on purpose
    if reason == FORCED_REASON:
        return "failed", f"stopped by a {FORCED_REASON} (a second Ctrl-C or SIGTERM): data not yet stored was lost"
    if reason not in ("finished", "shutdown") and not limited:
        return "failed", f"closed with reason {reason!r}"
    why = [k[len(SHORTFALL_PREFIX):] for k, v in stats.items() if k.startswith(SHORTFALL_PREFIX) and v]
    missing = {k[len(PARTIAL_PREFIX):]: v for k, v in stats.items() if k.startswith(PARTIAL_PREFIX) and v}
    why += [f"{what}: {count}" for what, count in sorted(missing.items())]
    if reason == "shutdown" or limited:
        why.insert(0, f"stopped before the end ({reason})")
    if why:
        return "partial", "; ".join(why)
    return "success", "complete"


def status(crawler: Crawler) -> str | None:
    """The crawl's decided status (None: never decided, e.g. it never opened)."""
    try:
        stats = crawler.stats
    except RuntimeError:  # the crawl never got as far as building its stats collector
        return None
    value = stats.get_value(STATUS_KEY) if stats is not None else None
    return str(value) if value is not None else None


def run_id() -> str:
    """Scrapyd's job id when run by Scrapyd, else a fresh one."""
    return os.environ.get("SCRAPY_JOB") or f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class CrawlOutcome:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id = run_id()
        self.started_at = dt.datetime.now(dt.UTC)
        # Debugging commands (STORE_READ_ONLY) leave no run record: the monitors compare against real crawls.
        self.record_runs = (crawler.settings.getbool("CRAWL_RUN_RECORDS")
                            and not crawler.settings.getbool("STORE_READ_ONLY"))
        self.tasks: set[asyncio.Future[None]] = set()  # outcome.fail's close tasks, referenced until done
        self.spider: Spider | None = None
        self.why: str | None = None
        self._opening: asyncio.Future[dict[str, str]] | None = None
        self._announced = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlOutcome:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    @property
    def hub(self) -> StorageHub | None:
        return self.crawler.get_extension(StorageHub)

    def _run(self, spider: Spider, status: str, stats: dict[str, Any] | None = None,
             reason: str | None = None) -> CrawlRun:
        args = getattr(spider, "args", None)
        stats = stats or {}
        finished = None if status == "running" else dt.datetime.now(dt.UTC)
        return CrawlRun.model_validate(dict(
            run_id=self.run_id, spider=spider.name, status=status, started_at=self.started_at,
            finished_at=finished, reason=reason,
            duration_s=round((finished - self.started_at).total_seconds(), 3) if finished else None,
            items={k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("cineradar/valid/")},
            requests=stats.get("downloader/request_count", 0), errors=stats.get("log_count/ERROR", 0),
            args=args.model_dump(mode="json", exclude_none=True) if args is not None else {},
            stats=stats,
        ))

    def spider_opened(self, spider: Spider) -> None:
        self.spider = spider
        # Scrapyd 1.6 passes its job id as the spider argument _job (older ones as SCRAPY_JOB):
        # the run record then carries the id listjobs.json shows.
        job = (getattr(getattr(spider, "args", None), "model_extra", None) or {}).get("_job")
        if job:
            self.run_id = str(job)
        hub = self.hub
        if hub is None:  # storage is off for this crawl: nothing stored, its run record neither
            self.record_runs = False
        # Not awaited: a slow or unreachable store must not hold up the crawl's start. A backend
        # that is down misses only this row: the final one is spooled for it.
        if self.record_runs and hub is not None:
            row = self._run(spider, "running").row()
            self._opening = asyncio.ensure_future(hub.write_everywhere(CrawlRun.entity, [row], spool=False))

    def _decide(self, reason: str) -> tuple[str, str]:
        stats = self.crawler.stats
        assert stats is not None
        status, why = status_of(stats.get_stats(), reason)
        self.why = why
        stats.set_value(STATUS_KEY, status)
        stats.set_value(WHY_KEY, why)
        stats.set_value(CLOSE_REASON_KEY, reason)
        stats.set_value("finish_reason", FINISH_REASONS[status])  # what Scrapyd's log parsers read
        return status, why

    def _final_row(self, status: str, reason: str) -> dict[str, Any]:
        assert self.crawler.stats is not None and self.spider is not None
        stats = self.crawler.stats.get_stats()
        summary = {k: v for k, v in stats.items()
                   if k.startswith(("cineradar/", "item_scraped_count", "item_dropped_count", "log_count/",
                                    "downloader/request_count", "downloader/response_status_count/"))}
        summary["finish_reason"] = stats.get("finish_reason")
        summary[CLOSE_REASON_KEY] = reason
        return self._run(self.spider, status, summary, self.why).row()

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        self.spider = spider
        if self._opening is not None:
            await self._opening  # the "running" row must not land after the final one
        # Close-time work that may still find something missing (the day aggregates) ends first.
        await self.crawler.signals.send_catch_log_async(signal=before_outcome)
        status, why = self._decide(reason)
        self.crawler.signals.send_catch_log(signal=outcome_decided, status=status, why=why)
        hub = self.hub
        if self.record_runs and hub is not None:
            await hub.write_everywhere(CrawlRun.entity, [self._final_row(status, reason)])
        if status != "success":
            from cineradar import alerts  # noqa: PLC0415 - alerts import the spidermon stack: only when needed
            await asyncio.get_running_loop().run_in_executor(None, alerts.send, self.crawler, spider)
        if hub is not None:
            await hub.close()  # after the final row: nothing opens a backend a second time
        # The line itself comes at engine_stopped, after Scrapy's own closing lines; a crawl closed
        # while still opening may never get there: the crawl command then announces it.

    def engine_stopped(self) -> None:
        self.announce()  # after Scrapy's own closing lines: the log's last line

    def announce(self) -> None:
        """Log the outcome line once (the crawl command calls it too, for a crawl that never stopped cleanly)."""
        assert self.crawler.stats is not None
        decided = status(self.crawler)
        if decided is None or self._announced:
            return
        self._announced = True
        if decided == "success":
            logger.info("crawl finished: success")
        else:
            logger.error("crawl %s: %s", decided.upper(), self.why)

    def forced(self) -> None:
        """Blocking, after the reactor stopped without closing the spider (a forced shutdown):
        FAILED, the final run record (spooled where it cannot be written), the alerts, the line."""
        if self.spider is None or status(self.crawler) is not None:
            return  # never opened, or decided already
        status_, why = self._decide(FORCED_REASON)
        self.crawler.signals.send_catch_log(signal=outcome_decided, status=status_, why=why)
        if self.crawler.settings.getbool("STATS_DUMP"):
            # Scrapy dumps its stats only when the spider closes, which a forced shutdown skips: the
            # job log's readers (LogParser, ScrapydWeb) find them, and the finish reason, here.
            logger.info("Dumping Scrapy stats:\n%s", self.crawler.stats)
        hub = self.hub
        if self.record_runs and hub is not None:
            hub.write_everywhere_blocking(CrawlRun.entity, [self._final_row(status_, FORCED_REASON)])
        from cineradar import alerts  # noqa: PLC0415
        alerts.send(self.crawler, self.spider)
        if hub is not None:
            hub.close_blocking()
        self.announce()
