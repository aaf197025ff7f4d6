"""Entities of the store to files for analysts: Parquet (pyarrow), CSV or JSONL, one file per entity.
No Scrapy imports (``scrapy export`` in commands/export.py is the front).

Columns and types come from the data contract (items.py, through each ``EntitySpec``):

=========  ===================  ==================  ===================
kind       Parquet              CSV                 JSONL
=========  ===================  ==================  ===================
text       string               as is               string
int        int64                digits              number
float      float64              decimal             number
bool       bool                 true / false        true / false
date       date32               YYYY-MM-DD          "YYYY-MM-DD"
datetime   timestamp[us, UTC]   ISO 8601 as stored  ISO 8601 as stored
json       string (JSON text)   JSON text           nested JSON
=========  ===================  ==================  ===================

A null is an empty CSV cell. Parquet keeps datetimes as UTC instants (the offset each value was
written with is in the CSV and JSONL); its nested fields are JSON text, marked with field
metadata ``cineradar.kind = json``. The date range applies to entities with a ``date`` column
(and to ``crawl_runs`` by ``started_at``, in UTC); the others are written whole.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cineradar.storage.base import EntitySpec
from cineradar.storage.read import Range, Reader

FORMATS = ("parquet", "csv", "jsonl")


@dataclass(frozen=True)
class Written:
    entity: str
    path: Path
    rows: int


def date_range(spec: EntitySpec, since: str | None, until: str | None) -> Range | None:
    if since is None and until is None:
        return None
    if "date" in spec.columns:
        return Range("date", since, until)
    if spec.name == "crawl_runs":
        low = f"{since}T00:00:00+00:00" if since else None
        high = f"{until}T23:59:59.999999+00:00" if until else None
        return Range("started_at", low, high)
    return None


def export(reader: Reader, entities: Iterable[str], out_dir: Path, fmt: str, *, since: str | None = None,
           until: str | None = None) -> list[Written]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; allowed: {', '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for entity in entities:
        spec = reader.specs[entity]
        rows = reader.rows(entity, between=date_range(spec, since, until))
        path = out_dir / f"{entity}.{fmt}"
        tmp = path.with_name(path.name + ".part")  # a file that is there is complete
        {"parquet": _parquet, "csv": _csv, "jsonl": _jsonl}[fmt](spec, rows, tmp)
        tmp.replace(path)
        written.append(Written(entity, path, len(rows)))
    return written


def arrow_schema(spec: EntitySpec) -> Any:
    import pyarrow as pa

    types = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(),
             "date": pa.date32(), "datetime": pa.timestamp("us", tz="UTC"), "json": pa.string()}
    return pa.schema([pa.field(c, types[k], nullable=c not in spec.key,
                               metadata={"cineradar.kind": k} if k == "json" else None)
                      for c, k in spec.columns.items()],
                     metadata={"cineradar.entity": spec.name, "cineradar.key": ",".join(spec.key)})


def _parquet_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if kind == "datetime":
        stamp = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
        return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
    if kind == "float":
        return float(value)
    return value


def _parquet(spec: EntitySpec, rows: list[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(spec)
    columns = {c: [_parquet_value(r.get(c), k) for r in rows] for c, k in spec.columns.items()}
    table = pa.Table.from_pydict(columns, schema=schema)
    pq.write_table(table, path)


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "json":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if kind == "bool":
        return "true" if value else "false"
    return str(value)


def _csv(spec: EntitySpec, rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(spec.columns)
        for row in rows:
            writer.writerow([_csv_value(row.get(c), k) for c, k in spec.columns.items()])


def _jsonl(spec: EntitySpec, rows: list[dict[str, Any]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps({c: row.get(c) for c in spec.columns}, ensure_ascii=False) + "\n")
