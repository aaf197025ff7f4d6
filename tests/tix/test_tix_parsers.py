"""TIX.id parsers on saved fixture JSON (tests/fixtures/tix/): one assertion per field."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time

from cineradar.items import TixMovie, TixSeatSnapshot, TixShowtime, TixTheatre
from cineradar.parsers import tix as p
from cineradar.storage import merge
from cineradar.storage.base import EntitySpec

FIXTURES = Path(__file__).parent.parent / "fixtures" / "tix"
DAY = dt.date(2026, 1, 15)
WIB = ZoneInfo("Asia/Jakarta")


def load(name: str):  # noqa: ANN201
    return p.load_json((FIXTURES / name).read_bytes())


# ------------------------------------------------------------------------------ E3 movies
@pytest.fixture(scope="module")
def movies() -> list[TixMovie]:
    return p.parse_movies(load("movies_jakarta.json"), city="JAKARTA", date=DAY)


@pytest.fixture(scope="module")
def avatar(movies) -> TixMovie:  # noqa: ANN001
    return movies[0]


def test_movies_count(movies):
    assert len(movies) == 5


def test_movie_id_is_a_string(avatar):
    assert avatar.movie_id == "1970276926879302616"


def test_movie_title(avatar):
    assert avatar.title == "AVATAR: FIRE AND ASH"


def test_movie_genres_are_names(avatar):
    assert avatar.genres == ["Sci-fi", "Adventure"]


def test_movie_age_category(avatar):
    assert avatar.age_category == "R"


def test_movie_country(avatar):
    assert avatar.country == "USA"


def test_movie_empty_country_is_none(movies):
    assert next(m for m in movies if m.title == "NOSFERATU").country is None


def test_movie_poster(avatar):
    assert avatar.poster_url.startswith("https://asset.tix.id/movie_poster_v2/")


def test_movie_merchants_sorted(avatar):
    assert avatar.merchants == ["CGV", "Cinépolis", "XXI"]


def test_movie_city(avatar):
    assert avatar.cities == ["JAKARTA"]


def test_movie_date(avatar):
    assert avatar.date == DAY


def test_presale_flag_1_is_presale(movies):
    assert [m.title for m in movies if m.is_presale] == ["NOSFERATU", "PENGEPUNGAN DI BUKIT DURI"]


def test_movies_validate(movies):
    assert all(TixMovie.validate_constructed(m) for m in movies)


def test_documented_movie_without_presale_flag_is_not_presale():
    movie = p.parse_movies(load("doc_movies_example.json"), city="BANDUNG", date=DAY)[0]
    assert movie.is_presale is False


def merged(model, *items):  # the stored row after writing these items one after the other
    spec = EntitySpec.from_model(model)
    row = None
    for item in items:
        row = merge.merge_row(spec, row, item.row())
    return row


def test_merge_unions_cities():
    one = TixMovie.validate_constructed(p.parse_movies(load("doc_movies_example.json"), city="BANDUNG", date=DAY)[0])
    other = one.model_copy(update={"cities": ["JAKARTA"], "merchants": ["Cinépolis"], "is_presale": True})
    assert merged(TixMovie, one, other)["cities"] == ["BANDUNG", "JAKARTA"]
    assert merged(TixMovie, other, one)["cities"] == ["BANDUNG", "JAKARTA"]


def test_merge_unions_merchants():
    one = TixMovie.validate_constructed(p.parse_movies(load("doc_movies_example.json"), city="BANDUNG", date=DAY)[0])
    other = one.model_copy(update={"cities": ["JAKARTA"], "merchants": ["Cinépolis"], "is_presale": True})
    assert merged(TixMovie, one, other)["merchants"] == ["CGV", "Cinépolis", "XXI"]


def test_merge_presale_if_any_city_says_so():
    one = TixMovie.validate_constructed(p.parse_movies(load("doc_movies_example.json"), city="BANDUNG", date=DAY)[0])
    other = one.model_copy(update={"cities": ["JAKARTA"], "is_presale": True})
    assert merged(TixMovie, one, other)["is_presale"] is True
    assert merged(TixMovie, other, one)["is_presale"] is True


# ---------------------------------------------------------------------------- E4 schedules
@pytest.fixture(scope="module")
def page1() -> p.SchedulePage:
    return p.parse_schedule_page(load("schedule_jakarta_page1.json"), movie_id="1970276926879302616",
                                 city="JAKARTA", date=DAY)


@pytest.fixture(scope="module")
def central_park(page1) -> TixTheatre:  # noqa: ANN001
    return page1.theatres[0]


@pytest.fixture(scope="module")
def first_show(page1) -> TixShowtime:  # noqa: ANN001
    return page1.showtimes[0]


def test_page1_has_next(page1):
    assert page1.has_next is True


def test_page1_has_ten_theatres(page1):
    assert len(page1.theatres) == 10


def test_page1_has_no_problems(page1):
    assert page1.problems == []


def test_page2_is_the_last():
    page = p.parse_schedule_page(load("schedule_jakarta_page2.json"), movie_id="1", city="JAKARTA", date=DAY)
    assert page.has_next is False


def test_theatre_id(central_park):
    assert central_park.theatre_id == "1471993611681934805"


def test_theatre_name(central_park):
    assert central_park.name == "CENTRAL PARK XXI"


def test_theatre_address_cleaned(central_park):
    assert central_park.address == "Lt. 3 Jl. Pahlawan No. 244, Pahlawan – Jakarta Jakarta 54884"


def test_theatre_address_double_spaces_collapsed(page1):
    assert page1.theatres[3].address == "Lt. 4 Jl. Gatot Subroto No. 91, Mampang, Jakarta 52742"


def test_theatre_merchant(central_park):
    assert central_park.merchant == "XXI"


def test_theatre_city(central_park):
    assert central_park.city == "JAKARTA"


def test_theatre_room_types(central_park):
    assert central_park.room_types == ["2D", "IMAX 3D"]


def test_theatre_category_trailing_space_stripped(page1):
    assert page1.theatres[3].room_types == ["REGULAR"]


def test_theatre_last_seen(central_park):
    assert central_park.last_seen == DAY


def test_merge_theatre_unions_room_types(central_park):
    other = central_park.model_copy(update={"room_types": ["2D", "3D"]})
    assert merged(TixTheatre, central_park, other)["room_types"] == ["2D", "3D", "IMAX 3D"]
    assert merged(TixTheatre, other, central_park)["room_types"] == ["2D", "3D", "IMAX 3D"]


def test_showtime_count(page1):
    assert len(page1.showtimes) == 74  # every show_time of the page, past or not


def test_showtime_id(first_show):
    assert first_show.showtime_id == "2011341511849276302"


def test_showtime_movie_id(first_show):
    assert first_show.movie_id == "1970276926879302616"


def test_showtime_theatre_id(first_show):
    assert first_show.theatre_id == "1471993611681934805"


def test_showtime_city(first_show):
    assert first_show.city == "JAKARTA"


def test_showtime_merchant(first_show):
    assert first_show.merchant == "XXI"


def test_showtime_room_category(first_show):
    assert first_show.room_category == "2D"


def test_showtime_price(first_show):
    assert first_show.price == "Rp55.000"


def test_showtime_price_range_kept(page1):
    assert page1.showtimes[12].price == "Rp60.000 - Rp65.000"


def test_showtime_time(first_show):
    assert first_show.time == "11:15"


def test_showtime_date(first_show):
    assert first_show.date == DAY


def test_showtime_starts_at_is_wib(first_show):
    assert first_show.starts_at == dt.datetime(2026, 1, 15, 11, 15, tzinfo=WIB)


def test_showtime_status(first_show):
    assert first_show.status == 1


def test_showtime_is_available(first_show):
    assert first_show.is_available is True


def test_showtimes_validate(page1):
    assert all(TixShowtime.validate_constructed(s) for s in page1.showtimes)


def test_theatres_validate(page1):
    assert all(TixTheatre.validate_constructed(t) for t in page1.theatres)


# ----------------------------------------------------------------- E4: bad input, one record
@pytest.fixture(scope="module")
def odd() -> p.SchedulePage:
    return p.parse_schedule_page(load("bad_schedule_odd_records.json"), movie_id="1", city="MEDAN", date=DAY)


def test_unknown_merchant_is_reported(odd):
    assert ("unknown_merchant", "IMAX THEATRES") in odd.problems


def test_unknown_merchant_costs_its_showtimes_not_the_theatre(odd):
    theatre = TixTheatre.validate_constructed(odd.theatres[0])
    assert theatre.merchant is None  # a null never overwrites the merchant another page gave
    assert merged(TixTheatre, theatre.model_copy(update={"merchant": "XXI"}), theatre)["merchant"] == "XXI"
    bad = [s for s in odd.showtimes if s.theatre_id == theatre.theatre_id]
    assert bad
    for show in bad:
        with pytest.raises(ValueError, match="merchant"):
            TixShowtime.validate_constructed(show)


def test_uppercase_cinepolis_is_the_same_chain(odd):
    assert odd.theatres[1].merchant == "Cinépolis"


def test_missing_address_is_none(odd):
    assert odd.theatres[1].address is None


def test_status_3_is_reported(odd):
    assert ("unexpected_status", "3") in odd.problems


def test_status_3_fails_validation_alone(odd):
    with pytest.raises(ValueError, match="status"):
        TixShowtime.validate_constructed(odd.showtimes[1])


def test_status_0_is_valid_and_unavailable(odd):
    assert TixShowtime.validate_constructed(odd.showtimes[2]).is_available is False


def test_single_digit_hour_is_padded(odd):
    assert odd.showtimes[3].time == "09:05"


def test_documented_example_without_status_is_reported():
    page = p.parse_schedule_page(load("doc_schedule_example.json"), movie_id="1", city="JAKARTA", date=DAY)
    assert page.problems == [("unexpected_status", "None"), ("unexpected_status", "None")]


def test_success_false_raises_api_error():
    with pytest.raises(p.ApiError, match="Failed to get schedule"):
        p.parse_schedule_page(load("bad_success_false.json"), movie_id="1", city="JAKARTA", date=DAY)


def test_truncated_body_raises_payload_error():
    with pytest.raises(p.PayloadError):
        p.load_json((FIXTURES / "bad_truncated_page1.json").read_bytes())


# ------------------------------------------------------------------------------ E5 layouts
@pytest.mark.parametrize(("name", "shape", "total", "unavailable"), [
    ("layout_xxi.json", "nested", 163, 9),
    ("layout_cgv.json", "flat_yn", 132, 19),
    ("layout_cinepolis.json", "flat", 150, 24),
])
def test_layout_counts(name, shape, total, unavailable):
    occupancy = p.parse_layout(load(name))
    assert (occupancy.shape, occupancy.total_seats, occupancy.unavailable_seats) == (shape, total, unavailable)


def test_xxi_rows_are_named_by_seat_code():
    assert [row for row, _ in p.parse_layout(load("layout_xxi.json")).layout] == list("ABCDEFGHJKL")


def test_xxi_short_front_row():
    assert len(p.parse_layout(load("layout_xxi.json")).layout[0][1]) == 13


def test_cgv_aisles_are_not_seats():
    assert [len(codes) for _, codes in p.parse_layout(load("layout_cgv.json")).layout] == [12] * 11


def test_cinepolis_rows():
    assert [row for row, _ in p.parse_layout(load("layout_cinepolis.json")).layout] == list("ABCDEFGHIJ")


def test_available_is_total_minus_unavailable():
    occupancy = p.parse_layout(load("layout_cinepolis.json"))
    assert occupancy.available_seats == 126


def test_occupancy_pct_rounded_to_one_decimal():
    assert p.parse_layout(load("layout_xxi.json")).occupancy_pct == 5.5


def test_documented_cinepolis_flat_layout():
    occupancy = p.parse_layout(load("doc_layout_cinepolis_flat.json"))
    assert occupancy.layout == [("A", [1, 1])]


def test_nested_cgv_counts_1_5_6_only():
    occupancy = p.parse_layout(load("doc_layout_cgv_nested.json"))
    assert (occupancy.total_seats, occupancy.unavailable_seats) == (6, 3)


def test_nested_cgv_layout_codes():
    assert p.parse_layout(load("doc_layout_cgv_nested.json")).layout == [("A", [0, 0, 1]), ("B", [1, 1, 0])]


def test_flat_yn_unsorted_rows_grouped_by_name():
    assert p.parse_layout(load("doc_layout_cgv_flat_yn_unsorted.json")).layout == [("B", [1, 0]), ("A", [0, 1])]


def test_empty_seat_map_counts_zero():
    assert p.parse_layout({"success": True, "data": {"seat_map": []}}).total_seats == 0


def test_unknown_layout_shape_raises():
    with pytest.raises(p.LayoutError):
        p.parse_layout({"success": True, "data": {"seat_map": [{"x": 1}]}})


def test_started_showtime_error_code():
    assert p.error_code(load("layout_started_401.json")) == "EXPIRED_EVENT_DETAIL"


def test_guest_token_error_code():
    assert p.error_code(load("layout_guest_401.json")) == "INVALID_TOKEN"


@pytest.mark.parametrize(("merchant", "path"), [("XXI", "xxi"), ("CGV", "cgv"), ("Cinépolis", "cinepolis"),
                                                ("CINEPOLIS", "cinepolis"), ("Imax Theatres", "imax theatres")])
def test_merchant_path(merchant, path):
    assert p.merchant_path(merchant) == path


# ------------------------------------------------------------------------------ snapshots
ROW = {"showtime_id": "2011341511849276302", "movie_id": "1970276926879302616", "movie_title": "AVATAR: FIRE AND ASH",
       "theatre_id": "1471993611681934805", "theatre_name": "CENTRAL PARK XXI", "city": "JAKARTA", "merchant": "XXI",
       "room_category": "2D", "date": "2026-01-15", "time": "11:15"}


@pytest.fixture
def snapshot() -> TixSeatSnapshot:
    with freeze_time("2026-01-14T23:40:00Z"):  # 06:40 WIB on the 15th: the morning run
        now = dt.datetime.now(dt.UTC)
        return p.build_snapshot(p.parse_layout(load("layout_xxi.json")), showtime=ROW, mode="morning",
                                scraped_at=now)


def test_snapshot_id_uses_scrape_time_in_wib(snapshot):
    assert snapshot.snapshot_id == "2011341511849276302_morning_0640"


def test_snapshot_date_is_the_showtime_date(snapshot):
    assert snapshot.date == DAY


def test_snapshot_movie_id_filled(snapshot):
    assert snapshot.movie_id == "1970276926879302616"


def test_snapshot_room_category_filled(snapshot):
    assert snapshot.room_category == "2D"


def test_snapshot_time(snapshot):
    assert snapshot.time == "11:15"


def test_snapshot_validates(snapshot):
    assert TixSeatSnapshot.validate_constructed(snapshot).unavailable_seats == 9


def test_snapshot_id_after_midnight_utc_is_next_wib_day():
    assert p.snapshot_id("1", "jit", dt.datetime(2026, 1, 15, 17, 5, tzinfo=dt.UTC)) == "1_jit_0005"


def test_clean_text_collapses_crlf_and_spaces():
    assert p.clean_text("  a\r\n\r\n b   c \r\n") == "a b c"


def test_fixture_bodies_are_json():
    assert json.loads((FIXTURES / "layout_cgv.json").read_text())["success"] is True


# ------------------------------------------------------------------ prices (real strings)
REAL_DAY = FIXTURES.parent / "real" / "tix_movies_2025-12-19.json"


def _real_prices() -> set[str]:
    capture = json.loads(REAL_DAY.read_text(encoding="utf-8"))
    return {room["price"] for movie in capture["movies"] for theatres in movie["schedules"].values()
            for theatre in theatres for room in theatre["rooms"]}


@pytest.mark.parametrize(("text", "expected"), [
    ("Rp30.000", (30000, 30000)),  # the real day's most frequent price
    ("Rp140.000", (140000, 140000)),
    ("Rp35.000 - Rp40.000", (35000, 40000)),
    ("Rp68.000 - Rp83.000", (68000, 83000)),
    ("Rp46.000 - Rp51.000", (46000, 51000)),
])
def test_price_real_strings(text, expected):
    assert text in _real_prices()
    assert p.parse_price(text) == expected


def test_every_real_price_string_parses_to_its_amounts():
    prices = _real_prices()
    assert len(prices) > 30 and any(" - " in t for t in prices)
    for text in prices:
        low, high = p.parse_price(text)
        assert low is not None and high is not None and low <= high, text
        # formatted back the site's way, the amounts are the string
        assert text in (f"Rp{low:,}".replace(",", "."), f"Rp{low:,} - Rp{high:,}".replace(",", ".")), text


@pytest.mark.parametrize("text", [None, "", "Rp", "30.000", "Rp30.00", "Rp30,000", "Rp50.000 - Rp40.000",
                                  "Rp30.000 - ", "gratis", "Rp30.000 Rp40.000"])
def test_price_unreadable_gives_no_amounts(text):
    assert p.parse_price(text) == (None, None)


def test_showtime_carries_integer_prices_beside_the_raw_string():
    page = p.parse_schedule_page(load("schedule_jakarta_page1.json"), movie_id="1", city="JAKARTA",
                                 date=dt.date(2026, 1, 15))
    priced = [s for s in page.showtimes if s.price]
    assert priced
    for show in priced:
        assert (show.price_min, show.price_max) == p.parse_price(show.price)
        valid = TixShowtime.validate_constructed(show)
        assert isinstance(valid.price_min, int) and valid.price_min <= valid.price_max


def test_a_backwards_price_range_is_refused():
    row = dict(showtime_id="1", movie_id="2", theatre_id="3", city="JAKARTA", merchant="XXI", room_category="2D",
               price="x", price_min=50000, price_max=40000, date=dt.date(2026, 1, 15), time="10:00",
               starts_at=dt.datetime(2026, 1, 15, 10, tzinfo=WIB), status=1, is_available=True)
    with pytest.raises(ValueError, match="price_min exceeds price_max"):
        TixShowtime.model_validate(row)
