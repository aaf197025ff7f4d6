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


def test_details_poster_path(movie):
    assert movie.poster_path == "/8GFxp1rAoJRRN5OGeHRClWGVief.jpg"


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


def test_list_item_poster_path():
    item = parse.movie_from_list(real("now_playing.json")["results"][0], "now_playing")
    assert item.poster_path == "/qNBAXBIQlnOThrVvA6mA2B5ggV6.jpg"


def test_list_item_without_poster_is_none():
    result = next(r for r in real("search_movie.json")["results"] if r["poster_path"] is None)
    assert parse.movie_from_list(result, "popular").poster_path is None


def test_search_candidate_keeps_its_poster_path():
    from cineradar import matching

    result = real("search_movie.json")["results"][0]
    listing = matching.Listing(source="repertuary", key="fight-club", title="Fight Club")
    assert matching.score(listing, result)["poster_path"] == "/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"


def test_search_candidate_without_poster_keeps_none():
    from cineradar import matching

    result = next(r for r in real("search_movie.json")["results"] if r["poster_path"] is None)
    listing = matching.Listing(source="repertuary", key="x", title=result["title"])
    assert matching.score(listing, result)["poster_path"] is None


def test_details_candidate_keeps_the_details_poster_path():
    from cineradar import matching

    body = real("movie_12313_append.json")
    detailed = matching.with_details({"id": 12313, "title": "Rock Crystal"}, body)
    listing = matching.Listing(source="repertuary", key="x", title="Bergkristall")
    assert matching.score(listing, detailed)["poster_path"] == "/8GFxp1rAoJRRN5OGeHRClWGVief.jpg"


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


# ----------------------------------------------------------------------------------- TV (real responses)
@pytest.fixture(scope="module")
def tv() -> tuple:
    return parse.show_from_details(real("tv_append.json"))


def test_tv_id(tv):
    assert tv[0].tmdb_id == 1399


def test_tv_name(tv):
    assert (tv[0].name, tv[0].original_name) == ("Game of Thrones", "Game of Thrones")


def test_tv_imdb_id_from_external_ids(tv):
    assert tv[0].imdb_id == "tt2934286"


def test_tv_tvdb_id(tv):
    assert tv[0].tvdb_id == 366524


def test_tv_air_dates(tv):
    assert (tv[0].first_air_date, tv[0].last_air_date) == (dt.date(2011, 4, 17), dt.date(2019, 5, 19))


def test_tv_status_and_type(tv):
    assert (tv[0].status, tv[0].type) == ("Ended", "Scripted")


def test_tv_seasons_and_episodes(tv):
    assert (tv[0].number_of_seasons, tv[0].number_of_episodes) == (8, 73)


def test_tv_genres(tv):
    assert tv[0].genres == ["Sci-Fi & Fantasy", "Drama", "Action & Adventure"]


def test_tv_network_entities(tv):
    assert [(n.tmdb_id, n.name, n.logo_path, n.origin_country) for n in tv[1]] == [
        (49, "HBO", "/tuomPhY2UtuPTqqFnKMVHvSb724.png", "US")]


def test_tv_company_entities_with_and_without_logo_or_country(tv):
    assert [(c.tmdb_id, c.logo_path, c.origin_country) for c in tv[2]] == [
        (76043, "/9RO2vbQ67otPrBLXCaC8UMp3Qat.png", "US"), (12525, None, None), (5820, None, "GB"),
        (12526, None, None)]


def test_tv_show_links_its_networks_and_companies(tv):
    assert [n["id"] for n in tv[0].networks] == [49] and [c["id"] for c in tv[0].production_companies] == [
        76043, 12525, 5820, 12526]


def test_tv_providers_per_region_and_offer(tv):
    regions = {o["region"] for o in tv[0].watch_providers}
    assert regions == {"AE", "AR", "AT"} and {p.tmdb_id for p in tv[3]} == {o["provider_id"]
                                                                              for o in tv[0].watch_providers}


def test_tv_raw_is_the_whole_answer(tv):
    assert tv[0].raw == real("tv_append.json")


def test_tv_validates(tv):
    from cineradar.items import TmdbShow

    assert TmdbShow.validate_constructed(tv[0]).tmdb_id == 1399


def test_find_gives_the_tv_id():
    assert parse.find_tv_id(real("find_tv_results.json")) == 1396


def test_find_miss_is_none():
    empty = {k: [] for k in ("movie_results", "person_results", "tv_results", "tv_episode_results",
                             "tv_season_results")}
    assert parse.find_tv_id(empty) is None


def test_watch_providers_every_offer_type():
    offers = parse.watch_offers(real("tv_watch_providers.json"))
    assert {(o["region"], o["offer"]) for o in offers} == {(r, t) for r in ("US", "CA")
                                                           for t in ("flatrate", "rent", "buy", "ads", "free")}


# ------------------------------------------------------------------ list paging, past page 500 (real bodies)
def list_spider(make_crawler, pages: int):
    from cineradar.spiders.tmdb_movies import TmdbMoviesSpider

    crawler = make_crawler(TmdbMoviesSpider, TMDB_READ_TOKEN="x")
    crawler.stats.open_spider()
    spider = TmdbMoviesSpider.from_crawler(crawler, pages=str(pages), preset="daily")
    spider.lists, spider.enrich, spider.region, spider.language = ["trending_week"], False, "PL", "en-US"
    return crawler, spider


def response(body: dict | str, status: int = 200, page: int = 1):
    from scrapy.http import TextResponse

    text = body if isinstance(body, str) else json.dumps(body)
    return TextResponse(f"https://api.themoviedb.org/3/trending/movie/week?page={page}", status=status,
                        body=text.encode(), encoding="utf-8")


def test_a_list_of_1000_pages_is_read_up_to_page_500(make_crawler):
    crawler, spider = list_spider(make_crawler, pages=100_000)
    out = list(spider.parse_list(response(real("trending_movies.json")), "trending_week", 1))
    pages = [r.cb_kwargs["page"] for r in out if hasattr(r, "cb_kwargs")]
    assert pages == list(range(2, 501)) and crawler.stats.get_value("cineradar/tmdb/list_clamped_500") == 1


def test_a_422_past_page_500_ends_the_list_cleanly(make_crawler):
    crawler, spider = list_spider(make_crawler, pages=600)
    out = list(spider.parse_list(response((REAL / "validation-error.json").read_text().replace(
        "query must be provided", "page must be less than or equal to 500"), 422, 501), "trending_week", 501))
    assert out == [] and crawler.stats.get_value("cineradar/tmdb/list_end_422") == 1
    assert crawler.stats.get_value("cineradar/outcome/partial/tmdb list pages") is None
