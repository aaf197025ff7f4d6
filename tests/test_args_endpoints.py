"""Spider arguments and ENDPOINTS: clear errors listing what is allowed, Scrapyd extras accepted."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from freezegun import freeze_time
from scrapy.settings import Settings

from cineradar.args import KinoKrakowArgs, RepertuaryArgs, SpiderArgumentError, TixArgs
from cineradar.endpoints import Endpoints, EndpointsError


def test_unknown_city_lists_the_allowed_ones():
    with pytest.raises(SpiderArgumentError, match="allowed: all, krakow, warszawa"):
        RepertuaryArgs.parse("repertuary", {"city": "berlin"})


def test_malformed_date_is_rejected():
    with pytest.raises(SpiderArgumentError, match="YYYY-MM-DD"):
        RepertuaryArgs.parse("repertuary", {"date": "21.11.2026"})


def test_days_above_seven_are_rejected():
    with pytest.raises(SpiderArgumentError, match="days"):
        RepertuaryArgs.parse("repertuary", {"days": "8"})


def test_scrapyd_job_argument_is_accepted_and_not_reported():
    args = RepertuaryArgs.parse("repertuary", {"city": "krakow", "_job": "abc123", "_version": "r1"})
    assert args.unknown == []


def test_typo_arguments_are_refused():
    # Issue 17: an unknown argument is an error (it used to be a warning, and the default city was crawled).
    with pytest.raises(SpiderArgumentError, match=r"-a citty: unknown argument; did you mean 'city'\?"):
        RepertuaryArgs.parse("repertuary", {"citty": "krakow"})


def test_all_expands_to_29_cities():
    assert len(RepertuaryArgs.parse("repertuary", {"city": "all"}).cities) == 29


def test_force_accepts_1():
    assert RepertuaryArgs.parse("repertuary", {"force": "1"}).force is True


@pytest.mark.parametrize(("utc_now", "warsaw_day"), [
    ("2026-11-21 23:30:00", dt.date(2026, 11, 22)),  # UTC still on the 21st, Warsaw (UTC+1) on the 22nd
    ("2026-06-30 22:15:00", dt.date(2026, 7, 1)),  # summer time (UTC+2)
    ("2026-11-21 22:59:00", dt.date(2026, 11, 21)),  # a minute before Warsaw's midnight
])
def test_date_defaults_to_today_in_warsaw(utc_now, warsaw_day):
    with freeze_time(utc_now):
        assert RepertuaryArgs.parse("repertuary", {}).day == warsaw_day


def test_tix_date_defaults_to_today_in_jakarta():
    with freeze_time("2026-11-21 17:30:00"):  # 00:30 WIB on the 22nd
        assert TixArgs.parse("tix_movies", {}).day == dt.date(2026, 11, 22)


@pytest.mark.parametrize("spec", ["9/9", "2-9", "0/0", "x"])
def test_bad_batch_spec(spec):
    with pytest.raises(SpiderArgumentError, match="N/M"):
        TixArgs.parse("tix_movies", {"batch": spec})


def test_nine_batches_cover_all_83_cities_once():
    seen = [c for n in range(9) for c in TixArgs.parse("t", {"batch": f"{n}/9"}).selected_cities()]
    assert len(seen) == 83 and len(set(seen)) == 83


def test_unknown_tix_city_is_rejected():
    with pytest.raises(SpiderArgumentError, match="JAKARTA"):
        TixArgs.parse("tix_movies", {"cities": "GOTHAM"})


def test_endpoints_default_to_the_real_hosts():
    endpoints = Endpoints.from_settings(Settings({"TIX_API_URL": "https://api-b2b.tix.id", "TIX_APP_URL": "x",
                                                  "TMDB_API_URL": "y"}))
    assert endpoints.repertuary["krakow"] == "https://www.kino.krakow.pl"
    assert endpoints.repertuary["gdansk"] == "https://gdansk.repertuary.pl"


def test_endpoints_file_overrides_every_source(tmp_path):
    path = tmp_path / "replica.json"
    path.write_text(json.dumps({"tix_app": "http://127.0.0.1:1", "tix_api": "http://127.0.0.1:2/",
                                "tmdb": "http://127.0.0.1:3", "repertuary": {"krakow": "http://127.0.0.1:4"}}) + "\n")
    endpoints = Endpoints.from_settings(Settings({"ENDPOINTS": str(path)}))
    assert endpoints.tix_api == "http://127.0.0.1:2"
    assert endpoints.repertuary["krakow"] == "http://127.0.0.1:4"
    assert endpoints.repertuary["gdansk"] == "https://gdansk.repertuary.pl"


def test_endpoints_reject_unknown_keys():
    with pytest.raises(EndpointsError, match="allowed"):
        Endpoints.from_settings(Settings({"ENDPOINTS": '{"tixapp": "http://x"}'}))


# ---------------------------------------------------------------- partial or malformed ENDPOINTS
def replica_like(**repertuary: str) -> str:
    return json.dumps({"tix_app": "http://127.0.0.1:1", "tix_api": "http://127.0.0.1:2", "tmdb": "http://127.0.0.1:3",
                       "repertuary": repertuary})


def test_endpoints_lacking_a_requested_city_are_refused():
    endpoints = Endpoints.from_settings(Settings({"ENDPOINTS": replica_like(krakow="http://127.0.0.1:4")}))
    with pytest.raises(EndpointsError, match="lacks repertuary:gdansk"):
        endpoints.require(["repertuary:krakow", "repertuary:gdansk"])


def test_endpoints_lacking_a_source_key_are_refused():
    endpoints = Endpoints.from_settings(Settings({"ENDPOINTS": '{"tix_app": "http://127.0.0.1:1"}'}))
    with pytest.raises(EndpointsError, match="lacks tix_api"):
        endpoints.require(["tix_app", "tix_api"])


def test_endpoints_naming_every_source_are_accepted():
    endpoints = Endpoints.from_settings(Settings({"ENDPOINTS": replica_like(krakow="http://127.0.0.1:4")}))
    endpoints.require(["repertuary:krakow", "tix_api", "tmdb"])


def test_without_endpoints_the_real_hosts_need_nothing():
    Endpoints.from_settings(Settings({})).require(["repertuary:gdansk", "tix_api"])


@pytest.mark.parametrize(("value", "match"), [
    ('{"tix_api": 5}', "tix_api must be an http"),
    ('{"tix_api": ["http://x"]}', "tix_api must be an http"),
    ('{"tmdb": null}', "tmdb must be an http"),
    ('{"tix_app": "127.0.0.1:1"}', "tix_app must be an http"),
    ('{"repertuary": "http://127.0.0.1:4"}', "repertuary must be an object"),
    ('{"repertuary": {"krakow": 4}}', "repertuary.krakow must be an http"),
    ('{"repertuary": {"berlin": "http://x"}}', "unknown cities"),
    ("[1, 2]", "JSON object"),
])
def test_malformed_endpoint_values_give_a_clear_error(value, match):
    with pytest.raises(EndpointsError, match=match):
        Endpoints.from_settings(Settings({"ENDPOINTS": value}))


@pytest.mark.e2e
def test_a_crawl_with_partial_endpoints_exits_1_before_any_request(tmp_path):
    from tests.conftest import open_store, run_crawl

    # Port 9 (discard) on 127.0.0.1: nothing listens, and gdansk has no entry at all.
    stats = run_crawl("repertuary", {"repertuary": {"krakow": "http://127.0.0.1:9"}}, tmp_path,
                      "city=krakow,gdansk", returncode=1)
    assert "downloader/request_count" not in stats  # nothing was sent, to the replica or the real host
    errors = [line for line in (tmp_path / "repertuary.log").read_text().splitlines() if " ERROR: " in line]
    assert errors[0].endswith("ENDPOINTS lacks repertuary:gdansk: refusing to crawl the real host instead; give "
                              "every source this crawl touches (or no ENDPOINTS at all for the real sites)")
    assert [r["status"] for r in open_store(tmp_path / "cineradar.db").fetch("crawl_runs")] == ["failed"]


@pytest.mark.parametrize("spider", ["tix_movies", "tix_seats"])
@pytest.mark.e2e
def test_a_tix_crawl_without_the_tix_endpoints_exits_1_before_any_request(tmp_path, spider):
    from tests.conftest import run_crawl

    stats = run_crawl(spider, {"tix_api": "http://127.0.0.1:9"}, tmp_path, returncode=1)  # no tix_app
    assert "downloader/request_count" not in stats
    log = (tmp_path / f"{spider}.log").read_text()
    assert "ENDPOINTS lacks tix_app: refusing to crawl the real host instead" in log


def test_kino_krakow_with_another_city_is_a_bad_argument():
    with pytest.raises(SpiderArgumentError, match="kino_krakow crawls Kraków only, not 'gdansk'; allowed: krakow"):
        KinoKrakowArgs.parse("kino_krakow", {"city": "gdansk"})


# ------------------------------------------------------------------ the shared comma-list validator
def test_comma_list_names_each_item_and_refuses_unknown_or_none():
    from cineradar.args import comma_items, comma_list

    upper = {"A": "A", "B": "B"}.get
    assert comma_items(" a, ,b ,") == ["a", "b"]
    assert comma_list("A, B,A", upper, str) == "A,B,A"
    assert comma_list("A, B,A", upper, str, unique=True) == "A,B"
    with pytest.raises(ValueError, match=r"^\['x', 'y'\]$"):
        comma_list("A,x,y", upper, str)
    with pytest.raises(ValueError, match=r"^\[\]$"):
        comma_list(" , ", upper, str)


@pytest.mark.parametrize(("spider", "args", "message"), [
    ("tmdb_movies", {"lists": "popular, nope"}, "unknown lists ['nope']"),
    ("tmdb_tv", {"imdb_ids": "tt0944947,x1"}, "expected IMDb ids like tt0944947, got ['x1']"),
    ("geocode", {"cities": "JAKARTA,atlantis"}, "unknown cities ['atlantis']"),
    ("tix_movies", {"cities": "jakarta,atlantis"}, "unknown TIX.id cities ['atlantis']"),
])
def test_every_comma_list_argument_names_what_it_refuses(spider, args, message):
    from scrapy.spiderloader import SpiderLoader
    from scrapy.utils.project import get_project_settings

    from cineradar.args import SpiderArgumentError

    model = SpiderLoader.from_settings(get_project_settings()).load(spider).args_model
    with pytest.raises(SpiderArgumentError, match=re.escape(message)):
        model.parse(spider, args)


# ------------------------------------------------------------------ the other shared validators
def test_every_spider_names_a_city_as_typed_the_same_way():
    # Repertuary keys and TIX.id names with or without diacritics, in any case, whichever model asks.
    from cineradar.args import GeocodeArgs, TixArgs

    assert RepertuaryArgs.parse("repertuary", {"city": "Łódź,KRAKÓW"}).cities == ["lodz", "krakow"]
    assert TixArgs.parse("tix_movies", {"cities": "jakarta, Bandung"}).cities == "JAKARTA,BANDUNG"
    geocode = GeocodeArgs.parse("geocode", {"cities": "Kraków,jakarta"})
    assert geocode.cities == "krakow,JAKARTA"
    assert geocode.wants_city("repertuary", "krakow") and geocode.wants_city("tix", "JAKARTA")
    assert not geocode.wants_city("repertuary", "lodz")


def test_a_file_argument_must_be_a_readable_file(tmp_path):
    from cineradar.args import TixSeatsArgs, TmdbTvArgs

    ids = tmp_path / "ids.txt"
    ids.write_text("tt0944947\n")
    for model, name, field in ((TmdbTvArgs, "tmdb_tv", "file"), (TixSeatsArgs, "tix_seats", "showtimes")):
        assert getattr(model.parse(name, {field: str(ids)}), field) == str(ids)
        with pytest.raises(SpiderArgumentError, match=f"-a {field}: no such file: "):
            model.parse(name, {field: str(tmp_path / "missing")})
        with pytest.raises(SpiderArgumentError, match=f"-a {field}: not a file: "):
            model.parse(name, {field: str(tmp_path)})


def test_batches_are_contiguous_and_balanced():
    from cineradar.args.validators import batch, batch_slice

    items = list(range(10))
    slices = [batch_slice(items, f"{n}/3") for n in range(3)]
    assert slices == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]
    assert batch_slice(items, None) == items
    assert batch("2/9", 83) == "2/9"
    for bad in ("3/3", "1/84", "x/2", "1/0"):
        with pytest.raises(ValueError, match="allowed: N/M with 0 <= N < M <= 83"):
            batch(bad, 83)
