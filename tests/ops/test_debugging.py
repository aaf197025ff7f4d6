"""Scrapy's debugging tools on the project's spiders, against the replica of the contracts' day
(cineradar/contracts.py REPLICA_DAY): `scrapy parse` of every page kind with no --meta,
`scrapy check` (contracts through ENDPOINTS only), the TIX.id token on `scrapy shell`/`fetch`
requests but not in their logs, and `scrapy view` without a browser."""

from __future__ import annotations

import datetime as dt
import inspect
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
import zoneinfo
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cineradar.contracts import REPLICA_DAY
from replica import Replica
from tests.conftest import ROOT

DAY0 = dt.date.fromisoformat(REPLICA_DAY["date"])
NOW = dt.datetime.fromisoformat(REPLICA_DAY["now"])  # before the day's first showtime: layouts are served
TMDB_TOKEN = "eyJhbGciOiJIUzI1NiJ9.replica-read-access-token.signature"  # the replica's default knob
JAKARTA = "967969975509716992"


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset=REPLICA_DAY["preset"], seed=REPLICA_DAY["seed"], date=DAY0, now=NOW)
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, replica) -> Path:
    """ENDPOINTS file and a store holding a logged-in TIX.id token (as tix_login leaves it)."""
    from tests.tix.helpers import seed_token

    path = tmp_path_factory.mktemp("debugging")
    (path / "endpoints.json").write_text(json.dumps(replica.urls))
    seed_token(path / "c.db", replica.urls["tix_api"])
    return path


def scrapy(workdir: Path, *args: str, env: dict[str, str] | None = None,
           timeout: int = 180) -> subprocess.CompletedProcess[str]:
    settings = ["-s", f"ENDPOINTS={workdir / 'endpoints.json'}", "-s", f"SQLITE_PATH={workdir / 'c.db'}",
                "-s", f"STORAGE_SPOOL_DIR={workdir / 'spool'}", "-s", "DOWNLOAD_DELAY=0",
                "-s", "REMOTE_CONTROL_ENABLED=False", "-s", "TELNETCONSOLE_ENABLED=False"]
    command, rest = args[0], list(args[1:])
    return subprocess.run([sys.executable, "-m", "scrapy", command, *settings, *rest], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout,
                          env=(env or os.environ) | {"PYTHONPATH": str(ROOT), "TMDB_READ_TOKEN": TMDB_TOKEN,
                                                     "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""})


def parse(workdir: Path, spider: str, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    return scrapy(workdir, "parse", f"--spider={spider}", "--nolog", *extra, url)


def parsed(stdout: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The items and request URLs `scrapy parse` printed."""
    items_text = stdout.split("# Scraped Items", 1)[1].split("\n", 1)[1].split("# Requests", 1)[0]
    names = {"datetime": dt, "zoneinfo": zoneinfo}  # the reprs of dates and zones in the items
    items = eval(items_text, names)  # noqa: S307 - the pprint of our own items
    return items, re.findall(r"<(?:GET|POST) (\S+)>", stdout.split("# Requests", 1)[1])


# ---------------------------------------------------------------------- scrapy parse


def test_parse_a_day_page_without_meta(replica, workdir):
    base = replica.urls["repertuary"]["krakow"]
    proc = parse(workdir, "repertuary", f"{base}/cinema_program/by_movie", "-a", f"date={DAY0}")
    items, _ = parsed(proc.stdout)
    truth = replica.truth("repertuary")["cities"]["krakow"]["showtimes"]
    expected = {(s["film_slug"], s["cinema_slug"], s["time"]) for s in truth if s["date"] == DAY0.isoformat()}
    got = {(i["film_slug"], i["cinema_slug"], i["time"]) for i in items if i["entity"] == "repertuary_showtimes"}
    assert got == expected and got, proc.stderr[-2000:]


@pytest.mark.parametrize("callback", [[], ["-c", "on_film_page"]])
def test_parse_a_film_page_without_meta(replica, workdir, callback):
    base = replica.urls["repertuary"]["krakow"]
    slug = replica.truth("repertuary")["cities"]["krakow"]["showtimes"][0]["film_slug"]
    proc = parse(workdir, "repertuary", f"{base}/film/{slug}.html", *callback)
    items, _ = parsed(proc.stdout)
    assert [(i["slug"], i["city"]) for i in items] == [(slug, "krakow")], proc.stderr[-2000:]


def check_tix_movies(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    truth = [m for m in replica.truth("tix")["movies"] if "JAKARTA" in m["cities"]]
    assert sorted(i["movie_id"] for i in items) == sorted(m["movie_id"] for m in truth)
    assert all(i["cities"] == ["JAKARTA"] for i in items)
    assert sorted(re.search(r"/schedules/movies/(\d+)\?", u)[1] for u in requests) == sorted(  # type: ignore[index]
        m["movie_id"] for m in truth)


def schedule_movie(replica: Replica) -> str:
    showtimes = [s for s in replica.truth("tix")["showtimes"] if s["city"] == "JAKARTA"]
    return max({s["movie_id"] for s in showtimes}, key=lambda m: sum(s["movie_id"] == m for s in showtimes))


def check_tix_schedule(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    movie = schedule_movie(replica)
    truth = {s["showtime_id"]: s for s in replica.truth("tix")["showtimes"]
             if s["city"] == "JAKARTA" and s["movie_id"] == movie}
    showtimes = [i for i in items if i["entity"] == "tix_showtimes"]
    theatres = {i["theatre_id"] for i in items if i["entity"] == "tix_theatres"}
    assert showtimes and {s["theatre_id"] for s in showtimes} == theatres
    for item in showtimes:
        assert (item["movie_id"], item["date"].isoformat(), item["time"]) == (
            movie, truth[item["showtime_id"]]["date"], truth[item["showtime_id"]]["time"])
    if requests:  # has_next: the next page, same movie, city and date
        assert requests == [f"{replica.urls['tix_api']}/v1/schedules/movies/{movie}?city_id={JAKARTA}"
                            f"&date={DAY0}&page=2"]
    else:  # one page: all of them
        assert {s["showtime_id"] for s in showtimes} == set(truth)


def layout_showtime(replica: Replica) -> dict[str, Any]:
    tix = replica.truth("tix")
    return next(s for s in tix["showtimes"] if s["merchant"] == "CGV" and tix["seats"][s["showtime_id"]]["unavailable"])


def check_tix_layout(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    showtime = layout_showtime(replica)
    seats = replica.truth("tix")["seats"][showtime["showtime_id"]]
    [item] = items
    assert (item["entity"], item["showtime_id"], item["merchant"]) == (
        "tix_seat_snapshots", showtime["showtime_id"], "CGV")
    assert (item["total_seats"], item["unavailable_seats"]) == (seats["total"], seats["unavailable"])


def check_tmdb_list(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    first_page = replica.truth("tmdb")["lists"]["popular"][:20]
    details = [int(re.search(r"/3/movie/(\d+)\?", u)[1]) for u in requests if re.search(r"/3/movie/\d+\?", u)]
    assert details == first_page and not items


def check_tmdb_details(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    movie = next(m for m in replica.truth("tmdb")["movies"] if m["id"] == 157336)
    [item] = items
    assert (item["tmdb_id"], item["original_title"], item["runtime"], item["enriched"]) == (
        157336, movie["original_title"], movie["runtime"], True)


def check_tmdb_find(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    show = next(s for s in replica.truth("tmdb")["tv"] if s["imdb_id"] == "tt0944947")
    assert not items and [u.split("?")[0] for u in requests] == [f"{replica.urls['tmdb']}/3/tv/{show['id']}"]


def check_tmdb_show(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    show = next(s for s in replica.truth("tmdb")["tv"] if s["id"] == 1399)
    [got] = [i for i in items if i["entity"] == "tmdb_shows"]
    assert (got["name"], got["imdb_id"], got["number_of_episodes"]) == (
        show["name"], show["imdb_id"], show["number_of_episodes"])
    assert {i["name"] for i in items if i["entity"] == "tmdb_networks"} == set(show["networks"])


def listing(replica: Replica, source: str, key: str) -> dict[str, Any]:
    """A listing of the replica (a repertuary film by slug, a TIX.id movie by title) with its true TMDB id."""
    truth = replica.truth()
    if source == "repertuary":
        return next(f for f in truth["repertuary"]["cities"]["krakow"]["films"] if f["slug"] == key)
    return next(m for m in truth["tix"]["movies"] if m["title"] == key)


def search_url(replica: Replica, title: str, **query: Any) -> str:
    return f"{replica.urls['tmdb']}/3/search/movie?" + urllib.parse.urlencode({"query": title} | query)


def check_match(source: str, key: str, region: str, year_part: float) -> Callable[..., None]:
    def check(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
        truth = listing(replica, source, key)
        [item] = items
        assert (item["listing_source"], item["region"], item["status"], item["tmdb_id"]) == (
            source, region, "matched", truth["tmdb_id"])
        assert item["candidates"][0]["tmdb_id"] == truth["tmdb_id"] and not requests
        assert item["candidates"][0]["parts"]["year"] == year_part  # the URL's year (if any) is scored
        assert item["listing_key"] == f"query:{item['listing_title']}"  # not a real listing's key
    return check


def check_match_details(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    movie = next(m for m in replica.truth("tmdb")["movies"] if m["id"] == 157336)
    assert items == [{"tmdb_id": 157336, "title": movie["title"], "original_title": movie["original_title"],
                      "year": movie["year"], "runtime": movie["runtime"], "directors": movie["directors"],
                      "original_language": movie["original_language"]}] and not requests


def check_match_showing(replica: Replica, items: list[dict[str, Any]], requests: list[str]) -> None:
    playing = replica.truth("tmdb")["lists"]["now_playing_by_region"]["PL"]
    pages = -(-len(playing) // replica.truth("tmdb")["page_size"])
    [item] = items
    assert (item["list"], item["region"], item["page"], item["total_pages"]) == ("now_playing", "PL", 1, pages)
    assert set(item["tmdb_ids"]) == set(playing[:replica.truth("tmdb")["page_size"]])
    assert requests == [f"{replica.urls['tmdb']}/3/movie/now_playing?region=PL&page={n}"
                        for n in range(2, min(pages, 10) + 1)]


PAGE_KINDS: dict[str, tuple[str, Callable[[Replica], str], Callable[..., None]]] = {
    "tix movies": ("tix_movies", lambda r: f"{r.urls['tix_api']}/v1/movies?city_id={JAKARTA}"
                                           "&movie_type=NOW_PLAYING&timezone=7", check_tix_movies),
    "tix schedule": ("tix_movies", lambda r: f"{r.urls['tix_api']}/v1/schedules/movies/{schedule_movie(r)}"
                                             f"?city_id={JAKARTA}&date={DAY0}", check_tix_schedule),
    "tix layout": ("tix_seats", lambda r: f"{r.urls['tix_api']}/v1/movies/cgv/layout"
                                          f"?show_time_id={layout_showtime(r)['showtime_id']}&tz=7",
                   check_tix_layout),
    "tmdb list": ("tmdb_movies", lambda r: f"{r.urls['tmdb']}/3/movie/popular?page=1", check_tmdb_list),
    "tmdb details": ("tmdb_movies", lambda r: f"{r.urls['tmdb']}/3/movie/157336"
                                              "?append_to_response=credits,keywords,videos,similar,release_dates",
                     check_tmdb_details),
    "tmdb find": ("tmdb_tv", lambda r: f"{r.urls['tmdb']}/3/find/tt0944947?external_source=imdb_id",
                  check_tmdb_find),
    "tmdb show": ("tmdb_tv", lambda r: f"{r.urls['tmdb']}/3/tv/1399?append_to_response=external_ids,watch/providers",
                  check_tmdb_show),
    # a homonym (Nosferatu 1922, 2024): the year names the listing's one; source PL from the language
    "match search repertuary": ("tmdb_match", lambda r: search_url(
        r, "Nosferatu", language="pl-PL", primary_release_year=listing(r, "repertuary", "nosferatu")["year"]),
                                check_match("repertuary", "nosferatu", "PL", 1.0)),
    "match search tix": ("tmdb_match", lambda r: search_url(r, "ZOOTOPIA 2", language="id-ID"),
                         check_match("tix", "ZOOTOPIA 2", "ID", 0.5)),
    "match details": ("tmdb_match", lambda r: f"{r.urls['tmdb']}/3/movie/157336?append_to_response=credits",
                      check_match_details),
    "match showing": ("tmdb_match", lambda r: f"{r.urls['tmdb']}/3/movie/now_playing?region=PL&page=1",
                      check_match_showing),
}


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_parse_every_page_kind_from_its_url_alone(replica, workdir, kind):
    spider, url, check = PAGE_KINDS[kind]
    proc = parse(workdir, spider, url(replica))
    assert proc.returncode == 0 and "# Scraped Items" in proc.stdout, proc.stderr[-3000:]
    items, requests = parsed(proc.stdout)
    check(replica, items, requests)


def test_parse_of_a_homonym_search_without_a_year_sends_it_to_review(replica, workdir):
    # Both Nosferatus score alike: the rules send the listing to a person, every candidate kept.
    truth = listing(replica, "repertuary", "nosferatu")
    proc = parse(workdir, "tmdb_match", search_url(replica, truth["title_pl"]), "-a", "source=tix")
    [item], _ = parsed(proc.stdout)
    same = {m["id"] for m in replica.truth("tmdb")["movies"] if m["title"] == truth["title_pl"]}
    assert len(same) >= 2 and truth["tmdb_id"] in same
    assert (item["status"], item["tmdb_id"], item["listing_source"]) == ("needs_review", None, "tix")
    assert same <= {c["tmdb_id"] for c in item["candidates"]} and "homonyms" in item["reason"]


@pytest.mark.parametrize(("spider", "source", "path", "message"), [
    ("tmdb_match", "tmdb", "/3/configuration", "tmdb_match reads /3/search/movie"),
    # tix_login fetches nothing through Scrapy: any page (here a 403 without a token) gets the one line
    ("tix_login", "tix_api", f"/v1/movies?city_id={JAKARTA}&movie_type=NOW_PLAYING&timezone=7",
     "tix_login has no pages to parse"),
])
def test_parse_of_a_page_a_spider_does_not_read_says_so_in_one_line(replica, workdir, spider, source, path, message):
    proc = scrapy(workdir, "parse", f"--spider={spider}", "-s", "LOG_LEVEL=INFO", f"{replica.urls[source]}{path}")
    errors = [line for line in proc.stderr.splitlines() if " ERROR: " in line]
    assert "Traceback" not in proc.stderr and len(errors) == 1 and message in errors[0], proc.stderr[-3000:]
    assert parsed(proc.stdout) == ([], [])


# ---------------------------------------------------------------------- scrapy check


def spider_classes() -> list[type]:
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    loader = SpiderLoader.from_settings(get_project_settings())
    return [loader.load(name) for name in loader.list()]


def callbacks(spidercls: type) -> list[str]:
    """Public (async) generator methods taking a response: what requests call back (errbacks take failures)."""
    names = []
    for name, fn in inspect.getmembers(spidercls, inspect.isfunction):
        params = list(inspect.signature(fn).parameters)
        generator = inspect.isgeneratorfunction(fn) or inspect.isasyncgenfunction(fn)
        if not name.startswith("_") and generator and params[1:2] == ["response"]:
            names.append(name)
    return names


def test_every_callback_has_contracts_that_reach_endpoints_only():
    found = 0
    for spidercls in spider_classes():
        for name in callbacks(spidercls):
            doc = inspect.getdoc(getattr(spidercls, name)) or ""
            where = f"{spidercls.name}.{name}"
            assert re.search(r"^@endpoint \S+ /", doc, re.M), f"{where}: no @endpoint contract"
            assert re.search(r"^@(returns|scrapes) ", doc, re.M), f"{where}: nothing checked"
            assert "@url" not in doc, f"{where}: @url would reach a real host"
            found += 1
    assert found >= 27


def test_scrapy_check_runs_every_callbacks_contracts_against_the_replica(replica, workdir):
    proc = scrapy(workdir, "check", "-v", "-a", f"date={DAY0}")
    assert proc.returncode == 0 and proc.stderr.rstrip().endswith("OK"), proc.stderr[-3000:]
    ran = re.findall(r"^\[(\w+)\] (\w+) \(@\w+ post-hook\) \.\.\. ok$", proc.stderr, re.M)
    for spidercls in spider_classes():
        for name in callbacks(spidercls):
            assert (spidercls.name, name) in ran, f"{spidercls.name}.{name}: no contract ran"


def test_scrapy_check_fails_on_a_drifted_page(replica, workdir):
    knobs = f"{replica.urls['tix_app']}/_replica/knobs"

    def set_faults(faults: list[str]) -> None:
        body = json.dumps({"faults": faults}).encode()
        urllib.request.urlopen(urllib.request.Request(knobs, data=body, method="POST")).read()

    set_faults(["html_drift:p=1,site=repertuary"])
    try:
        proc = scrapy(workdir, "check", "-a", f"date={DAY0}", "repertuary")
    finally:
        set_faults([])
    assert proc.returncode == 1 and "FAILED" in proc.stderr
    assert "[repertuary] on_day_page (@returns post-hook)" in proc.stderr


def test_scrapy_check_refuses_without_endpoints(workdir):
    proc = subprocess.run([sys.executable, "-m", "scrapy", "check", "-s", f"SQLITE_PATH={workdir / 'c.db'}",
                           "tix_movies"], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env=os.environ | {"PYTHONPATH": str(ROOT)})
    assert proc.returncode == 1 and "Ran 0 contracts" in proc.stderr
    assert "no ENDPOINTS given" in proc.stderr and "never the real host" in proc.stderr


# ---------------------------------------------------------------------- scrapy shell / fetch


def secret_parts(token: str) -> list[str]:
    return token.split(".")[1:]  # payload and signature (the header part is the same in every JWT)


def test_fetch_shows_the_injected_token_and_the_log_does_not(replica, workdir):
    url = f"{replica.urls['tix_api']}/v1/movies?city_id={JAKARTA}&movie_type=NOW_PLAYING&timezone=7"
    proc = scrapy(workdir, "fetch", "--headers", "-s", "LOG_LEVEL=DEBUG", url)
    match = re.search(r"^> Authorization: Bearer (\S+)$", proc.stdout, re.M)
    assert proc.returncode == 0 and match, proc.stdout[:2000] + proc.stderr[-2000:]
    assert "< Content-Type: application/json" in proc.stdout
    assert not [p for p in secret_parts(match[1]) if p in proc.stderr]


def test_shell_request_carries_the_user_token_and_the_log_does_not(replica, workdir):
    showtime = layout_showtime(replica)["showtime_id"]
    url = f"{replica.urls['tix_api']}/v1/movies/cgv/layout?show_time_id={showtime}&tz=7"
    expr = "(response.status, request.headers.get('Authorization').decode())"
    proc = scrapy(workdir, "shell", "-s", "LOG_LEVEL=DEBUG", "-c", expr, url)
    match = re.search(r"\(200, 'Bearer (\S+)'\)", proc.stdout)
    assert match, proc.stdout[-1000:] + proc.stderr[-2000:]
    stored = json.loads(subprocess.run(
        [sys.executable, "-c", "import json,sys; from tests.conftest import open_store; "
         "from cineradar.auth.tokens import TOKEN_STATE; s=open_store(__import__('pathlib').Path(sys.argv[1])); "
         "print(json.dumps(s.get_state(TOKEN_STATE)['token']))", str(workdir / "c.db")],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    assert match[1] == stored  # the logged-in user's access token, the one E5 wants
    assert not [p for p in secret_parts(match[1]) if p in proc.stderr]


# ---------------------------------------------------------------------- scrapy view


def test_view_without_a_browser_says_so(replica, workdir, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY")}
    env["PATH"] = str(tmp_path)  # no browser to find (the interpreter is called by its full path)
    proc = scrapy(workdir, "view", "-s", "LOG_LEVEL=INFO",
                  f"{replica.urls['repertuary']['krakow']}/cinema_program/by_movie", env=env)
    errors = [line for line in proc.stderr.splitlines() if " ERROR: " in line]
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(errors) == 1 and "no web browser found" in errors[0], proc.stderr[-2000:]
