"""Issue 17's argument bugs: an unknown spider or ``-a`` argument is one line and exit 2 (it was a
traceback, or a warning and a crawl of the default city); city names with or without diacritics,
and a "did you mean" for near misses."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cineradar.args import KinoKrakowArgs, RepertuaryArgs, SpiderArgumentError, TixArgs
from tests.conftest import ROOT

# Every source at a closed port: a crawl that starts by mistake fetches nothing real.
DEAD = {"tix_app": "http://127.0.0.1:9", "tix_api": "http://127.0.0.1:9", "tmdb_api": "http://127.0.0.1:9",
        "repertuary": {"krakow": "http://127.0.0.1:9"}}


def crawl(*args: str, tmp_path) -> subprocess.CompletedProcess[str]:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith("CINERADAR_")} | {"PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "scrapy", "crawl", *args, "--nolog",
                           "-s", f"ENDPOINTS={json.dumps(DEAD)}", "-s", f"SQLITE_PATH={tmp_path / 'c.db'}",
                           "-s", f"STORAGE_SPOOL_DIR={tmp_path / 'spool'}"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.e2e
def test_an_unknown_spider_is_one_line_and_exit_2(tmp_path):
    proc = crawl("reperturay", tmp_path=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert "no spider named 'reperturay'; did you mean 'repertuary'?" in proc.stderr


@pytest.mark.e2e
def test_an_unknown_argument_is_one_line_and_exit_2(tmp_path):
    proc = crawl("repertuary", "-a", "cty=krakow", tmp_path=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == ("scrapy crawl: repertuary: -a cty: unknown argument; did you mean 'city'?; "
                                   "allowed: city, date, days, force")
    assert not (tmp_path / "c.db").exists()  # refused before the crawler existed


def test_only_scrapyds_own_underscore_arguments_are_accepted():
    args = RepertuaryArgs.parse("repertuary", {"_job": "j1", "_version": "r1", "_project": "cineradar"})
    assert args.unknown == []
    with pytest.raises(SpiderArgumentError, match="-a _jobid: unknown argument"):
        RepertuaryArgs.parse("repertuary", {"_jobid": "j1"})


@pytest.mark.parametrize(("typed", "cities"), [
    ("Kraków", ["krakow"]), ("KRAKOW", ["krakow"]), ("Łódź,Wrocław", ["lodz", "wroclaw"]),
    ("Bielsko-Biała", ["bielsko-biala"]), ("dąbrowa górnicza", ["dabrowa-gornicza"]),
    ("Ruda Śląska", ["ruda-slaska"]), ("All", None),
])
def test_city_names_with_or_without_diacritics(typed, cities):
    args = RepertuaryArgs.parse("repertuary", {"city": typed})
    assert args.cities == (cities or list(args.cities))
    assert len(args.cities) == (29 if cities is None else len(cities))


def test_kino_krakow_takes_krakow_with_its_diacritic():
    assert KinoKrakowArgs.parse("kino_krakow", {"city": "Kraków"}).cities == ["krakow"]


@pytest.mark.parametrize(("model", "field", "typed", "hint"), [
    (RepertuaryArgs, "city", "krakw", "did you mean 'krakow'?"),
    (RepertuaryArgs, "city", "Wrocłav", "did you mean 'wroclaw'?"),
    (TixArgs, "cities", "Jakrta", "did you mean 'JAKARTA'?"),
])
def test_a_near_miss_gets_a_did_you_mean(model, field, typed, hint):
    with pytest.raises(SpiderArgumentError, match=rf"unknown .*{typed!r}.*; {hint.replace('?', '[?]')}; allowed:"):
        model.parse("x", {field: typed})


def test_tix_city_names_in_any_case():
    assert TixArgs.parse("tix_movies", {"cities": "jakarta, Kuala Kapuas"}).cities == "JAKARTA,KUALA KAPUAS"
