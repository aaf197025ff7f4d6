"""The data dictionary (docs/data.md), generated from the item models: ``python -m cineradar.datadoc``.

Every entity the crawler stores, with its natural key, source and fields (type, limits,
meaning, unit, time zone: each field's ``description``) taken from the pydantic models'
JSON Schema, so the document cannot drift from the code (a test compares the checked-in file with this output).
"""

from __future__ import annotations

import sys
from typing import Any

from cineradar.items import ALL_ITEMS, ENTITY_DESCRIPTION, ENTITY_FIELD, CineItem

FORMATS = {
    "date": "date (YYYY-MM-DD)",
    "date-time": "datetime (ISO 8601 with offset)",
}


def _type(schema: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in schema:
        return _type(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        parts = [_type(s, defs) for s in schema["anyOf"]]
        return " or ".join(dict.fromkeys(p for p in parts if p != "null")) + (" or null" if "null" in parts else "")
    if "enum" in schema:
        return "one of " + ", ".join(f"`{v}`" for v in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    kind = schema.get("type", "any")
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type(s, defs) for s in schema["prefixItems"]) + "]"
        return f"list of {_type(schema.get('items', {}), defs)}"
    if kind == "object":
        return "object"
    text: str = FORMATS.get(schema.get("format", ""), kind)
    limits = []
    if "pattern" in schema:
        limits.append(f"`{schema['pattern']}`")
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("minLength", "length >=")):
        if key in schema:
            limits.append(f"{sign} {schema[key]}")
    return text + (f" ({', '.join(limits)})" if limits else "")


def entity_section(model: type[CineItem]) -> str:
    schema = model.model_json_schema(mode="serialization")
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    doc = (model.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
    lines = [f"## `{model.entity}`", ""]
    if doc and not doc.startswith(("Usage docs", "A base class")):
        lines += [doc, ""]
    lines += [f"Key: {', '.join(f'`{k}`' for k in model.key)}. Source: `{model.source}`. "
              f"Model: `cineradar.items.{model.__name__}`.", "",
              "| field | type | required | meaning |", "|---|---|---|---|"]
    lines.append(f"| `{ENTITY_FIELD}` | `{model.entity}` | feeds | {_cell(ENTITY_DESCRIPTION)} |")
    for name, prop in schema.get("properties", {}).items():
        lines.append(_line(name, prop, defs, name in required))
        nested = _nested(prop, defs)  # a list of sub-records (a daily summary's chains): their fields too
        if nested is not None:
            inner = set(nested.get("required", []))
            lines += [_line(f"{name}[].{sub}", sp, defs, sub in inner) for sub, sp in nested["properties"].items()]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _line(name: str, prop: dict[str, Any], defs: dict[str, Any], required: bool) -> str:
    kind = _type(prop, defs).replace("|", "\\|")
    return f"| `{name}` | {kind} | {'yes' if required else 'no'} | {_cell(prop.get('description') or '')} |"


def _nested(prop: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    items = prop.get("items", {})
    if prop.get("type") == "array" and "$ref" in items:
        target = defs[items["$ref"].rsplit("/", 1)[-1]]
        return target if "properties" in target else None
    return None


CONVENTIONS = """
Conventions, for every entity:

- **Names.** One name per concept: a showtime's local clock time is `time` (HH:MM), its day
  `date`, its start instant `starts_at`; a reference to another entity is that entity's key
  name (`movie_id`, `theatre_id`, `showtime_id`), and a copied attribute is prefixed with the
  entity (`movie_title`, `theatre_name`).
- **Dates** are `YYYY-MM-DD`, the local day of the site: WIB (Asia/Jakarta, UTC+7) for TIX.id,
  Polish time (Europe/Warsaw) for repertuary.pl.
- **Datetimes** are ISO 8601 with a numeric offset, never `Z` and never naive:
  `2025-12-19T19:30:00+07:00`. TIX.id instants are written in WIB, repertuary.pl instants in
  Polish time, crawl runs in UTC (`+00:00`). Fractions of a second appear when non-zero.
- **Money** is whole rupiah (IDR) as an integer (`price_min`, `price_max`), beside the raw
  string the site shows (`price`).
- **Percentages** are 0-100 with one decimal.
- **Feeds** (`scrapy crawl ... -o file`) carry every field below, and `entity` first. Storage
  keeps the same fields (the table or collection is the entity), except that Firestore keeps
  the original's document shapes and names where they differ (docs/firestore.md).
"""


def render() -> str:
    head = ("# Data dictionary\n\n"
            "Generated from `cineradar/items.py` by `python -m cineradar.datadoc > docs/data.md`; "
            "a test fails when this file is out of date. Every stored row and every feed item carries "
            "the fields below; rows are upserted by their key.\n" + CONVENTIONS)
    return head + "\n" + "\n".join(entity_section(model) for model in ALL_ITEMS)


if __name__ == "__main__":
    sys.stdout.write(render())
