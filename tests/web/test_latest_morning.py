"""The web view's occupancy sums (summed over indexes, minus the snapshots a later one of the same
showtime supersedes) equal the daily summary's rule: each showtime once, its latest morning snapshot
compared as an instant. A store with showtimes snapshotted twice in a morning, one of them stored
with a UTC offset that sorts the wrong way as text."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from cineradar.backends import SPECS
from cineradar.commands.daily_summary import latest_per_showtime
from cineradar.storage.read import Range, Reader
from cineradar.storage.sqlite import SQLiteStorage
from cineradar.web import queries

DAYS = ("2026-01-09", "2026-01-10")


def snapshot(sid: str, day: str, movie: str, scraped_at: str, taken: int, total: int = 100, mode: str = "morning",
             merchant: str = "XXI", city: str = "JAKARTA") -> dict[str, Any]:
    return {"snapshot_id": f"{sid}_{mode}_{scraped_at[11:16].replace(':', '')}", "showtime_id": sid, "mode": mode,
            "scraped_at": scraped_at, "date": day, "time": "19:00", "movie_id": movie, "movie_title": f"Movie {movie}",
            "theatre_id": "t1", "theatre_name": "T1", "city": city, "merchant": merchant, "room_category": "2D",
            "total_seats": total, "unavailable_seats": taken, "available_seats": total - taken,
            "occupancy_pct": round(taken / total * 100, 1), "layout": [["A", [0, 1]]]}


def rows() -> list[dict[str, Any]]:
    out = []
    for day in DAYS:
        d = day[-2:]
        out += [
            snapshot(f"1{d}", day, "10", f"{day}T06:30:00+07:00", 10),
            snapshot(f"2{d}", day, "10", f"{day}T06:30:00+07:00", 20, merchant="CGV"),
            # snapshotted twice: the later one (06:40 WIB) stored in UTC, "...T23:40" of the day before,
            # sorts before "...T06:30+07:00" as text
            snapshot(f"3{d}", day, "10", f"{day}T06:30:00+07:00", 90),
            snapshot(f"3{d}", day, "10", f"{_before(day)}T23:40:00+00:00", 30),
            # snapshotted twice, both in WIB, and moved city between them
            snapshot(f"4{d}", day, "20", f"{day}T06:20:00+07:00", 5, city="BANDUNG"),
            snapshot(f"4{d}", day, "20", f"{day}T06:50:00+07:00", 60),
            snapshot(f"5{d}", day, "20", f"{day}T06:30:00+07:00", 70),
            snapshot(f"5{d}", day, "20", f"{day}T19:00:00+07:00", 99, mode="jit"),  # not a morning one
        ]
    return out


def _before(day: str) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()


@pytest.fixture
def reader(tmp_path: Path) -> Reader:
    store = SQLiteStorage(tmp_path / "store.db")
    store.open(SPECS)
    store.upsert("tix_seat_snapshots", rows())
    read = Reader(store, SPECS)
    read.ensure_indexes()
    return read


def expected(day: str) -> list[dict[str, Any]]:
    return latest_per_showtime(r for r in rows() if r["date"] == day and r["mode"] == "morning")


def test_day_sums_count_each_showtime_once_through_its_latest_morning_snapshot(reader):
    for day in DAYS:
        latest = expected(day)
        lines: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for s in latest:
            line = lines[(s["merchant"], s["city"], s["movie_id"])]
            line[0] += 1
            line[1] += s["unavailable_seats"]
            line[2] += s["total_seats"]
        got = queries.morning_sums(reader, ("merchant", "city", "movie_id"), {"date": day})
        assert {(r["merchant"], r["city"], r["movie_id"]): [r["rows"], r["unavailable_seats"], r["total_seats"]]
                for r in got} == lines
        # 3: the 06:40 one (30 taken), not the 06:30 one that sorts later as text (90 taken)
        assert sum(r["unavailable_seats"] for r in got) == 10 + 20 + 30 + 60 + 70


def test_top_and_bottom_showtimes_rank_only_the_latest_snapshots(reader):
    for day in DAYS:
        data = queries.tix_day(reader, day, top=3)
        by_pct = sorted(expected(day), key=lambda s: (-s["occupancy_pct"], s["showtime_id"]))
        assert [s["showtime_id"] for s in data["top"]] == [s["showtime_id"] for s in by_pct[:3]]
        rising = sorted(expected(day), key=lambda s: (s["occupancy_pct"], s["showtime_id"]))
        assert [s["showtime_id"] for s in data["bottom"]] == [s["showtime_id"] for s in rising[:3]]


def test_movie_trend_and_movie_days_equal_the_day_lines(reader):
    trend = queries.movie_trend(reader, DAYS[-1], ["10", "20"])
    assert trend["dates"] == list(DAYS)
    sums = queries.movie_day_sums(reader, ["10", "20"], Range("date", DAYS[0], DAYS[-1]))
    for day in DAYS:
        for movie in ("10", "20"):
            mine = [s for s in expected(day) if s["movie_id"] == movie]
            audience, seats = sum(s["unavailable_seats"] for s in mine), sum(s["total_seats"] for s in mine)
            assert sums[(movie, day)] == (len(mine), audience, seats)
            assert trend["series"][movie][DAYS.index(day)] == queries.pct(audience, seats)


def test_dates_are_the_distinct_days_stored(reader):
    assert reader.distinct("tix_seat_snapshots", "date") == list(DAYS)
    assert reader.distinct("tix_showtimes", "date") == []


def test_kept_figures_follow_every_write_to_the_store(reader, tmp_path):
    day = DAYS[0]
    before = queries.tix_day(reader, day)["totals"]["snapshotted"]
    trend = queries.movie_trend(reader, day, ["10"])["series"]["10"]
    assert queries.tix_day(reader, day)["totals"]["snapshotted"] == before  # kept
    # another process writes (the crawler): a new showtime of movie 10, full
    other = SQLiteStorage(tmp_path / "store.db")
    other.open(SPECS)
    other.upsert("tix_seat_snapshots", [snapshot("901", day, "10", f"{day}T06:31:00+07:00", 100)])
    other.close()
    assert queries.tix_day(reader, day)["totals"]["snapshotted"] == before + 1
    assert queries.movie_trend(reader, day, ["10"])["series"]["10"] != trend
    assert queries.entity_view(reader, "tix_seat_snapshots")["rows"] == len(rows()) + 1
    # this process writes through the reader's own connection (a review decision does)
    reader.backend.upsert("tix_seat_snapshots", [snapshot("902", day, "10", f"{day}T06:31:00+07:00", 0)])
    assert queries.tix_day(reader, day)["totals"]["snapshotted"] == before + 2
    assert queries.entity_view(reader, "tix_seat_snapshots")["rows"] == len(rows()) + 2
    assert queries.tix_dates(reader) == []  # no tix_showtimes: nothing kept from elsewhere


def store_summaries(reader: Reader, **change: Any) -> None:
    """The daily summary of each day, as `scrapy daily-summary` computes it (``change``: fields replaced)."""
    import datetime as dt

    from cineradar.commands.daily_summary import summarize

    now = dt.datetime(2026, 1, 11, tzinfo=dt.UTC)
    reader.backend.upsert("tix_daily_summaries", [
        summarize(expected(day), dt.date.fromisoformat(day), now, morning_count(day)).row() | change
        for day in DAYS])


def morning_count(day: str) -> int:
    return sum(1 for r in rows() if r["date"] == day and r["mode"] == "morning")


def test_the_stored_summary_lines_give_the_day_the_snapshots_give(reader):
    summed = {day: queries.tix_day(reader, day) for day in DAYS}
    assert all(d["summary_at"] is None for d in summed.values())
    store_summaries(reader)
    for day in DAYS:
        stored = queries.tix_day(reader, day)
        assert stored["summary_at"] is not None  # read from the summary's lines
        assert {k: v for k, v in stored.items() if k != "summary_at"} == \
            {k: v for k, v in summed[day].items() if k != "summary_at"}


def test_a_snapshot_written_after_the_summary_is_counted(reader):
    store_summaries(reader)
    day = DAYS[0]
    before = queries.tix_day(reader, day)
    assert before["summary_at"] is not None
    # a late morning snapshot of showtime 1 (10 -> 55 taken): the summary no longer adds up
    reader.backend.upsert("tix_seat_snapshots", [snapshot(f"1{day[-2:]}", day, "10", f"{day}T06:45:00+07:00", 55)])
    after = queries.tix_day(reader, day)
    assert after["summary_at"] is None
    assert after["totals"]["audience"] == before["totals"]["audience"] + 45
    movie = next(m for m in after["by_movie"] if m["name"] == "10")
    assert movie["audience"] == next(m for m in before["by_movie"] if m["name"] == "10")["audience"] + 45


def test_a_summary_stored_before_the_city_and_movie_lines_is_not_read(reader):
    store_summaries(reader, cities=[], movies=[])  # as an older `scrapy daily-summary` stored it
    for day in DAYS:
        data = queries.tix_day(reader, day)
        assert data["summary_at"] is None and data["by_city"] and data["by_movie"]


def test_movie_trend_reads_the_summaries_movie_lines_and_sums_the_days_without(reader):
    summed = queries.movie_trend(reader, DAYS[-1], ["10", "20"])
    store_summaries(reader)
    assert queries.movie_trend(reader, DAYS[-1], ["10", "20"]) == summed  # the same figures, from the lines
    # a summary's movie lines are what the trend shows for its day (as the chain trend shows its chain lines)
    import datetime as dt

    from cineradar.commands.daily_summary import summarize

    late = summarize(expected(DAYS[0]), dt.date.fromisoformat(DAYS[0]), dt.datetime(2026, 1, 11, tzinfo=dt.UTC))
    assert late is not None
    line = next(m for m in late.movies if m.movie_id == "10")
    line.audience, line.occupancy_pct = line.seats, 100.0
    reader.backend.upsert("tix_daily_summaries", [late.row()])
    trend = queries.movie_trend(reader, DAYS[-1], ["10", "20"])
    assert trend["series"]["10"][0] == 100.0 and trend["series"]["20"] == summed["series"]["20"]
    # a day whose summary has no movie lines (stored before they were kept) is summed from the snapshots
    reader.backend.upsert("tix_daily_summaries", [late.row() | {"movies": []}])
    assert queries.movie_trend(reader, DAYS[-1], ["10", "20"]) == summed


def test_a_summary_of_one_snapshot_per_showtime_is_checked_in_one_pass(tmp_path):
    """A day whose showtimes have one morning snapshot each: the summary says so (snapshot_count ==
    showtime_count) and one pass over the index checks it; a snapshot changed in place, or a second
    one of a showtime, and the day is summed from the snapshots again."""
    import datetime as dt

    from cineradar.commands.daily_summary import summarize

    day = DAYS[0]
    firsts: dict[str, dict[str, Any]] = {}
    for r in rows():
        if r["date"] == day and r["mode"] == "morning":
            firsts.setdefault(r["showtime_id"], r)
    store = SQLiteStorage(tmp_path / "unique.db")
    store.open(SPECS)
    store.upsert("tix_seat_snapshots", list(firsts.values()))
    read = Reader(store, SPECS)
    read.ensure_indexes()
    summed = queries.tix_day(read, day, top=3)
    summary = summarize(list(firsts.values()), dt.date.fromisoformat(day), dt.datetime(2026, 1, 11, tzinfo=dt.UTC),
                        len(firsts))
    assert summary is not None and summary.snapshot_count == summary.showtime_count
    store.upsert("tix_daily_summaries", [summary.row()])
    stored = queries.tix_day(read, day, top=3)
    assert stored["summary_at"] is not None
    assert {k: v for k, v in stored.items() if k != "summary_at"} == {k: v for k, v in summed.items()
                                                                      if k != "summary_at"}
    changed = next(iter(firsts.values()))
    store.upsert("tix_seat_snapshots", [changed | {"unavailable_seats": changed["unavailable_seats"] + 1,
                                                   "available_seats": changed["available_seats"] - 1}])
    again = queries.tix_day(read, day, top=3)
    assert again["summary_at"] is None and again["totals"]["audience"] == summed["totals"]["audience"] + 1
    store.close()
