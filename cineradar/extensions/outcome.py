"""How a crawl ended (success, partial or failed), said once: a log line, a run record, the exit code.

Any component that knows the crawl is not complete says so through this module:

- ``fail(crawler, message)``: a permanent error (storage refuses writes, a start input
  that cannot be read...). Logged once at ERROR, the spider is closed at once with the
  reason ``failed``.
- ``partial(crawler, what, count)``: part of the data is missing or not yet stored
  (a day not covered, rows left in the spool...). The crawl goes on.

When the engine stops (after every pipeline and spider_closed handler has finished) the
status is decided, logged as one line (``crawl FAILED: ...``, ``crawl PARTIAL: ...`` or ``crawl finished: success``),
stored as a ``crawl_runs`` row in every backend and kept for the ``crawl`` command, which
exits 1 for failed and 3 for partial. A crawl stopped early (Ctrl-C, a CLOSESPIDER_* limit)
is partial; any other close reason but ``finished`` is failed. A ``running`` row is written when the spider
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

from cineradar.backends import open_backends
from cineradar.extensions.storage_hub import StorageHub
from cineradar.items import CrawlRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)

FAILED_KEY = "cineradar/outcome/failed"
PARTIAL_PREFIX = "cineradar/outcome/partial/"
STATUS_KEY = "cineradar/outcome/status"

# Sent (with status and why) once the crawl's status is decided: StatsDump writes the stats then.
outcome_decided = object()

# Statuses of the crawls run by this process, in order (read by the ``crawl`` command).
STATUSES: list[str] = []
EXIT_CODES = {"success": 0, "failed": 1, "partial": 3}


def fail(crawler: Crawler, message: str, *, close: bool = True) -> None:
    """Record a permanent error: one ERROR line, then close the spider (reason ``failed``)."""
    assert crawler.stats is not None
    if crawler.stats.get_value(FAILED_KEY) is None:  # the first cause is the one worth reading
        crawler.stats.set_value(FAILED_KEY, message)
        logger.error("%s", message)
    if close:
        engine = getattr(crawler, "engine", None)
        if engine is not None and engine.spider is not None:
            _closing.add(asyncio.ensure_future(_close(engine)))


_closing: set[asyncio.Future[None]] = set()  # keeps the close tasks referenced until done


async def _close(engine: Any) -> None:
    try:
        await engine.close_spider_async(reason="failed")
    except RuntimeError:  # already closed, or never opened
        pass
    finally:
        _closing.difference_update({f for f in _closing if f.done()})


def partial(crawler: Crawler, what: str, count: int = 1) -> None:
    """Record that ``count`` units of ``what`` are missing or not yet stored."""
    assert crawler.stats is not None
    crawler.stats.inc_value(PARTIAL_PREFIX + what, count)


def status_of(stats: dict[str, Any], reason: str) -> tuple[str, str]:
    """(status, why) from a finished crawl's stats and close reason."""
    if stats.get(FAILED_KEY) is not None:
        return "failed", str(stats[FAILED_KEY])
    limited = reason.startswith("closespider_")  # a CLOSESPIDER_* limit the user set: stopped on purpose
    if reason not in ("finished", "shutdown") and not limited:
        return "failed", f"closed with reason {reason!r}"
    missing = {k[len(PARTIAL_PREFIX):]: v for k, v in stats.items() if k.startswith(PARTIAL_PREFIX) and v}
    why = [f"{what}: {count}" for what, count in sorted(missing.items())]
    if reason == "shutdown" or limited:
        why.insert(0, f"stopped before the end ({reason})")
    if why:
        return "partial", "; ".join(why)
    return "success", "complete"


def run_id() -> str:
    """Scrapyd's job id when run by Scrapyd, else a fresh one."""
    return os.environ.get("SCRAPY_JOB") or f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


class CrawlOutcome:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.run_id = run_id()
        self.started_at = dt.datetime.now(dt.UTC)
        self.record_runs = crawler.settings.getbool("CRAWL_RUN_RECORDS", True)
        self._opening: asyncio.Future[None] | None = None
        self._closed: tuple[Spider, str] | None = None
        self._decided = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlOutcome:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

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

    async def _store(self, hub: StorageHub, run: CrawlRun, names: list[str]) -> None:
        row = run.row()
        for name in names:
            try:
                await hub.call(name, lambda b: b.upsert(CrawlRun.entity, [row]))
            except Exception as exc:  # noqa: BLE001 - the run record must not hide the crawl's result
                logger.warning("run record %s not stored in %s (%s)", run.run_id, name, exc)

    def _store_final(self, run: CrawlRun) -> None:
        """Blocking (worker thread): the crawl's own backends are closed by now; open them again."""
        try:
            backends = open_backends(self.crawler.settings)
        except Exception as exc:  # noqa: BLE001 - the run record must not hide the crawl's result
            logger.warning("run record %s not stored (%s)", run.run_id, exc)
            return
        for backend in backends:
            try:
                backend.upsert(CrawlRun.entity, [run.row()])
            except Exception as exc:  # noqa: BLE001
                logger.warning("run record %s not stored in %s (%s)", run.run_id, backend.name, exc)
            finally:
                backend.close()

    def spider_opened(self, spider: Spider) -> None:
        # Scrapyd 1.6 passes its job id as the spider argument _job (older ones as SCRAPY_JOB):
        # the run record then carries the id listjobs.json shows.
        job = (getattr(getattr(spider, "args", None), "model_extra", None) or {}).get("_job")
        if job:
            self.run_id = str(job)
        # Not awaited: a slow or unreachable store must not hold up the crawl's start.
        hub = self.crawler.get_extension(StorageHub)
        if hub is None:  # storage is off for this crawl: nothing stored, its run record neither
            self.record_runs = False
        if self.record_runs and hub is not None:
            self._opening = asyncio.ensure_future(self._store(hub, self._run(spider, "running"), [hub.primary]))

    async def spider_closed(self, spider: Spider, reason: str) -> None:
        self._closed = (spider, reason)
        if self._opening is not None:
            await self._opening  # the "running" row must not land after the final one
        assert self.crawler.stats is not None
        if self.crawler.stats.get_value(FAILED_KEY) is not None:
            # A failed crawl is decided now: closed while it was still opening (storage refused at
            # start), the engine may never send engine_stopped, and nothing later can change it.
            await self.engine_stopped()

    async def engine_stopped(self) -> None:
        # Decided here, not at spider_closed: other spider_closed work (the day aggregates, the
        # backends' last writes) runs concurrently with it and may still find something missing.
        if self._closed is None or self._decided:
            return  # never opened (Scrapy reports that itself, exit 1), or already decided
        self._decided = True
        spider, reason = self._closed
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        status, why = status_of(stats, reason)
        self.crawler.stats.set_value(STATUS_KEY, status)
        STATUSES.append(status)
        if status == "success":
            logger.info("crawl finished: success")
        else:
            logger.error("crawl %s: %s", status.upper(), why)
        self.crawler.signals.send_catch_log(signal=outcome_decided, status=status, why=why)
        if self.record_runs:
            summary = {k: v for k, v in stats.items()
                       if k.startswith(("cineradar/", "item_scraped_count", "item_dropped_count", "log_count/",
                                        "downloader/request_count", "downloader/response_status_count/"))}
            summary["finish_reason"] = reason
            run = self._run(spider, status, summary, why)
            await asyncio.get_running_loop().run_in_executor(None, self._store_final, run)
