"""The repertuary day-page state machine on small hand-written pages: which film, date and
cinema each showtime belongs to, rows that reset or skip, ticket ids, film metadata labels."""

from __future__ import annotations

import datetime as dt

import pytest

from cineradar.items import WARSAW
from cineradar.parsers import repertuary as p

BASE = "https://krakow.repertuary.pl/cinema_program/by_movie"
NEAR = dt.date(2026, 11, 21)


def day_page(rows: str, calendar: str = "") -> str:
    return f"<html><head></head><body>{calendar}<table class='repert'>{rows}</table></body></html>"


def film(slug: str, text: str | None = None) -> str:
    inner = text if text is not None else slug.title()
    return f"<tr><td><a class='preview-link film' href='/film/{slug}.html'>{inner}</a></td></tr>"


def cinema(slug: str, *hours: str) -> str:
    return f"<tr><td class='cinema_film'><a href=' /{slug}'>x</a></td><td>{''.join(hours)}</td></tr>"


def hour(time: str, ticket: str = "") -> str:
    return f"<span class='hour'><a href='/krakow/by_cinema/x'>{time}</a>{ticket}</span>"


DATE = "<tr><th class='date'>sobota, 21 listopada</th></tr>"


def parse(text: str):
    return p.parse_day_programme(text, city="krakow", base_url=BASE, near=NEAR)


def test_each_showtime_belongs_to_the_film_and_date_above_it():
    page = parse(day_page(DATE + film("a") + cinema("kino-a", hour("18:00"), hour("9:15"))
                          + film("b") + cinema("cinema-city/bonarka", hour("20:30"))
                          + "<tr><th class='date'>niedziela, 22 listopada</th></tr>" + film("c")
                          + cinema("kino-a", hour("10:00"))))
    got = [(s.film_slug, s.cinema_slug, s.date, s.time) for s in page.showtimes]
    assert got == [("a", "kino-a", NEAR, "18:00"), ("a", "kino-a", NEAR, "09:15"),
                   ("b", "cinema-city/bonarka", NEAR, "20:30"), ("c", "kino-a", dt.date(2026, 11, 22), "10:00")]
    assert page.header_dates == [NEAR, dt.date(2026, 11, 22)]
    assert [(c.slug, c.name) for c in page.cinemas] == [("kino-a", "Kino A"),
                                                        ("cinema-city/bonarka", "Cinema City Bonarka")]
    assert page.film_slugs == ["a", "b", "c"]
    first = page.showtimes[0]
    assert first.external_id == "repertuary_krakow_showtime_a_kino-a_2026-11-21_18_00" and first.city == "krakow"
    assert first.starts_at == dt.datetime(2026, 11, 21, 18, 0, tzinfo=WARSAW)


def test_rows_before_a_date_or_a_film_give_no_showtime():
    page = parse(day_page(cinema("kino-0", hour("17:00")) + film("a") + cinema("kino-a", hour("18:00")) + DATE
                          + cinema("kino-b", hour("19:00"))))
    assert [(s.film_slug, s.cinema_slug) for s in page.showtimes] == [("a", "kino-b")]
    assert [c.slug for c in page.cinemas] == ["kino-b"]
    assert parse(day_page(DATE + cinema("kino-b", hour("19:00")))).showtimes == []


def test_a_film_link_that_is_not_plain_text_resets_the_film():
    page = parse(day_page(DATE + film("a") + cinema("k", hour("18:00"))
                          + film("b", "<img src='x'>") + cinema("k", hour("19:00"))
                          + "<tr><td><a class='preview-link film' href='/other'>X</a></td></tr>"
                          + cinema("k", hour("20:00"))))
    assert [(s.film_slug, s.time) for s in page.showtimes] == [("a", "18:00")]
    assert page.film_slugs == ["a"]


def test_a_uuid_suffix_is_dropped_and_films_are_listed_once():
    slug = "bugonia-0a1b2c3d-aaaa-bbbb-cccc-0123456789ab"
    page = parse(day_page(DATE + film(slug) + cinema("k", hour("18:00")) + film("bugonia")))
    assert page.showtimes[0].film_slug == "bugonia" and page.film_slugs == ["bugonia"]


def test_cinema_cells_without_a_link_or_slug_are_skipped():
    page = parse(day_page(DATE + film("a") + "<tr><td class='cinema_film'>no link</td><td>"
                          + hour("18:00") + "</td></tr>" + cinema("", hour("19:00")) + cinema("k ", hour("20:00"))))
    assert [(s.cinema_slug, s.time) for s in page.showtimes] == [("k", "20:00")]


def test_ticket_ids_from_the_data_attribute_or_the_link():
    by_attr = "<a class='buy_ticket' data-showtime-id='55' href='/showtime/99/buy'>kup</a>"
    by_href = "<a class='buy_ticket' href='https://www.kino.krakow.pl/showtime/77/buy'>kup</a>"
    odd_href = "<a class='buy_ticket' href='/tickets'>kup</a>"
    page = parse(day_page(DATE + film("a") + cinema("k", hour("18:00", by_attr), hour("19:00", by_href),
                                                     hour("20:00", odd_href), hour("21:00"))))
    got = [(s.showtime_id, s.ticket_url) for s in page.showtimes]
    assert got == [("55", "https://krakow.repertuary.pl/showtime/99/buy"),
                   ("77", "https://www.kino.krakow.pl/showtime/77/buy"),
                   (None, "https://krakow.repertuary.pl/tickets"), (None, None)]


def test_a_film_page_layout_hour_takes_its_first_line():
    span = "<span class='hour'>\n 17:45\n napisy </span>"
    page = parse(day_page(DATE + film("a") + cinema("k", span, "<span class='hour'></span>")))
    assert [s.time for s in page.showtimes] == ["17:45", ""]
    assert page.showtimes[1].starts_at is None


def test_calendar_active_day_and_date():
    calendar = ("<table class='calendar'><tr><td><a href='/settings/set_day/0'>Pt 20 11</a></td>"
                "<td class='day active'><a href='/settings/set_day/1'>Sb<br> 21 11</a></td></tr></table>")
    page = parse(day_page(DATE, calendar))
    assert page.active_day == 1 and page.active_date == NEAR
    odd = "<table class='calendar'><tr><td class='active'><a href='/x'>dzis</a></td></tr></table>"
    page = parse(day_page(DATE, odd))
    assert page.active_day is None and page.active_date is None
    assert parse(day_page(DATE)).active_day is None


def test_a_page_without_a_programme_table_has_only_its_films():
    text = "<html><body><a class='preview-link film' href='/film/x.html'>X</a></body></html>"
    page = parse(text)
    assert page.film_slugs == ["x"] and page.showtimes == []


@pytest.mark.parametrize("text", ["<html><body><table class='repert'></table>", "just text</html>"])
def test_cut_or_foreign_pages_raise(text):
    with pytest.raises(p.PageError):
        parse(text)


@pytest.mark.parametrize(("hhmm", "starts"), [("00:00", (0, 0)), ("23:59", (23, 59)), ("7:05", None), ("", None)])
def test_build_showtime_starts_only_at_hh_mm(hhmm, starts):
    item = p.build_showtime("krakow", "f", "a/b", NEAR, hhmm, "1", "u")
    assert (item.starts_at.hour, item.starts_at.minute) == starts if starts else item.starts_at is None
    assert (item.film_slug, item.cinema_slug, item.showtime_id, item.ticket_url) == ("f", "a/b", "1", "u")


def test_nearest_date_and_impossible_dates():
    assert p.nearest_date(1, 1, dt.date(2026, 12, 28)) == dt.date(2027, 1, 1)
    assert p.nearest_date(31, 12, dt.date(2027, 1, 2)) == dt.date(2026, 12, 31)
    assert p.nearest_date(29, 2, dt.date(2027, 6, 1)) == dt.date(2028, 2, 29)
    assert p.nearest_date(31, 2, NEAR) is None


FILM = ("<html><body><h1> Dune </h1><div><strong>Tytuł oryginalny:</strong> Dune: Part &amp; Two\n<br>"
        "<strong>Reżyseria:</strong> <a href='/d'>Denis V.</a><br>"
        "<strong>Produkcja:</strong> USA / Kanada, 2024<br>"
        "<strong>Czas trwania:</strong> 166 min<br>"
        "<strong>Obsada:</strong> <a>Timothée</a>, <a> Zendaya </a><br>"
        "<strong>Gatunek:</strong> <a>Sci-Fi</a> <a>Dramat</a></div></body></html>")


def test_film_metadata_labels():
    f = p.parse_film_page(FILM, city="krakow", slug="dune", url="u")
    assert (f.title_pl, f.original_title, f.director, f.year, f.runtime) == (
        "Dune", "Dune: Part & Two", "Denis V.", 2024, 166)
    assert f.countries == ["USA", "Kanada"] and f.cast == ["Timothée", "Zendaya"] and f.genres == ["Sci-Fi", "Dramat"]
    assert (f.city, f.slug, f.url) == ("krakow", "dune", "u")


def test_film_without_labels_and_a_premiere_year():
    text = ("<html><body><h1>X</h1><strong>Premiera:</strong> 3 marca 2025<br>"
            "<strong>Produkcja:</strong> Polska<br></body></html>")
    f = p.parse_film_page(text, city="c", slug="x", url="u")
    assert (f.original_title, f.director, f.year, f.runtime, f.cast, f.genres) == ("X", None, 2025, None, [], [])
    assert f.countries == ["Polska"]
    with pytest.raises(p.IncompletePage):
        p.parse_film_page("<html><body><h1> </h1></body></html>", city="c", slug="x", url="u")
