"""TIX.id parsing at its edges: theatres without showtimes amid others, unknown chains, the
CGV seat_yn forms, time limits, envelopes and error codes, and a snapshot's every field."""

from __future__ import annotations

import datetime as dt

import pytest

from cineradar.items import WIB
from cineradar.parsers import tix

DAY = dt.date(2026, 11, 21)


def theatre(tid, merchant="XXI", times=("18:00",), category="REGULAR 2D", price="Rp50.000", **extra):
    return {"id": tid, "name": f" T\r\n{tid} ", "merchant": {"merchant_name": merchant}, "address": "Jl.  A",
            "price_groups": [{"category": category, "price_string": price,
                              "show_time": [{"id": f"{tid}{i}", "display_time": t, "status": 1}
                                            for i, t in enumerate(times)]}], **extra}


def page(*theatres, has_next=False):
    return tix.parse_schedule_page({"success": True, "data": {"theaters": list(theatres), "has_next": has_next}},
                                   movie_id="7", city="JAKARTA", date=DAY)


def test_a_theatre_without_showtimes_does_not_hide_the_ones_after_it():
    result = page(theatre("1"), theatre("2", times=()), theatre("3"), theatre("4", times=()), theatre("5"))
    assert [t.theatre_id for t in result.theatres] == ["1", "3", "5"]
    assert [s.theatre_id for s in result.showtimes] == ["1", "3", "5"]
    assert not result.has_next and page(theatre("1"), has_next=True).has_next


def test_showtimes_and_theatres_carry_every_field():
    result = page(theatre("1", merchant="cinepolis", times=("9:05:00", "21:30"), price="Rp35.000 - Rp50.000"))
    first, second = result.showtimes
    assert (first.showtime_id, first.movie_id, first.theatre_id, first.city) == ("10", "7", "1", "JAKARTA")
    assert (first.merchant, first.room_category, first.price) == ("Cinépolis", "REGULAR 2D", "Rp35.000 - Rp50.000")
    assert (first.price_min, first.price_max) == (35000, 50000)
    assert (first.date, first.time, first.status, first.is_available) == (DAY, "09:05", 1, True)
    assert first.starts_at == dt.datetime(2026, 11, 21, 9, 5, tzinfo=WIB)
    assert second.time == "21:30"
    (t,) = result.theatres
    assert (t.theatre_id, t.name, t.merchant, t.city, t.address) == ("1", "T 1", "Cinépolis", "JAKARTA", "Jl. A")
    assert (t.room_types, t.last_seen) == (["REGULAR 2D"], DAY)
    assert result.problems == []


def test_an_unknown_chain_keeps_the_theatre_without_a_merchant():
    result = page(theatre("1", merchant="IMAXX"), theatre("2", merchant=""))
    assert [t.merchant for t in result.theatres] == [None, None]
    assert result.problems == [("unknown_merchant", "IMAXX"), ("unknown_merchant", "<empty>")]
    assert [s.merchant for s in result.showtimes] == ["IMAXX", ""]


def test_odd_entries_are_reported_not_fatal():
    raw = theatre("1")
    raw["price_groups"][0]["show_time"] += ["junk", {"id": 9, "display_time": "20:00", "status": 7}]
    raw["price_groups"].append("junk")
    result = page("junk", raw)
    assert ("bad_theatre", "'junk'") in result.problems
    assert ("bad_showtime", "'junk'") in result.problems
    assert ("unexpected_status", "7") in result.problems
    assert [(s.showtime_id, s.status, s.is_available) for s in result.showtimes] == [("10", 1, True), ("9", 7, False)]


def test_room_types_are_the_distinct_categories_with_showtimes():
    raw = theatre("1", category="IMAX 2D")
    raw["price_groups"] += [{"category": "REGULAR 2D", "show_time": [{"id": 5, "display_time": "1:00", "status": 0}]},
                            {"category": "IMAX 2D", "show_time": [{"id": 6, "display_time": "2:00", "status": 2}]},
                            {"category": "SATIN", "show_time": []}]
    assert page(raw).theatres[0].room_types == ["IMAX 2D", "REGULAR 2D"]


def test_theatres_under_either_spelling_and_a_missing_list():
    data = {"theatres": [theatre("1")]}
    assert len(tix.parse_schedule_page({"data": data}, movie_id="7", city="X", date=DAY).theatres) == 1
    assert tix.parse_schedule_page({"data": {}}, movie_id="7", city="X", date=DAY).theatres == []
    with pytest.raises(tix.PayloadError):
        tix.parse_schedule_page({"data": {"theaters": "x"}}, movie_id="7", city="X", date=DAY)
    with pytest.raises(tix.PayloadError):
        tix.parse_schedule_page({"data": []}, movie_id="7", city="X", date=DAY)


@pytest.mark.parametrize(("hhmm", "expected"), [
    ("0:00", (0, 0)), ("23:59", (23, 59)), ("9:30", (9, 30)),
    ("24:00", None), ("23:60", None), ("12", None), ("", None), ("12:5", None),
])
def test_starts_at_accepts_only_real_clock_times(hhmm, expected):
    got = tix.starts_at(DAY, hhmm)
    assert (got.hour, got.minute) == expected if expected else got is None
    if got:
        assert got.tzinfo == WIB and got.date() == DAY


@pytest.mark.parametrize(("text", "expected"), [
    ("Rp30.000", (30000, 30000)), ("Rp 35.000 - Rp50.000", (35000, 50000)), ("rp1.250.000", (1250000, 1250000)),
    ("Rp500", (500, 500)), ("Rp50.000 - Rp35.000", (None, None)), ("30.000", (None, None)), (None, (None, None)),
    ("Rp30.000,50", (None, None)),
])
def test_prices(text, expected):
    assert tix.parse_price(text) == expected


def cgv(*seats):
    return {"success": True, "data": {"seat_map": [dict(zip(("row_name", "seat_yn", "seat_status"), s, strict=True))
                                                   for s in seats]}}


def test_cgv_seat_yn_forms():
    occ = tix.parse_layout(cgv(("A", "1", 1), ("A", "1", 0), ("A", "0", 0), ("A", "0", 1), ("B", "1", 5),
                               ("B", "1", 6), ("B", "1", 9), ("B", 1, "1"), ("B", 1, "0"), ("B", "x", 1),
                               ("B", None, 1)))
    assert occ.shape == "flat_yn"
    assert occ.layout == [("A", [1, 0]), ("B", [0, 0, 1, 0])]
    assert (occ.total_seats, occ.available_seats, occ.unavailable_seats) == (6, 2, 4)
    assert occ.occupancy_pct == 66.7


@pytest.mark.parametrize(("status", "seat_yn", "code"), [
    (1, None, 1), (5, None, 0), (6, None, 0), (0, None, None), (2, None, None),
    ("1", None, 1), ("5", None, 0), ("6", None, 0), ("x", None, None), ("0", None, None),
    (0, "1", 0), ("0", "1", 0), (1, "1", 1), (5, " 1 ", 0), (1, "0", None), (1, "", None), (3, "1", None),
])
def test_seat_codes(status, seat_yn, code):
    assert tix._seat_code(status, seat_yn) == code


def test_flat_layouts_without_seat_yn():
    payload = {"data": [{"row_name": " A ", "seat_status": 1}, {"row_name": "A", "status": 5},
                        {"seat_code": "B", "seat_status": "6"}, {"row_name": 3, "seat_status": 1},
                        {"row_name": "B", "seat_status": 0}, "junk"]}
    occ = tix.parse_layout(payload)
    assert occ.shape == "flat"
    assert occ.layout == [("A", [1, 0]), ("B", [0]), ("3", [1])]
    with pytest.raises(tix.LayoutError):
        tix.parse_layout({"data": [{"x": 1}]})
    with pytest.raises(tix.LayoutError):
        tix.parse_layout({"data": {"seat_map": "x"}})
    assert tix.parse_layout({"data": {"seat_map": []}}).total_seats == 0


def test_nested_layouts_in_mixed_forms():
    payload = {"data": {"seat_map": [
        {"seat_code": "A", "seat_rows": [{"status": 1}, {"status": 5}, {"status": 2}]},
        {"row_name": "B", "seat_rows": [{"seat_status": "1"}, "junk", {"status": 6}, {"status": "5"}]},
        {"seat_code": "", "row_name": "C", "seat_rows": []},
    ]}}
    occ = tix.parse_layout(payload)
    assert occ.shape == "nested"
    assert occ.layout == [("A", [1, 0]), ("B", [1, 0, 0])]
    assert (occ.total_seats, occ.available_seats, occ.unavailable_seats, occ.occupancy_pct) == (5, 2, 3, 60.0)


def test_build_snapshot_copies_the_showtime_row():
    occ = tix.Occupancy(3, 1, 2, 33.3, [("A", [1, 0, 1])], "nested")
    scraped = dt.datetime(2026, 11, 20, 23, 40, tzinfo=dt.UTC)   # 06:40 WIB the next day
    row = {"showtime_id": 42, "date": "2026-11-21", "time": "18:00", "movie_id": "7", "movie_title": "Film",
           "theatre_id": "3", "theatre_name": "Hall", "city": "JAKARTA", "merchant": "CGV",
           "room_category": "IMAX 2D"}
    snap = tix.build_snapshot(occ, showtime=row, mode="jit", scraped_at=scraped)
    assert snap.snapshot_id == "42_jit_0640" and snap.showtime_id == "42" and snap.mode == "jit"
    assert (snap.date, snap.time, snap.movie_id, snap.movie_title) == (DAY, "18:00", "7", "Film")
    assert (snap.theatre_id, snap.theatre_name, snap.city, snap.merchant) == ("3", "Hall", "JAKARTA", "CGV")
    assert snap.room_category == "IMAX 2D" and snap.scraped_at == scraped
    assert (snap.total_seats, snap.unavailable_seats, snap.available_seats, snap.occupancy_pct) == (3, 1, 2, 33.3)
    assert snap.layout == [("A", [1, 0, 1])] and snap.layout[0][1] is not occ.layout[0][1]
    undated = tix.build_snapshot(occ, showtime={"showtime_id": "1"}, mode="final", scraped_at=scraped)
    assert undated.date == DAY   # the scrape's day in WIB


def test_envelopes_and_error_codes():
    assert tix.envelope({"success": True, "data": [1]}) == [1]
    with pytest.raises(tix.ApiError, match="^expired$"):
        tix.envelope({"success": False, "error": {"message": "expired"}})
    with pytest.raises(tix.ApiError, match="^plain$"):
        tix.envelope({"success": False, "error": "plain"})
    with pytest.raises(tix.ApiError, match="^top$"):
        tix.envelope({"success": False, "message": "top"})
    with pytest.raises(tix.ApiError, match="^success: false$"):
        tix.envelope({"success": False})
    with pytest.raises(tix.PayloadError):
        tix.envelope({"success": True})
    with pytest.raises(tix.PayloadError):
        tix.envelope([])
    assert tix.error_code({"error": {"code": "EXPIRED_EVENT_DETAIL", "message": "m"}}) == "EXPIRED_EVENT_DETAIL"
    assert tix.error_code({"error": "E1"}) == "E1"
    assert tix.error_code({"code": "C", "message": "M"}) == "C"
    assert tix.error_code({"message": "M"}) == "M"
    assert tix.error_code({"error": {"message": "inner"}}) == "inner"
    assert tix.error_code({"error": {"code": ""}}) is None and tix.error_code("x") is None
    with pytest.raises(tix.PayloadError, match="not JSON"):
        tix.load_json(b'{"a": ')
    assert tix.load_json('{"a": 1}') == {"a": 1}


def test_movies_of_a_city():
    payload = {"success": True, "data": {"movies": [
        {"id": 7, "title": " A  B ", "genres": [{"name": "Drama"}, "Horror", None], "poster_path": "p",
         "age_category": "R", "country": "USA", "merchant": [{"merchant_name": "cgv"}, "XXI", "xxi", ""],
         "presale_flag": "1"},
        {"movie_id": "8", "title": None, "merchants": ["Cinepolis"], "presale_flag": True},
        {"movie_id": "9", "title": "C", "presale_flag": 0},
        "junk",
    ]}}
    a, b, c = tix.parse_movies(payload, city="BALI", date=DAY)
    assert (a.movie_id, a.title, a.genres, a.poster_url, a.age_category, a.country) == (
        "7", "A B", ["Drama", "Horror"], "p", "R", "USA")
    assert a.merchants == ["CGV", "XXI"] and a.cities == ["BALI"] and a.date == DAY and a.is_presale is True
    assert (b.title, b.merchants, b.is_presale) == ("", ["Cinépolis"], True)
    assert c.is_presale is False
    assert tix.parse_movies({"data": {"items": []}}, city="X", date=DAY) == []
    with pytest.raises(tix.PayloadError):
        tix.parse_movies({"data": "x"}, city="X", date=DAY)


def test_small_helpers():
    assert tix.merchant_path("Cinépolis") == "cinepolis" and tix.merchant_path(" Foo ") == "foo"
    assert tix.normalize_merchant(" cinépolis ") == "Cinépolis" and tix.normalize_merchant(None) == ""
    assert tix.clean_text("  ") is None and tix.clean_text(None) is None and tix.clean_text(5) == "5"
    assert tix.parse_date("2026-11-21") == DAY and tix.parse_date(DAY) is DAY and tix.parse_date("x") is None
    assert tix.snapshot_id("1", "morning", dt.datetime(2026, 11, 21, 0, 5, tzinfo=dt.UTC)) == "1_morning_0705"


def test_junk_entries_first_do_not_hide_the_rest():
    movies = tix.parse_movies({"data": ["junk", {"id": 1, "title": "A", "presale_flag": False}]}, city="X", date=DAY)
    assert [(m.movie_id, m.is_presale) for m in movies] == [("1", False)]
    raw = theatre("1")
    raw["price_groups"].insert(0, "junk")
    raw["id"], raw["theater_id"] = None, 5
    result = page(raw)
    assert [s.showtime_id for s in result.showtimes] == ["10"] and result.theatres[0].theatre_id == "5"
    occ = tix.parse_layout({"data": ["junk", {"row_name": "A", "seat_status": 1}]})
    assert occ.layout == [("A", [1])]
    unnamed = tix.parse_schedule_page({"data": {"theaters": [{"price_groups": [
        {"show_time": [{"id": None, "display_time": None, "status": "x"}]}]}]}}, movie_id="7", city="X", date=DAY)
    (s,) = unnamed.showtimes
    assert (s.showtime_id, s.time, s.status, s.room_category, s.starts_at) == ("", "", "x", "", None)
    assert unnamed.theatres[0].name == "" and unnamed.theatres[0].theatre_id == ""


@pytest.mark.parametrize("body", [b'{"a": NaN}', b'{"id": 123456789012345678901234567890}',
                                  '{"t": "Cin\u00e9polis"}'.encode("utf-16"), '{"s": "\u00e9"}', b'[1, 2.5e3]'])
def test_load_json_accepts_what_the_standard_library_reads(body):
    """The fast decoder refuses some documents the standard library reads: the result is json's."""
    import json
    import math

    got, want = tix.load_json(body), json.loads(body)
    assert repr(got) == repr(want) or (isinstance(got, dict) and math.isnan(got["a"]) and math.isnan(want["a"]))


@pytest.mark.parametrize("body", [b'{"success": true, "data": [', b"\xff\xfe\x00garbage", b"", b"<html>502</html>"])
def test_load_json_refuses_what_neither_reads(body):
    with pytest.raises(tix.PayloadError, match="^not JSON"):
        tix.load_json(body)


@pytest.mark.parametrize("text", ['{"id": 98765432109876543210}', '{"id": -9223372036854775809}',
                                  '{"ids": [18446744073709551616, 2123626385373350233]}'])
def test_load_json_keeps_big_integers_exact(text):
    """orjson reads integers beyond 64 bits as floats (precision lost): such a body is read by json."""
    import json

    for body in (text, text.encode()):
        assert tix.load_json(body) == json.loads(text)
        assert all(type(v) is int for v in json.loads(text).values() if not isinstance(v, list))


@pytest.mark.parametrize("body", [b'{"success": true, "data": {"seat_map": [{"seat_code": "A", "seat_rows": '
                                  b'[{"status": 1}, {"status": 5}, {"status": 18446744073709551617}]}]}}',
                                  b'{"success": true, "data": {"seat_map": [{"row_name": "B", "seat_status": NaN},'
                                  b' {"row_name": "B", "seat_status": 6}]}}'])
def test_a_layout_reads_the_same_through_the_fast_decoder(body):
    """load_layout_json skips the big-integer check: the occupancy is the same as json's."""
    import json

    assert tix.parse_layout(tix.load_layout_json(body)) == tix.parse_layout(json.loads(body))
    with pytest.raises(tix.PayloadError):
        tix.load_layout_json(body[:-3])
