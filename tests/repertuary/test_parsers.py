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


# Day 3 of by_movie_day3.html, in page order: (film slug, cinema slug, time, showtime id).
DAY3_SHOWTIMES = [
    ("dom-dobry", "kino-pod-baranami", "12:30", "20293166"),
    ("interstellar", "multikino", "10:00", "20293086"),
    ("jestes-wszechswiatem", "kino-pod-baranami/asp", "16:00", "20293273"),
    ("kevin-sam-w-domu", "kino-pod-baranami/asp", "17:30", "20293280"),
    ("kevin-sam-w-domu", "multikino", "12:50", "20293208"),
    ("kevin-sam-w-domu", "multikino", "15:10", "20293246"),
    ("nosferatu", "kijow", "18:30", "20293296"),
    ("wicked-na-dobre", "kino-pod-baranami/asp", "11:00", "20293121"),
    ("wicked-na-dobre", "multikino", "10:05", "20293101"),
    ("wicked-na-dobre", "multikino", "15:35", "20293255"),
    ("zwierzogrod-2", "cinema-city/bonarka", "12:45", "20293189"),
    ("zwierzogrod-2", "kino-pod-baranami/asp", "11:30", "20293155"),
    ("zwierzogrod-2", "kino-pod-baranami/asp", "21:15", "20293356"),
    ("zwierzogrod-2", "multikino", "10:05", "20293102"),
    ("zwierzogrod-2", "multikino", "12:10", "20293162"),
    ("zwierzogrod-2", "multikino", "14:00", "20293224"),
    ("zwierzogrod-2", "multikino", "18:15", "20293291"),
    ("zwierzogrod-2-3d", "cinema-city/bonarka", "20:30", "20293351"),
    ("zwierzogrod-2-3d", "multikino", "18:35", "20293323"),
]
DAY3_FILMS = ["dom-dobry", "interstellar", "jestes-wszechswiatem", "kevin-sam-w-domu", "nosferatu", "wicked-na-dobre",
              "zwierzogrod-2", "zwierzogrod-2-3d", "jasna-stacja-2025", "hollow-horizon", "crimson-horizon",
              "papierowa-stacja-2026"]


def test_active_day_of_a_fresh_session_is_0():
    assert p.parse_day_programme(fixture("by_movie_day0.html"), city="krakow", base_url=BASE, near=DAY0).active_day == 0


def test_active_day_after_set_day_3(day3):
    assert day3.active_day == 3


def test_active_date_after_set_day_3(day3):
    assert day3.active_date == dt.date(2026, 11, 24)


def test_date_header_is_the_selected_day(day3):
    assert day3.header_dates == [dt.date(2026, 11, 24)]


def test_showtime_dates_are_the_selected_day(day3):
    assert [s.date for s in day3.showtimes] == [dt.date(2026, 11, 24)] * len(DAY3_SHOWTIMES)


def test_showtime_films(day3):
    assert [s.film_slug for s in day3.showtimes] == [row[0] for row in DAY3_SHOWTIMES]


def test_showtime_cinemas(day3):
    assert [s.cinema_slug for s in day3.showtimes] == [row[1] for row in DAY3_SHOWTIMES]


def test_showtime_times(day3):
    assert [s.time for s in day3.showtimes] == [row[2] for row in DAY3_SHOWTIMES]


def test_showtime_ids_come_from_the_ticket_links(day3):
    assert [s.showtime_id for s in day3.showtimes] == [row[3] for row in DAY3_SHOWTIMES]


def test_showtime_ticket_urls_are_joined_to_the_page_url(day3):
    assert [s.ticket_url for s in day3.showtimes] == [f"{BASE}/showtime/{row[3]}" for row in DAY3_SHOWTIMES]


def test_showtime_starts_at_in_warsaw(day3):
    assert [s.starts_at.isoformat() for s in day3.showtimes] == [f"2026-11-24T{row[2]}:00+01:00"
                                                                 for row in DAY3_SHOWTIMES]


def test_showtime_external_ids(day3):
    # '/' and ':' become '_'; Warsaw date and time.
    assert [s.external_id for s in day3.showtimes] == [
        "repertuary_krakow_showtime_dom-dobry_kino-pod-baranami_2026-11-24_12_30",
        "repertuary_krakow_showtime_interstellar_multikino_2026-11-24_10_00",
        "repertuary_krakow_showtime_jestes-wszechswiatem_kino-pod-baranami_asp_2026-11-24_16_00",
        "repertuary_krakow_showtime_kevin-sam-w-domu_kino-pod-baranami_asp_2026-11-24_17_30",
        "repertuary_krakow_showtime_kevin-sam-w-domu_multikino_2026-11-24_12_50",
        "repertuary_krakow_showtime_kevin-sam-w-domu_multikino_2026-11-24_15_10",
        "repertuary_krakow_showtime_nosferatu_kijow_2026-11-24_18_30",
        "repertuary_krakow_showtime_wicked-na-dobre_kino-pod-baranami_asp_2026-11-24_11_00",
        "repertuary_krakow_showtime_wicked-na-dobre_multikino_2026-11-24_10_05",
        "repertuary_krakow_showtime_wicked-na-dobre_multikino_2026-11-24_15_35",
        "repertuary_krakow_showtime_zwierzogrod-2_cinema-city_bonarka_2026-11-24_12_45",
        "repertuary_krakow_showtime_zwierzogrod-2_kino-pod-baranami_asp_2026-11-24_11_30",
        "repertuary_krakow_showtime_zwierzogrod-2_kino-pod-baranami_asp_2026-11-24_21_15",
        "repertuary_krakow_showtime_zwierzogrod-2_multikino_2026-11-24_10_05",
        "repertuary_krakow_showtime_zwierzogrod-2_multikino_2026-11-24_12_10",
        "repertuary_krakow_showtime_zwierzogrod-2_multikino_2026-11-24_14_00",
        "repertuary_krakow_showtime_zwierzogrod-2_multikino_2026-11-24_18_15",
        "repertuary_krakow_showtime_zwierzogrod-2-3d_cinema-city_bonarka_2026-11-24_20_30",
        "repertuary_krakow_showtime_zwierzogrod-2-3d_multikino_2026-11-24_18_35",
    ]


def test_showtime_city(day3):
    assert {s.city for s in day3.showtimes} | {c.city for c in day3.cinemas} == {"krakow"}


def test_cinema_slugs_keep_their_slash(day3):
    assert [c.slug for c in day3.cinemas] == ["kino-pod-baranami", "multikino", "kino-pod-baranami/asp", "kijow",
                                             "cinema-city/bonarka"]


def test_cinema_names_are_derived_from_the_slugs(day3):
    # The original's rule ignores the link text ("Kino Pod Baranami ASP" on the page).
    assert [c.name for c in day3.cinemas] == ["Kino Pod Baranami", "Multikino", "Kino Pod Baranami Asp", "Kijow",
                                             "Cinema City Bonarka"]


def test_cinema_name_is_derived_from_the_slug():
    assert p.cinema_name("cinema-city/bonarka") == "Cinema City Bonarka"


def test_film_slugs_lose_their_uuid_suffix_and_include_upcoming_films(day3):
    # dom-dobry is linked with a UUID suffix; the last four come from the sidebars only.
    assert day3.film_slugs == DAY3_FILMS


def test_day0_page_has_every_film_and_its_own_showtimes():
    page = p.parse_day_programme(fixture("by_movie_day0.html"), city="krakow", base_url=BASE, near=DAY0)
    assert (page.active_date, page.header_dates, page.film_slugs, len(page.showtimes),
            page.showtimes[0].showtime_id, page.showtimes[-1].showtime_id) == (
        DAY0, [DAY0], DAY3_FILMS, 22, "20291884", "20291891")


def test_external_id_is_sanitised():
    showtime = p.build_showtime("krakow", "bugonia", "cinema-city/bonarka", dt.date(2026, 11, 21), "18:00", "1", None)
    assert showtime.external_id == "repertuary_krakow_showtime_bugonia_cinema-city_bonarka_2026-11-21_18_00"


def test_starts_at_is_warsaw_local_time():
    showtime = p.build_showtime("krakow", "f", "c", dt.date(2026, 7, 15), "14:00", None, None)
    assert showtime.starts_at.isoformat() == "2026-07-15T14:00:00+02:00"


def test_a_time_that_is_not_hhmm_has_no_starts_at():
    showtime = p.build_showtime("krakow", "f", "c", dt.date(2026, 7, 15), "późno", None, None)
    assert (showtime.time, showtime.starts_at) == ("późno", None)


def test_new_year_header_gets_next_year():
    page = p.parse_day_programme(fixture("by_movie_new_year_day4.html"), city="krakow", base_url=BASE,
                                 near=dt.date(2026, 12, 28) + dt.timedelta(days=4))
    assert page.header_dates == [dt.date(2027, 1, 1)]


def test_new_year_showtimes_carry_the_new_year():
    page = p.parse_day_programme(fixture("by_movie_new_year_day4.html"), city="krakow", base_url=BASE,
                                 near=dt.date(2026, 12, 28))
    assert [s.date for s in page.showtimes] == [dt.date(2027, 1, 1)] * 21


@pytest.mark.parametrize(("text", "near", "expected"), [
    ("czwartek, 1 stycznia", dt.date(2026, 12, 28), dt.date(2027, 1, 1)),
    ("czwartek, 2 października", dt.date(2025, 10, 1), dt.date(2025, 10, 2)),
    ("sobota, 14 lutego", dt.date(2026, 2, 14), dt.date(2026, 2, 14)),
    ("niedziela, 15 marca", dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
    ("poniedziałek, 20 kwietnia", dt.date(2026, 4, 20), dt.date(2026, 4, 20)),
    ("piątek, 1 maja", dt.date(2026, 5, 1), dt.date(2026, 5, 1)),
    ("wtorek, 9 czerwca", dt.date(2026, 6, 9), dt.date(2026, 6, 9)),
    ("środa, 15 lipca", dt.date(2026, 7, 15), dt.date(2026, 7, 15)),
    ("sobota, 15 sierpnia", dt.date(2026, 8, 15), dt.date(2026, 8, 15)),
    ("wtorek, 1 września", dt.date(2026, 9, 1), dt.date(2026, 9, 1)),
    ("środa, 31 grudnia", dt.date(2027, 1, 2), dt.date(2026, 12, 31)),
    ("wtorek, 18 listopada", dt.date(2025, 11, 18), dt.date(2025, 11, 18)),
    ("niedziela, 29 lutego", dt.date(2028, 2, 27), dt.date(2028, 2, 29)),
])
def test_polish_dates(text, near, expected):
    assert p.parse_polish_date(text, near) == expected


@pytest.mark.parametrize("text", ["jutro", "dziś", "wtorek", "", "poniedziałek, 31 lutego"])
def test_unparseable_date_is_none(text):
    assert p.parse_polish_date(text, DAY0) is None


def test_garbage_is_not_a_day_page():
    with pytest.raises(p.PageError):
        p.parse_day_programme("\x00\x13garbage", city="krakow", base_url=BASE, near=DAY0)


def test_csrf_token_is_read_from_the_meta_tag():
    assert p.csrf_token(fixture("by_movie_day0.html")) == (
        "zd6UHKCsMRIMIrPnUWqbZh7SPmZVVXbti83Lp4TFBlNelJa/IhUhvrLOf/C5ZkgGNrDP1JOg8dq2y46Eh1JvYw==")


def test_csrf_token_entities_are_decoded():
    assert p.csrf_token('<html><head><meta name="csrf-token" content="a&amp;b+/="></head></html>') == "a&b+/="


def test_a_page_without_a_csrf_token_has_none():
    assert p.csrf_token("<html><head></head><body>Przerwa techniczna</body></html>") is None


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


def test_film_url_slug_and_city(interstellar):
    assert (interstellar.url, interstellar.slug, interstellar.city) == (f"{BASE}/film/interstellar.html",
                                                                        "interstellar", "krakow")


def test_film_without_labels_keeps_what_it_has():
    film = p.parse_film_page("<html><h1>Tylko tytuł</h1></html>", city="krakow", slug="x", url=f"{BASE}/film/x.html")
    assert (film.original_title, film.director, film.year, film.runtime, film.cast) == ("Tylko tytuł", None, None,
                                                                                       None, [])


def test_film_year_falls_back_to_premiera():
    html = "<html><h1>X</h1><strong>Premiera:</strong> 6 grudnia 2024<br></html>"
    assert p.parse_film_page(html, city="krakow", slug="x", url="u").year == 2024


def test_upcoming_film_page_has_no_showtimes():
    page = p.parse_day_programme(fixture("film_upcoming.html"), city="krakow", base_url=BASE, near=DAY0)
    assert (page.active_day, page.header_dates, page.showtimes) == (0, [], [])


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
    return text[: len(text) // 2]  # what a cut connection delivers (the replica's truncate fault)


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
