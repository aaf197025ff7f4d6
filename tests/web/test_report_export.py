"""`scrapy report` (one self-contained HTML file, read in Chromium with JavaScript off and every
request beside the file refused) and `scrapy export` (files read back with pyarrow and DuckDB,
compared with the store)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from typing import Any

import pytest

from cineradar.backends import SPECS
from tests.web.conftest import SCREENSHOTS
from tests.web.demo_store import DAY, scrapy_command
from tests.web.test_web_pages import cells, latest_morning, num

pytestmark = pytest.mark.e2e
SPEC = {s.name: s for s in SPECS}


def test_report_is_one_file_readable_without_javascript_with_the_stores_figures(demo, browser, store, tmp_path):
    out = tmp_path / "report.html"
    proc = scrapy_command(demo["dir"], "report", "--date", DAY.isoformat(), "-o", str(out))
    assert proc.stdout.strip() == str(out)
    html = out.read_text()
    assert "<script" not in html and "<link" not in html and "<img" not in html
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    requests: list[str] = []

    def only_the_file(route: Any) -> None:
        requests.append(route.request.url)
        if route.request.url == out.as_uri():
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_the_file)
    page.goto(out.as_uri())
    try:
        kpis = {b.get_attribute("data-k"): num(b.text_content()) for b in page.locator("#totals b").all()}
        by_chain = {r[0]: [num(x) for x in r[1:]] for r in cells(page, "by-chain")}
        runs = cells(page, "runs")
        svgs = page.locator("svg[role=img]").count()
        page.screenshot(path=str(SCREENSHOTS / "report-1440.png"), full_page=True)
    finally:
        context.close()
    assert requests == [out.as_uri()]  # the file itself, nothing else
    snaps = latest_morning(store, DAY.isoformat())
    assert kpis["audience"] == sum(s["unavailable_seats"] for s in snaps)
    assert kpis["seats"] == sum(s["total_seats"] for s in snaps)
    assert kpis["showtimes"] == len(store.fetch("tix_showtimes", {"date": DAY.isoformat()}))
    summary = store.fetch("tix_daily_summaries", {"date": DAY.isoformat()})[0]
    assert {c["merchant"]: [c["showtimes"], c["audience"], c["seats"], c["occupancy_pct"]] for c in summary["chains"]} \
        == {k: [int(v[0]), int(v[1]), int(v[2]), v[3]] for k, v in by_chain.items()}
    assert svgs >= 3
    started = {r["started_at"][:10] for r in store.fetch("crawl_runs")}
    assert len(runs) == sum(1 for r in store.fetch("crawl_runs") if r["started_at"][:10] == DAY.isoformat()) \
        or started != {DAY.isoformat()}


def _same(stored: Any, read: Any, kind: str) -> bool:
    if stored is None or read is None:
        return stored is None and read is None
    if kind == "datetime":
        a = dt.datetime.fromisoformat(stored) if isinstance(stored, str) else stored
        b = dt.datetime.fromisoformat(read) if isinstance(read, str) else read
        return a == b
    if kind == "date":
        return str(stored) == str(read)
    if kind == "json":
        return stored == (json.loads(read) if isinstance(read, str) else read)
    if kind == "bool":
        return bool(stored) == (read in (True, "true"))
    if kind == "int":
        return int(stored) == int(read)
    if kind == "float":
        return float(stored) == float(read)
    return stored == read


def _compare(entity: str, stored: list[dict[str, Any]], read: list[dict[str, Any]]) -> None:
    spec = SPEC[entity]
    assert len(read) == len(stored), entity
    keyed = {tuple(str(r[k]) for k in spec.key): r for r in read}
    for row in stored:
        got = keyed[tuple(str(row[k]) for k in spec.key)]
        for column, kind in spec.columns.items():
            assert _same(row[column], got[column], kind), (entity, column, row[column], got[column])


ENTITIES = ("tix_showtimes", "tix_seat_snapshots", "tix_movies", "tix_theatres", "repertuary_showtimes",
            "tmdb_movies", "tmdb_matches", "crawl_runs", "tix_daily_summaries")


def test_export_parquet_csv_jsonl_read_back_equal_the_store(demo, store, tmp_path):
    import duckdb
    import pyarrow.parquet as pq

    args = [a for e in ENTITIES for a in ("-e", e)]
    for fmt in ("parquet", "csv", "jsonl"):
        proc = scrapy_command(demo["dir"], "export", *args, "--format", fmt, "-o", str(tmp_path / fmt))
        assert len(proc.stdout.strip().splitlines()) == len(ENTITIES)
    for entity in ENTITIES:
        stored = store.fetch(entity)
        table = pq.read_table(tmp_path / "parquet" / f"{entity}.parquet")
        kinds = SPEC[entity].columns
        assert table.schema.names == list(kinds)
        assert {n: str(table.schema.field(n).type) for n in kinds if kinds[n] in ("int", "date", "datetime")} == {
            n: {"int": "int64", "date": "date32[day]", "datetime": "timestamp[us, tz=UTC]"}[kinds[n]]
            for n in kinds if kinds[n] in ("int", "date", "datetime")}
        _compare(entity, stored, table.to_pylist())
        # DuckDB reads the same Parquet file (an analyst's tool), row for row
        assert duckdb.sql(f"SELECT count(*) FROM '{tmp_path / 'parquet' / entity}.parquet'").fetchall()[0][0] \
            == len(stored)
        with (tmp_path / "csv" / f"{entity}.csv").open(newline="", encoding="utf-8") as handle:
            rows = [{k: (v if v != "" else None) for k, v in r.items()} for r in csv.DictReader(handle)]
        _compare(entity, stored, rows)
        lines = (tmp_path / "jsonl" / f"{entity}.jsonl").read_text(encoding="utf-8").splitlines()
        _compare(entity, stored, [json.loads(x) for x in lines])


def test_export_date_range_keeps_those_days_only(demo, store, tmp_path):
    import pyarrow.parquet as pq

    shows = store.fetch("repertuary_showtimes")
    days = sorted({s["date"] for s in shows})
    assert len(days) >= 2
    scrapy_command(demo["dir"], "export", "-e", "repertuary_showtimes", "-e", "tix_theatres", "--from", days[1],
                   "--to", days[-1], "-o", str(tmp_path))
    got = pq.read_table(tmp_path / "repertuary_showtimes.parquet").to_pylist()
    per_day: dict[str, int] = defaultdict(int)
    for row in got:
        per_day[str(row["date"])] += 1
    assert dict(per_day) == {d: sum(1 for s in shows if s["date"] == d) for d in days[1:]}
    assert pq.read_table(tmp_path / "tix_theatres.parquet").num_rows == store.count("tix_theatres")  # undated: whole
    bad = scrapy_command(demo["dir"], "export", "-e", "no_such", "-o", str(tmp_path), check=False)
    assert bad.returncode == 2 and bad.stderr.strip().splitlines() == [
        "export: unknown entity 'no_such'; known: " + ", ".join(SPEC)]
