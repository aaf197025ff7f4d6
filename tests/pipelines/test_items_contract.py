"""The item models as a contract: seat counts add up (a sold-out room included), limits hold,
unknown fields are refused, daily summaries are checked, and the storage/feed forms."""

from __future__ import annotations

import datetime as dt

import pytest
from itemadapter import ItemAdapter
from pydantic import ValidationError

from cineradar.items import (
    WARSAW,
    WIB,
    ChainLine,
    CrawlRun,
    RepertuaryShowtime,
    TixDailySummary,
    TixMovie,
    TixSeatSnapshot,
    TixShowtime,
    TixTheatre,
    sanitize_id,
)

SCRAPED = dt.datetime(2026, 11, 21, 6, 40, tzinfo=WIB)


def seats(total=10, unavailable=4, available=6, **extra):
    return dict(snapshot_id="1_morning_0640", showtime_id="1", mode="morning", scraped_at=SCRAPED,
                date=dt.date(2026, 11, 21), time="18:00", merchant="XXI", total_seats=total,
                unavailable_seats=unavailable, available_seats=available,
                occupancy_pct=min(100.0, round(100 * unavailable / total, 1)) if total else 0.0, layout=[]) | extra


def summary(audience=5, total=10, **extra):
    return dict(date=dt.date(2026, 11, 21), total_audience=audience, total_seats=total,
                total_available=max(0, total - audience), occupancy_pct=50.0, showtime_count=1, movie_count=1,
                theatre_count=1, city_count=1, generated_at=SCRAPED, chains=[], **extra)


def test_a_sold_out_snapshot_is_valid():
    item = TixSeatSnapshot.model_validate(seats(total=10, unavailable=10, available=0))
    assert item.unavailable_seats == item.total_seats == 10


def test_an_empty_room_is_valid():
    assert TixSeatSnapshot.model_validate(seats(total=0, unavailable=0, available=0)).total_seats == 0


@pytest.mark.parametrize(("total", "unavailable", "available", "why"), [
    (10, 11, 0, "unavailable_seats exceeds total_seats"),
    (10, 4, 5, r"available \+ unavailable != total"),
    (10, 4, 7, r"available \+ unavailable != total"),
])
def test_seat_counts_must_add_up(total, unavailable, available, why):
    with pytest.raises(ValidationError, match=why):
        TixSeatSnapshot.model_validate(seats(total, unavailable, available))


@pytest.mark.parametrize("field", ["total_seats", "unavailable_seats", "available_seats"])
def test_seat_counts_are_never_negative(field):
    values = seats() | {field: -1}
    with pytest.raises(ValidationError, match=field):
        TixSeatSnapshot.model_validate(values)


def test_unknown_fields_are_refused():
    with pytest.raises(ValidationError, match="extra_forbidden"):
        TixSeatSnapshot.model_validate(seats(colour="red"))
    with pytest.raises(ValidationError, match="extra_forbidden"):
        ChainLine.model_validate(dict(merchant="XXI", showtimes=1, seats=1, audience=1, occupancy_pct=100, x=1))


def test_a_daily_summary_with_more_audience_than_seats_is_refused():
    assert TixDailySummary.model_validate(summary(audience=10, total=10)).total_audience == 10
    with pytest.raises(ValidationError, match="total_audience exceeds total_seats"):
        TixDailySummary.model_validate(summary(audience=11, total=10))
    with pytest.raises(ValidationError, match="total_seats"):
        TixDailySummary.model_validate(summary(audience=0, total=-1))


def showtime_values(**extra):
    return dict(showtime_id="9", movie_id="1", theatre_id="2", city="JAKARTA", merchant="CGV",
                room_category="REGULAR 2D", price="Rp50.000", price_min=50000, price_max=60000,
                date=dt.date(2026, 11, 21), time="18:00", starts_at=dt.datetime(2026, 11, 21, 11, 0, tzinfo=dt.UTC),
                status=1, is_available=True) | extra


def test_a_price_range_runs_low_to_high_and_is_never_negative():
    item = TixShowtime.model_validate(showtime_values())
    assert item.starts_at.utcoffset() == dt.timedelta(hours=7)   # stored in WIB whatever zone came in
    assert item.row()["starts_at"] == "2026-11-21T18:00:00+07:00"
    assert TixShowtime.model_validate(showtime_values(price_min=50000, price_max=50000)).price_max == 50000
    assert TixShowtime.model_validate(showtime_values(price_min=None)).price_max == 60000
    with pytest.raises(ValidationError, match="price_min exceeds price_max"):
        TixShowtime.model_validate(showtime_values(price_min=60001))
    with pytest.raises(ValidationError, match="price_min"):
        TixShowtime.model_validate(showtime_values(price_min=-1, price_max=None))


@pytest.mark.parametrize("bad", ["24:00", "7:00", "18:60", "18:5"])
def test_times_are_hh_mm(bad):
    with pytest.raises(ValidationError, match="time"):
        TixShowtime.model_validate(showtime_values(time=bad))


@pytest.mark.parametrize("text", ["a\x00b", {"k": "a\x00"}, ["x", "a\x00"]])
def test_a_nul_byte_anywhere_is_refused(text):
    values = showtime_values(price=text) if isinstance(text, str) else None
    if values is None:
        values = dict(date=dt.date(2026, 11, 21), movie_id="1", title="T",
                      genres=text if isinstance(text, list) else [], cities=[],
                      poster_url=None) if not isinstance(text, dict) else None
    if values is None:
        with pytest.raises(ValidationError, match="NUL"):
            CrawlRun.model_validate(dict(run_id="r", spider="s", status="running",
                                         started_at=SCRAPED, args=text))
        return
    model = TixShowtime if "showtime_id" in values else TixMovie
    with pytest.raises(ValidationError, match="NUL"):
        model.model_validate(values)


def test_a_seat_layout_of_numbers_is_accepted():
    item = TixSeatSnapshot.model_validate(seats(layout=[["A", [1, 0, 1]]]))
    assert item.layout == [("A", [1, 0, 1])]


def test_blank_text_is_refused():
    with pytest.raises(ValidationError, match="must not be blank"):
        TixShowtime.model_validate(showtime_values(city="   "))


def test_union_fields_are_stored_sorted_and_distinct():
    movie = TixMovie.model_validate(dict(date=dt.date(2026, 11, 21), movie_id="1", title="T",
                                         merchants=["XXI", "CGV", "XXI"], cities=["SOLO", "BALI", "SOLO"]))
    assert movie.merchants == ["CGV", "XXI"] and movie.cities == ["BALI", "SOLO"]
    theatre = TixTheatre.model_validate(dict(theatre_id="2", name="N", city="BALI", last_seen=dt.date(2026, 11, 21),
                                             room_types=["2D", "IMAX", "2D"]))
    assert theatre.room_types == ["2D", "IMAX"]


def test_natural_key_joins_the_key_fields():
    movie = TixMovie.model_validate(dict(date=dt.date(2026, 11, 21), movie_id="7", title="T"))
    assert movie.natural_key() == "2026-11-21|7"


def test_a_constructed_item_is_validated_from_its_raw_values():
    raw = RepertuaryShowtime.model_construct(
        external_id="x", city="krakow", film_slug="f", cinema_slug="c", date="2026-11-21", time="18:00",
        starts_at="2026-11-21T17:00:00+00:00", showtime_id=None, ticket_url=None)
    item = RepertuaryShowtime.validate_constructed(raw)
    assert item.date == dt.date(2026, 11, 21)
    assert item.starts_at.tzinfo == WARSAW and item.starts_at.hour == 18


def test_feeds_see_the_entity_first_and_cannot_change_it():
    movie = TixMovie.model_validate(dict(date=dt.date(2026, 11, 21), movie_id="7", title="T"))
    adapter = ItemAdapter(movie)
    assert list(adapter.field_names())[0] == "entity" and list(adapter)[0] == "entity"
    assert adapter["entity"] == "tix_movies" and adapter["title"] == "T"
    assert ItemAdapter.get_field_names_from_class(TixMovie)[:2] == ["entity", "date"]
    assert "description" in ItemAdapter.get_field_meta_from_class(TixMovie, "entity")
    assert ItemAdapter.get_field_meta_from_class(TixMovie, "title")["description"].startswith("The title")
    adapter["entity"] = "tix_movies"   # the same name: accepted, nothing changes
    adapter["title"] = "U"
    assert movie.title == "U"
    with pytest.raises(KeyError, match="entity is 'tix_movies', not 'x'"):
        adapter["entity"] = "x"
    with pytest.raises(KeyError, match="cannot be deleted"):
        del adapter["entity"]
    del adapter["poster_url"]
    assert "entity" not in movie.row()


def test_a_run_writes_its_stats_times_as_iso():
    run = CrawlRun.model_validate(dict(run_id="r", spider="s", status="success", started_at=SCRAPED,
                                       stats={"start_time": dt.datetime(2026, 11, 21, 0, 0, tzinfo=dt.UTC),
                                              "item_scraped_count": 3}))
    assert run.row()["stats"] == {"start_time": "2026-11-21T00:00:00+00:00", "item_scraped_count": 3}
    assert run.row()["started_at"] == "2026-11-20T23:40:00+00:00"


def test_sanitize_id_keeps_only_safe_characters():
    assert sanitize_id("cinema-city/bonarka 18:00_x") == "cinema-city_bonarka_18_00_x"
