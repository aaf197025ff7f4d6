"""Spidermon monitors run at spider close: a crawl below its thresholds is not a success.

One suite per spider (``SUITES``: the shared monitors plus the spider's own; no monitor asks
which spider it is watching). Each monitor reads the crawl's stats (and, for the drop checks,
the previous successful run of the same spider and arguments, read by ``PreviousRun`` when
the spider opened, with one bounded query). A failed monitor marks the crawl through
``outcome`` (``severity`` "partial": data missing, exit 3; "failed": nothing usable, exit 1)
with its own message, in numbers, as the reason, so the run record, the last log line and
the exit code say it; ``MarkOutcome`` also logs one summary line of every monitor that
failed. Alerts are sent by the outcome (cineradar/alerts.py), for every PARTIAL or FAILED crawl.

Thresholds are settings (see cineradar/settings.py, "monitors").
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.utils.misc import load_object
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors.monitors import ErrorCountMonitor
from spidermon.core.actions import Action

from cineradar import sources
from cineradar.extensions import outcome
from cineradar.extensions.previous_run import PreviousRun
from cineradar.matching import DECISIONS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)


class CineMonitor(Monitor):
    severity: ClassVar[str] = "partial"
    longMessage = False  # the failure reason is our message alone, not unittest's "0 not >= 1 : ..."

    @property
    def crawler(self) -> Crawler:
        return self.data.crawler

    @property
    def stats(self) -> dict[str, Any]:
        return self.data.stats

    @property
    def spider(self) -> Spider:
        return self.data.spider

    def setting(self, name: str) -> Any:
        return self.crawler.settings.get(name)

    @property
    def previous(self) -> dict[str, Any] | None:
        """The previous successful run of the same spider and arguments (None: none, or no history)."""
        ext = self.crawler.get_extension(PreviousRun)
        return ext.previous if ext is not None else None

    def setUp(self) -> None:
        # A crawl that already failed (bad argument, storage refused...) has its one line: the
        # monitors would only add noise about the data it never fetched.
        if self.stats.get(outcome.FAILED_KEY) is not None:
            self.skipTest("the crawl already failed")

    def items(self, stats: dict[str, Any]) -> int:
        """Items stored, or skipped as still fresh (a re-run within FRESHNESS_HOURS is complete)."""
        fresh: int = sum(v for k, v in stats.items() if k.startswith("cineradar/fresh_skipped/"))
        return int(stats.get("item_scraped_count", 0)) + fresh


@monitors.name("finish")
class FinishMonitor(CineMonitor):
    severity = "failed"

    @monitors.name("items at least the spider's minimum")
    def test_min_items(self) -> None:
        minimum = self.crawler.settings.getdict("MONITOR_MIN_ITEMS").get(self.spider.name, 0)
        scraped = self.items(self.stats)
        self.assertGreaterEqual(scraped, minimum, f"{scraped} items stored, at least {minimum} expected")


@monitors.name("errors")
class ErrorMonitor(ErrorCountMonitor):
    """Spidermon's stock error-count monitor, its limit read from MONITOR_MAX_ERRORS (in a suite
    only when that is set: ``SpiderCloseSuite``)."""

    severity: ClassVar[str] = "partial"
    threshold_setting = "MONITOR_MAX_ERRORS"


@monitors.name("validation")
class ValidationMonitor(CineMonitor):
    @monitors.name("validation drops at most MONITOR_MAX_INVALID_RATIO")
    def test_invalid(self) -> None:
        invalid = sum(v for k, v in self.stats.items() if k.startswith("cineradar/invalid/") and k.count("/") == 2)
        valid = sum(v for k, v in self.stats.items() if k.startswith("cineradar/valid/"))
        ratio = float(self.setting("MONITOR_MAX_INVALID_RATIO"))
        if invalid + valid:
            self.assertLessEqual(invalid / (invalid + valid), ratio,
                                 f"{invalid} of {invalid + valid} items dropped by validation (at most {ratio:.0%})")


@monitors.name("repertuary")
class RepertuaryMonitor(CineMonitor):
    @monitors.name("days covered = days requested, every city")
    def test_days_covered(self) -> None:
        args: Any = getattr(self.spider, "args", None)
        short = {city: self.stats.get(f"cineradar/days_covered/{city}", 0) for city in args.cities
                 if self.stats.get(f"cineradar/days_covered/{city}", 0) < args.days}
        self.assertFalse(short, "days covered below the " + f"{args.days} requested: "
                         + ", ".join(f"{c} {n}" for c, n in sorted(short.items())))


@monitors.name("tix_movies")
class TixMoviesMonitor(CineMonitor):
    @monitors.name("no schedule page or city failed")
    def test_movies_pages(self) -> None:
        stat = {k: int(self.stats.get(f"cineradar/tix/movies/{k}", 0))
                for k in ("pages", "pages_failed", "cities_failed", "cities_requested")}
        missing = []
        if stat["pages_failed"]:
            missing.append(f"{stat['pages_failed']} of {stat['pages'] + stat['pages_failed']} schedule pages "
                           "never answered")
        if stat["cities_failed"]:
            missing.append(f"{stat['cities_failed']} of {stat['cities_requested']} cities' movie lists never "
                           "answered")
        self.assertFalse(missing, "tix_movies: " + ", ".join(missing))

    @monitors.name("theatres per city not below MONITOR_MIN_THEATRES_RATIO of the previous run")
    def test_movies_theatres(self) -> None:
        previous = self.previous
        if not previous:
            return
        prefix = "cineradar/tix/movies/city_theatres/"
        ratio = float(self.setting("MONITOR_MIN_THEATRES_RATIO"))
        short = {key[len(prefix):]: (self.stats.get(key, 0), before) for key, before in previous["stats"].items()
                 if key.startswith(prefix) and self.stats.get(key, 0) < before * ratio}
        self.assertFalse(short, f"tix_movies: theatres below {ratio:.0%} of the previous run {previous['run_id']}: "
                         + ", ".join(f"{city} {now} (was {before})" for city, (now, before) in sorted(short.items())))


@monitors.name("tix_seats input")
class TixSeatsInputMonitor(CineMonitor):
    severity = "failed"

    @monitors.name("morning: nothing to do is a failure (at least one showtime to snapshot)")
    def test_something_to_do(self) -> None:
        # The morning run snapshots the whole day: 0 showtimes means its input is missing
        # (tix_movies did not store the day), not that the day was done. jit and final runs
        # often have nothing starting in their window: that is no failure.
        mode = getattr(self.spider, "mode", "")
        requested = int(self.stats.get("cineradar/tix/seats/requested", 0))
        if mode == "morning":
            self.assertGreater(requested, 0, "tix_seats morning: nothing to do: 0 showtimes of the day to "
                               "snapshot (has tix_movies stored that day?)")


@monitors.name("tix_seats")
class TixSeatsMonitor(CineMonitor):
    @monitors.name("failures other than 'started' at most MONITOR_MAX_SEAT_FAILURE_RATIO")
    def test_seat_failures(self) -> None:
        requested = self.stats.get("cineradar/tix/seats/requested", 0)
        prefix = "cineradar/tix/seats/failed/"
        failed = sum(v for k, v in self.stats.items() if k.startswith(prefix) and k[len(prefix):] != "started")
        ratio = float(self.setting("MONITOR_MAX_SEAT_FAILURE_RATIO"))
        if requested:
            self.assertLessEqual(failed / requested, ratio, f"tix_seats: {failed} of {requested} seat maps "
                                 f"failed (at most {ratio:.0%})")


@monitors.name("tmdb_movies")
class TmdbMoviesMonitor(CineMonitor):
    severity = "failed"

    @monitors.name("something stored of what the lists gave")
    def test_stored_of_listed(self) -> None:
        prefix = "cineradar/tmdb/list/"
        listed = sum(v for k, v in self.stats.items() if k.startswith(prefix) and k.endswith("/movies"))
        stored = self.items(self.stats)
        self.assertFalse(listed and not stored, f"tmdb_movies: 0 movies stored of {listed} listed "
                         f"({self.stats.get('cineradar/tmdb/gone', 0)} details answered 404, "
                         f"{self.stats.get('cineradar/tmdb/details_failed', 0)} failed)")


@monitors.name("tmdb_match")
class TmdbMatchMonitor(CineMonitor):
    @monitors.name("match rate at least MONITOR_MIN_MATCH_RATE per source")
    def test_match_rate(self) -> None:
        # The spider's own match_rate: matched among the listings decided (a listing whose requests
        # failed is already PARTIAL, and not a verdict on the matching); too few decided: no verdict.
        ratio = float(self.setting("MONITOR_MIN_MATCH_RATE"))
        least = int(self.setting("MONITOR_MATCH_RATE_MIN_LISTINGS"))
        low = {}
        for source in sources.matchable():  # the sources whose listings are matched (their declarations)
            prefix = f"cineradar/tmdb_match/{source}/"
            decided = {k[len(prefix):]: v for k, v in self.stats.items()
                       if k.startswith(prefix) and k[len(prefix):] in DECISIONS}
            total = sum(decided.values())
            if total >= least and decided.get("matched", 0) < total * ratio:
                low[source] = (decided.get("matched", 0), total)
        self.assertFalse(low, f"tmdb_match: match rate below {ratio:.0%}: " + ", ".join(
            f"{source} {n} of {total} ({n / total:.0%})" for source, (n, total) in sorted(low.items())))


@monitors.name("history")
class DropMonitor(CineMonitor):
    @monitors.name("items not below MONITOR_MIN_ITEMS_RATIO of the previous successful run")
    def test_item_drop(self) -> None:
        previous = self.previous
        if not previous:
            return
        before = self.items(previous["stats"])
        now = self.items(self.stats)
        ratio = float(self.setting("MONITOR_MIN_ITEMS_RATIO"))
        self.assertGreaterEqual(now, before * ratio, f"{now} items, previous successful run {previous['run_id']} "
                                f"with the same arguments had {before} (at least {ratio:.0%})")


class MarkOutcome(Action):
    """Turns failed monitors into the crawl's outcome: one summary line; each monitor's own
    message (in numbers) becomes a reason of the PARTIAL or FAILED line."""

    def run_action(self) -> None:
        crawler = self.data.crawler
        assert crawler.spider is not None  # an action of the spider's own close
        failed = [(r.item, (r.reason or "").strip().split("\n")[0]) for r in self.result.monitors_failed_results]
        worst = "failed" if any(getattr(m, "severity", "partial") == "failed" for m, _ in failed) else "partial"
        line = f"{crawler.spider.name}: monitors failed: " + "; ".join(reason for _, reason in failed)
        if worst == "failed":
            outcome.fail(crawler, line, close=False)
            return
        logger.error("%s", line)
        for _, reason in failed:
            outcome.shortfall(crawler, reason)


SHARED: list[type[Monitor]] = [FinishMonitor, ErrorMonitor, ValidationMonitor, DropMonitor]
SUITES: dict[str, list[type[Monitor]]] = {  # spider -> its monitors (a spider not listed: SHARED only)
    "repertuary": [*SHARED, RepertuaryMonitor],
    "kino_krakow": [*SHARED, RepertuaryMonitor],
    "tix_movies": [*SHARED, TixMoviesMonitor],
    "tix_seats": [*SHARED, TixSeatsInputMonitor, TixSeatsMonitor],
    "tmdb_movies": [*SHARED, TmdbMoviesMonitor],
    "tmdb_match": [*SHARED, TmdbMatchMonitor],
}


class SpiderCloseSuite(MonitorSuite):
    """The suite of the crawler's spider (``SUITES``), loaded by Spidermon with the crawler."""

    monitors_failed_actions = [MarkOutcome]

    def __init__(self, *args: Any, crawler: Crawler | None = None, **kwargs: Any) -> None:
        kwargs["crawler"] = crawler  # by name: the stub's positional crawler could come in *args too
        super().__init__(*args, **kwargs)
        name = getattr(getattr(crawler, "spidercls", None), "name", "")
        # a spider of a source kept outside cineradar/: the shared monitors and its declaration's own
        chosen = SUITES.get(name) or [*SHARED, *map(load_object, sources.spider_monitors(name))]
        if crawler is None or crawler.settings.get("MONITOR_MAX_ERRORS") is None:  # unset: not checked
            chosen = [m for m in chosen if m is not ErrorMonitor]
        self.add_monitors(chosen)
