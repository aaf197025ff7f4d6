"""The kino.krakow.pl / repertuary.pl part of the replica (replica/repertuary).

Talks HTTP to a running Replica with http.client and explicit cookie handling, so what is
tested is exactly what a crawler sees: session cookies, CSRF, the server-side day race.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import http.client
import re
import socket
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from replica.core import Fault
from replica.repertuary import CITIES, build_dataset, truth
from replica.server import Replica

DATE = dt.date(2025, 11, 18)  # a Tuesday: this week's premiere is on Friday, day 3
UUID_SUFFIX = re.compile(r"-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
XHR = {"X-Requested-With": "XMLHttpRequest", "Accept": "*/*"}


# ----- HTTP helpers ----------------------------------------------------------------


@dataclass
class Resp:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def cookie(self, city: str) -> str | None:
        """``name=value`` of the city's session cookie if the response sets it."""
        for header in self.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie(header)
            name = f"_{city}_session"
            if name in jar:
                return f"{name}={jar[name].value}"
        return None


def call(base: str, method: str, path: str, cookie: str | None = None, headers: dict[str, str] | None = None) -> Resp:
    url = urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=20)
    sent = dict(headers or {})
    if cookie:
        sent["Cookie"] = cookie
    try:
        conn.request(method, path, headers=sent)
        response = conn.getresponse()
        return Resp(response.status, response.headers, response.read())
    finally:
        conn.close()


def open_session(base: str, city: str, path: str = "/cinema_program/by_movie") -> tuple[str, str]:
    """GET a page without cookies: (session cookie, CSRF token)."""
    page = call(base, "GET", path)
    assert page.status == 200
    cookie = page.cookie(city)
    assert cookie, "the first GET must issue a session cookie"
    return cookie, CSRF_META.search(page.text).group(1)


def set_day(base: str, cookie: str, token: str, day: int, referer: str = "/cinema_program/by_movie") -> Resp:
    return call(base, "POST", f"/settings/set_day/{day}", cookie, {**XHR, "X-CSRF-Token": token, "Referer": referer})


def selected_day(html: str) -> int:
    active = Selector(text=html).css("table.calendar td.active a::attr(href)").getall()
    assert len(active) == 1
    return int(active[0].rsplit("/", 1)[1])


def film_rows(html: str, cell: str = "td.cinema_film") -> tuple[list[str], list[tuple[str, str, str]]]:
    """What the original's MoviePageExtractor reads: date headers and (cinema, time, id) rows."""
    dates, rows = [], []
    for tr in Selector(text=html).css("table.repert > tbody > tr"):
        header = tr.css("th.date::text").get()
        if header is not None:
            dates.append(header.strip())
            continue
        if not tr.css(cell) or not dates:
            continue
        cinema = tr.css(f"{cell} a::attr(href)").get().lstrip("/")
        for hour in tr.css("td.showtime span.hour"):
            first_line = "".join(hour.css("::text").getall()).strip().split("\n")[0].strip()
            rows.append((cinema, first_line, hour.css("a.buy_ticket::attr(data-showtime-id)").get()))
    return dates, rows


def expected_header(day: dt.date) -> str:
    weekdays = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")
    months = (
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    )
    return f"{weekdays[day.weekday()]}, {day.day} {months[day.month - 1]}"


# ----- fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def rep():
    with Replica(preset="tiny", seed=1, date=DATE) as replica:
        yield replica


@pytest.fixture(scope="module")
def krakow(rep) -> str:
    return rep.urls["repertuary"]["krakow"]


@pytest.fixture(scope="module")
def kt(rep) -> dict:
    return rep.truth("repertuary")["cities"]["krakow"]


@pytest.fixture
def knobs(rep):
    """The running replica's knobs, restored after the test."""
    yield rep.knobs
    rep.knobs.session_race = True
    rep.knobs.faults = []


def showing(kt: dict) -> list[dict]:
    return [f for f in kt["films"] if not f["upcoming"]]


def shows_of(kt: dict, slug: str, day: dt.date) -> set[tuple[str, str, str]]:
    return {
        (s["cinema_slug"], s["time"], s["showtime_id"])
        for s in kt["showtimes"]
        if s["film_slug"] == slug and s["date"] == day.isoformat()
    }


# ----- session and CSRF ------------------------------------------------------------------


def test_session_cookie_and_csrf_meta_on_every_page(krakow: str, kt: dict) -> None:
    slug = kt["films"][0]["slug"]
    for path in ("/", "/cinema_program/by_movie", f"/film/{slug}.html"):
        page = call(krakow, "GET", path)
        assert page.status == 200 and page.headers.get_content_charset() == "utf-8"
        assert page.cookie("krakow"), path
        assert CSRF_META.search(page.text), path
    # A returning client keeps its session: no new cookie, the same token.
    cookie, token = open_session(krakow, "krakow")
    again = call(krakow, "GET", "/cinema_program/by_movie", cookie)
    assert again.cookie("krakow") is None
    assert CSRF_META.search(again.text).group(1) == token


def test_set_day_requires_the_sessions_csrf_token(krakow: str) -> None:
    cookie, token = open_session(krakow, "krakow")
    other_cookie, other_token = open_session(krakow, "krakow")
    assert call(krakow, "POST", "/settings/set_day/2", cookie, XHR).status == 422  # no token
    assert set_day(krakow, cookie, "bm90LWEtdG9rZW4=", 2).status == 422  # garbage token
    assert set_day(krakow, cookie, other_token, 2).status == 422  # another session's token
    assert set_day(krakow, "", token, 2).status == 422  # no session cookie
    ok = set_day(krakow, cookie, token, 2)
    assert ok.status == 200
    assert ok.cookie("krakow"), "Rails reissues the session cookie when the session changes"
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", cookie).text) == 2
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", other_cookie).text) == 0
    assert call(krakow, "POST", "/settings/set_day/7", cookie, {**XHR, "X-CSRF-Token": token}).status == 404


def test_non_xhr_set_day_redirects_to_referer(krakow: str, kt: dict) -> None:
    cookie, token = open_session(krakow, "krakow")
    referer = f"{krakow}/film/{kt['films'][0]['slug']}.html"
    plain = call(krakow, "POST", "/settings/set_day/4", cookie, {"X-CSRF-Token": token, "Referer": referer})
    assert plain.status == 302 and plain.headers["Location"] == referer
    assert plain.cookie("krakow")
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", cookie).text) == 4


def test_selected_day_lives_server_side(krakow: str, kt: dict) -> None:
    slug = showing(kt)[0]["slug"]
    cookie, token = open_session(krakow, "krakow", f"/film/{slug}.html")
    assert set_day(krakow, cookie, token, 5).status == 200
    same = call(krakow, "GET", f"/film/{slug}.html", cookie).text
    assert selected_day(same) == 5
    assert film_rows(same)[0] == [expected_header(DATE + dt.timedelta(days=5))]
    # A client without the cookie gets a new session on day 0.
    fresh = call(krakow, "GET", f"/film/{slug}.html")
    assert fresh.cookie("krakow") and selected_day(fresh.text) == 0


def test_day_chains_sharing_one_session_race(krakow: str, knobs) -> None:
    """docs/sources/repertuary.md#day-selection-race: day requests sharing one session overwrite each other's day."""
    knobs.session_race = True
    cookie, token = open_session(krakow, "krakow")
    post_a = set_day(krakow, cookie, token, 2)
    post_b = set_day(krakow, cookie, token, 5)
    # Chain a uses the cookie its own POST returned, as the original scraper does, and still
    # reads day b: the selection is keyed by the session id, not carried in the cookie.
    page_a = call(krakow, "GET", "/cinema_program/by_movie", post_a.cookie("krakow")).text
    assert selected_day(page_a) == 5
    assert expected_header(DATE + dt.timedelta(days=5)) in page_a
    assert expected_header(DATE + dt.timedelta(days=2)) not in page_a
    page_b = call(krakow, "GET", "/cinema_program/by_movie", post_b.cookie("krakow")).text
    assert selected_day(page_b) == 5


def test_cookie_store_mode_keeps_each_chains_day(krakow: str, knobs) -> None:
    knobs.session_race = False
    cookie, token = open_session(krakow, "krakow")
    post_a = set_day(krakow, cookie, token, 2)
    post_b = set_day(krakow, cookie, token, 5)
    assert post_a.cookie("krakow") != post_b.cookie("krakow")
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", post_a.cookie("krakow")).text) == 2
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", post_b.cookie("krakow")).text) == 5
    # The legacy DayPageJob bug: reusing the original cookie pins every GET to the default day.
    assert selected_day(call(krakow, "GET", "/cinema_program/by_movie", cookie).text) == 0


# ----- pages ---------------------------------------------------------------------------


def test_film_page_metadata_matches_the_original_extractor(krakow: str, kt: dict) -> None:
    film = next(f for f in kt["films"] if f["slug"] == "interstellar")
    html = call(krakow, "GET", "/film/interstellar.html").text
    sel = Selector(text=html)
    assert sel.css("h1::text").get().strip() == "Interstellar"
    labels = [s.strip() for s in sel.css("strong::text").getall()]
    for label in (
        "Tytuł oryginalny:",
        "Czas trwania:",
        "Produkcja:",
        "Gatunek:",
        "Premiera:",
        "Dystrybutor filmu:",
        "Reżyseria:",
        "Obsada:",
    ):
        assert label in labels
    # The regexes of docs/sources/repertuary.md#film-metadata, on the raw HTML.
    assert re.search(r"Tytuł oryginalny:\s*</strong>\s*([^<\n]+)", html).group(1).strip() == "Interstellar"
    assert re.search(r"Reżyseria:\s*</strong>\s*<a[^>]*>([^<]+)</a>", html).group(1) == "Christopher Nolan"
    assert re.search(r"Produkcja:\s*</strong>\s*[^,]+,\s*(\d{4})", html).group(1) == "2014"
    assert re.search(r"Produkcja:\s*</strong>\s*([^,<]+)", html).group(1).strip() == "USA / Wielka Brytania"
    assert re.search(r"Czas trwania:\s*</strong>\s*(\d+)", html).group(1) == "169"
    assert "169 min." in html and "6 listopada 2014" in html
    cast = re.search(r"Obsada:\s*</strong>\s*(.+?)(?:<br|</div)", html, re.DOTALL).group(1)
    assert re.findall(r"<a[^>]*>([^<]+)</a>", cast) == film["cast"]
    genre = re.search(r"Gatunek:\s*</strong>\s*(.+?)(?:<br|</div|<strong)", html, re.DOTALL).group(1)
    assert " / ".join(re.findall(r"<a[^>]*>([^<]+)</a>", genre)) == "przygodowy / dreszczowiec / sci-fi"


def test_film_page_polish_letters_are_literal_utf8(krakow: str, kt: dict) -> None:
    film = next(f for f in kt["films"] if f["slug"] == "zwierzogrod-2")
    body = call(krakow, "GET", "/film/zwierzogrod-2.html").body
    assert "<h1>Zwierzogród 2</h1>".encode() in body
    assert "Reżyseria:".encode() in body and b"&#" not in body
    assert film["title_pl"] == "Zwierzogród 2" and film["tmdb_id"] == 1084242


def test_film_page_calendar_and_showtime_table(krakow: str, kt: dict) -> None:
    film = max(showing(kt), key=lambda f: sum(s["film_slug"] == f["slug"] for s in kt["showtimes"]))
    html = call(krakow, "GET", f"/film/{film['slug']}.html").text
    sel = Selector(text=html)
    cells = sel.css("table.calendar td")
    assert len(cells) == 7
    assert cells[0].attrib["class"] == f"active {DATE.strftime('%A')}"
    assert [c.attrib["class"] for c in cells[1:]] == [(DATE + dt.timedelta(days=i)).strftime("%A") for i in range(1, 7)]
    assert cells[0].css("a").attrib["data-method"] == "post"
    assert re.search(r'href="/settings/set_day/0">Wt<br> 18 11</a>', html)
    assert sel.css("table.calendar th::text").get() == "Wybierz dzień"
    dates, rows = film_rows(html)
    assert dates == ["wtorek, 18 listopada"]  # one header, no year
    assert set(rows) == shows_of(kt, film["slug"], DATE)
    for cinema_cell in sel.css("table.repert td.cinema_film"):
        assert len(cinema_cell.xpath("./a/node()")) == 1  # the name is the anchor's only child
    for hour in sel.css("td.showtime span.hour"):
        assert re.fullmatch(r"\d{2}:\d{2}", hour.xpath("./text()").get().strip())
        assert re.fullmatch(r"\d{8}", hour.css("a.buy_ticket::attr(data-showtime-id)").get())


def test_ground_truth_equals_pages_for_films_and_days(krakow: str, kt: dict) -> None:
    films = [f["slug"] for f in showing(kt)][:4]
    for day in (0, 3, 6):
        for slug in films:
            cookie, token = open_session(krakow, "krakow", f"/film/{slug}.html")
            post = set_day(krakow, cookie, token, day, referer=f"{krakow}/film/{slug}.html")
            html = call(krakow, "GET", f"/film/{slug}.html", post.cookie("krakow") or cookie).text
            expected = shows_of(kt, slug, DATE + dt.timedelta(days=day))
            dates, rows = film_rows(html)
            assert set(rows) == expected, (slug, day)
            if expected:
                assert dates == [expected_header(DATE + dt.timedelta(days=day))]
            else:
                assert not dates and "Brak repertuaru dla filmu" in html


def test_upcoming_film_shows_the_empty_state(krakow: str, kt: dict) -> None:
    upcoming = [f for f in kt["films"] if f["upcoming"]]
    assert len(upcoming) == 3
    html = call(krakow, "GET", f"/film/{upcoming[0]['slug']}.html").text
    assert not Selector(text=html).css("table.repert")
    assert f"Brak repertuaru dla filmu '{upcoming[0]['title_pl']}' na dziś" in html


def test_by_movie_lists_every_film_and_the_day_programme(krakow: str, kt: dict) -> None:
    html = call(krakow, "GET", "/cinema_program/by_movie").text
    sel = Selector(text=html)
    assert "Repertuar" in html
    assert [a.strip() for a in sel.css("#menu a::text").getall()] == [
        "Start",
        "Premiery",
        "Zapowiedzi",
        "Do Kina",
        "Na Film",
        "Wg Godzin",
    ]
    assert "Zapowiedzi" in sel.css("#sidebar h3::text").getall()
    linked: dict[str, str] = {}
    for a in sel.css("a.preview-link.film"):
        assert len(a.xpath("./node()")) == 1
        list_slug = re.fullmatch(r"/film/([^.]+)\.html", a.attrib["href"]).group(1)
        linked[UUID_SUFFIX.sub("", list_slug)] = list_slug
    assert linked == {f["slug"]: f["list_slug"] for f in kt["films"]}
    assert any(f["slug"] != f["list_slug"] for f in kt["films"])  # dom-dobry-c74ad00c-...
    # The state machine of ShowtimeExtractor over table.repert.
    found, film, date = set(), None, None
    for tr in sel.css("table.repert > tbody > tr"):
        if tr.css("th.date"):
            date = tr.css("th.date::text").get().strip()
        elif tr.css("a.preview-link.film"):
            film = UUID_SUFFIX.sub("", tr.css("a.preview-link.film::attr(href)").get()[6:-5])
        elif tr.css("td.cinema_film") and film and date:
            cinema = tr.css("td.cinema_film a::attr(href)").get().lstrip("/")
            for hour in tr.css("span.hour"):
                link = hour.xpath(".//a[contains(@href, '/by_cinema/')]")
                ticket = hour.css("a.buy_ticket::attr(href)").get()
                found.add((film, cinema, link.xpath("./text()").get(), ticket.rsplit("/", 1)[1]))
    assert date == "wtorek, 18 listopada"
    assert found == {
        (s["film_slug"], s["cinema_slug"], s["time"], s["showtime_id"])
        for s in kt["showtimes"]
        if s["date"] == DATE.isoformat()
    }


def test_friday_premiere_is_announced_before_and_listed_after(krakow: str, kt: dict) -> None:
    """A film premiering on day 3 has no showtimes on days 0-2, yet it is not an upcoming film."""
    first_day = {}
    for s in kt["showtimes"]:
        first_day[s["film_slug"]] = min(first_day.get(s["film_slug"], s["date"]), s["date"])
    late = [slug for slug, day in first_day.items() if day > DATE.isoformat()]
    assert late, "the tiny preset has one film premiering this Friday"
    film = next(f for f in kt["films"] if f["slug"] == late[0])
    friday = dt.date.fromisoformat(first_day[film["slug"]])
    assert not film["upcoming"] and friday.weekday() == 4
    day0 = call(krakow, "GET", "/cinema_program/by_movie").text
    sidebar = Selector(text=day0).css("#sidebar .zapowiedzi a.preview-link.film::attr(href)").getall()
    assert f"/film/{film['list_slug']}.html" in sidebar
    assert "Brak repertuaru" in call(krakow, "GET", f"/film/{film['slug']}.html").text
    cookie, token = open_session(krakow, "krakow")
    assert set_day(krakow, cookie, token, (friday - DATE).days).status == 200
    table = Selector(text=call(krakow, "GET", "/cinema_program/by_movie", cookie).text).css("table.repert")
    assert f"/film/{film['list_slug']}.html" in table.css("a.preview-link.film::attr(href)").getall()


def test_not_found_pages(krakow: str, kt: dict) -> None:
    suffixed = next(f for f in kt["films"] if f["slug"] != f["list_slug"])
    assert call(krakow, "GET", f"/film/{suffixed['list_slug']}.html").status == 404  # only clean slugs exist
    assert call(krakow, "GET", f"/film/{suffixed['slug']}.html").status == 200
    assert call(krakow, "GET", "/film/no-such-film.html").status == 404
    for cinema in kt["cinemas"]:
        assert call(krakow, "GET", f"/{cinema['slug']}/info").status == 404
    assert "doesn't exist" in call(krakow, "GET", "/kino-ars").text


def test_ticket_links_resolve_on_the_shared_host(rep, krakow: str) -> None:
    warszawa = rep.truth("repertuary")["cities"]["warszawa"]["showtimes"][0]
    page = call(krakow, "GET", f"/showtime/{warszawa['showtime_id']}")
    assert page.status == 200 and warszawa["time"] in page.text


def test_each_city_is_its_own_site(rep, krakow: str) -> None:
    urls = rep.urls["repertuary"]
    assert list(urls) == list(CITIES) and len(set(urls.values())) == 29
    wt = rep.truth("repertuary")["cities"]["warszawa"]
    assert wt["host"] == "warszawa.repertuary.pl"
    assert rep.truth("repertuary")["cities"]["krakow"]["host"] == "www.kino.krakow.pl"
    page = call(urls["warszawa"], "GET", "/cinema_program/by_movie")
    assert page.cookie("warszawa") and not page.cookie("krakow")
    assert "Warszawa" in page.text
    # Cookies ignore ports: a Kraków cookie sent to Warsaw must neither clash nor be accepted.
    k_cookie, k_token = open_session(krakow, "krakow")
    assert set_day(urls["warszawa"], k_cookie, k_token, 1).status == 422
    for city in ("katowice", "zabrze"):
        assert call(urls[city], "GET", "/cinema_program/by_movie").status == 200


# ----- faults --------------------------------------------------------------------------


def test_html_drift_fault_renames_the_cinema_cell(krakow: str, kt: dict, knobs) -> None:
    slug = showing(kt)[0]["slug"]
    knobs.faults = [Fault("html_drift", at=[1], site="repertuary", path="/film/")]
    drifted = call(krakow, "GET", f"/film/{slug}.html").text
    assert 'class="cinema-film"' in drifted and 'class="cinema_film"' not in drifted
    assert film_rows(drifted, "td.cinema-film")[1]
    normal = call(krakow, "GET", f"/film/{slug}.html").text
    assert 'class="cinema_film"' in normal


def test_set_day_faults(krakow: str, knobs) -> None:
    cookie, token = open_session(krakow, "krakow")
    knobs.faults = [
        Fault("set_day_500", at=[1], site="repertuary:krakow"),
        Fault("set_day_422", at=[2], site="repertuary:krakow"),
    ]
    assert set_day(krakow, cookie, token, 1).status == 500
    assert set_day(krakow, cookie, token, 1).status == 422  # despite a valid token
    assert set_day(krakow, cookie, token, 1).status == 200


def raw_get(base: str, path: str) -> tuple[http.client.HTTPMessage, str, bytes]:
    """GET over a bare socket, read to EOF: (headers, status line, body exactly as sent)."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=20) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {url.netloc}\r\nConnection: close\r\n\r\n".encode())
        data = b"".join(iter(lambda: sock.recv(65536), b""))
    head, _, body = data.partition(b"\r\n\r\n")
    status, _, fields = head.decode("latin-1").partition("\r\n")
    return email.parser.Parser(_class=http.client.HTTPMessage).parsestr(fields), status, body


def test_truncate_fault_cuts_the_body_but_keeps_status_and_headers(rep, krakow: str, knobs) -> None:
    """A page cut short keeps what arrived before its body: the status and every header, the
    session cookie included. The body is chunked and the connection closes before its last
    (zero-length) chunk, so a client can tell the page is incomplete."""
    knobs.faults = [Fault("truncate", at=[1], site="repertuary:krakow", path="/cinema_program/by_movie")]
    headers, status, body = raw_get(krakow, "/cinema_program/by_movie")
    assert (status, headers["Content-Type"], headers["Transfer-Encoding"], headers["Content-Length"]) \
        == ("HTTP/1.1 200 OK", "text/html; charset=utf-8", "chunked", None)
    size, _, rest = body.partition(b"\r\n")
    part = rest[: int(size, 16)]
    assert rest == part + b"\r\n"  # one chunk, then nothing: no terminating chunk, no other bytes
    cookie = Resp(200, headers, b"").cookie("krakow")
    assert cookie is not None
    whole = call(krakow, "GET", "/cinema_program/by_movie", cookie)
    # The cookie of the cut page is a live session: the next page does not issue a new one.
    assert (whole.status, whole.cookie("krakow")) == (200, None)
    assert part.startswith(b"<!DOCTYPE html>") and b"</html>" not in part
    assert len(part) == len(whole.body) // 2
    logged = [e for e in rep.ctx.log if e["site"] == "repertuary:krakow" and e.get("cut_short")]
    assert [(e["method"], e["path"], e["status"]) for e in logged] == [("GET", "/cinema_program/by_movie", 200)]


# ----- dataset ---------------------------------------------------------------------------


def test_pages_are_deterministic(kt: dict) -> None:
    """Two replicas with the same (preset, seed, date) answer the same requests byte for byte."""
    slug = showing(kt)[0]["slug"]
    transcripts = []
    for _ in range(2):
        with Replica(preset="tiny", seed=1, date=DATE) as replica:
            base = replica.urls["repertuary"]["krakow"]
            first = call(base, "GET", f"/film/{slug}.html")
            cookie = first.cookie("krakow")
            token = CSRF_META.search(first.text).group(1)
            post = set_day(base, cookie, token, 3)
            pages = [
                call(base, "GET", path, cookie).body for path in (f"/film/{slug}.html", "/cinema_program/by_movie", "/")
            ]
            transcripts.append((first.body, cookie, post.body, post.cookie("krakow"), pages))
    assert transcripts[0] == transcripts[1]


def test_dataset_is_a_pure_function() -> None:
    assert truth(build_dataset("tiny", 7, DATE)) == truth(build_dataset("tiny", 7, DATE))
    assert truth(build_dataset("tiny", 7, DATE)) != truth(build_dataset("tiny", 8, DATE))
    started = time.perf_counter()
    build_dataset("tiny", 3, DATE)
    assert time.perf_counter() - started < 0.3


@pytest.mark.e2e
def test_new_year_rollover_without_a_year() -> None:
    with Replica(preset="tiny", seed=1, date=dt.date(2026, 12, 28)) as replica:
        base = replica.urls["repertuary"]["krakow"]
        t = replica.truth("repertuary")
        assert t["dates"][4] == "2027-01-01"
        slug = next(s["film_slug"] for s in t["cities"]["krakow"]["showtimes"] if s["date"] == "2027-01-01")
        cookie, token = open_session(base, "krakow", f"/film/{slug}.html")
        assert set_day(base, cookie, token, 4).status == 200
        html = call(base, "GET", f"/film/{slug}.html", cookie).text
        assert film_rows(html)[0] == ["piątek, 1 stycznia"]  # 2027-01-01 is a Friday
        assert "Pt<br> 1 1</a>" in html and "Czw<br> 31 12</a>" in html
        by_movie = call(base, "GET", "/cinema_program/by_movie", cookie).text
        assert "piątek, 1 stycznia" in by_movie
        assert not re.search(r'class="date"[^>]*>[^<]*20\d\d', by_movie)


def test_default_preset_shape() -> None:
    t = truth(build_dataset("default", 1, DATE))
    assert t["dates"] == [(DATE + dt.timedelta(days=i)).isoformat() for i in range(7)]
    assert list(t["cities"]) == list(CITIES) and len(CITIES) == 29
    kr = t["cities"]["krakow"]
    assert [c["name"] for c in kr["cinemas"]] == [
        "Agrafka",
        "Cinema City Bonarka",
        "Cinema City Galeria Kazimierz",
        "Cinema City Zakopianka",
        "Galeria Bronowice Mikro",
        "IMAX",
        "Kijów",
        "Kino Kika",
        "Kino Mikro",
        "Kino Pod Baranami",
        "Kino Pod Baranami ASP",
        "Kino Pod Baranami w MOS",
        "Multikino",
        "Paradox",
        "Sfinks",
    ]
    assert {"cinema-city/bonarka", "cinema-city/galeria-kazimierz", "kino-pod-baranami/asp"} <= {
        c["slug"] for c in kr["cinemas"]
    }
    assert 90 <= len(kr["films"]) <= 110
    upcoming = [f for f in kr["films"] if f["upcoming"]]
    assert 0.25 <= len(upcoming) / len(kr["films"]) <= 0.4
    per_day = [sum(s["date"] == d for s in kr["showtimes"]) for d in t["dates"]]
    assert all(250 <= n <= 400 for n in per_day), per_day
    assert 280 <= sum(per_day) / 7 <= 340
    with_shows = {s["film_slug"] for s in kr["showtimes"]}
    assert not {f["slug"] for f in upcoming} & with_shows
    assert {"interstellar", "dom-dobry", "wicked-na-dobre", "zwierzogrod-2-3d"} <= {f["slug"] for f in kr["films"]}
    dom = next(f for f in kr["films"] if f["slug"] == "dom-dobry")
    assert dom["list_slug"] == "dom-dobry-c74ad00c-2f8e-4fc6-a726-484848a8f041"
    suffixes = {f["title_pl"].rsplit(" ", 1)[-1] for f in kr["films"]}
    assert {"3D", "IMAX", "dubbing", "napisy"} <= suffixes
    ids = [s["showtime_id"] for c in t["cities"].values() for s in c["showtimes"]]
    assert len(ids) == len(set(ids)) and all(re.fullmatch(r"\d{8}", i) for i in ids)
    keys = [(s["film_slug"], s["cinema_slug"], s["date"], s["time"]) for s in kr["showtimes"]]
    assert len(keys) == len(set(keys))  # the original's external_id is unique
    smaller = t["cities"]["radom"]
    assert 0 < len(smaller["showtimes"]) < len(kr["showtimes"]) / 3
