"""Start inputs of tix_seats: a showtimes file that cannot be read, bad lines, bad arguments.

Real ``scrapy crawl`` subprocesses against the replica: the exit code, the one ERROR line
(no traceback), and for the good lines the snapshots stored, checked against the truth.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cineradar.spiders.tix_seats import read_showtimes
from tests.tix.helpers import crawl, open_store, seed_token


def rows(replica, n: int = 3) -> list[dict[str, Any]]:  # noqa: ANN001
    keys = ("showtime_id", "movie_id", "theatre_id", "city", "merchant", "room_category", "date", "time")
    return [{k: s[k] for k in keys} for s in replica.truth("tix")["showtimes"][:n]]


def run(replica, tmp_path: Path, *args: str) -> dict[str, Any]:  # noqa: ANN001
    seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])
    replica.ctx.log.clear()
    return crawl("tix_seats", replica.urls, tmp_path, *args, check=False, timeout=120)


def errors(result: dict[str, Any]) -> list[str]:
    return [line for line in result["log"].splitlines() if " ERROR: " in line and "crawl FAILED" not in line]


def no_traceback(result: dict[str, Any]) -> bool:
    return "Traceback" not in result["log"] + result["stderr"]


# ------------------------------------------------------------------ files that cannot be used at all
@pytest.mark.parametrize(("content", "says"), [
    (None, "no such file"),
    (bytes(range(256)) * 4, "not UTF-8 text"),
    (b'{"showtime_id": "1", "merchant": \n', "invalid JSON"),
    (b"[1,2]\n", "a JSON array, not an object"),
])
def test_unusable_showtimes_file_fails_with_one_line(replica, tmp_path, content, says):
    path = tmp_path / "showtimes.jsonl"
    if content is not None:
        path.write_bytes(content)
    result = run(replica, tmp_path, f"showtimes={path}")
    lines = errors(result) + result["stderr"].splitlines()
    layouts = [e for e in replica.ctx.log if "/layout" in e["path"]]
    # A missing file is a bad argument (exit 2, before the crawl); an unusable one fails the crawl (exit 1).
    assert (result["returncode"], len([ln for ln in lines if str(path) in ln and says in ln]) >= 1,
            no_traceback(result), layouts) == (2 if content is None else 1, True, True, []), \
        (lines, result["stderr"][-2000:])


def test_bad_argument_is_one_line_and_exit_2(replica, tmp_path):
    result = run(replica, tmp_path, "mode=sometimes")
    lines = [ln for ln in result["stderr"].splitlines() if "-a mode" in ln]
    assert (result["returncode"], no_traceback(result), len(lines), replica.ctx.log) == (2, True, 1, [])


# ------------------------------------------------------------------ a bad line costs only itself
def test_bad_lines_are_skipped_with_their_number_and_the_rest_used(replica, tmp_path):
    good = rows(replica, 3)
    path = tmp_path / "showtimes.jsonl"
    path.write_text("\n".join([json.dumps(good[0]), "[1,2]", json.dumps(good[1]), "{broken", json.dumps(good[2])])
                    + "\n")
    result = run(replica, tmp_path, f"showtimes={path}")
    lines = errors(result)
    truth = replica.truth("tix")["seats"]
    stored = {s["showtime_id"]: (s["total_seats"], s["available_seats"])
              for s in open_store(tmp_path / "cineradar.db").fetch("tix_seat_snapshots")}
    expected = {r["showtime_id"]: (truth[r["showtime_id"]]["total"], truth[r["showtime_id"]]["available"])
                for r in good}
    layouts = {e["path"] for e in replica.ctx.log if "/layout" in e["path"]}
    assert (result["returncode"], stored, len(layouts),
            [any(f"line {n}:" in ln for ln in lines) for n in (2, 4)], no_traceback(result)) \
        == (3, expected, 3, [True, True], True), lines


# ------------------------------------------------------------------ the pure reader
def test_reader_reports_each_bad_line():
    data = b'{"showtime_id": "1"}\n\n"text"\n{"movie_id": "2"}\nnot json\n{"showtime_id": "3"}\n'
    found, problems = read_showtimes(data)
    assert ([r["showtime_id"] for r in found], [n for n, _ in problems or []]) == (["1", "3"], [3, 4, 5])


def test_reader_refuses_binary():
    assert read_showtimes(b"\x00\x01\x02{}") == ([], None)


def test_bad_argument_of_another_spider_is_one_line_too(replica, tmp_path):
    result = crawl("repertuary", replica.urls, tmp_path, "city=berlin", check=False, timeout=120)
    lines = [ln for ln in result["stderr"].splitlines() if "-a city: unknown city" in ln]
    assert (result["returncode"], no_traceback(result), len(lines)) == (2, True, 1), result["stderr"][-2000:]
