"""bench/tix_seats.py's reference (a bare Scrapy spider) is tuned as the project's tix_seats crawl is.

The gate of the benchmark is a ratio: a reference left on Scrapy's defaults where the project
tunes a knob (CONCURRENT_ITEMS=100 against 1 cost the reference a third of its CPU) makes the
project look faster than it is. Both sides' effective settings are built here, no crawl: the
project's from cineradar.settings plus TixSeatsSpider.update_settings and its custom_settings,
the reference's from Scrapy's defaults plus what the benchmark passes with -s.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from scrapy.settings import Settings

from cineradar.spiders.tix_base import SLOT
from cineradar.spiders.tix_seats import TixSeatsSpider
from tests.conftest import ROOT


def _bench():
    sys.path.insert(0, str(ROOT / "bench"))  # its own imports (common.py)
    spec = importlib.util.spec_from_file_location("bench_tix_seats", ROOT / "bench" / "tix_seats.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bare_spider():
    spec = importlib.util.spec_from_file_location("bench_bare_layouts", ROOT / "bench" / "bare_layouts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BareLayouts


def project_settings(overrides: dict[str, str]) -> Settings:
    settings = Settings()
    settings.setmodule("cineradar.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    TixSeatsSpider.update_settings(settings)  # the spider's own (custom_settings and more), as a crawl applies them
    return settings


def bare_settings(overrides: dict[str, str]) -> Settings:
    settings = Settings()  # `scrapy runspider` from a folder with no scrapy.cfg: Scrapy's defaults
    settings.setdict(overrides, priority="cmdline")
    _bare_spider().update_settings(settings)
    return settings


@pytest.mark.parametrize(("concurrency", "handler"), [(None, "aiohttp"), (8, "aiohttp"), (16, "twisted")])
def test_reference_knobs_equal_the_projects(concurrency, handler):
    bench = _bench()
    overrides = {"TIX_SEATS_HTTP_HANDLER": handler} | (
        {"TIX_SEATS_CONCURRENCY": str(concurrency)} if concurrency else {})
    project = bench.effective_knobs(project_settings(overrides), SLOT)
    reference = bench.effective_knobs(
        bare_settings(bench.bare_settings(concurrency or bench.DEFAULT_CONCURRENCY, handler)), None)
    assert reference == project
    # Not vacuous: the values the benchmark is about.
    assert project["CONCURRENT_ITEMS"] == 1
    assert project["slot concurrency"] == (concurrency or TixSeatsSpider.default_concurrency)
    assert project["slot delay"] == 0.0
    assert not project["COOKIES_ENABLED"] and not project["REDIRECT_ENABLED"]
    if handler == "aiohttp":
        assert set(project["handler"]) == {bench.AIOHTTP_HANDLER}


def test_default_concurrency_is_the_spiders():
    assert TixSeatsSpider.default_concurrency == _bench().DEFAULT_CONCURRENCY


def test_the_old_reference_differs():
    """The check sees a drift: the reference as it was (Scrapy's CONCURRENT_ITEMS) does not pass."""
    bench = _bench()
    old = bench.bare_settings(bench.DEFAULT_CONCURRENCY, "aiohttp")
    del old["CONCURRENT_ITEMS"]
    project = bench.effective_knobs(project_settings({}), SLOT)
    assert bench.effective_knobs(bare_settings(old), None)["CONCURRENT_ITEMS"] != project["CONCURRENT_ITEMS"]
    assert json.dumps(sorted(project)) == json.dumps(sorted(bench.effective_knobs(bare_settings(old), None)))


def test_the_scrapy_components_the_project_switches_off_are_off_in_the_reference():
    bench = _bench()
    project = bench.effective_knobs(project_settings({}), SLOT)
    for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES"):
        old = bench.bare_settings(bench.DEFAULT_CONCURRENCY, "aiohttp")
        del old[name]  # the reference before: Scrapy's default components
        assert bench.effective_knobs(bare_settings(old), None)[name] != project[name]
    assert "scrapy.downloadermiddlewares.retry.RetryMiddleware" in project["DOWNLOADER_MIDDLEWARES"]  # by its subclass


@pytest.mark.parametrize("knob", ["EXTENSIONS", "GC_GEN0_THRESHOLD", "STATS_CLASS"])
def test_the_process_tuning_is_the_references_too(knob):
    """The collector tuning and the stats class the project gives every crawl are the reference's:
    without them the reference paid for full collections the project no longer pays for."""
    bench = _bench()
    project = bench.effective_knobs(project_settings({}), SLOT)
    assert project["gc"] == (True, True, 10_000)
    old = bench.bare_settings(bench.DEFAULT_CONCURRENCY, "aiohttp")
    del old[knob]
    assert bench.effective_knobs(bare_settings(old), None) != project

