"""HTML of the repertuary pages, built with plain strings.

The markup follows docs/sources/repertuary.md#page-structure: the extractors rely on class names
(table.repert > tbody > tr, th.date, a.preview-link.film, td.cinema_film, span.hour,
a.buy_ticket), on anchors whose only child is text, and on regexes over the raw HTML of the
metadata block (the colon inside <strong>, the value right after </strong>, literal Polish
letters). Text is escaped without touching quotes or non-ASCII so those regexes see what the
real site serves.
"""

from __future__ import annotations

import datetime as dt
import html

from replica.repertuary.data import CityData, Listing, Showtime
from replica.repertuary.polish import (
    WEEKDAY_EN,
    date_header,
    long_date,
    picker_label,
    slugify,
    sort_key,
)

MENU = (  # the six menu items the original's docs list; only Start and Na Film are served
    ("Start", "/"),
    ("Premiery", "/premiery"),
    ("Zapowiedzi", "/zapowiedzi"),
    ("Do Kina", "/cinema_program/by_cinema"),
    ("Na Film", "/cinema_program/by_movie"),
    ("Wg Godzin", "/cinema_program/by_hour"),
)


def text(value: str) -> str:
    return html.escape(value, quote=False)


def attr(value: str) -> str:
    return html.escape(value, quote=True)


def page(city: CityData, title: str, token: str | None, body: str) -> str:
    meta = (
        (f'<meta name="csrf-param" content="authenticity_token">\n<meta name="csrf-token" content="{attr(token)}">\n')
        if token
        else ""
    )
    menu = "\n".join(f'<li><a href="{href}">{label}</a></li>' for label, href in MENU)
    return (
        '<!DOCTYPE html>\n<html lang="pl">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{text(title)}</title>\n{meta}</head>\n<body>\n"
        f'<div id="header"><a class="logo" href="/">{text(city.host)}</a>\n'
        f'<ul id="menu">\n{menu}\n</ul></div>\n'
        f'<div id="content">\n{body}</div>\n'
        f'<div id="footer">Repertuar kin: {text(city.name)}</div>\n'
        "</body>\n</html>\n"
    )


def calendar(dates: list[dt.date], selected: int) -> str:
    cells = []
    for index, day in enumerate(dates):
        classes = f"active {WEEKDAY_EN[day.weekday()]}" if index == selected else WEEKDAY_EN[day.weekday()]
        cells.append(
            f'    <td class="{classes}">\n'
            f'      <a data-method="post" href="/settings/set_day/{index}">{picker_label(day)}</a>\n'
            "    </td>\n"
        )
    return (
        '<table class="calendar">\n  <tr>\n    <th colspan="8">Wybierz dzień</th>\n  </tr>\n  <tr>\n'
        f"{''.join(cells)}  </tr>\n</table>\n"
    )


def _film_link(listing: Listing) -> str:
    return f'<a class="preview-link film" href="/film/{attr(listing.list_slug)}.html">{text(listing.title)}</a>'


def _cinema_cell(city: CityData, slug: str, cell_class: str) -> str:
    return f'<td class="{cell_class}"><a href="/{attr(slug)}">{text(city.cinema_by_slug[slug].name)}</a></td>'


def _by_cinema(shows: list[Showtime]) -> list[tuple[str, list[Showtime]]]:
    grouped: dict[str, list[Showtime]] = {}
    for show in shows:
        grouped.setdefault(show.cinema, []).append(show)
    return list(grouped.items())


def by_movie(city: CityData, dates: list[dt.date], selected: int, cell_class: str) -> str:
    """The day programme: every film playing on the selected day, then the sidebar lists."""
    day = dates[selected]
    rows = [f'<tr><th class="date" colspan="2">{date_header(day)}</th></tr>']
    for listing in city.on_day(day):
        rows.append(f'<tr><th colspan="2">{_film_link(listing)}</th></tr>')
        for cinema, shows in _by_cinema(city.shows[(day, listing.slug)]):
            hours = " ".join(
                f'<span class="hour"><a href="/cinema_program/by_cinema/{attr(cinema)}">{s.time}</a>'
                f' <a class="buy_ticket" data-showtime-id="{s.showtime_id}" href="/showtime/{s.showtime_id}">'
                "bilety</a></span>"
                for s in shows
            )
            rows.append(f'<tr>\n{_cinema_cell(city, cinema, cell_class)}\n<td class="hours">{hours}</td>\n</tr>')
    table = '<table class="repert">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>\n"
    # Sidebar (designed layout): recent premieres playing that day, and every film whose
    # premiere is still ahead, so with the day table the page links every film of the city.
    recent = [lst for lst in city.on_day(day) if day - dt.timedelta(days=6) <= lst.premiere <= day]
    ahead = sorted(
        (lst for lst in city.listings if lst.premiere > day), key=lambda lst: (lst.premiere, sort_key(lst.title))
    )
    premiery = "\n".join(f"<li>{_film_link(lst)}</li>" for lst in recent)
    zapowiedzi = "\n".join(
        f'<li>{_film_link(lst)} <span class="premiere">od {lst.premiere.day}.{lst.premiere.month:02d}</span></li>'
        for lst in ahead
    )
    sidebar = (
        f'<div id="sidebar">\n<div class="box premiery">\n<h3>Premiery</h3>\n<ul>\n{premiery}\n</ul>\n</div>\n'
        f'<div class="box zapowiedzi">\n<h3>Zapowiedzi</h3>\n<ul>\n{zapowiedzi}\n</ul>\n</div>\n</div>\n'
    )
    return (
        f"<h2>Repertuar kin - {text(city.name)}</h2>\n{calendar(dates, selected)}"
        f'<div class="program">\n{table}</div>\n{sidebar}'
    )


def _links(prefix: str, names: tuple[str, ...], sep: str) -> str:
    return sep.join(f'<a href="/{prefix}/{slugify(name)}">{text(name)}</a>' for name in names)


def film_info(listing: Listing) -> str:
    film = listing.film
    lines = []
    # A Polish production shows no separate original title (designed; the extractor then falls
    # back to the h1, which is the same text).
    if not (film.original_language == "pl" and film.original_title == film.title_pl):
        lines.append(f"<strong>Tytuł oryginalny:</strong> {text(film.original_title)}<br>")
    lines.append(f"<strong>Czas trwania:</strong> {film.runtime} min.<br>")
    lines.append(f"<strong>Produkcja:</strong> {text(' / '.join(film.countries_pl))}, {film.year}<br>")
    lines.append(f"<strong>Gatunek:</strong> {_links('gatunek', film.genres, ' / ')}<br>")
    lines.append(f"<strong>Premiera:</strong> {long_date(listing.premiere)}<br>")
    lines.append(f"<strong>Dystrybutor filmu:</strong> {text(listing.distributor)}<br>")
    lines.append(f"<strong>Reżyseria:</strong> {_links('osoba', (film.director,), ', ')}<br>")
    if film.cast:
        lines.append(f"<strong>Obsada:</strong> {_links('osoba', film.cast, ', ')}<br>")
    return '<div class="film-info">\n' + "\n".join(lines) + "\n</div>\n"


def film(city: CityData, listing: Listing, dates: list[dt.date], selected: int, cell_class: str) -> str:
    """A film page: metadata, the day picker, and the showtimes of the selected day only."""
    day = dates[selected]
    shows = city.shows.get((day, listing.slug), [])
    if shows:
        rows = [f'<tr><th class="date" colspan="2">{date_header(day)}</th></tr>']
        for cinema, group in _by_cinema(shows):
            hours = " ".join(
                f'<span class="hour">{s.time}\n<a class="buy_ticket" data-showtime-id="{s.showtime_id}"'
                f' href="/showtime/{s.showtime_id}">kup bilet</a></span>'
                for s in group
            )
            rows.append(f'<tr>\n{_cinema_cell(city, cinema, cell_class)}\n<td class="showtime">{hours}</td>\n</tr>')
        program = '<table class="repert">\n<tbody>\n' + "\n".join(rows) + "\n</tbody>\n</table>\n"
    else:
        # Verbatim wording, "na dziś" even when another day is selected.
        program = f"<p class=\"no-repertoire\">Brak repertuaru dla filmu '{text(listing.title)}' na dziś</p>\n"
    return (
        f'<div class="film">\n<h1>{text(listing.title)}</h1>\n{film_info(listing)}</div>\n'
        f'{calendar(dates, selected)}<div class="program">\n{program}</div>\n'
    )


def home(city: CityData) -> str:
    """Start page: the city's cinemas with phone numbers only (no links, as the original's docs say)."""
    items = "\n".join(
        f'<li><span class="name">{text(c.name)}</span> <span class="phone">tel. {c.phone}</span></li>'
        for c in sorted(city.cinemas, key=lambda c: sort_key(c.name))
    )
    return (
        f"<h2>Repertuar kin - {text(city.name)}</h2>\n"
        f'<p><a href="/cinema_program/by_movie">Repertuar na dziś</a></p>\n'
        f'<h3>Kina</h3>\n<ul class="cinemas">\n{items}\n</ul>\n'
    )


def ticket(city: CityData, show: Showtime) -> str:
    listing = city.listing_by_slug[show.slug]
    cinema = city.cinema_by_slug[show.cinema]
    return (
        f"<h1>Bilety: {text(listing.title)}</h1>\n"
        f'<p class="details">{text(cinema.name)}, {date_header(show.day)}, {show.time}</p>\n'
    )


def error(status: int) -> str:
    """Rails' static public/404.html, 422.html and 500.html wording."""
    message = {
        404: "The page you were looking for doesn't exist.",
        422: "The change you wanted was rejected.",
        500: "We're sorry, but something went wrong.",
    }[status]
    return (
        f"<!DOCTYPE html>\n<html>\n<head>\n<title>{text(message[:-1])} ({status})</title>\n</head>\n"
        f'<body>\n<div class="dialog">\n<h1>{text(message)}</h1>\n</div>\n</body>\n</html>\n'
    )
