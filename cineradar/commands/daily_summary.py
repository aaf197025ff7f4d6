"""``scrapy daily-summary``: one WIB day of TIX.id seat occupancy, printed and stored.

Each showtime counts once, through its latest ``morning`` snapshot of the day: the original
summed every document whose scraped_at started with the date, so a showtime snapshotted
twice counted twice, and its movie count was always 0 (docs/sources/tix.md#daily-summary).
The per-chain, per-city and per-movie lines are stored with the summary (the web view's TIX.id
day reads them instead of summing the snapshots again). What it does and its exit status for
users: ``Command`` below (``scrapy daily-summary -h``).
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from cineradar.backends import open_backends
from cineradar.commands import ProjectCommand
from cineradar.items import ChainLine, TixDailySummary
from cineradar.items.tix import CityLine, MovieLine

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

WIB = ZoneInfo("Asia/Jakarta")


def add_date_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--date", default="today", type=parse_day,
                        help="YYYY-MM-DD, today or yesterday (Asia/Jakarta); default today")


def add_options(parser: argparse.ArgumentParser) -> None:
    add_date_option(parser)
    parser.add_argument("--no-store", action="store_true", help="print the report only")


def parse_day(value: str, now: dt.datetime | None = None) -> dt.date:
    today = (now or dt.datetime.now(WIB)).astimezone(WIB).date()
    if value == "today":
        return today
    if value == "yesterday":
        return today - dt.timedelta(days=1)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--date: expected YYYY-MM-DD, today or yesterday, got {value!r}") from None


def _instant(value: Any) -> dt.datetime:
    stamp = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def latest_per_showtime(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per showtime: the one with the latest scraped_at (compared as instants: rows
    stored before scraped_at moved to WIB hold UTC strings, which do not sort with them as text)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in rows:
        sid = str(row["showtime_id"])
        if sid not in latest or _instant(row["scraped_at"]) > _instant(latest[sid]["scraped_at"]):
            latest[sid] = row
    return [latest[k] for k in sorted(latest)]


def _totals(rows: list[dict[str, Any]], key: str) -> list[tuple[str, int, int, int]]:
    """(value of ``key``, showtimes, audience, seats) per value, largest capacity first (then by value)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        line = totals[str(row.get(key) or "?")]
        line[0] += 1
        line[1] += int(row["unavailable_seats"])
        line[2] += int(row["total_seats"])
    return [(name, count, audience, seats)
            for name, (count, audience, seats) in sorted(totals.items(), key=lambda kv: (-kv[1][2], kv[0]))]


def _pct(audience: int, seats: int) -> float:
    return round(audience / seats * 100, 1) if seats else 0.0


def chain_lines(rows: list[dict[str, Any]]) -> list[ChainLine]:
    """Per cinema chain, largest capacity first (then by name): the report's lines, stored too."""
    return [ChainLine(merchant=chain, showtimes=count, audience=audience, seats=seats,
                      occupancy_pct=_pct(audience, seats))
            for chain, count, audience, seats in _totals(rows, "merchant")]


def city_lines(rows: list[dict[str, Any]]) -> list[CityLine]:
    """Per city, largest capacity first: stored for the web view's TIX.id day."""
    return [CityLine(city=city, showtimes=count, audience=audience, seats=seats, occupancy_pct=_pct(audience, seats))
            for city, count, audience, seats in _totals(rows, "city")]


def movie_lines(rows: list[dict[str, Any]]) -> list[MovieLine]:
    """Per movie, largest capacity first: stored for the web view's TIX.id day and movie trend."""
    return [MovieLine(movie_id=movie, showtimes=count, audience=audience, seats=seats,
                      occupancy_pct=_pct(audience, seats))
            for movie, count, audience, seats in _totals(rows, "movie_id")]


def summarize(rows: list[dict[str, Any]], day: dt.date, now: dt.datetime,
              snapshot_count: int | None = None) -> TixDailySummary | None:
    """The day's totals from one snapshot per showtime (``snapshot_count``: the morning snapshots
    they were picked from); None when there is none."""
    if not rows:
        return None
    audience = sum(int(r["unavailable_seats"]) for r in rows)
    seats = sum(int(r["total_seats"]) for r in rows)
    return TixDailySummary(
        date=day, total_audience=audience, total_seats=seats,
        total_available=sum(int(r["available_seats"]) for r in rows),
        occupancy_pct=_pct(audience, seats),
        showtime_count=len(rows), snapshot_count=snapshot_count,
        movie_count=len({r["movie_id"] for r in rows if r.get("movie_id")}),
        theatre_count=len({r["theatre_id"] for r in rows if r.get("theatre_id")}),
        city_count=len({r["city"] for r in rows if r.get("city")}),
        generated_at=now, chains=chain_lines(rows), cities=city_lines(rows), movies=movie_lines(rows),
    )


def report(summary: TixDailySummary) -> str:
    """A readable terminal report of the summary, with a breakdown per chain."""
    lines = [
        f"TIX.id daily summary - {summary.date} (WIB), latest morning snapshot of each showtime",
        "",
        f"  Audience (seats sold or blocked)  {summary.total_audience:>10,}",
        f"  Capacity (seats)                  {summary.total_seats:>10,}",
        f"  Available                         {summary.total_available:>10,}",
        f"  Occupancy                         {summary.occupancy_pct:>9.1f} %",
        "",
        f"  Showtimes {summary.showtime_count:,}  |  Movies {summary.movie_count:,}  |  "
        f"Theatres {summary.theatre_count:,}  |  Cities {summary.city_count:,}",
        "",
        f"  {'chain':<12}{'showtimes':>10}{'audience':>11}{'capacity':>11}{'occupancy':>11}",
    ]
    for line in summary.chains:
        lines.append(f"  {line.merchant:<12}{line.showtimes:>10,}{line.audience:>11,}{line.seats:>11,}"
                     f"{line.occupancy_pct:>10.1f}%")
    return "\n".join(lines)


def main(settings: BaseSettings, opts: argparse.Namespace) -> int:
    day: dt.date = opts.date
    backends = open_backends(settings, create=False)
    try:
        snapshots = backends[0].fetch("tix_seat_snapshots", {"date": day.isoformat(), "mode": "morning"})
        rows = latest_per_showtime(snapshots)
        summary = summarize(rows, day, dt.datetime.now(dt.UTC), len(snapshots))
        if summary is None:
            print(f"TIX.id daily summary - {day}: no morning seat snapshot for this day; nothing written")
            return 1
        print(report(summary))
        if len(snapshots) > len(rows):
            print(f"\n  ({len(snapshots) - len(rows)} older morning snapshots of the same showtimes not counted)")
        if not opts.no_store:
            for backend in backends:
                backend.upsert(TixDailySummary.entity, [summary.row()])
            print(f"\n  stored in {', '.join(b.name for b in backends)} "
                  f"({TixDailySummary.entity}, key {summary.date})")
        return 0
    finally:
        for backend in backends:
            backend.close()


class Command(ProjectCommand):
    usage = "[--date YYYY-MM-DD|today|yesterday] [--no-store]"
    summary = "Aggregate a day's TIX.id seat snapshots (one per showtime) and store the daily summary"
    description = (
        "Adds up one day (Asia/Jakarta time) of TIX.id seat snapshots, counting each showtime once, "
        "through its latest morning snapshot of that day. Prints the audience (seats sold or blocked), "
        "capacity, available seats and occupancy, the numbers of showtimes, movies, theatres and cities, "
        "and one line per cinema chain. Unless --no-store, stores the summary (tix_daily_summaries, one "
        "per date: running it again replaces it) in every backend of STORAGE_BACKENDS."
    )
    exit_status = ("0  printed (and stored)", "1  no morning snapshot of that day is stored: nothing written")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        add_options(parser)

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        return main(settings, opts)
