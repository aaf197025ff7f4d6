"""E5 seat layouts decoded straight into typed structs (msgspec), reading only what parse_layout reads.

Decoding a layout into dicts was a sixth of the seat crawl's CPU (11,502 layouts a morning,
about 2.5 million seat objects): every seat became a dict with every key the API sends.
``occupancy`` decodes the body into structs holding only the keys ``parsers.tix.parse_layout``
looks at (statuses, ``seat_yn``, row names) and counts from them, with the same rules.

The structs take only the plain forms: integer statuses, string row names and ``seat_yn``, no
``null``, every item an object. Anything else (``success: false``, a string status, a ``null``
key, a body that is not JSON, a NaN, a shape with ``data`` as a bare list) fails the typed
decode and goes the dict way, ``parse_layout(load_layout_json(body))``, so the answer and every
error are exactly the dict path's; tests/tix/test_layout_typed.py checks the two agree.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from cineradar.parsers.tix import (
    _CODES,
    UNAVAILABLE,
    LayoutError,
    Occupancy,
    _count,
    _seat_code,
    load_layout_json,
    parse_layout,
)


# gc=False: a decoded layout is a tree (no struct can refer back to another), so the collector need
# not track its few hundred structs; with gc=True each layout's structs counted toward a young collection.
class _RowSeat(msgspec.Struct, gc=False):
    """A seat inside a nested (XXI) row."""

    status: int | UnsetType = UNSET
    seat_status: int | UnsetType = UNSET


class _Item(msgspec.Struct, gc=False):
    """An item of ``seat_map``: a nested row (``seat_rows``) or a flat seat (Cinépolis, CGV)."""

    seat_rows: list[_RowSeat] | UnsetType = UNSET
    seat_code: str | UnsetType = UNSET
    row_name: str | UnsetType = UNSET
    status: int | UnsetType = UNSET
    seat_status: int | UnsetType = UNSET
    seat_yn: str | UnsetType = UNSET


class _Data(msgspec.Struct, gc=False):
    seat_map: list[_Item]


class _Answer(msgspec.Struct, gc=False):
    data: _Data
    success: bool = True


_decoder = msgspec.json.Decoder(_Answer)
_STATUS = attrgetter("status")


def occupancy(body: bytes) -> Occupancy:
    """Seat counts and compressed layout of an E5 body, as ``parse_layout(load_layout_json(body))``.

    Raises what that raises (PayloadError, ApiError, LayoutError) for a body it refuses.
    """
    try:
        answer = _decoder.decode(body)
    except (msgspec.DecodeError, TypeError):  # msgspec.ValidationError is a DecodeError
        answer = None
    if answer is None or answer.success is False:
        return parse_layout(load_layout_json(body))
    return _count_typed(answer.data.seat_map)


def _count_typed(seat_map: list[_Item]) -> Occupancy:
    nested = [item for item in seat_map if item.seat_rows is not UNSET]
    if nested:
        rows: list[tuple[str, list[int]]] = []
        for item in nested:
            name = (item.seat_code or item.row_name or "").strip()  # UNSET is falsy
            seats: list[_RowSeat] = item.seat_rows  # type: ignore[assignment]
            statuses: list[Any] = list(map(_STATUS, seats))  # the XXI norm: every seat has a status
            if UNSET in statuses:
                statuses = [seat.seat_status if status is UNSET else status
                            for seat, status in zip(seats, statuses, strict=True)]
            mapped = [_seat_code(None) if status is UNSET else _CODES.get(status) for status in statuses] \
                if UNSET in statuses else list(map(_CODES.get, statuses))
            rows.append((name, [code for code in mapped if code is not None] if None in mapped else mapped))  # type: ignore[arg-type]
        return _count(rows, "nested")
    grouped: dict[str, list[int]] = {}
    with_yn = False
    for item in seat_map:
        status: Any = item.seat_status if item.seat_status is not UNSET else item.status
        if status is UNSET:
            status = None
        seat_yn = item.seat_yn
        if seat_yn is UNSET:
            code = _CODES.get(status) if status is not None else _seat_code(None)
        else:
            with_yn = True
            if seat_yn == "1" and status is not None:
                code = UNAVAILABLE if status == 0 else _CODES.get(status)
            elif seat_yn == "0":
                continue  # an aisle
            else:
                code = _seat_code(status, seat_yn)
        if code is None:
            continue
        label: Any = item.row_name
        if label is UNSET:
            label = item.seat_code or ""
        if label != label.strip():
            label = label.strip()
        row = grouped.get(label)
        if row is None:
            row = grouped[label] = []
        row.append(code)
    if seat_map and not grouped and not any(i.row_name is not UNSET or i.seat_status is not UNSET
                                            for i in seat_map):
        raise LayoutError("seat_map items have none of the known keys")
    return _count(grouped.items(), "flat_yn" if with_yn else "flat")

