"""The data dictionary (docs/data.md), generated from the item models: ``python -m cineradar.datadoc``.

Every entity the crawler stores, with its natural key, source and fields (type, limits,
meaning) taken from the pydantic models' JSON Schema, so the document cannot drift from
the code (a test compares the checked-in file with this output).
"""

from __future__ import annotations

import sys
from typing import Any

from cineradar.items import ALL_ITEMS, CineItem

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
    text = FORMATS.get(schema.get("format", ""), kind)
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
    for name, prop in schema.get("properties", {}).items():
        meaning = (prop.get("description") or "").replace("|", "\\|").replace("\n", " ")
        kind = _type(prop, defs).replace("|", "\\|")
        lines.append(f"| `{name}` | {kind} | {'yes' if name in required else 'no'} | {meaning} |")
    return "\n".join(lines) + "\n"


def render() -> str:
    head = ("# Data dictionary\n\n"
            "Generated from `cineradar/items.py` by `python -m cineradar.datadoc > docs/data.md`; "
            "a test fails when this file is out of date. Every stored row and every feed item carries "
            "the fields below; rows are upserted by their key.\n")
    return head + "\n" + "\n".join(entity_section(model) for model in ALL_ITEMS)


if __name__ == "__main__":
    sys.stdout.write(render())
