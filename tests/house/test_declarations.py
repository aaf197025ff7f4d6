"""The sources' declarations (cineradar/sources/) are what settings, ENDPOINTS, monitors and the item
registry read; these pin the project's values and the registries' refusals."""

from __future__ import annotations

from typing import ClassVar

import pytest
from scrapy.settings import Settings

from cineradar import settings as project
from cineradar import sources
from cineradar.endpoints import Endpoints, EndpointsError, load
from cineradar.items import ALL_ITEMS, REGISTRY, CineItem, D, registered


def test_the_project_settings_come_from_the_declarations():
    assert project.FRESHNESS_HOURS == {"repertuary": 24}
    assert project.SITE_RATE_LIMITS == {"repertuary": 3.5}
    assert project.SITE_DOMAINS == {"repertuary.pl": "repertuary", "kino.krakow.pl": "repertuary"}
    assert project.MONITOR_MIN_ITEMS == {"repertuary": 1, "kino_krakow": 1, "tix_movies": 1}
    assert (project.TIX_APP_URL, project.TIX_API_URL) == ("https://app.tix.id", "https://api-b2b.tix.id")
    assert project.TMDB_API_URL == "https://api.themoviedb.org"
    assert project.NOMINATIM_URL == "https://nominatim.openstreetmap.org"
    assert (project.REPERTUARY_SESSIONS, project.REPERTUARY_MAX_ATTEMPTS) == (7, 8)
    assert project.SPIDER_MODULES == ["cineradar.spiders"]


def test_matchable_sources_and_endpoint_keys_are_declared():
    assert {name: (s.matching.region, s.matching.language) for name, s in sources.matchable().items()
            if s.matching} == {"tix": ("ID", "id-ID"), "repertuary": ("PL", "pl-PL")}
    assert list(sources.endpoint_keys()) == ["tix_app", "tix_api", "repertuary", "tmdb", "tmdb_image", "nominatim"]


def test_endpoints_refuse_an_undeclared_key_and_read_declared_ones():
    with pytest.raises(EndpointsError, match="unknown keys \\['toy'\\]"):
        load({"toy": "http://127.0.0.1:1"})
    endpoints = Endpoints.from_settings(Settings({**{k: getattr(project, k) for k in dir(project) if k.isupper()},
                                                  "ENDPOINTS": {"tix_api": "http://127.0.0.1:2",
                                                                "repertuary": {"krakow": "http://127.0.0.1:3"}}}))
    assert endpoints.url("tix_api") == "http://127.0.0.1:2" and endpoints.tix_app == "https://app.tix.id"
    assert endpoints.url("repertuary:krakow") == "http://127.0.0.1:3"
    assert endpoints.given == {"tix_api", "repertuary:krakow"}
    with pytest.raises(EndpointsError):
        endpoints.url("toy")


def test_a_declaration_is_refused_when_it_takes_another_sources_key():
    with pytest.raises(ValueError, match="already belong"):
        sources.declare(sources.Source(name="probe", endpoints={"tix_api": "PROBE_URL"}))
    assert "probe" not in sources.SOURCES


def test_a_declared_spider_monitor_is_found():
    probe = sources.declare(sources.Source(name="probe", monitors={"probe": ("cineradar.monitors.ValidationMonitor",)}))
    try:
        assert sources.spider_monitors("probe") == ["cineradar.monitors.ValidationMonitor"]
    finally:
        del sources.SOURCES[probe.name]


def test_an_item_model_registers_itself_and_an_entity_is_claimed_once():
    class ProbeItem(CineItem):
        entity: ClassVar[str] = "probe_rows"
        key: ClassVar[tuple[str, ...]] = ("probe_id",)
        source: ClassVar[str] = "probe"
        probe_id: str = D("An id.")

    try:
        assert REGISTRY["probe_rows"] is ProbeItem and ProbeItem in registered()
        assert ProbeItem not in ALL_ITEMS  # docs/data.md lists the project's own models only
        with pytest.raises(TypeError, match="claimed by"):
            class Clash(CineItem):
                entity: ClassVar[str] = "probe_rows"
    finally:
        REGISTRY.pop("probe_rows", None)
    assert [m.entity for m in ALL_ITEMS][:3] == ["tix_movies", "tix_theatres", "tix_showtimes"]
    assert ALL_ITEMS[-3:] == tuple(REGISTRY[e] for e in ("crawl_runs", "geocodes", "geocode_answers"))


def test_a_source_module_that_cannot_be_imported_stops_with_one_line():
    with pytest.raises(SystemExit, match="CINERADAR_SOURCE_MODULES: source module 'no_such_source' cannot be imported"):
        sources.load(["no_such_source"])
