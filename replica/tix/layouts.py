"""Seat maps of the TIX.id replica (E5) in the three shapes the real API returns (docs/sources/tix.md#layout-shapes).

A ``Geometry`` is one auditorium: row names and seats per row. Which seats are taken is
a pure function of the showtime ID and its unavailable count, so truth() can state the
counts without building the maps and the server can build each map once and cache it.
"""

from __future__ import annotations

import functools
import json
import random
import string
from collections import OrderedDict
from dataclasses import dataclass

from replica.core import stable_seed

XXI_ROWS = [c for c in string.ascii_uppercase if c != "I"]  # XXI never has a row I (docs/sources/tix.md#layout-shapes)
FLAT_ROWS = list(string.ascii_uppercase)


@dataclass(frozen=True, slots=True)
class Geometry:
    shape: str  # "xxi" (nested), "cinepolis" (flat), "cgv" (flat with seat_yn aisles)
    rows: tuple[str, ...]
    seats: tuple[int, ...]  # seats in each row
    aisles: tuple[int, ...] = ()  # cgv: an aisle item follows these seat numbers
    grades: tuple[tuple[str, str], ...] = ()  # cgv: (seat_grd_cd, seat_grd_nm) of each row

    @property
    def total(self) -> int:
        return sum(self.seats)


# (rows, seats per row) ranges by room kind; premium rooms are small, large formats big.
_SIZES = {"main": ((8, 13), (12, 20)), "3d": ((7, 12), (12, 18)), "premium": ((3, 6), (6, 10)),
          "big": ((12, 17), (20, 28)), "big3d": ((12, 17), (20, 28))}


def make_geometry(rng: random.Random, shape: str, kind: str, category: str) -> Geometry:
    (rmin, rmax), (smin, smax) = _SIZES[kind]
    nrows, width = rng.randint(rmin, rmax), rng.randint(smin, smax)
    names = tuple((XXI_ROWS if shape == "xxi" else FLAT_ROWS)[:nrows])
    seats = [width] * nrows
    if nrows > 4 and rng.random() < 0.4:  # a short front row beside the screen exit
        seats[0] = width - 2
    if shape != "cgv":
        return Geometry(shape, names, tuple(seats))
    aisles = tuple(sorted({max(1, width // 4), width - max(1, width // 4)})) if width >= 8 else ()
    if kind == "main" or kind == "3d":
        grade = ("01", "REGULAR")
    else:
        base = category.rstrip().removesuffix("2D").removesuffix("3D").strip()
        grade = ("03", base or category.strip())
    grades = [grade] * nrows
    if kind == "main" and rng.random() < 0.5:
        grades[-1] = ("02", "SWEETBOX")
    return Geometry(shape, names, tuple(seats), aisles, tuple(grades))


# One seat of a template: the text before it (row openings, commas, aisles) and its
# three spellings: available, unavailable (first code), unavailable (second code).
Seat = tuple[str, tuple[str, str, str]]


@functools.lru_cache(maxsize=2048)
def _template(geometry: Geometry) -> tuple[list[Seat], str, str]:
    """The map of one auditorium as text with holes for the seat statuses: the seats, the
    text closing the last row, and the data keys after seat_map besides the price.

    Building a layout from dicts and json.dumps costs about 0.5 ms; filling this template
    is several times faster, which keeps E5 above 1,500 responses/s on cache misses.
    """
    seats: list[Seat] = []
    lead = ""
    if geometry.shape == "xxi":
        max_row = max(geometry.seats)
        for r, (row, count) in enumerate(zip(geometry.rows, geometry.seats, strict=True)):
            lead += ("," if r else "") + f'{{"seat_code":"{row}","max_row":{max_row},"seat_rows":['
            for number in range(1, count + 1):
                cell = f'{{"seat_row":"{row}{number}","status":'
                seats.append((lead + ("," if number > 1 else ""), (cell + "1}", cell + "6}", cell + "5}")))
                lead = ""
            lead = "]}"
        return seats, lead, ""
    if geometry.shape == "cinepolis":
        for row, count in zip(geometry.rows, geometry.seats, strict=True):
            for number in range(1, count + 1):
                cell = f'{{"row_name":"{row}","seat_no":"{number}","seat_status":'
                seats.append(("," if seats else "", (cell + "1}", cell + "5}", cell + "6}")))
        return seats, "", ""
    for row, count, (code, _) in zip(geometry.rows, geometry.seats, geometry.grades, strict=True):
        for number in range(1, count + 1):
            cell = f'{{"row_name":"{row}","seat_no":"{number}","seat_yn":"1","seat_status":'
            grade = f',"seat_grd_cd":"{code}"}}'
            seats.append((lead + ("," if seats else ""), (cell + "1" + grade, cell + "0" + grade, cell + "0" + grade)))
            lead = ""
            if number in geometry.aisles and number < count:
                # An aisle: seat_yn "0" with status 0, which a careless parser counts as sold.
                lead = f',{{"row_name":"{row}","seat_no":"","seat_yn":"0","seat_status":0,"seat_grd_cd":""}}'
    groups = [{"seat_grd_cd": c, "seat_grd_nm": n} for c, n in sorted(set(geometry.grades))]
    return seats, "", ',"price_group":' + json.dumps(groups, separators=(",", ":"))


def render(geometry: Geometry, showtime_id: str, unavailable: int, price: int) -> bytes:
    """The E5 body for one showtime; exactly ``unavailable`` of ``geometry.total`` seats taken."""
    seats, tail, extra = _template(geometry)
    rng = random.Random(stable_seed("tix-layout", showtime_id))
    taken = set(rng.sample(range(len(seats)), unavailable))
    draw = rng.random
    # The two unavailable codes are mixed (XXI and Cinépolis: 5 and 6, docs/sources/tix.md#seat-statuses).
    parts = [lead + (options[1 if draw() < 0.6 else 2] if i in taken else options[0])
             for i, (lead, options) in enumerate(seats)]
    return ('{"success":true,"data":{"seat_map":[' + "".join(parts) + tail
            + f'],"user_seat_purchased":0,"price":{price}{extra}}}}}').encode()


class LayoutCache:
    """Serialized layouts, least recently used out: all 11k would take about 100 MB."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[str, bytes] = OrderedDict()

    def get(self, key: str, build) -> bytes:
        body = self._items.get(key)
        if body is None:
            body = self._items[key] = build()
            if len(self._items) > self.size:
                self._items.popitem(last=False)
        else:
            self._items.move_to_end(key)
        return body
