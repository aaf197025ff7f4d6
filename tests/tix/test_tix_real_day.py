"""tix_movies end to end against a REAL TIX.id day (tests/fixtures/real/tix_movies_2025-12-19.json).

The replica and the fixtures saved from it share the beliefs that built them; this day was
captured from the live API by the original project. ``realday_server`` serves it back over
E1-E4 (its docstring says what is real and what is designed: only the showtime ids, genre
ids, per-city merchant lists and the guest token are designed), a real ``scrapy crawl
tix_movies`` subprocess crawls the ten captured cities for 2025-12-19 into a temp SQLite
store, and each test compares one part of what was stored with the capture.

Time: the day is given (``-a date=2025-12-19``, Asia/Jakarta) and the server serves the
captured statuses as they were at 12:13 WIB, so nothing here depends on the clock.

Expected values are computed from the capture here, independently of cineradar's parser;
the only rule borrowed from the project is its documented text cleaning (README, Movies:
"address with \\r\\n and space runs collapsed", categories and titles stripped).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import urllib.error
import urllib.request
from collections import Counter
from typing import Any

import pytest

from tests.tix.helpers import crawl, open_store
from tests.tix.realday_server import CITY_IDS, GUEST_TOKEN, RealDayServer, load_capture, showtime_ids

pytestmark = pytest.mark.e2e
DAY = "2025-12-19"
CITIES = ",".join(CITY_IDS)  # AMBON ... BENGKULU, the ten captured cities
PREFIX = "cineradar/tix/movies/"


def clean(text: str | None) -> str | None:
    """The project's documented cleaning: whitespace runs (\\r\\n included) to one space, stripped."""
    value = re.sub(r"\s+", " ", text or "").strip()
    return value or None


# ------------------------------------------------------------------ the capture, as expected rows
def captured_theatres(capture: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """theatre_id -> its fields (the same in every movie that lists it) and rooms over all movies."""
    out: dict[str, dict[str, Any]] = {}
    for movie in capture["movies"]:
        for city, theatres in movie["schedules"].items():
            for t in theatres:
                entry = out.setdefault(t["theatre_id"], {"name": t["theatre_name"], "merchant": t["merchant"],
                                                         "city": city, "address": t["address"], "rooms": set()})
                entry["rooms"] |= {r["category"] for r in t["rooms"]}
    return out


def captured_showtimes(capture: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for movie in capture["movies"]:
        for city, theatres in movie["schedules"].items():
            for t in theatres:
                for room in t["rooms"]:
                    for show in room["all_showtimes"]:
                        rows.append({"movie_id": movie["id"], "theatre_id": t["theatre_id"], "city": city,
                                     "merchant": t["merchant"], "room_category": room["category"],
                                     "price": room["price"], "time": show["time"], "status": show["status"],
                                     "is_available": show["is_available"]})
    return rows


def shows(rows: list[dict[str, Any]], *fields: str, cleaned: tuple[str, ...] = ()) -> Counter:
    """A multiset: the capture has the same (theatre, room, time) twice where two auditoriums play it."""
    return Counter(tuple(clean(r[f]) if f in cleaned else r[f] for f in fields) for r in rows)


# ------------------------------------------------------------------ one crawl for the module
@pytest.fixture(scope="module")
def day(tmp_path_factory) -> dict[str, Any]:  # noqa: ANN001
    capture = load_capture()
    work = tmp_path_factory.mktemp("tix-real-day")
    with RealDayServer(capture) as server:
        urls = {"tix_api": server.url, "tix_app": server.url, "tmdb": server.url}
        run = crawl("tix_movies", urls, work, f"cities={CITIES}", f"date={DAY}", check=False)
        requests = list(server.api.requests)
        guest_tokens = server.api.guest_tokens
    store = open_store(work / "cineradar.db")
    try:
        stored = {entity: store.fetch(entity) for entity in ("tix_movies", "tix_theatres", "tix_showtimes")}
    finally:
        store.close()
    return {"capture": capture, "run": run, "requests": requests, "guest_tokens": guest_tokens,
            "movies": {m["movie_id"]: m for m in stored["tix_movies"]},
            "theatres": {t["theatre_id"]: t for t in stored["tix_theatres"]},
            "showtimes": stored["tix_showtimes"]}


# ------------------------------------------------------------------ the crawl
def test_crawl_exits_zero(day):
    assert day["run"]["returncode"] == 0, day["run"]["log"][-3000:]


def test_every_city_answered_with_movies(day):
    assert day["run"]["stats"].get(PREFIX + "cities_ok") == len(CITY_IDS)


def test_presale_movies_counted_as_captured(day):
    assert day["run"]["stats"].get(PREFIX + "presales", 0) == day["capture"]["summary"]["presale_count"]


def test_no_problem_counted(day):
    counted = {k: v for k, v in day["run"]["stats"].items()
               if k.startswith(PREFIX) and not k.startswith(PREFIX + "city_theatres/") and k.rsplit("/", 1)[-1] not in
               {"cities_requested", "cities_ok", "pages", "movies", "presales", "theatres"}}
    assert counted == {}


def test_theatres_per_city_as_captured(day):
    # The per-city counts the monitors compare with the previous run, against the real capture.
    expected: dict[str, int] = {}
    for theatre in captured_theatres(day["capture"]).values():
        expected[theatre["city"].upper()] = expected.get(theatre["city"].upper(), 0) + 1
    counted = {k.rsplit("/", 1)[-1].upper(): v for k, v in day["run"]["stats"].items()
               if k.startswith(PREFIX + "city_theatres/")}
    assert len(expected) == len(CITY_IDS) and counted == expected


def test_nothing_dropped_by_validation(day):
    assert {k: v for k, v in day["run"]["stats"].items() if "invalid" in k} == {}


def test_only_repeats_that_add_nothing_are_dropped(day):
    # A theatre is listed on every movie's page: repeats that would change nothing are dropped by dedup.
    stats = day["run"]["stats"]
    repeats = sum(v for k, v in stats.items() if k.startswith("cineradar/duplicate/"))
    assert stats.get("item_dropped_count", 0) == repeats


def test_every_schedule_page_requested_once(day):
    capture = day["capture"]
    expected = Counter((m["id"], CITY_IDS[city], str(page)) for m in capture["movies"]
                       for city, ts in m["schedules"].items() for page in range(1, math.ceil(len(ts) / 10) + 1))
    seen = Counter((path.rsplit("/", 1)[-1], q["city_id"], q.get("page", "1"))
                   for method, path, q in day["requests"] if path.startswith("/v1/schedules/movies/"))
    assert seen == expected


def test_movie_lists_requested_as_documented(day):
    seen = Counter((q.get("city_id"), q.get("movie_type"), q.get("timezone"))
                   for method, path, q in day["requests"] if path == "/v1/movies")
    assert seen == Counter((city_id, "NOW_PLAYING", "7") for city_id in CITY_IDS.values())


def test_schedules_requested_for_the_day(day):
    assert {q.get("date") for method, path, q in day["requests"] if path.startswith("/v1/schedules/")} == {DAY}


def test_one_guest_token(day):
    assert day["guest_tokens"] == 1


# ------------------------------------------------------------------ movies
def test_movie_ids_and_titles(day):
    assert {k: m["title"] for k, m in day["movies"].items()} == {m["id"]: m["title"] for m in day["capture"]["movies"]}


def test_movie_metadata(day):
    stored = {k: (m["genres"], m["poster_url"], m["age_category"], m["country"]) for k, m in day["movies"].items()}
    expected = {m["id"]: (m["genres"], m["poster"], m["age_category"], m["country"] or None)
                for m in day["capture"]["movies"]}
    assert stored == expected


def test_movie_cities(day):
    assert {k: sorted(m["cities"]) for k, m in day["movies"].items()} == {
        m["id"]: sorted(m["cities"]) for m in day["capture"]["movies"]}


def test_movie_merchants_are_the_chains_showing_it(day):
    # The capture's own `merchants` is the first city's only (docs/sources/tix.md#merchants); the chains of the
    # captured theatres showing the movie are the real answer over the ten cities.
    expected = {m["id"]: sorted({t["merchant"] for ts in m["schedules"].values() for t in ts})
                for m in day["capture"]["movies"]}
    assert {k: sorted(m["merchants"]) for k, m in day["movies"].items()} == expected


def test_movie_merchants_include_the_captured_ones(day):
    missing = {m["id"]: set(m["merchants"]) - set(day["movies"].get(m["id"], {}).get("merchants") or [])
               for m in day["capture"]["movies"]}
    assert {k: v for k, v in missing.items() if v} == {}


def test_movie_presale_flags(day):
    assert {k: m["is_presale"] for k, m in day["movies"].items()} == {
        m["id"]: m["is_presale"] for m in day["capture"]["movies"]}


def test_presale_count(day):
    assert sum(m["is_presale"] for m in day["movies"].values()) == day["capture"]["summary"]["presale_count"]


def test_movies_dated_the_day(day):
    assert {str(m["date"]) for m in day["movies"].values()} == {DAY}


# ------------------------------------------------------------------ theatres
def test_theatre_ids(day):
    assert sorted(day["theatres"]) == sorted(captured_theatres(day["capture"]))


def test_theatre_names_merchants_cities(day):
    stored = {k: (t["name"], t["merchant"], t["city"]) for k, t in day["theatres"].items()}
    assert stored == {k: (t["name"], t["merchant"], t["city"]) for k, t in captured_theatres(day["capture"]).items()}


def test_theatre_addresses_cleaned_otherwise_as_captured(day):
    stored = {k: t["address"] for k, t in day["theatres"].items()}
    assert stored == {k: clean(t["address"]) for k, t in captured_theatres(day["capture"]).items()}


def test_no_address_keeps_line_breaks_or_edge_blanks(day):
    dirty = {k: t["address"] for k, t in day["theatres"].items()
             if t["address"] is None or re.search(r"[\r\n]", t["address"]) or t["address"] != t["address"].strip()}
    assert dirty == {}


def test_theatre_room_types(day):
    stored = {k: sorted(t["room_types"]) for k, t in day["theatres"].items()}
    assert stored == {k: sorted({clean(c) for c in t["rooms"]}) for k, t in captured_theatres(day["capture"]).items()}


# ------------------------------------------------------------------ showtimes
def test_showtime_count(day):
    assert len(day["showtimes"]) == len(captured_showtimes(day["capture"]))


def test_showtimes_by_movie_theatre_room_time(day):
    fields = ("movie_id", "theatre_id", "room_category", "time")
    assert shows(day["showtimes"], *fields) == shows(captured_showtimes(day["capture"]), *fields,
                                                     cleaned=("room_category",))


def test_showtime_cities_and_merchants(day):
    fields = ("movie_id", "theatre_id", "city", "merchant", "room_category", "time")
    assert shows(day["showtimes"], *fields) == shows(captured_showtimes(day["capture"]), *fields,
                                                     cleaned=("room_category",))


def test_showtime_prices(day):
    fields = ("movie_id", "theatre_id", "room_category", "time", "price")
    assert shows(day["showtimes"], *fields) == shows(captured_showtimes(day["capture"]), *fields,
                                                     cleaned=("room_category", "price"))


def test_showtime_statuses_and_availability(day):
    fields = ("movie_id", "theatre_id", "room_category", "time", "status", "is_available")
    assert shows(day["showtimes"], *fields) == shows(captured_showtimes(day["capture"]), *fields,
                                                     cleaned=("room_category",))


def test_showtime_ids_as_served(day):
    served = {sid: (movie, theatre, clean(category), time)
              for (movie, _city, theatre, category, time), sid in showtime_ids(day["capture"])}
    stored = {s["showtime_id"]: (s["movie_id"], s["theatre_id"], s["room_category"], s["time"])
              for s in day["showtimes"]}
    assert stored == served


def test_showtimes_start_on_the_day_in_jakarta(day):
    wib = dt.timezone(dt.timedelta(hours=7))
    wrong = [(s["showtime_id"], s["date"], s["time"], s["starts_at"]) for s in day["showtimes"]
             if str(s["date"]) != DAY or _instant(s["starts_at"]) != dt.datetime.fromisoformat(f"{DAY}T{s['time']}")
             .replace(tzinfo=wib)]
    assert wrong == []


def _instant(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def test_capture_is_the_one_documented(day):
    """Guard: the fixture is the real file (10 cities, 23 movies, 87 theatres, 2,295 showtimes)."""
    capture = day["capture"]
    counts = (len(capture["city_stats"]), len(capture["movies"]), len(captured_theatres(capture)),
              len(captured_showtimes(capture)))
    assert counts == (10, 23, 87, 2295)


def test_capture_holds_the_dirty_addresses(day):
    """Guard: the addresses are the real dirty ones (271 theatre listings with \\r\\n), not pre-cleaned."""
    dirty = sum("\r\n" in t["address"] for m in day["capture"]["movies"] for ts in m["schedules"].values()
                for t in ts)
    assert dirty == 271


# ------------------------------------------------------------------ the server itself
@pytest.fixture(scope="module")
def server():  # noqa: ANN201
    with RealDayServer() as running:
        yield running


def _get(server: RealDayServer, path: str, token: str | None = GUEST_TOKEN) -> tuple[int, Any]:
    headers = {"platform": "web", "lang": "en", "app_version": "1.0.0", "device_id": "null", "session_id": "null"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(server.url + path, headers=headers)) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_server_serves_the_captured_text(server):
    movie = server.capture["movies"][0]
    theatre = movie["schedules"]["AMBON"][0]
    _, body = _get(server, f"/v1/schedules/movies/{movie['id']}?city_id={CITY_IDS['AMBON']}&date={DAY}")
    served = body["data"]["theaters"][0]
    assert (served["id"], served["name"], served["address"], served["merchant"]) == (
        theatre["theatre_id"], theatre["theatre_name"], theatre["address"], {"merchant_name": theatre["merchant"]})


def test_server_pages_by_ten(server):
    movie = next(m for m in server.capture["movies"] if len(m["schedules"].get("BEKASI", [])) > 20)
    sizes = []
    for page in (1, 2, 3):
        _, body = _get(server, f"/v1/schedules/movies/{movie['id']}?city_id={CITY_IDS['BEKASI']}&date={DAY}"
                               f"&page={page}")
        sizes.append((len(body["data"]["theaters"]), body["data"]["has_next"]))
    total = len(movie["schedules"]["BEKASI"])
    assert sizes == [(10, True), (10, True), (total - 20, False)]


def test_server_refuses_a_call_without_the_guest_token(server):
    assert _get(server, f"/v1/movies?city_id={CITY_IDS['AMBON']}&movie_type=NOW_PLAYING&timezone=7",
                token=None)[0] == 401


def _rupiah(price: str) -> tuple[int, int]:
    """Independent of the parser: the capture's amounts, `.` as the thousands separator."""
    amounts = [int(a.replace(".", "")) for a in re.findall(r"\d[\d.]*\d|\d", price)]
    return min(amounts), max(amounts)


def test_showtime_prices_as_integer_rupiah(day):
    fields = ("movie_id", "theatre_id", "room_category", "time", "price_min", "price_max")
    expected = [r | dict(zip(("price_min", "price_max"), _rupiah(r["price"]), strict=True))
                for r in captured_showtimes(day["capture"])]
    assert shows(day["showtimes"], *fields) == shows(expected, *fields, cleaned=("room_category",))
    ranges = [s for s in day["showtimes"] if s["price_min"] != s["price_max"]]
    assert ranges and all(" - " in s["price"] for s in ranges)  # the capture quotes real ranges


def test_every_datetime_is_iso_with_its_offset(day):
    assert day["showtimes"] and all(s["starts_at"].endswith("+07:00") for s in day["showtimes"])
    assert all(dt.datetime.fromisoformat(s["starts_at"]).isoformat() == s["starts_at"] for s in day["showtimes"])
