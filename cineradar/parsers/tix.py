"""Parsers for the TIX.id JSON API: pure functions of decoded JSON (no Scrapy state).

E3 ``/v1/movies`` -> movies of a city, E4 ``/v1/schedules/movies/{id}`` -> theatres and
showtimes of one page, E5 ``/v1/movies/{merchant}/layout`` -> seat occupancy. Shapes and
rules follow docs/sources/tix.md#endpoints and #seats. Every function builds items with ``model_construct`` and
never validates: the validation pipeline does that, so one bad record costs only itself.
What looks wrong but is not fatal (a merchant never seen, a status outside 0..2) is
reported in ``problems`` for the spider to count and log. A movie or theatre seen on
several pages is emitted once per page; the store merges them (``merge_rules`` on the items).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from cineradar.items import TixMovie, TixSeatSnapshot, TixShowtime, TixTheatre

WIB = ZoneInfo("Asia/Jakarta")
KNOWN_MERCHANTS = ("XXI", "CGV", "Cinépolis")
# Spellings the original accepted as the same chains (docs/sources/tix.md#merchants).
MERCHANT_ALIASES = {"XXI": "XXI", "CGV": "CGV", "CINÉPOLIS": "Cinépolis", "CINEPOLIS": "Cinépolis"}
# E5 path segment per merchant (docs/sources/tix.md#merchant-paths); any other merchant: its name in lower case.
MERCHANT_PATHS = {"XXI": "xxi", "CGV": "cgv", "Cinépolis": "cinepolis", "CINEPOLIS": "cinepolis"}
KNOWN_STATUSES = frozenset({0, 1, 2})
AVAILABLE, UNAVAILABLE = 1, 0  # codes in the compressed layout
UNAVAILABLE_STATUSES = frozenset({5, 6})  # sold or blocked, indistinguishable (docs/sources/tix.md#seat-statuses)
_SPACES = re.compile(r"\s+")
# Every byte to "0" (a digit), "-" or " ": then a 20-digit run (or "-" and 19) is a substring
# search; a third of orjson's time, where a regular expression took longer than json itself.
_DIGIT_RUNS = bytes(48 if 48 <= b <= 57 else 45 if b == 45 else 32 for b in range(256))
_DIGIT_RUNS_TEXT = str.maketrans({chr(b): chr(_DIGIT_RUNS[b]) for b in range(128)})
_BIG, _BIG_NEGATIVE = "0" * 20, "-" + "0" * 19
_BIG_BYTES, _BIG_NEGATIVE_BYTES = _BIG.encode(), _BIG_NEGATIVE.encode()


def _has_big_int(body: bytes | str) -> bool:
    """Whether ``body`` may hold an integer orjson would read as a float (beyond 64 bits)."""
    if isinstance(body, bytes):
        runs = body.translate(_DIGIT_RUNS)
        return _BIG_BYTES in runs or _BIG_NEGATIVE_BYTES in runs
    text = body.translate(_DIGIT_RUNS_TEXT)
    return _BIG in text or _BIG_NEGATIVE in text


class PayloadError(ValueError):
    """The body is not the JSON document expected (truncated, garbage, wrong envelope)."""


class ApiError(ValueError):
    """The API answered ``success: false``."""


class LayoutError(ValueError):
    """A seat map in none of the known shapes."""


# ------------------------------------------------------------------------------ helpers
def load_json(body: bytes | str) -> Any:
    """Decode a response body; a truncated or garbled body raises PayloadError.

    orjson first (a fifth of json's time: decoding was an eighth of the seat crawl's CPU);
    what it refuses but the standard library reads (NaN, UTF-16 bytes) falls back to json,
    and so does a body with an integer orjson would read as a float (beyond 64 bits: 20
    digits, or 19 with a minus), so every value is the standard library's.
    """
    if not _has_big_int(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"not JSON ({exc.__class__.__name__}: {str(exc)[:80]})") from None


def load_layout_json(body: bytes | str) -> Any:
    """Decode an E5 layout body, as ``load_json`` but without its check for 20-digit integers
    (a sixth of the decoding time, 11,502 layouts a morning): parse_layout reads only seat
    statuses, where such a number is no known status as an integer or as the float orjson
    makes of it, and row names, where a JSON number of 20 digits is not a row name any
    cinema uses (it would be stored as orjson's float, e.g. ``1e+20``)."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"not JSON ({exc.__class__.__name__}: {str(exc)[:80]})") from None


def envelope(payload: Any) -> Any:
    """The ``data`` of a ``{success, data}`` answer; ``success: false`` raises ApiError."""
    if not isinstance(payload, dict):
        raise PayloadError(f"expected a JSON object, got {type(payload).__name__}")
    if payload.get("success") is False:
        error = payload.get("error")
        message = error.get("message") if isinstance(error, dict) else error
        raise ApiError(str(message or payload.get("message") or "success: false"))
    if "data" not in payload:
        raise PayloadError("no 'data' in the answer")
    return payload["data"]


def error_code(payload: Any) -> str | None:
    """The error code of an error body (e.g. EXPIRED_EVENT_DETAIL), wherever it sits."""
    if not isinstance(payload, dict):
        return None
    error = payload.get("error")
    for candidate in (error.get("code") if isinstance(error, dict) else error,
                      payload.get("code"), payload.get("message"),
                      error.get("message") if isinstance(error, dict) else None):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def clean_text(value: Any) -> str | None:
    """\\r\\n and runs of spaces collapsed to one space, stripped; empty -> None."""
    if value is None:
        return None
    text = _SPACES.sub(" ", str(value)).strip()
    return text or None


def normalize_merchant(value: Any) -> str:
    name = str(value or "").strip()
    return MERCHANT_ALIASES.get(name.upper(), name)


def merchant_path(merchant: str) -> str:
    return MERCHANT_PATHS.get(merchant, merchant.strip().lower())


def _str_id(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------------------ E3 movies
def parse_movies(payload: Any, *, city: str, date: dt.date) -> list[TixMovie]:
    """E3: the movies a city shows, each with this city's merchants."""
    data = envelope(payload)
    if isinstance(data, dict):  # tolerate {"data": {"movies": [...]}}
        data = data.get("movies") or data.get("items") or []
    if not isinstance(data, list):
        raise PayloadError("E3 'data' is not a list")
    movies = []
    for entry in data:
        if not isinstance(entry, dict):
            continue
        genres = [clean_text(g.get("name") if isinstance(g, dict) else g) for g in entry.get("genres") or []]
        merchants = [normalize_merchant(m.get("merchant_name") if isinstance(m, dict) else m)
                     for m in entry.get("merchant") or entry.get("merchants") or []]
        movies.append(TixMovie.model_construct(
            date=date,
            movie_id=_str_id(entry.get("movie_id") or entry.get("id")),
            title=clean_text(entry.get("title")) or "",
            genres=[g for g in genres if g],
            poster_url=clean_text(entry.get("poster_path")),
            age_category=clean_text(entry.get("age_category")),
            country=clean_text(entry.get("country")),
            merchants=sorted({m for m in merchants if m}),
            cities=[city],
            is_presale=_int(entry.get("presale_flag")) == 1 or entry.get("presale_flag") is True,
        ))
    return movies


# ---------------------------------------------------------------------------- E4 schedules
@dataclass
class SchedulePage:
    theatres: list[TixTheatre] = field(default_factory=list)
    showtimes: list[TixShowtime] = field(default_factory=list)
    has_next: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)  # (kind, detail)


def starts_at(date: dt.date, hhmm: str) -> dt.datetime | None:
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", hhmm or "")
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return dt.datetime.combine(date, dt.time(int(match[1]), int(match[2])), WIB)


_RUPIAH = re.compile(r"Rp\s*(\d{1,3}(?:\.\d{3})+|\d+)(?![\d.,])", re.IGNORECASE)
_PRICE = re.compile(rf"\s*{_RUPIAH.pattern}\s*(?:-\s*{_RUPIAH.pattern}\s*)?", re.IGNORECASE)


def parse_price(text: str | None) -> tuple[int | None, int | None]:
    """(lowest, highest) whole rupiah of a ``price_string``: ``"Rp30.000"`` -> (30000, 30000),
    ``"Rp35.000 - Rp50.000"`` -> (35000, 50000); the ``.`` is a thousands separator
    (docs/sources/tix.md, showtimes). Anything else, or a range that runs backwards: (None, None),
    and the raw string is still kept beside it."""
    match = _PRICE.fullmatch(text or "")
    if not match:
        return None, None
    low = int(match[1].replace(".", ""))
    high = int(match[2].replace(".", "")) if match[2] else low
    return (low, high) if low <= high else (None, None)


def _hhmm(value: Any) -> str:
    text = str(value or "").strip()
    match = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", text)
    return f"{int(match[1]):02d}:{match[2]}" if match else text


def parse_schedule_page(payload: Any, *, movie_id: str, city: str, date: dt.date) -> SchedulePage:
    """E4, one page: the theatres showing the movie and their showtimes."""
    data = envelope(payload)
    if not isinstance(data, dict):
        raise PayloadError("E4 'data' is not an object")
    theatres = data.get("theaters", data.get("theatres"))
    if theatres is None:
        theatres = []
    if not isinstance(theatres, list):
        raise PayloadError("E4 'data.theaters' is not a list")
    page = SchedulePage(has_next=bool(data.get("has_next")))
    for raw in theatres:
        if not isinstance(raw, dict):
            page.problems.append(("bad_theatre", repr(raw)[:60]))
            continue
        merchant_raw = raw.get("merchant")
        merchant = normalize_merchant(merchant_raw.get("merchant_name") if isinstance(merchant_raw, dict)
                                      else merchant_raw)
        theatre_id = _str_id(raw.get("id") or raw.get("theater_id"))
        if merchant not in KNOWN_MERCHANTS:
            page.problems.append(("unknown_merchant", merchant or "<empty>"))
        rooms: list[str] = []
        for group in raw.get("price_groups") or []:
            if not isinstance(group, dict):
                continue
            category = clean_text(group.get("category")) or ""
            price = clean_text(group.get("price_string"))
            times = group.get("show_time") or []
            if times:
                rooms.append(category)
            for show in times:
                if not isinstance(show, dict):
                    page.problems.append(("bad_showtime", repr(show)[:60]))
                    continue
                status = _int(show.get("status"))
                if status not in KNOWN_STATUSES:
                    page.problems.append(("unexpected_status", repr(show.get("status"))))
                hhmm = _hhmm(show.get("display_time"))
                price_min, price_max = parse_price(price)
                page.showtimes.append(TixShowtime.model_construct(
                    showtime_id=_str_id(show.get("id")), movie_id=movie_id, theatre_id=theatre_id, city=city,
                    merchant=merchant, room_category=category, price=price, price_min=price_min, price_max=price_max,
                    date=date, time=hhmm,
                    starts_at=starts_at(date, hhmm), status=status if status is not None else show.get("status"),
                    is_available=status == 1,
                ))
        if not rooms:
            continue  # a theatre with no showtime is not listed (docs/sources/tix.md#showtimes)
        # An unknown chain costs the showtimes that carry it, not the theatre: the theatre is
        # kept without a merchant (a null never overwrites a stored one, storage merge rules).
        page.theatres.append(TixTheatre.model_construct(
            theatre_id=theatre_id, name=clean_text(raw.get("name")) or "",
            merchant=merchant if merchant in KNOWN_MERCHANTS else None, city=city,
            address=clean_text(raw.get("address")), room_types=sorted(set(rooms)), last_seen=date,
        ))
    return page


# ------------------------------------------------------------------------------ E5 layouts
@dataclass
class Occupancy:
    total_seats: int
    unavailable_seats: int
    available_seats: int
    occupancy_pct: float
    layout: list[tuple[str, list[int]]]
    shape: str  # nested, flat, flat_yn


_CODES = {1: AVAILABLE, 5: UNAVAILABLE, 6: UNAVAILABLE}


def _seat_code(status: Any, seat_yn: Any = None) -> int | None:
    """1 available, 0 unavailable, None not a seat (aisle, unknown code): docs/sources/tix.md#seat-statuses."""
    if seat_yn is None and type(status) is int:  # the common case, kept cheap (millions of seats a day)
        return _CODES.get(status)
    code = _int(status)
    if seat_yn is not None:
        if str(seat_yn).strip() != "1":
            return None  # "0": an aisle or a gap
        if code == 0:
            return UNAVAILABLE  # flat B2B form: 0 means sold
    if code == 1:
        return AVAILABLE
    if code in UNAVAILABLE_STATUSES:
        return UNAVAILABLE
    return None


def _count(rows: Iterable[tuple[str, list[int]]], shape: str) -> Occupancy:
    layout = [(name, codes) for name, codes in rows if codes]
    total = sum(map(len, map(itemgetter(1), layout)))
    available = sum(map(sum, map(itemgetter(1), layout)))
    unavailable = total - available
    pct = round(unavailable / total * 100, 1) if total else 0.0
    return Occupancy(total, unavailable, available, pct, layout, shape)


def parse_layout(payload: Any) -> Occupancy:
    """E5: seat counts and the compressed layout, from any of the three shapes (docs/sources/tix.md#layout-shapes).

    Nested (XXI): rows named by ``seat_code`` (``row_name`` as a fallback), seats in
    ``seat_rows`` with ``status``. Flat (Cinépolis): one item per seat with ``row_name``
    and ``seat_status``. Flat with ``seat_yn`` (CGV): ``seat_yn`` "0" is an aisle,
    ``seat_status`` 0 on a real seat means sold. Rows keep their real names and the
    order in which they first appear.
    """
    data = envelope(payload)
    seat_map = data.get("seat_map") if isinstance(data, dict) else data
    if not isinstance(seat_map, list):
        raise LayoutError("no seat_map list in the layout")
    # Written for speed (a day is about 2.5 million seats): dict lookups, no call per seat
    # in the common case of integer statuses.
    nested = [item for item in seat_map if isinstance(item, dict) and isinstance(item.get("seat_rows"), list)]
    if nested:
        rows: list[tuple[str, list[int]]] = []
        for item in nested:
            name = str(item.get("seat_code") or item.get("row_name") or "").strip()
            seats = item["seat_rows"]
            # The XXI norm, every seat a dict with an integer status: all in C loops, no Python
            # step per seat (map over dict.get, a None looked for only once).
            statuses = list(map(dict.get, seats, repeat("status", len(seats)))) if set(map(type, seats)) == {dict} \
                else None
            codes: list[int]
            if statuses is not None and set(map(type, statuses)) == {int}:
                mapped: list[int | None] = list(map(_CODES.get, statuses))  # type: ignore[arg-type]
                codes = [code for code in mapped if code is not None] if None in mapped else mapped  # type: ignore[assignment]
            else:
                codes = []
                for seat in seats:
                    if type(seat) is not dict:
                        continue
                    status = seat.get("status")
                    if status is None:
                        status = seat.get("seat_status")
                    code = _CODES.get(status) if type(status) is int else _seat_code(status)
                    if code is not None:
                        codes.append(code)
            rows.append((name, codes))
        return _count(rows, "nested")
    grouped: dict[str, list[int]] = {}
    with_yn = False
    for item in seat_map:
        if type(item) is not dict:
            continue
        status = item.get("seat_status")
        if status is None:
            status = item.get("status")
        seat_yn = item.get("seat_yn")
        if seat_yn is None and "seat_yn" not in item:
            code = _CODES.get(status) if type(status) is int else _seat_code(status)
        else:
            with_yn = True
            if seat_yn == "1" and type(status) is int:
                code = UNAVAILABLE if status == 0 else _CODES.get(status)
            elif seat_yn == "0":
                continue  # an aisle
            else:
                code = _seat_code(status, seat_yn if seat_yn is not None else "")
        if code is None:
            continue
        label: Any = item.get("row_name")
        if label is None:
            label = item.get("seat_code") or ""
        if type(label) is not str or label != label.strip():
            label = str(label).strip()
        row = grouped.get(label)
        if row is None:
            row = grouped[label] = []
        row.append(code)
    if seat_map and not grouped and not any(isinstance(i, dict) and ("row_name" in i or "seat_status" in i)
                                            for i in seat_map):
        raise LayoutError("seat_map items have none of the known keys")
    return _count(grouped.items(), "flat_yn" if with_yn else "flat")


def snapshot_id(showtime_id: str, mode: str, scraped_at: dt.datetime) -> str:
    """``{showtime_id}_{mode}_{HHMM}`` with HHMM the scrape time in WIB."""
    wib = scraped_at.astimezone(WIB)
    return f"{showtime_id}_{mode}_{wib.hour:02d}{wib.minute:02d}"  # not strftime: 11,000 a run


def build_snapshot(occupancy: Occupancy, *, showtime: dict[str, Any], mode: str,
                   scraped_at: dt.datetime) -> TixSeatSnapshot:
    """A seat snapshot from an occupancy and the showtime row it was requested for."""
    sid = str(showtime["showtime_id"])
    return TixSeatSnapshot.model_construct(
        snapshot_id=snapshot_id(sid, mode, scraped_at), showtime_id=sid, mode=mode,
        scraped_at=scraped_at, date=parse_date(showtime.get("date")) or scraped_at.astimezone(WIB).date(),
        time=showtime.get("time"), movie_id=showtime.get("movie_id"), movie_title=showtime.get("movie_title"),
        theatre_id=showtime.get("theatre_id"), theatre_name=showtime.get("theatre_name"),
        city=showtime.get("city"), merchant=showtime.get("merchant"), room_category=showtime.get("room_category"),
        total_seats=occupancy.total_seats, unavailable_seats=occupancy.unavailable_seats,
        available_seats=occupancy.available_seats, occupancy_pct=occupancy.occupancy_pct,
        layout=[(name, list(codes)) for name, codes in occupancy.layout],
    )


def parse_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
