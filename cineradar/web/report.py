"""``scrapy report``: one day as a self-contained HTML file (inline CSS, inline SVG charts, no
JavaScript, no file or request beside it), from the same queries as the web pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cineradar.storage.read import Range, Reader
from cineradar.web import charts, queries

HERE = Path(__file__).parent


def report_data(reader: Reader, day: str) -> dict[str, Any]:
    data = queries.tix_day(reader, day)
    start = dt.datetime.fromisoformat(day).replace(tzinfo=dt.UTC)
    runs = reader.rows("crawl_runs", between=Range("started_at", start.isoformat(),
                                                    (start + dt.timedelta(days=1, microseconds=-1)).isoformat()),
                       order=("started_at",), columns=("run_id", "spider", "status", "started_at", "reason",
                                                       "items", "duration_s", "errors"))
    for run in runs:
        run["item_count"] = sum((run.get("items") or {}).values())
    summary = reader.rows("tix_daily_summaries", where={"date": day})
    return {"day": day, "d": data, "summary": summary[0] if summary else None, "runs": runs,
            "coverage": queries.repertuary_coverage(reader, day), "match_rate": queries.match_rate(reader),
            "chain_trend": queries.chain_trend(reader, day),
            "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}


def render(reader: Reader, day: str) -> str:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))
    from cineradar.web.app import _fmt

    env.globals.update(charts=charts, fmt=_fmt, css=(HERE / "static" / "app.css").read_text())
    return env.get_template("report.html").render(**report_data(reader, day))


def write(reader: Reader, day: str, path: Path) -> Path:
    html = render(reader, day)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
