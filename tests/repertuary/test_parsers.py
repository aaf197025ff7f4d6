"""Repertuary parsers on saved fixture pages: one assertion per field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from freezegun import freeze_time

from cineradar.args import RepertuaryArgs
from cineradar.parsers import repertuary as p

FIXTURES = Path(__file__).parent.parent / "fixtures" / "repertuary"
BASE = "https://www.kino.krakow.pl"
DAY0 = dt.date(2026, 11, 21)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def day3() -> p.DayPage:
    return p.parse_day_programme(fixture("by_movie_day3.html"), city="krakow", base_url=BASE,
                                 near=DAY0 + dt.timedelta(days=3))


@pytest.fixture(scope="module")
def interstellar():
    return p.parse_film_page(fixture("film_interstellar.html"), city="krakow", slug="interstellar",
                             url=f"{BASE}/film/interstellar.html")


def test_active_day_of_a_fresh_session_is_0():
    assert p.parse_day_programme(fixture("by_movie_day0.html"), city="krakow", base_url=BASE, near=DAY0).active_day == 0


def test_active_day_after_set_day_3(day3):
    assert day3.active_day == 3


def test_date_header_is_the_selected_day(day3):
    assert day3.header_dates == [dt.date(2026, 11, 24)]


def test_every_showtime_is_on_the_selected_day(day3):
    assert {s.date for s in day3.showtimes} == {dt.date(2026, 11, 24)}


def test_showtime_time_is_hhmm(day3):
    assert all(len(s.time) == 5 and s.time[2] == ":" for s in day3.showtimes)


def test_showtime_id_comes_from_the_ticket_link(day3):
    assert all(s.showtime_id and s.showtime_id.isdigit() for s in day3.showtimes)


def test_cinema_slug_keeps_its_slash(day3):
    assert any("/" in c.slug for c in day3.cinemas)


def test_cinema_name_is_derived_from_the_slug():
    assert p.cinema_name("cinema-city/bonarka") == "Cinema City Bonarka"


def test_film_slugs_lose_their_uuid_suffix(day3):
    assert "dom-dobry" in day3.film_slugs


def test_upcoming_films_from_the_sidebar_are_listed(day3):
    assert "crimson-horizon" in day3.film_slugs


def test_external_id_is_sanitised():
    showtime = p.build_showtime("krakow", "bugonia", "cinema-city/bonarka", dt.date(2026, 11, 21), "18:00", "1", None)
    assert showtime.external_id == "repertuary_krakow_showtime_bugonia_cinema-city_bonarka_2026-11-21_18_00"


def test_starts_at_is_warsaw_local_time():
    showtime = p.build_showtime("krakow", "f", "c", dt.date(2026, 7, 15), "14:00", None, None)
    assert showtime.starts_at.utcoffset() == dt.timedelta(hours=2)


def test_new_year_header_gets_next_year():
    page = p.parse_day_programme(fixture("by_movie_new_year_day4.html"), city="krakow", base_url=BASE,
                                 near=dt.date(2026, 12, 28) + dt.timedelta(days=4))
    assert page.header_dates == [dt.date(2027, 1, 1)]


def test_new_year_showtimes_carry_the_new_year():
    page = p.parse_day_programme(fixture("by_movie_new_year_day4.html"), city="krakow", base_url=BASE,
                                 near=dt.date(2026, 12, 28))
    assert {s.date.year for s in page.showtimes} == {2027}


@pytest.mark.parametrize(("text", "near", "expected"), [
    ("czwartek, 1 stycznia", dt.date(2026, 12, 28), dt.date(2027, 1, 1)),
    ("środa, 31 grudnia", dt.date(2027, 1, 2), dt.date(2026, 12, 31)),
    ("wtorek, 18 listopada", dt.date(2025, 11, 18), dt.date(2025, 11, 18)),
    ("niedziela, 29 lutego", dt.date(2028, 2, 27), dt.date(2028, 2, 29)),
])
def test_polish_dates(text, near, expected):
    assert p.parse_polish_date(text, near) == expected


def test_unparseable_date_is_none():
    assert p.parse_polish_date("jutro", DAY0) is None


def test_garbage_is_not_a_day_page():
    with pytest.raises(p.PageError):
        p.parse_day_programme("\x00\x13garbage", city="krakow", base_url=BASE, near=DAY0)


def test_csrf_token_is_read_from_the_meta_tag():
    assert len(p.csrf_token(fixture("by_movie_day0.html")) or "") > 20


# ---------------------------------------------------------------- film page
def test_film_title_pl(interstellar):
    assert interstellar.title_pl == "Interstellar"


def test_film_original_title(interstellar):
    assert interstellar.original_title == "Interstellar"


def test_film_director(interstellar):
    assert interstellar.director == "Christopher Nolan"


def test_film_year(interstellar):
    assert interstellar.year == 2014


def test_film_countries(interstellar):
    assert interstellar.countries == ["USA", "Wielka Brytania"]


def test_film_runtime(interstellar):
    assert interstellar.runtime == 169


def test_film_cast(interstellar):
    assert interstellar.cast == ["Anne Hathaway", "Jessica Chastain", "Matthew McConaughey"]


def test_film_genres(interstellar):
    assert interstellar.genres == ["przygodowy", "dreszczowiec", "sci-fi"]


def test_film_without_labels_keeps_what_it_has():
    film = p.parse_film_page("<html><h1>Tylko tytuł</h1></html>", city="krakow", slug="x", url=f"{BASE}/film/x.html")
    assert (film.original_title, film.director, film.year, film.runtime, film.cast) == ("Tylko tytuł", None, None,
                                                                                       None, [])


def test_film_year_falls_back_to_premiera():
    html = "<html><h1>X</h1><strong>Premiera:</strong> 6 grudnia 2024<br></html>"
    assert p.parse_film_page(html, city="krakow", slug="x", url="u").year == 2024


def test_upcoming_film_page_has_no_showtimes():
    page = p.parse_day_programme(fixture("film_upcoming.html"), city="krakow", base_url=BASE, near=DAY0)
    assert page.showtimes == []


@freeze_time("2026-12-31 23:30:00+00:00")
def test_default_date_is_today_in_warsaw():
    assert RepertuaryArgs.parse("repertuary", {}).day == dt.date(2027, 1, 1)


def test_active_date_is_read_from_the_calendar_label():
    page = p.parse_day_programme(fixture("by_movie_new_year_day4.html"), city="krakow", base_url=BASE,
                                 near=dt.date(2026, 12, 30))
    assert page.active_date == dt.date(2027, 1, 1)


def test_a_drifted_layout_keeps_the_date_but_loses_the_rows():
    # The spider retries such a page instead of storing an empty day.
    drifted = fixture("by_movie_day3.html").replace("cinema_film", "cinema-film")
    page = p.parse_day_programme(drifted, city="krakow", base_url=BASE, near=DAY0 + dt.timedelta(days=3))
    assert (page.header_dates, page.showtimes) == ([dt.date(2026, 11, 24)], [])


# ---------------------------------------------------------------- completeness
def half(text: str) -> str:
    return text[: len(text) // 2]  # what the replica's truncate fault serves


def test_a_truncated_day_page_is_incomplete():
    # Half a page still parses to a date and some rows: without the check it counts as a whole day.
    with pytest.raises(p.IncompletePage):
        p.parse_day_programme(half(fixture("by_movie_day3.html")), city="krakow", base_url=BASE,
                              near=DAY0 + dt.timedelta(days=3))


def test_a_day_page_cut_just_before_its_end_is_incomplete():
    text = fixture("by_movie_day3.html").rstrip()
    with pytest.raises(p.IncompletePage):
        p.parse_day_programme(text[: -len("</html>")], city="krakow", base_url=BASE, near=DAY0)


def test_a_whole_day_page_with_trailing_whitespace_is_complete():
    page = p.parse_day_programme(fixture("by_movie_day3.html") + "\n\n", city="krakow", base_url=BASE,
                                 near=DAY0 + dt.timedelta(days=3))
    assert page.showtimes


def test_a_truncated_film_page_is_incomplete():
    with pytest.raises(p.IncompletePage):
        p.parse_film_page(half(fixture("film_interstellar.html")), city="krakow", slug="interstellar", url="u")


def test_a_film_page_without_a_title_is_incomplete():
    with pytest.raises(p.IncompletePage):
        p.parse_film_page("<html><body><p>Przerwa techniczna</p></body></html>", city="krakow", slug="x", url="u")
