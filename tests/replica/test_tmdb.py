"""The TMDB v3 part of the replica (replica/tmdb), tested over HTTP against a running Replica.

Requests go through urllib, so what is asserted is what a crawler sees: status codes,
TMDB's error envelopes, the exact Content-Type, Retry-After, byte-identical bodies.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from replica.films import CURATED, universe
from replica.server import Replica
from replica.tmdb import build_dataset, truth

DATE = dt.date(2025, 11, 21)
JSON_TYPE = "application/json;charset=utf-8"
NOT_FOUND = {"success": False, "status_code": 34, "status_message": "The resource you requested could not be found."}
INVALID_KEY = {"status_code": 7, "status_message": "Invalid API key: You must be granted a valid key.",
               "success": False}


class Client:
    def __init__(self, replica: Replica) -> None:
        self.replica = replica
        self.base = replica.urls["tmdb"]

    def raw(self, path: str, params: dict[str, Any] | None = None, *, key: str | None = "default",
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        query = dict(params or {})
        if key == "default":
            query["api_key"] = self.replica.knobs.tmdb_api_key
        elif key is not None:
            query["api_key"] = key
        url = self.base + path + ("?" + urlencode(query) if query else "")
        request = urllib.request.Request(url, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> tuple[int, Any]:
        status, headers, body = self.raw(path, params, **kwargs)
        assert headers["Content-Type"] == JSON_TYPE, (path, headers["Content-Type"])
        return status, json.loads(body)

    def ok(self, path: str, params: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        status, body = self.get(path, params, **kwargs)
        assert status == 200, (path, params, status, body)
        return body

    def all_pages(self, path: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        first = self.ok(path, {**(params or {}), "page": 1})
        results = list(first["results"])
        for number in range(2, first["total_pages"] + 1):
            results += self.ok(path, {**(params or {}), "page": number})["results"]
        assert len(results) == first["total_results"]
        return results


@pytest.fixture(scope="module")
def replica() -> Replica:
    with Replica(preset="tiny", seed=1, date=DATE) as running:
        running.knobs.tmdb_rate_limit = 0  # the rate-limit tests switch it on themselves
        yield running


@pytest.fixture(scope="module")
def api(replica: Replica) -> Client:
    return Client(replica)


@pytest.fixture(scope="module")
def tmdb_truth(replica: Replica) -> dict[str, Any]:
    return replica.truth("tmdb")


def _ids(results: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in results]


# ----- authentication -------------------------------------------------------------------

def test_api_key_bearer_and_401(api: Client, replica: Replica) -> None:
    assert api.get("/3/configuration")[0] == 200
    bearer = {"Authorization": f"Bearer {replica.knobs.tmdb_bearer}"}
    assert api.get("/3/configuration", key=None, headers=bearer)[0] == 200
    for kwargs in ({"key": None}, {"key": "0" * 32}, {"key": None, "headers": {"Authorization": "Bearer nope"}}):
        status, body = api.get("/3/movie/157336", **kwargs)
        assert (status, body) == (401, INVALID_KEY)
    # the raw 401 body keeps TMDB's documented field order
    assert api.raw("/3/movie/157336", key=None)[2] == json.dumps(INVALID_KEY, separators=(",", ":")).encode()


def test_credentials_are_read_at_request_time(api: Client, replica: Replica) -> None:
    old = replica.knobs.tmdb_api_key
    try:
        replica.knobs.tmdb_api_key = "f" * 32
        assert api.get("/3/configuration", key=old)[0] == 401
        assert api.get("/3/configuration", key="f" * 32)[0] == 200
    finally:
        replica.knobs.tmdb_api_key = old


# ----- search ---------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "language", "movie_id"), [
    ("Interstellar", None, 157336),
    ("Wicked: For Good", None, 967941),
    ("wicked for good", None, 967941),
    ("The Siege at Thorn High", None, 1022256),
    ("Pengepungan di Bukit Duri", None, 1022256),  # original (Indonesian) title
    ("Sore: Istri dari Masa Depan", None, 1100782),
    ("劇場版「鬼滅の刃」無限城編 第一章 猗窩座再来", None, 1311031),  # Japanese original title
    ("Nosferatu, eine Symphonie des Grauens", None, 653),
    ("Ty - Vsesvit", None, 1064028),
    ("Zwierzogród 2", "pl-PL", 1084242),  # Polish title
    ("zwierzogrod 2", None, 1084242),  # accent insensitive, translated titles searched without language
    ("Kevin sam w domu", "pl-PL", 771),
    ("Zakręcony piątek 2", "pl-PL", 1241982),
    ("Wicked: Na dobre", "pl-PL", 967941),
    ("Avatar: Ogień i popiół", "pl-PL", 83533),
    ("Home Sweet Home", None, 1226578),  # TIX.id's title of Dom dobry
    ("Zootropolis 2", None, 1084242),  # alternative title
    ("Demon Slayer: Infinity Castle", None, 1311031),
])
def test_search_finds_curated_titles(api: Client, query: str, language: str | None, movie_id: int) -> None:
    params = {"query": query, **({"language": language} if language else {})}
    body = api.ok("/3/search/movie", params)
    assert movie_id in _ids(body["results"][:3]), (query, body["results"][:3])


def test_search_every_universe_film_by_title(api: Client) -> None:
    for film in universe(1):
        for title in {film.title, film.original_title}:
            results = api.ok("/3/search/movie", {"query": title})["results"]
            assert film.tmdb_id in _ids(results), title
        results = api.ok("/3/search/movie", {"query": film.title_pl, "language": "pl-PL"})["results"]
        assert film.tmdb_id in _ids(results), film.title_pl
        results = api.ok("/3/search/multi", {"query": film.title_id})["results"]  # TIX.id shows upper case
        assert film.tmdb_id in [r["id"] for r in results if r["media_type"] == "movie"], film.title_id


def test_search_language_localises_titles(api: Client) -> None:
    result = api.ok("/3/search/movie", {"query": "Zootopia 2", "language": "pl-PL"})["results"][0]
    assert (result["id"], result["title"], result["original_title"]) == (1084242, "Zwierzogród 2", "Zootopia 2")
    result = api.ok("/3/search/movie", {"query": "Zootopia 2"})["results"][0]
    assert result["title"] == "Zootopia 2"


@pytest.mark.parametrize(("title", "new", "old"), [
    ("Nosferatu", (426063, 2024), (653, 1922)),
    ("Superman", (1061474, 2025), (1924, 1978)),
    ("How to Train Your Dragon", (1087192, 2025), (10191, 2010)),
])
def test_remakes_and_primary_release_year(api: Client, title: str, new: tuple[int, int], old: tuple[int, int]) -> None:
    results = api.ok("/3/search/movie", {"query": title})["results"]
    years = {r["id"]: r["release_date"][:4] for r in results}
    assert years[new[0]] == str(new[1]) and years[old[0]] == str(old[1])
    assert _ids(results).index(new[0]) < _ids(results).index(old[0])  # more popular first
    # `year` only nudges: both stay, the old one moves up
    nudged = _ids(api.ok("/3/search/movie", {"query": title, "year": old[1]})["results"])
    assert {new[0], old[0]} <= set(nudged) and nudged.index(old[0]) < nudged.index(new[0])
    # `primary_release_year` filters
    only_old = api.ok("/3/search/movie", {"query": title, "primary_release_year": old[1]})["results"]
    assert old[0] in _ids(only_old) and new[0] not in _ids(only_old)
    assert all(r["release_date"].startswith(str(old[1])) for r in only_old)


def test_search_decoys_and_misses(api: Client) -> None:
    ids = _ids(api.ok("/3/search/movie", {"query": "Interstellar"})["results"])
    assert ids[0] == 157336 and {390101, 390102, 390103} <= set(ids)  # Wars, documentary, rumoured sequel
    empty = api.ok("/3/search/movie", {"query": "Wicked 3D"})  # cinema suffix left in: nothing
    assert empty == {"page": 1, "results": [], "total_pages": 1, "total_results": 0}
    assert 390120 not in _ids(api.ok("/3/search/movie", {"query": "Wicked Nights"})["results"])
    assert 390120 in _ids(api.ok("/3/search/movie", {"query": "Wicked Nights", "include_adult": "true"})["results"])


@pytest.mark.parametrize("params", [{}, {"query": ""}, {"query": "   "}])
def test_search_without_query_is_422(api: Client, params: dict[str, str]) -> None:
    for path in ("/3/search/movie", "/3/search/multi"):
        assert api.get(path, params) == (422, {"errors": ["query must be provided"]})


def test_search_multi_media_types(api: Client) -> None:
    results = api.ok("/3/search/multi", {"query": "Squid Game"})["results"]
    assert results[0]["media_type"] == "tv" and results[0]["id"] == 93405
    assert {"name", "original_name", "first_air_date", "origin_country"} <= set(results[0])
    results = api.ok("/3/search/multi", {"query": "Wicked"})["results"]
    assert {r["media_type"] for r in results} == {"movie"} and {402431, 967941} <= set(_ids(results))
    people = api.ok("/3/search/multi", {"query": "Christopher Nolan"})["results"]
    nolan = next(r for r in people if r["media_type"] == "person")
    assert nolan["name"] == "Christopher Nolan" and 157336 in _ids(nolan["known_for"])


# ----- details -------------------------------------------------------------------------

APPENDS = "credits,keywords,videos,similar,release_dates,translations,external_ids,watch/providers,no_such_thing"


def test_movie_details_with_appends(api: Client, tmdb_truth: dict[str, Any]) -> None:
    body = api.ok("/3/movie/157336", {"append_to_response": APPENDS})
    expected = next(m for m in tmdb_truth["movies"] if m["id"] == 157336)
    assert (body["id"], body["title"], body["runtime"], body["imdb_id"]) == (157336, "Interstellar", 169,
                                                                               expected["imdb_id"])
    assert {"genres", "production_countries", "spoken_languages", "belongs_to_collection", "status",
            "release_date", "budget", "revenue", "tagline", "vote_average", "vote_count"} <= set(body)
    assert {g["id"] for g in body["genres"]} == {12, 53, 878}
    assert {"iso_3166_1": "US", "name": "United States of America"} in body["production_countries"]
    appended = ("credits", "keywords", "videos", "similar", "release_dates", "translations", "external_ids",
                "watch/providers")
    for name in appended:
        assert name in body and "id" not in body[name], name
    assert "no_such_thing" not in body
    assert set(body["credits"]) == {"cast", "crew"}
    assert [c["order"] for c in body["credits"]["cast"]] == list(range(len(body["credits"]["cast"])))
    assert {"Matthew McConaughey", "Anne Hathaway"} <= {c["name"] for c in body["credits"]["cast"]}
    directors = [c["name"] for c in body["credits"]["crew"] if c["job"] == "Director"]
    assert directors == ["Christopher Nolan"]
    nolan_jobs = {c["job"] for c in body["credits"]["crew"] if c["name"] == "Christopher Nolan"}
    assert nolan_jobs == {"Director", "Screenplay", "Producer"}  # one person, several jobs
    assert set(body["keywords"]) == {"keywords"}
    assert all(v["iso_639_1"] == "en" for v in body["videos"]["results"])  # language-filtered
    assert any(v["type"] == "Trailer" and v["site"] == "YouTube" for v in body["videos"]["results"])
    assert set(body["similar"]) == {"page", "results", "total_pages", "total_results"}
    assert body["similar"]["page"] == 1 and 157336 not in _ids(body["similar"]["results"])
    types = {r["type"] for c in body["release_dates"]["results"] for r in c["release_dates"]}
    assert types <= {1, 2, 3, 4, 5, 6} and 3 in types
    translations = {t["iso_639_1"]: t["data"]["title"] for t in body["translations"]["translations"]}
    assert translations["pl"] == "Interstellar" and "id" in translations
    assert body["external_ids"]["imdb_id"] == expected["imdb_id"]
    assert set(body["watch/providers"]) == {"results"}


def test_movie_language_and_standalone_sub_resources(api: Client) -> None:
    body = api.ok("/3/movie/1084242", {"language": "pl-PL", "append_to_response": "videos"})
    assert (body["title"], body["original_title"]) == ("Zwierzogród 2", "Zootopia 2")
    assert {g["name"] for g in body["genres"]} == {"Animacja", "Familijny"}
    assert body["videos"]["results"] and all(v["iso_639_1"] == "pl" for v in body["videos"]["results"])
    credits = api.ok("/3/movie/1084242/credits")
    assert credits["id"] == 1084242 and {"cast", "crew"} <= set(credits)
    directors = [c["name"] for c in credits["crew"] if c["job"] == "Director"]
    assert directors == ["Jared Bush", "Byron Howard"]
    assert api.ok("/3/movie/1084242/external_ids")["id"] == 1084242
    assert api.ok("/3/movie/1084242/watch/providers")["id"] == 1084242
    assert api.ok("/3/movie/1084242/alternative_titles")["titles"][0]["title"] == "Zootropolis 2"


def test_edge_case_entries(api: Client) -> None:
    wars = api.ok("/3/movie/390101", {"append_to_response": "credits"})
    assert wars["runtime"] == 0
    director_rows = [c for c in wars["credits"]["crew"] if c["job"] == "Director"]
    assert len(director_rows) == 2 and len({c["id"] for c in director_rows}) == 1
    assert len({c["credit_id"] for c in director_rows}) == 2
    documentary = api.ok("/3/movie/390102")
    assert documentary["imdb_id"] is None and documentary["genres"] == [{"id": 99, "name": "Documentary"}]
    rumoured = api.ok("/3/movie/390103", {"append_to_response": "release_dates"})
    assert rumoured["release_date"] == "" and rumoured["status"] == "Rumored"
    assert rumoured["release_dates"] == {"results": []}


def test_too_many_appends_is_400(api: Client) -> None:
    status, body = api.get("/3/movie/157336", {"append_to_response": ",".join(["credits"] * 21)})
    assert status == 400 and body["status_code"] == 27 and body["success"] is False
    assert api.get("/3/movie/157336", {"append_to_response": ",".join(["credits"] * 20)})[0] == 200


@pytest.mark.parametrize("path", ["/3/movie/999999999", "/3/tv/999999999", "/3/movie/abc", "/3/nothing/here",
                                  "/3/movie/157336/no_such_sub", "/3/trending/movie/month"])
def test_unknown_resource_is_404_code_34(api: Client, path: str) -> None:
    assert api.get(path) == (404, NOT_FOUND)


@pytest.mark.parametrize(("page", "status", "body"), [
    (501, 422, {"errors": ["page must be less than or equal to 500"]}),
    (0, 400, None), (-3, 400, None), ("abc", 400, None),
])
def test_page_limits(api: Client, page: Any, status: int, body: Any) -> None:
    for path, extra in (("/3/movie/popular", {}), ("/3/search/movie", {"query": "Wicked"}),
                        ("/3/movie/now_playing", {"region": "PL"})):
        got_status, got = api.get(path, {**extra, "page": page})
        assert got_status == status
        if body is not None:
            assert got == body
        else:
            assert got["status_code"] == 22 and got["success"] is False
    assert api.ok("/3/movie/popular", {"page": 500}) ["results"] == []  # beyond the catalogue: empty, not an error


# ----- lists ----------------------------------------------------------------------------

def test_now_playing_dates_and_region(api: Client, tmdb_truth: dict[str, Any]) -> None:
    first = api.ok("/3/movie/now_playing", {"region": "PL"})
    assert list(first) == ["dates", "page", "results", "total_pages", "total_results"]
    assert first["dates"] == {"maximum": "2025-11-24", "minimum": "2025-10-13"}
    assert first["dates"] == tmdb_truth["dates"]["now_playing"]
    pl = _ids(api.all_pages("/3/movie/now_playing", {"region": "PL"}))
    assert pl == tmdb_truth["lists"]["now_playing_by_region"]["PL"]
    in_polish_cinemas = {f.tmdb_id for f in universe(1) if f.in_cinemas}
    assert in_polish_cinemas <= set(pl)
    ids = set(_ids(api.all_pages("/3/movie/now_playing", {"region": "ID"})))
    assert 1128752 in ids and 1226578 not in ids  # Jumbo yes, Dom dobry (Polish) not in Indonesia
    assert _ids(api.all_pages("/3/movie/now_playing")) == tmdb_truth["lists"]["now_playing"]
    assert api.ok("/3/movie/now_playing", {"region": "ZZ"})["results"] == []
    upcoming = api.ok("/3/movie/upcoming")
    assert upcoming["dates"] == tmdb_truth["dates"]["upcoming"] and upcoming["results"]
    assert "dates" not in api.ok("/3/movie/popular")


def test_trending_media_type_and_lists_match_truth(api: Client, tmdb_truth: dict[str, Any]) -> None:
    trending = api.all_pages("/3/trending/movie/week")
    assert {r["media_type"] for r in trending} == {"movie"}
    assert _ids(trending) == tmdb_truth["lists"]["trending_week"]
    assert _ids(api.all_pages("/3/trending/movie/day")) == tmdb_truth["lists"]["trending_day"]
    mixed = api.ok("/3/trending/all/week")["results"]
    assert {r["media_type"] for r in mixed} <= {"movie", "tv"}
    for name, path in (("popular", "/3/movie/popular"), ("top_rated", "/3/movie/top_rated"),
                       ("upcoming", "/3/movie/upcoming")):
        pages = api.all_pages(path)
        assert _ids(pages) == tmdb_truth["lists"][name], name
        first = api.ok(path)
        assert first["total_pages"] == -(-len(tmdb_truth["lists"][name]) // 20)
        assert len(first["results"]) == min(20, len(tmdb_truth["lists"][name]))


# ----- find, TV ----------------------------------------------------------------------------

FIND_KEYS = {"movie_results", "person_results", "tv_results", "tv_episode_results", "tv_season_results"}


def test_find_by_imdb_id(api: Client, tmdb_truth: dict[str, Any]) -> None:
    imdb = next(m["imdb_id"] for m in tmdb_truth["movies"] if m["id"] == 1233413)
    hit = api.ok(f"/3/find/{imdb}", {"external_source": "imdb_id"})
    assert set(hit) == FIND_KEYS and _ids(hit["movie_results"]) == [1233413]
    assert hit["movie_results"][0]["media_type"] == "movie"
    show = api.ok("/3/find/tt0944947", {"external_source": "imdb_id"})
    assert _ids(show["tv_results"]) == [1399] and show["tv_results"][0]["media_type"] == "tv"
    assert show["movie_results"] == []
    miss = api.ok("/3/find/tt0000001", {"external_source": "imdb_id"})
    assert miss == {key: [] for key in FIND_KEYS}
    assert api.get("/3/find/tt0944947")[0] == 422  # external_source is required


PROVIDER_KEYS = {"logo_path", "provider_id", "provider_name", "display_priority"}


def test_tv_details_and_watch_providers(api: Client, tmdb_truth: dict[str, Any]) -> None:
    body = api.ok("/3/tv/1399", {"append_to_response": "external_ids,watch/providers,keywords"})
    assert {"networks", "production_companies", "seasons", "number_of_seasons", "number_of_episodes",
            "first_air_date", "last_air_date", "status", "type", "episode_run_time", "created_by",
            "last_episode_to_air", "next_episode_to_air", "original_name", "origin_country"} <= set(body)
    assert (body["name"], body["status"], body["number_of_seasons"], body["number_of_episodes"]) == \
        ("Game of Thrones", "Ended", 8, 73)
    assert body["networks"][0]["name"] == "HBO" and set(body["networks"][0]) == {"id", "logo_path", "name",
                                                                                 "origin_country"}
    assert any(c["logo_path"] is None and c["origin_country"] == "" for c in body["production_companies"])
    assert body["seasons"][0]["season_number"] == 0 and body["seasons"][0]["name"] == "Specials"
    assert "id" not in body["external_ids"] and body["external_ids"]["imdb_id"] == "tt0944947"
    assert "id" not in body["watch/providers"] and set(body["keywords"]) == {"results"}
    poland = body["watch/providers"]["results"]["PL"]
    assert {"link", "flatrate", "rent", "buy", "ads", "free"} <= set(poland)
    for kind in ("flatrate", "rent", "buy", "ads", "free"):
        assert all(set(p) == PROVIDER_KEYS for p in poland[kind])
    standalone = api.ok("/3/tv/1399/watch/providers")
    assert standalone == {"id": 1399, "results": body["watch/providers"]["results"]}
    assert api.ok("/3/tv/1399/external_ids") == {"id": 1399, **body["external_ids"]}
    indonesia = api.ok("/3/tv/214006/watch/providers")["results"]["ID"]
    assert {"flatrate", "rent", "buy", "ads", "free"} <= set(indonesia)
    for show in tmdb_truth["tv"]:
        details = api.ok(f"/3/tv/{show['id']}", {"append_to_response": "external_ids"})
        assert (details["name"], details["external_ids"]["imdb_id"]) == (show["name"], show["imdb_id"])


# ----- ground truth, determinism --------------------------------------------------------------

def test_truth_matches_movie_details(api: Client, tmdb_truth: dict[str, Any]) -> None:
    movies = tmdb_truth["movies"]
    assert {m["id"] for m in movies} >= {f.tmdb_id for f in universe(1)}
    for expected in movies:
        body = api.ok(f"/3/movie/{expected['id']}", {"append_to_response": "credits,translations"})
        for key in ("title", "original_title", "release_date", "runtime", "imdb_id", "original_language",
                    "popularity", "poster_path"):
            assert body[key] == expected[key], (expected["id"], key)
        director = next(c["name"] for c in body["credits"]["crew"] if c["job"] == "Director")
        assert director == expected["director"]
        titles = {f"{t['iso_639_1']}-{t['iso_3166_1']}": t["data"]["title"]
                  for t in body["translations"]["translations"]}
        assert titles == expected["translations"]
    by_id = {m["id"]: m for m in movies}
    for film in CURATED:
        assert by_id[film.tmdb_id]["translations"]["pl-PL"] == film.title_pl
        assert by_id[film.tmdb_id]["decoy"] is False and by_id[film.tmdb_id]["year"] == film.year


def test_truth_is_json_and_pure() -> None:
    first = truth(build_dataset("tiny", 1, DATE))
    assert json.dumps(first) == json.dumps(truth(build_dataset("tiny", 1, DATE)))
    assert json.dumps(first) != json.dumps(truth(build_dataset("tiny", 2, DATE)))
    default = truth(build_dataset("default", 1, DATE))
    assert len(default["movies"]) > len(first["movies"]) and 30 <= len(default["tv"]) <= 40
    assert 3 <= len(first["tv"]) <= 10


DETERMINISM_PATHS = [
    ("/3/search/movie", {"query": "Interstellar"}),
    ("/3/search/multi", {"query": "wicked", "language": "pl-PL"}),
    ("/3/movie/157336", {"append_to_response": APPENDS}),
    ("/3/movie/now_playing", {"region": "PL", "page": 2}),
    ("/3/movie/upcoming", {}),
    ("/3/movie/top_rated", {}),
    ("/3/trending/movie/week", {}),
    ("/3/tv/1399", {"append_to_response": "external_ids,watch/providers"}),
    ("/3/find/tt0944947", {"external_source": "imdb_id"}),
]


def test_same_seed_same_bytes(api: Client) -> None:
    with Replica(preset="tiny", seed=1, date=DATE) as twin:
        twin.knobs.tmdb_rate_limit = 0
        other = Client(twin)
        for path, params in DETERMINISM_PATHS:
            assert api.raw(path, params)[2] == other.raw(path, params)[2], path


# ----- the image host -----------------------------------------------------------------------

def _fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _jpeg_size(body: bytes) -> tuple[int, int]:
    """(width, height) from a baseline JPEG's SOF0 segment, walking the segments as a decoder does."""
    assert body[:2] == b"\xff\xd8" and body[-2:] == b"\xff\xd9"
    at = 2
    while body[at] == 0xFF and body[at + 1] != 0xC0:
        at += 2 + int.from_bytes(body[at + 2:at + 4], "big")
    return int.from_bytes(body[at + 7:at + 9], "big"), int.from_bytes(body[at + 5:at + 7], "big")


def test_image_host_serves_real_images_of_the_posters_it_names(replica: Replica, tmdb_truth: dict[str, Any]) -> None:
    host = replica.urls["tmdb_image"].rsplit("/", 1)[0]  # .../t/p/original -> .../t/p
    posters = [m["poster_path"] for m in tmdb_truth["movies"] if m["poster_path"]]
    assert len(posters) > 20
    for path in posters[:10]:
        status, headers, body = _fetch(f"{host}/w342{path}")
        assert (status, headers["Content-Type"]) == (200, "image/jpeg")
        assert _jpeg_size(body) == (342, 513)  # a 2:3 poster scaled to 342 px wide
    status, _, body = _fetch(f"{host}/original{posters[0]}")
    assert status == 200 and _jpeg_size(body) == (2000, 3000)
    assert _fetch(f"{host}/w342{posters[0]}")[2] == _fetch(f"{host}/w342{posters[0]}")[2]  # stable bytes
    assert _fetch(f"{host}/w342{posters[1]}")[2] != _fetch(f"{host}/w342{posters[0]}")[2]


def test_image_host_logos_are_pngs(replica: Replica, api: Client) -> None:
    host = replica.urls["tmdb_image"].rsplit("/", 1)[0]
    logo = api.ok("/3/tv/1399")["networks"][0]["logo_path"]
    status, headers, body = _fetch(f"{host}/original{logo}")
    assert (status, headers["Content-Type"]) == (200, "image/png") and body[:8] == b"\x89PNG\r\n\x1a\n"
    assert body[12:16] == b"IHDR" and int.from_bytes(body[16:20], "big") > 0


def test_image_host_unknown_file_or_size_is_404(replica: Replica, tmdb_truth: dict[str, Any]) -> None:
    host = replica.urls["tmdb_image"].rsplit("/", 1)[0]
    poster = next(m["poster_path"] for m in tmdb_truth["movies"] if m["poster_path"])
    assert _fetch(f"{host}/w342/{'A' * 27}.jpg")[0] == 404  # well formed, but no TMDB answer names it
    assert _fetch(f"{host}/w343{poster}")[0] == 404  # not one of /configuration's sizes
    assert _fetch(f"{host}/w342{poster}")[0] == 200


# ----- politeness -------------------------------------------------------------------------------

def test_rate_limit_429(api: Client, replica: Replica) -> None:
    replica.knobs.tmdb_rate_limit = 5
    try:
        time.sleep(1.05)  # empty the sliding window
        answers = [api.raw("/3/configuration") for _ in range(12)]
        statuses = [status for status, _, _ in answers]
        assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
        _, headers, body = next(a for a in answers if a[0] == 429)
        assert headers["Content-Type"] == JSON_TYPE
        assert int(headers["Retry-After"]) >= 1
        payload = json.loads(body)
        assert payload["success"] is False and payload["status_code"] == 25
        assert payload["status_message"].startswith("Your request count (")
        assert payload["status_message"].endswith("is over the allowed limit of 5.")
        time.sleep(int(headers["Retry-After"]) + 0.05)  # honouring Retry-After is enough to recover
        assert api.raw("/3/configuration")[0] == 200
    finally:
        replica.knobs.tmdb_rate_limit = 0
    assert replica.ctx.requests["tmdb 429"] >= 1


def test_default_limit_is_40_per_second(api: Client, replica: Replica) -> None:
    replica.knobs.tmdb_rate_limit = 40
    try:
        time.sleep(1.05)
        start = time.monotonic()
        statuses = [api.raw("/3/configuration")[0] for _ in range(45)]
        if time.monotonic() - start < 0.9:  # a slow machine cannot burst: nothing to assert then
            assert statuses[:40] == [200] * 40 and statuses[40] == 429
    finally:
        replica.knobs.tmdb_rate_limit = 0
        time.sleep(1.05)


def test_request_counters_per_endpoint(api: Client, replica: Replica) -> None:
    before = replica.ctx.requests["tmdb /3/movie/{movie_id}"]
    for movie_id in (157336, 402431, 967941):
        api.ok(f"/3/movie/{movie_id}")
    assert replica.ctx.requests["tmdb /3/movie/{movie_id}"] == before + 3
    with urllib.request.urlopen(replica.urls["tmdb"] + "/_replica/requests") as response:
        counters = json.loads(response.read())
    assert counters["tmdb /3/movie/{movie_id}"] == before + 3 and counters["tmdb peak_1s"] >= 1
