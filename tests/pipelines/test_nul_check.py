"""The NUL-byte check every item passes (items._has_nul) finds a NUL wherever it sits, fast paths included."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cineradar.items import _has_nul
from cineradar.items.base import _nul_anywhere


class Text(str):
    pass


@pytest.mark.parametrize(("value", "found"), [
    ({"a": "x\x00"}, True),
    ({"a": ["b", ("c", ["\x00"])]}, True),
    ({"a": [1, 2.5, None, True]}, False),
    ({"a": {"b": {"c": "\x00"}}}, True),
    ({"layout": [("A", [1, 0]), ("B", [1, 1])]}, False),
    ({"layout": [("A", [1, 0]), ("B\x00", [1])]}, True),  # a row name: the names column
    ({"layout": [("A", [1, 0]), ("B", [1, "\x00"])]}, True),  # inside a codes list
    ({"layout": [("A", [1, 0]), ("B", [1], "x\x00")]}, True),  # rows of different lengths
    ({"layout": [["a"], ["b", "c\x00"]]}, True),
    ({"layout": [[1], [2, {"k": "\x00"}]]}, True),
    ({"layout": [[1], [2, [3]]]}, False),
    ({"names": ["a", "b", "c\x00"]}, True),
    ({"s": Text("a\x00")}, True),
    ({"t": ("\x00",)}, True),
    ({"empty": [], "rows": [[], []]}, False),
    # rows of numbers only are summed in C (the codes column); anything else in them is looked into
    ({"codes": [[1, 0], [1, 1]], "more": ([1.5, 0], (True, 2))}, False),
    ({"codes": [[1, None], [0, 1]]}, False),
    ({"codes": [[1, 0], [1, Text("\x00")]]}, True),
    ({"codes": [[1, 0], [1, ["\x00"]]]}, True),
    ({"codes": [[1, 0], [1, {"k": "\x00"}]]}, True),
    # what orjson writes with a backslash before u0000 without a NUL, or refuses
    ({"text": "a \\u0000 b"}, False),
    ({"n": Decimal("1.5"), "s": {"x\x00"}, "big": 2**70}, False),
    ({"n": Decimal("1.5"), "t": "x\x00"}, True),
    ({"k": {1: "x\x00"}}, True),
])
def test_a_nul_is_found_wherever_it_sits(value, found):
    assert _has_nul(value) is found
    assert _nul_anywhere(value) is found  # the validator's check: orjson first, _has_nul when in doubt
