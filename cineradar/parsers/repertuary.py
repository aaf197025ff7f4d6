"""Parsers for kino.krakow.pl / repertuary.pl pages: pure functions of the page text.

Selectors follow the site as docs/sources/repertuary.md#page-structure describes it:
table.calendar for the selected day, table.repert rows read in order as a small state
machine (th.date, film link, td.cinema_film), span.hour for times, a.buy_ticket for
showtime ids, the csrf-token meta tag, and metadata labels inside <strong> on film pages
(read with regexes on the raw HTML: the labels' values are bare text between a </strong>
and the next <br>, which the original found selectors did not read reliably). Dates are
parsed by dateparser (Polish), links joined with urljoin.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from parsel import Selector

from cineradar.items import RepertuaryCinema, RepertuaryFilm, RepertuaryShowtime, sanitize_id

if TYPE_CHECKING:
    from dateparser.date import DateDataParser

WARSAW = ZoneInfo("Europe/Warsaw")


# Day and month of a Polish date header ("czwartek, 2 października"; the weekday is ignored).
# Absolute dates only, so words such as "jutro" are not dates; the year is chosen later
# (nearest_date), and a leap base year lets "29 lutego" parse whatever the current year.
@functools.cache
def polish_dates() -> DateDataParser:
    # Built on first use: dateparser takes ~0.15 s to import, paid otherwise by every `scrapy` command.
    from dateparser.date import DateDataParser

    return DateDataParser(languages=["pl"], settings={
        "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month"], "DATE_ORDER": "DMY",
        "RELATIVE_BASE": dt.datetime(2000, 1, 1),
    })


UUID_SUFFIX = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
FILM_HREF = re.compile(r"/film/([^./]+)\.html")
TICKET_HOST = "https://www.kino.krakow.pl"  # the site links tickets to Kraków's host for every city


class PageError(ValueError):
    """The page is not the page we expected (garbage, a drifted layout...)."""


class IncompletePage(PageError):
    """The page was cut short: what it holds is a part of the page, not all of it."""


# A whole document ends with </html>. A body cut short loses its tail, and lxml would
# close the open table silently, so without this check a half page reads as a short day.
DOCUMENT_END = re.compile(r"</html>\s*$", re.IGNORECASE)


def check_complete(text: str, what: str) -> None:
    """Raise IncompletePage unless ``text`` is a whole HTML document."""
    if not DOCUMENT_END.search(text[-512:]):
        raise IncompletePage(f"{what} is incomplete (no closing </html>; {len(text)} characters)")


@dataclass
class DayPage:
    """What one day programme page holds."""

    active_day: int | None  # index of table.calendar td.active, None if no calendar
    active_date: dt.date | None = None  # the date its label shows ("Pt<br> 3 10" -> 3 October)
    header_dates: list[dt.date] = field(default_factory=list)
    showtimes: list[RepertuaryShowtime] = field(default_factory=list)
    cinemas: list[RepertuaryCinema] = field(default_factory=list)
    film_slugs: list[str] = field(default_factory=list)  # every film linked (incl. upcoming)


def csrf_token(text: str) -> str | None:
    """Rails' CSRF token, from <meta name="csrf-token"> (attribute entities already decoded)."""
    return Selector(text=text).css('meta[name="csrf-token"]::attr(content)').get() or None


def clean_slug(slug: str) -> str:
    """List pages link some films with a UUID suffix; film pages use the clean slug."""
    return UUID_SUFFIX.sub("", slug)


def cinema_name(slug: str) -> str:
    """The original's rule: '-' and '/' become spaces, each word capitalised."""
    return " ".join(word.capitalize() for word in re.split(r"[-/]+", slug) if word)


def parse_polish_date(text: str, near: dt.date) -> dt.date | None:
    """'czwartek, 1 stycznia' -> the date with that day and month nearest to ``near``."""
    parsed = polish_dates().get_date_data(text).date_obj
    return nearest_date(parsed.day, parsed.month, near) if parsed else None


def nearest_date(day: int, month: int, near: dt.date) -> dt.date | None:
    """The date with this day and month nearest to ``near``, None if there is none.

    The site prints no year; picking the nearest candidate handles New Year (a page
    fetched on 28 December that shows 1 January means next year).
    """
    candidates = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(candidates, key=lambda d: abs((d - near).days)) if candidates else None


def active_date(sel: Selector, near: dt.date) -> dt.date | None:
    """The date on the active day's label ("Pt<br> 3 10"), with the year nearest ``near``."""
    label = sel.css("table.calendar td.active a").xpath("normalize-space(.)").get() or ""
    match = re.search(r"(\d{1,2})\s+(\d{1,2})\s*$", label)
    return nearest_date(int(match[1]), int(match[2]), near) if match else None


def active_day(sel: Selector) -> int | None:
    """Index (0..6) of the selected day in table.calendar, from its set_day link."""
    for cell in sel.css("table.calendar td"):
        classes = (cell.attrib.get("class") or "").split()
        if "active" in classes:
            href = cell.css("a::attr(href)").get() or ""
            match = re.search(r"/settings/set_day/(\d+)", href)
            return int(match[1]) if match else None
    return None


def _sole_text(anchor: Selector) -> str | None:
    """The anchor's text if its only child is a text node (the site's rule), else None."""
    if anchor.xpath("./*"):
        return None
    text = anchor.xpath("normalize-space(.)").get()
    return text or None


def parse_day_programme(text: str, *, city: str, base_url: str, near: dt.date) -> DayPage:
    """The /cinema_program/by_movie page of the session's selected day.

    ``base_url`` is the page's own URL (ticket links are joined to it, as a browser would);
    ``near`` is the expected date, which picks the year of the year-less date headers.
    """
    if "<html" not in text[:2000].lower() and "<table" not in text.lower():
        raise PageError("not an HTML page")
    check_complete(text, "day page")
    sel = Selector(text=text)
    page = DayPage(active_day=active_day(sel), active_date=active_date(sel, near))
    for anchor in sel.css("a.preview-link.film"):
        match = FILM_HREF.search(anchor.attrib.get("href", ""))
        if match and _sole_text(anchor):
            slug = clean_slug(match[1])
            if slug not in page.film_slugs:
                page.film_slugs.append(slug)
    table = sel.css("table.repert")
    if not table:
        return page
    current_date: dt.date | None = None
    current_film: str | None = None
    seen_cinemas: set[str] = set()
    for row in table.css("tr"):
        header = row.css("th.date")
        if header:
            current_date = parse_polish_date(header.xpath("normalize-space(.)").get() or "", near)
            if current_date and current_date not in page.header_dates:
                page.header_dates.append(current_date)
            continue
        film = row.css("a.preview-link.film")
        if film:
            match = FILM_HREF.search(film[0].attrib.get("href", ""))
            current_film = clean_slug(match[1]) if match and _sole_text(film[0]) else None
            continue
        cell = row.css("td.cinema_film")
        if not cell or current_date is None or current_film is None:
            continue
        cinema_anchor = cell.css("a")
        if not cinema_anchor:
            continue
        cinema_slug = (cinema_anchor[0].attrib.get("href") or "").strip().lstrip("/")
        if not cinema_slug:
            continue
        if cinema_slug not in seen_cinemas:
            seen_cinemas.add(cinema_slug)
            page.cinemas.append(RepertuaryCinema.model_construct(city=city, slug=cinema_slug,
                                                                 name=cinema_name(cinema_slug)))
        for hour in row.css("span.hour"):
            time_text = hour.xpath(".//a[contains(@href, '/by_cinema/')]/text()").get()
            if time_text is None:  # film-page layout: the time is the first line of the span's text
                lines = (hour.xpath("text()").get() or "").strip().splitlines()
                time_text = lines[0] if lines else ""
            hhmm = _hhmm(time_text)
            ticket = hour.css("a.buy_ticket")
            showtime_id = ticket.attrib.get("data-showtime-id") if ticket else None
            href = ticket.attrib.get("href") if ticket else None
            if not showtime_id and href:
                found = re.search(r"/showtime/(\d+)", href)
                showtime_id = found[1] if found else None
            page.showtimes.append(build_showtime(city, current_film, cinema_slug, current_date, hhmm,
                                                 showtime_id, urljoin(base_url, href) if href else None))
    return page


def _hhmm(text: str) -> str:
    match = re.search(r"(\d{1,2}):(\d{2})", text or "")
    return f"{int(match[1]):02d}:{match[2]}" if match else (text or "").strip()


def build_showtime(city: str, film: str, cinema: str, date: dt.date, hhmm: str, showtime_id: str | None,
                   ticket_url: str | None) -> RepertuaryShowtime:
    """A showtime item with its external_id, built at extraction time (never later)."""
    starts_at = None
    if re.fullmatch(r"\d{2}:\d{2}", hhmm):
        starts_at = dt.datetime.combine(date, dt.time(int(hhmm[:2]), int(hhmm[3:])), WARSAW)
    external_id = sanitize_id(f"repertuary_{city}_showtime_{film}_{cinema}_{date.isoformat()}_{hhmm}")
    return RepertuaryShowtime.model_construct(
        external_id=external_id, city=city, film_slug=film, cinema_slug=cinema, date=date, time=hhmm,
        starts_at=starts_at, showtime_id=showtime_id, ticket_url=ticket_url,
    )


def _label(raw: str, label: str, pattern: str) -> re.Match[str] | None:
    return re.search(label + r":\s*</strong>\s*" + pattern, raw, re.IGNORECASE | re.DOTALL)


def _links(fragment: str) -> list[str]:
    return [html.unescape(t).strip() for t in re.findall(r"<a[^>]*>([^<]+)</a>", fragment) if t.strip()]


def parse_film_page(text: str, *, city: str, slug: str, url: str) -> RepertuaryFilm:
    """Film metadata from /film/{slug}.html. Missing labels give None / empty lists.

    A page cut short or without its title raises IncompletePage (retried, never stored half).
    """
    check_complete(text, "film page")
    sel = Selector(text=text)
    title_pl = (sel.css("h1").xpath("normalize-space(.)").get() or "").strip()
    if not title_pl:
        raise IncompletePage("film page has no title (h1)")
    original = _label(text, "Tytuł oryginalny", r"([^<\n]+)")
    director = _label(text, "Reżyseria", r"<a[^>]*>([^<]+)</a>")
    production = _label(text, "Produkcja", r"([^<]+)")
    year = None
    countries: list[str] = []
    if production:
        parts = [p.strip() for p in html.unescape(production[1]).rsplit(",", 1)]
        if len(parts) == 2 and re.fullmatch(r"\d{4}", parts[1]):
            year = int(parts[1])
        countries = [c.strip() for c in parts[0].split("/") if c.strip()]
    if year is None:
        premiere = _label(text, "Premiera", r".*?(\d+)\s+\S+?\s+(\d{4})")
        year = int(premiere[2]) if premiere else None
    runtime = _label(text, "Czas trwania", r"(\d+)")
    cast = _label(text, "Obsada", r"(.+?)(?:<br|</div)")
    genres = _label(text, "Gatunek", r"(.+?)(?:<br|</div|<strong)")
    return RepertuaryFilm.model_construct(
        city=city, slug=slug, title_pl=title_pl,
        original_title=html.unescape(original[1]).strip() if original else title_pl,
        director=html.unescape(director[1]).strip() if director else None,
        year=year, countries=countries, runtime=int(runtime[1]) if runtime else None,
        cast=_links(cast[1]) if cast else [], genres=_links(genres[1]) if genres else [], url=url,
    )
