"""Typed items: one pydantic model per entity, each with a natural key.

Parsers build items with ``Model.model_construct(...)`` (no validation, never raises),
so one bad record cannot break a callback; the validation pipeline validates each item
and drops the invalid ones with a counted reason. ``entity`` names the table /
collection, ``key`` the natural-key fields that make every write an idempotent upsert,
``source`` the freshness threshold that applies. ``merge_rules`` says how a stored row
and a new row of the same key combine (every backend applies the same rules in its
upsert, see cineradar/storage/merge.py); a field without a rule: the latest row wins.

The data contract (docs/data.md is generated from these models): every field has a
description with its unit and time zone; one name per concept across entities (a
showtime's local clock time is ``time`` everywhere); every datetime is ISO 8601 with a
numeric offset (``+07:00``, never ``Z``): TIX.id times in WIB, repertuary times in
Warsaw time, crawl-run times in UTC. In feeds every item also carries ``entity`` (see
``CineItemAdapter``), so a mixed feed can be split.

Each source's models live in their own module (``items/tix.py``, ``items/repertuary.py``...,
or a source's own package outside cineradar/); a model that sets its own ``entity`` registers
itself here when its module is imported (``REGISTRY``), so no shared list names them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, KeysView
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal
from zoneinfo import ZoneInfo

import orjson
from itemadapter import ItemAdapter
from itemadapter.adapter import PydanticAdapter
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_validator,
)

WIB = ZoneInfo("Asia/Jakarta")
WARSAW = ZoneInfo("Europe/Warsaw")


def _iso(value: dt.datetime) -> str:
    # isoformat, not pydantic's JSON form: that writes UTC as "Z" and every other zone as "+HH:MM"
    return value.isoformat()


def _in(zone: ZoneInfo | dt.timezone) -> AfterValidator:
    return AfterValidator(lambda value: value.astimezone(zone))


_ISO = PlainSerializer(_iso, return_type=str, when_used="json")
_ISO_SCHEMA = WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization")
# Every datetime: aware, in the zone the field names, written as ISO 8601 with a numeric offset.
WibDatetime = Annotated[AwareDatetime, _in(WIB), _ISO, _ISO_SCHEMA]
WarsawDatetime = Annotated[AwareDatetime, _in(WARSAW), _ISO, _ISO_SCHEMA]
UtcDatetime = Annotated[AwareDatetime, _in(dt.UTC), _ISO, _ISO_SCHEMA]

HHMM = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
NonEmpty = Annotated[str, Field(min_length=1), AfterValidator(lambda v: _non_blank(v))]
NonNegative = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
Percent = Annotated[float, Field(ge=0, le=100)]
TixId = Annotated[str, Field(pattern=r"^\d{1,20}$")]
Rupiah = Annotated[int, Field(ge=0)]


def _has_nul(value: Any) -> bool:
    # Runs on every item (a seat snapshot: ~20 fields and a layout of rows): exact-type checks and a
    # plain loop, not a generator per level; numbers-only lists (seat codes) skipped in C.
    kind = type(value)
    if kind is str:
        return "\x00" in value
    if kind is dict:
        items: Any = value.values()
    elif kind is list or kind is tuple:
        types = set(map(type, value))
        if types <= _SCALARS:  # numbers only (a seat layout row): nothing to look into
            return False
        if types == _STR:
            return "\x00" in "".join(value)
        if types <= _SEQUENCES:
            try:  # lists of numbers (the codes column of a layout): summed in C, nothing to look into
                sum(map(sum, value))
                return False
            except TypeError:  # a string, a container or None somewhere: looked at below
                pass
        if types <= _SEQUENCES and len(set(map(len, value))) == 1:
            # Rows of one length (a seat layout: [name, codes] pairs): looked at column by column,
            # names joined and codes typed in C, instead of a Python step per row.
            return any(map(_has_nul, zip(*value, strict=True)))
        items = value
    elif isinstance(value, str):
        return "\x00" in value
    elif isinstance(value, dict):
        items = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return False
    for item in items:
        if type(item) is str:
            if "\x00" in item:
                return True
        elif type(item) not in _SCALARS and _has_nul(item):
            return True
    return False


def _nul_anywhere(values: dict[str, Any]) -> bool:
    """``_has_nul(values)``, answered by orjson when it can: it writes a NUL as ``\\u0000`` wherever one
    sits, so output without that sequence means no NUL (4 us on a seat snapshot against 8). When the
    sequence is there (a NUL, or a backslash written before ``u0000``) or orjson refuses a value
    (a Decimal, a set, an integer beyond 64 bits...), ``_has_nul`` decides."""
    try:
        return b"\\u0000" in orjson.dumps(values) and _has_nul(values)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return _has_nul(values)


_SCALARS = frozenset({int, float, bool, type(None)})
_STR = frozenset({str})
_SEQUENCES = frozenset({list, tuple})


# How a field of a stored row combines with the same field of a new row of the same key:
#   latest    the new value (the default)
#   union     lists of strings: the sorted union (what several cities / pages / jobs contribute)
#   or        booleans: true once any row said true
#   max       the greater (dates, numbers): an older job finishing last never moves it back
#   nonnull   the new value unless it is null or an empty list (geocoding, a field one page lacks)
MergeRule = Literal["latest", "union", "or", "max", "nonnull"]


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


def D(text: str, default: Any = ..., **kwargs: Any) -> Any:
    """A field with its description (``D("meaning", default)``): docs/data.md prints it."""
    return Field(default, description=text, **kwargs)


class CineItem(BaseModel):
    """Base of every item. Subclasses set ``entity``, ``key`` and ``source``."""

    # defer_build: a model's validator is built on its first use, not at import: every `scrapy`
    # command imports this module (the spiders do), and most commands validate no item (issue 19).
    model_config = ConfigDict(extra="forbid", frozen=False, validate_default=True, defer_build=True)

    entity: ClassVar[str]
    key: ClassVar[tuple[str, ...]]
    source: ClassVar[str]
    merge_rules: ClassVar[dict[str, MergeRule]] = {}

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if "entity" in cls.__dict__:  # an entity of its own (not a shared base like TmdbLogoEntity)
            register(cls)

    def natural_key(self) -> str:
        return "|".join(str(getattr(self, name)) for name in self.key)

    @model_validator(mode="before")
    @classmethod
    def _no_nul_bytes(cls, values: Any) -> Any:
        # PostgreSQL refuses NUL in text and would fail the whole batch: reject the one record here.
        if isinstance(values, dict) and _nul_anywhere(values):
            raise ValueError("text contains a NUL byte")
        return values

    @model_validator(mode="after")
    def _union_fields_are_sets(self) -> CineItem:
        # stored as the merge would leave them (sorted, distinct), so a first write equals a merged one
        for name, rule in self.merge_rules.items():
            if rule == "union":
                setattr(self, name, sorted(set(getattr(self, name) or [])))
        return self

    @classmethod
    def validate_constructed(cls, item: CineItem) -> CineItem:
        """Validate an item built with model_construct, from the raw values it holds."""
        raw = ItemAdapter(item)
        return cls.model_validate({name: raw[name] for name in cls.model_fields if name in raw})

    def row(self) -> dict[str, Any]:
        """The storage form: JSON-compatible values, ISO dates, nested as lists/dicts."""
        return self.model_dump(mode="json")


# entity -> model, in the order their modules were imported (cineradar.items imports its own
# modules first, in a fixed order, so docs/data.md keeps its order).
REGISTRY: dict[str, type[CineItem]] = {}


def register(model: type[CineItem]) -> None:
    """Add a model to the registry; two models may not claim one entity (one table each)."""
    known = REGISTRY.get(model.entity)
    if known is not None and (known.__module__, known.__qualname__) != (model.__module__, model.__qualname__):
        raise TypeError(f"entity {model.entity!r} is claimed by {known.__module__}.{known.__qualname__} "
                        f"and {model.__module__}.{model.__qualname__}")
    REGISTRY[model.entity] = model


def registered() -> tuple[type[CineItem], ...]:
    """Every model registered so far: the project's and those of any source module imported since."""
    return tuple(REGISTRY.values())


ENTITY_FIELD = "entity"
ENTITY_DESCRIPTION = ("The entity name (this section's title): in feeds only, so a feed of several entities "
                      "can be split (FEEDS `item_classes`, or by this column); not a stored column.")


class CineItemAdapter(PydanticAdapter):
    """How feeds (and everything else reading items through itemadapter) see a CineItem:
    its pydantic fields after a first, read-only ``entity`` field holding the entity name.

    A ClassVar or a computed field is not exported (itemadapter reads ``model_fields``
    only), and a real model field would become a stored column of every table; this
    adapter, registered first in ``ItemAdapter.ADAPTER_CLASSES`` (itemadapter's extension
    point), adds the name where feeds read items and nowhere else.
    """

    @classmethod
    def is_item_class(cls, item_class: type) -> bool:
        return isinstance(item_class, type) and issubclass(item_class, CineItem)

    @classmethod
    def get_field_names_from_class(cls, item_class: type) -> list[str] | None:
        return [ENTITY_FIELD, *item_class.model_fields]  # type: ignore[attr-defined]

    @classmethod
    def get_field_meta_from_class(cls, item_class: type, field_name: str) -> MappingProxyType[str, Any]:
        if field_name == ENTITY_FIELD:
            return MappingProxyType({"description": ENTITY_DESCRIPTION})
        return super().get_field_meta_from_class(item_class, field_name)

    def field_names(self) -> KeysView[str]:
        return KeysView(dict.fromkeys([ENTITY_FIELD, *type(self.item).model_fields]))

    def __getitem__(self, field_name: str) -> Any:
        if field_name == ENTITY_FIELD:
            return self.item.entity
        return super().__getitem__(field_name)

    def __setitem__(self, field_name: str, value: Any) -> None:
        if field_name == ENTITY_FIELD:
            if value != self.item.entity:
                raise KeyError(f"{type(self.item).__name__}: entity is {self.item.entity!r}, not {value!r}")
            return
        super().__setitem__(field_name, value)

    def __delitem__(self, field_name: str) -> None:
        if field_name == ENTITY_FIELD:
            raise KeyError(f"{type(self.item).__name__}: entity cannot be deleted")
        super().__delitem__(field_name)

    def __iter__(self) -> Iterator[str]:
        yield ENTITY_FIELD
        yield from super().__iter__()


if CineItemAdapter not in ItemAdapter.ADAPTER_CLASSES:
    ItemAdapter.ADAPTER_CLASSES.appendleft(CineItemAdapter)  # type: ignore[attr-defined]


def sanitize_id(value: str) -> str:
    """Every character outside [A-Za-z0-9_-] becomes '_' (the original's external_id rule)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", value)
