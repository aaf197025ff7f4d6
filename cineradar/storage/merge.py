"""Merge rules every backend obeys when a row meets a stored row of the same key. No Scrapy.

The rules are declared on the items (``CineItem.merge_rules``, carried by
``EntitySpec.merge``); a column without a rule takes the new row's value. SQLite and
PostgreSQL apply them inside ``INSERT ... ON CONFLICT DO UPDATE`` (SQL expressions, so
two writers never lose each other's part), Firestore in a transaction with
``merge_row``. Within one batch, rows of one key are first folded into one with the same
rules (``premerge``): PostgreSQL refuses to touch a row twice in one statement, and the
result is the same as writing them one after the other.

=========  =====================================================================
rule       stored ⊕ new
=========  =====================================================================
latest     new
union      sorted(set(stored) | set(new)), lists of strings
or         stored or new (booleans)
max        the greater of the two, nulls ignored (dates as ISO text, numbers)
nonnull    new, unless new is null or an empty list: then stored
=========  =====================================================================
"""

from __future__ import annotations

from typing import Any

from cineradar.storage.base import EntitySpec, StorageError

RULES = ("latest", "union", "or", "max", "nonnull")
ALLOWED_KINDS = {"union": {"json"}, "or": {"bool"}, "max": {"date", "int", "float", "text"},
                 "nonnull": {"text", "int", "float", "bool", "date", "datetime", "json"}}


def check(spec: EntitySpec) -> None:
    """Refuse a rule a backend could not apply the same way everywhere."""
    for column, rule in spec.merge.items():
        kind = spec.columns.get(column)
        if kind is None:
            raise StorageError(f"{spec.name}: merge rule for unknown column {column!r}")
        if rule not in RULES:
            raise StorageError(f"{spec.name}.{column}: unknown merge rule {rule!r} ({', '.join(RULES)})")
        if rule in ALLOWED_KINDS and kind not in ALLOWED_KINDS[rule]:
            raise StorageError(f"{spec.name}.{column}: merge rule {rule!r} does not apply to a {kind} column")
        if column in spec.key:
            raise StorageError(f"{spec.name}.{column}: a key column has no merge rule")


def _empty(value: Any) -> bool:
    return value is None or value == []


def merge_value(rule: str, stored: Any, new: Any) -> Any:
    if rule == "union":
        return sorted({str(v) for v in (stored or [])} | {str(v) for v in (new or [])})
    if rule == "or":
        return bool(stored) or bool(new)
    if rule == "max":
        if stored is None:
            return new
        return stored if new is None or new <= stored else new
    if rule == "nonnull":
        return stored if _empty(new) and stored is not None else new
    return new


def merge_row(spec: EntitySpec, stored: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The row a backend keeps when ``new`` is written over ``stored`` (None: no stored row)."""
    if stored is None:  # a first row is stored as given (items keep union fields sorted and distinct)
        return new
    merged = dict(new)
    for column in spec.columns:
        rule = spec.merge.get(column, "latest")
        if rule != "latest":
            merged[column] = merge_value(rule, stored.get(column), new.get(column))
    return merged


def premerge(spec: EntitySpec, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per key, each the merge of that key's rows in order; first-seen key order."""
    merged: dict[Any, dict[str, Any]] = {}
    single = spec.key[0] if len(spec.key) == 1 else None
    for row in rows:
        key = row.get(single) if single else tuple(row.get(k) for k in spec.key)
        merged[key] = merge_row(spec, merged.get(key), row)
    return list(merged.values())
