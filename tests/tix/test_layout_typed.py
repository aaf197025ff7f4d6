"""The typed layout decoder (parsers/tix_layouts.py) reads every E5 body as the dict path does:
the same Occupancy, or the same error, for the replica's three shapes and for every odd form."""

from __future__ import annotations

import json
import random

import pytest

from cineradar.parsers import tix, tix_layouts
from replica.tix.layouts import make_geometry, render


def dict_path(body: bytes) -> tix.Occupancy:
    return tix.parse_layout(tix.load_layout_json(body))


def outcome(read, body: bytes):  # noqa: ANN001, ANN201
    try:
        return read(body)
    except (tix.PayloadError, tix.ApiError, tix.LayoutError) as exc:
        return type(exc), str(exc)


@pytest.mark.parametrize("shape", ["xxi", "cinepolis", "cgv"])
def test_the_replicas_layouts_read_the_same(shape):
    rng = random.Random(shape)
    for n in range(60):
        kind = rng.choice(["main", "3d", "premium", "big", "big3d"])
        geometry = make_geometry(rng, shape, kind, "REGULAR 2D")
        body = render(geometry, f"{shape}-{n}", rng.randint(0, geometry.total), 50_000)
        typed = tix_layouts.occupancy(body)
        assert typed == dict_path(body)
        assert typed.total_seats == geometry.total


ODD = [
    # every key the dict path reads, in forms the structs refuse: they go the dict way
    {"data": {"seat_map": [{"seat_code": "A", "seat_rows": [{"status": 1}, {"status": "5"}, "junk"]}]}},
    {"data": {"seat_map": [{"seat_code": "A", "seat_rows": [{"status": None, "seat_status": 6}, {"status": 1.0}]}]}},
    {"data": {"seat_map": [{"seat_code": None, "row_name": "B", "seat_rows": [{"status": True}]}]}},
    {"data": {"seat_map": [{"seat_code": " C ", "seat_rows": None}, {"row_name": "D", "seat_status": 1}]}},
    {"data": [{"row_name": "A", "seat_status": 1}, {"row_name": 3, "seat_status": 5}]},
    {"data": {"seat_map": [{"row_name": "A", "seat_yn": None, "seat_status": 1}]}},
    {"data": {"seat_map": [{"row_name": "A", "seat_yn": 1, "seat_status": "1"}]}},
    {"data": {"seat_map": [{"row_name": None, "seat_status": 1}, {"x": 1}]}},
    {"data": {"seat_map": [{"row_name": "A", "seat_status": None, "status": 5}]}},
    {"data": {"seat_map": "x"}}, {"data": {}}, {"data": None}, {"success": True}, [], "text", None,
    {"success": False, "error": {"code": "E", "message": "nope"}, "data": {"seat_map": []}},
    {"success": None, "data": {"seat_map": [{"row_name": "A", "seat_status": 1}]}},
    # plain forms the structs take: the typed path's own rules
    {"data": {"seat_map": []}},
    {"data": {"seat_map": [{"x": 1}, {"y": "2"}]}},
    {"data": {"seat_map": [{"seat_no": "1"}, {"seat_status": 9}]}},
    {"data": {"seat_map": [{"seat_code": "", "row_name": "C", "seat_rows": []},
                           {"seat_code": "A", "seat_rows": [{"status": 1}, {"status": 2}, {"seat_status": 5},
                                                             {"other": 1}, {"status": 6}]},
                           {"row_name": "Z", "seat_status": 1}]}},
    {"data": {"seat_map": [{"row_name": " A ", "seat_status": 1}, {"row_name": "A", "status": 5},
                           {"seat_code": "B", "seat_status": 6}, {"seat_status": 1},
                           {"row_name": "B", "seat_status": 0, "status": 1}]}},
    {"success": True, "data": {"seat_map": [
        {"row_name": "A", "seat_yn": "1", "seat_status": 1}, {"row_name": "A", "seat_yn": "1", "seat_status": 0},
        {"row_name": "A", "seat_yn": "0", "seat_status": 0}, {"row_name": "B", "seat_yn": " 1 ", "seat_status": 5},
        {"row_name": "B", "seat_yn": "x", "seat_status": 1}, {"row_name": "B", "seat_yn": "1", "seat_status": 9},
        {"row_name": "B", "seat_yn": "1", "status": 6}, {"row_name": "B", "seat_yn": "", "seat_status": 1},
        {"row_name": "C", "seat_yn": "1"}]}},
    # flat rows apart, codes to skip, aisles, a row of aisles only, seat_yn on some seats only
    {"data": {"seat_map": [{"row_name": "A", "seat_status": 1}, {"row_name": "B", "seat_status": 2},
                           {"row_name": "A", "seat_status": 6}, {"row_name": "C", "seat_status": 0},
                           {"row_name": "B", "seat_status": 5}, {"row_name": "", "seat_status": 1}]}},
    {"data": {"seat_map": [{"row_name": "A", "seat_yn": "0", "seat_status": 0},
                           {"row_name": "B", "seat_yn": "1", "seat_status": 0},
                           {"row_name": "A", "seat_yn": "1", "seat_status": 1},
                           {"row_name": "B", "seat_yn": "1", "seat_status": 7}]}},
    {"data": {"seat_map": [{"row_name": "A", "seat_yn": "0", "seat_status": 0}]}},
    {"data": {"seat_map": [{"row_name": "A", "seat_yn": "1", "seat_status": 1}, {"row_name": "A", "seat_status": 5}]}},
    {"data": {"seat_map": [{"row_name": "A ", "seat_status": 1}, {"row_name": "A", "seat_status": 5}]}},
]


@pytest.mark.parametrize("payload", ODD, ids=range(len(ODD)))
def test_odd_layouts_read_the_same(payload):
    body = json.dumps(payload).encode()
    assert outcome(tix_layouts.occupancy, body) == outcome(dict_path, body)


@pytest.mark.parametrize("body", [
    b'{"data": {"seat_map": [{"row_name": "A", "seat_status": 1, "seat_status": 5}]}}',  # the last one wins
    b'{"data": {"seat_map": [{"seat_code": "A", "seat_rows": [{"status": 18446744073709551617}, {"status": 1}]}]}}',
    b'{"data": {"seat_map": [{"row_name": "B", "seat_status": NaN}, {"row_name": "B", "seat_status": 6}]}}',
    b'{"data": {"seat_map": [{"row_name": "A", "seat_status": 1}',  # truncated
    b"", b"not json", '{"data": {"seat_map": [{"row_name": "\u00c9", "seat_status": 1}]}}'.encode("utf-16"),
])
def test_odd_bodies_read_the_same(body):
    assert outcome(tix_layouts.occupancy, body) == outcome(dict_path, body)
