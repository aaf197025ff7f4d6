"""Nominatim /search answers (https://nominatim.org/release-docs/latest/api/Output/). Pure: no Scrapy.

``format=json`` and ``format=jsonv2`` answer a JSON array of places; they differ in the name of
the main tag's key (``class`` in json, ``category`` in jsonv2), and jsonv2 adds ``place_rank``
(json has it too since Nominatim 4, older versions do not). Numbers come as strings in older
versions (``place_id``, ``osm_id``, ``place_rank``, ``importance``), ``lat``/``lon`` and the
bounding box always as strings. An empty array means nothing was found; an error is an object
(``{"error": {"code": 400, "message": ...}}`` or ``{"error": "..."}``). A place whose
coordinates cannot be read is skipped (counted by the caller), never guessed.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

OSM_TYPES = {"n": "node", "w": "way", "r": "relation", "node": "node", "way": "way", "relation": "relation"}


class NominatimError(ValueError):
    """The body is not a Nominatim search answer (not JSON, or an error object)."""


@dataclass(frozen=True)
class Place:
    """One result, with numbers as numbers."""

    lat: float
    lng: float
    display_name: str
    place_class: str | None = None
    place_type: str | None = None
    osm_type: str | None = None
    osm_id: int | None = None
    place_id: int | None = None
    importance: float | None = None
    place_rank: int | None = None
    addresstype: str | None = None
    boundingbox: tuple[float, float, float, float] | None = None  # south, north, west, east

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["boundingbox"] = list(self.boundingbox) if self.boundingbox else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Place:
        box = data.get("boundingbox")
        return cls(**{k: data.get(k) for k in cls.__dataclass_fields__ if k != "boundingbox"},  # type: ignore[arg-type]
                   boundingbox=tuple(box) if box else None)


def parse_search(body: str | bytes) -> tuple[list[Place], int]:
    """(the places in the answer's order, how many entries were skipped as unreadable)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NominatimError(f"not JSON: {exc}") from None
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            error = f"{error.get('code', '')} {error.get('message', '')}".strip()
        raise NominatimError(f"error answer: {error or data!r}"[:300])
    if not isinstance(data, list):
        raise NominatimError(f"expected a JSON array, got {type(data).__name__}")
    places, skipped = [], 0
    for entry in data:
        place = parse_place(entry) if isinstance(entry, dict) else None
        if place is None:
            skipped += 1
        else:
            places.append(place)
    return places, skipped


def parse_place(entry: dict[str, Any]) -> Place | None:
    lat, lng = _float(entry.get("lat")), _float(entry.get("lon"))
    if lat is None or lng is None or not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return None
    box = entry.get("boundingbox")
    bounds = None
    if isinstance(box, list) and len(box) == 4:
        values = [_float(v) for v in box]
        if all(v is not None for v in values):
            bounds = tuple(values)
    osm_type = OSM_TYPES.get(str(entry.get("osm_type") or "").lower())
    return Place(
        lat=lat, lng=lng, display_name=str(entry.get("display_name") or entry.get("name") or ""),
        place_class=_text(entry.get("category", entry.get("class"))), place_type=_text(entry.get("type")),
        osm_type=osm_type, osm_id=_int(entry.get("osm_id")), place_id=_int(entry.get("place_id")),
        importance=_float(entry.get("importance")), place_rank=_int(entry.get("place_rank")),
        addresstype=_text(entry.get("addresstype")), boundingbox=bounds,  # type: ignore[arg-type]
    )


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if text.isdigit() else None


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None
