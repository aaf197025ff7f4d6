"""Spider arguments and ENDPOINTS: clear errors listing what is allowed, Scrapyd extras accepted."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from scrapy.settings import Settings

from cineradar.args import RepertuaryArgs, SpiderArgumentError, TixArgs
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


def test_typo_arguments_are_reported():
    assert RepertuaryArgs.parse("repertuary", {"citty": "krakow"}).unknown == ["citty"]


def test_all_expands_to_29_cities():
    assert len(RepertuaryArgs.parse("repertuary", {"city": "all"}).cities) == 29


def test_force_accepts_1():
    assert RepertuaryArgs.parse("repertuary", {"force": "1"}).force is True


def test_date_defaults_to_today_in_warsaw():
    assert isinstance(RepertuaryArgs.parse("repertuary", {}).day, dt.date)


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
