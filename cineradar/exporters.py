"""Feed exporters that keep the data contract's datetime form (docs/data.md).

Scrapy's CSV exporter writes a datetime with ``str()`` (``2025-12-19 19:30:00+07:00``, a
space, not ISO 8601's ``T``); this one writes ``isoformat()``, as the JSON exporters and
storage do. A nested value (a dict, or a list holding lists or dicts: a seat layout, a
daily summary's chains) is written as JSON, not as a Python repr; a flat list is Scrapy's
(joined with ``,``). Wired in settings.py ``FEED_EXPORTERS``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from scrapy.exporters import CsvItemExporter


class IsoCsvItemExporter(CsvItemExporter):
    def serialize_field(self, field: Mapping[str, Any], name: str, value: Any) -> Any:
        if isinstance(value, dt.date):  # datetimes too (a subclass): ISO 8601, with the offset
            return value.isoformat()
        if _nested(value):
            return json.dumps(_plain(value), ensure_ascii=False, separators=(",", ":"), default=_json_default)
        return super().serialize_field(field, name, value)


def _nested(value: Any) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list | tuple) and any(isinstance(v, Mapping | list | tuple) or hasattr(v, "model_dump")
                                                   for v in value)


def _plain(value: Any) -> Any:
    """Models (a daily summary's chain lines) as dicts, tuples as lists."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")
