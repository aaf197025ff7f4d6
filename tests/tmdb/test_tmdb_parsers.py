"""Parser tests on REAL TMDB responses (tests/fixtures/tmdb/real, see its README), one field each,
plus the hard shapes TMDB documents (0 = unknown, empty dates, duplicated crew jobs)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from cineradar.items import TmdbMovie
from cineradar.parsers import tmdb as parse

REAL = Path(__file__).resolve().parent.parent / "fixtures" / "tmdb" / "real"


def real(name: str) -> dict:
    return json.loads((REAL / name).read_text())


@pytest.fixture(scope="module")
def movie() -> TmdbMovie:
    return parse.movie_from_details(real("movie_12313_append.json"), "DE", ["popular"])


def test_details_id(movie):
    assert movie.tmdb_id == 12313


def test_details_title(movie):
    assert movie.title == "Rock Crystal"


def test_details_original_title(movie):
    assert movie.original_title == "Bergkristall"


def test_details_release_date(movie):
    assert movie.release_date == dt.date(2004, 11, 18)


def test_details_runtime(movie):
    assert movie.runtime == 92


def test_details_imdb_id(movie):
    assert movie.imdb_id == "tt0409732"


def test_details_genres(movie):
    assert movie.genres == ["Adventure", "Drama"]


def test_details_budget_zero_is_unknown(movie):
    assert movie.budget is None


def test_details_revenue(movie):
    assert movie.revenue == 2800000000


def test_details_empty_tagline_is_unknown(movie):
    assert movie.tagline is None


def test_details_collection(movie):
    assert movie.collection == "Kung Fu Panda Collection"  # sic: the recorded response says so


def test_top_ten_cast_in_billing_order_with_characters(movie):
    assert [(c["name"], c["character"]) for c in movie.cast] == [
        ("Dana Vávrová", "Susanne"), ("Daniel Morgenroth", "Sebastian"), ("François Goeske", "Konrad"),
        ("Josefina Vilsmaier", "Sanna"), ("Max Tidof", "Pfarrer"), ("Katja Riemann", "Karin"),
        ("Herbert Knaup", "Paul"), ("Paula Riemann", "Lisa"), ("Frederick Lau", "Marc"),
        ("Reinhard Forcher", "Leitnerbauer")]


def test_key_crew_one_person_per_job(movie):
    assert [(c["name"], c["job"]) for c in movie.crew] == [
        ("Joseph Vilsmaier", "Director"), ("Klaus Richter", "Writer"), ("Adalbert Stifter", "Story"),
        ("Joseph Vilsmaier", "Producer"), ("Markus Zimmer", "Producer")]


def test_keywords(movie):
    assert movie.keywords == ["mountain village"]


def test_similar_ids(movie):
    assert movie.similar_ids[:5] == [27258, 369321, 553, 616, 639] and len(movie.similar_ids) == 20


def test_trailer_falls_back_to_a_teaser(movie):
    assert movie.trailer_key == "LgZ2MDuJvhc"  # the only video: an official YouTube teaser


def test_certification_for_the_region(movie):
    assert movie.certification == "6"


def test_local_release_date_for_the_region(movie):
    assert movie.local_release_date == dt.date(2004, 11, 18)


def test_no_release_in_another_region():
    assert parse.regional_release(real("movie_12313_append.json")["release_dates"], "PL") == (None, None)


def test_categories(movie):
    assert movie.categories == ["popular"]


def test_real_details_validate(movie):
    assert TmdbMovie.validate_constructed(movie).tmdb_id == 12313


def test_list_page_results_and_total_pages():
    results, total = parse.list_page(real("now_playing.json"))
    assert (len(results), total) == (20, 87)


def test_list_item():
    item = parse.movie_from_list(real("now_playing.json")["results"][0], "now_playing")
    assert (item.tmdb_id, item.title, item.release_date) == (502356, "The Super Mario Bros. Movie",
                                                             dt.date(2023, 4, 5))


def test_trending_keeps_movies():
    results, total = parse.list_page(real("trending_movies.json"))
    assert (len(results), total) == (20, 1000)


def test_trailer_rule_official_trailer_then_any_trailer_then_teaser():
    def video(key, vtype, official, published="2024-01-01", site="YouTube"):
        return {"key": key, "type": vtype, "official": official, "site": site, "published_at": published}

    videos = [video("teaser", "Teaser", True), video("fan", "Trailer", False, "2024-05-01"),
              video("vimeo", "Trailer", True, site="Vimeo"), video("old", "Trailer", True, "2023-01-01"),
              video("new", "Trailer", True, "2024-02-01")]
    assert parse.trailer_key({"results": videos}) == "new"
    assert parse.trailer_key({"results": videos[:3]}) == "fan"
    assert parse.trailer_key({"results": videos[:1]}) == "teaser"
    assert parse.trailer_key({"results": []}) is None


def test_unknown_values_become_none():
    body = {"id": 1, "title": "T", "original_title": "T", "release_date": "", "runtime": 0, "budget": 0,
            "revenue": 0, "tagline": "", "imdb_id": None, "genres": None, "credits": None,
            "belongs_to_collection": None, "release_dates": {"results": [{"iso_3166_1": "PL", "release_dates": [
                {"type": 3, "release_date": "2025-01-10T00:00:00.000Z", "certification": "12 "}]}]}}
    item = TmdbMovie.validate_constructed(parse.movie_from_details(body, "PL", []))
    assert (item.release_date, item.runtime, item.budget, item.revenue, item.tagline, item.imdb_id) == (
        None, None, None, None, None, None)
    assert (item.certification, item.local_release_date) == ("12", dt.date(2025, 1, 10))
