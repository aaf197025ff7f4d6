"""Feed exporters that keep the data contract's datetime form (docs/data.md).

Scrapy's CSV exporter writes a datetime with ``str()`` (``2025-12-19 19:30:00+07:00``, a
space, not ISO 8601's ``T``); this one writes ``isoformat()``, as the JSON exporters and
storage do. Everything else is Scrapy's (lists joined with ``,``). Wired in settings.py
``FEED_EXPORTERS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from scrapy.exporters import CsvItemExporter


class IsoCsvItemExporter(CsvItemExporter):
    def serialize_field(self, field: Mapping[str, Any], name: str, value: Any) -> Any:
        if isinstance(value, dt.date):  # datetimes too (a subclass): ISO 8601, with the offset
            return value.isoformat()
        return super().serialize_field(field, name, value)
