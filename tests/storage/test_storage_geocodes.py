"""Geocoding in every backend (real SQLite, PostgreSQL, the Firestore emulator): what the geocode spider
writes lands in ``geocodes``/``geocode_answers`` and on the theatre (Firestore: ``theatres/{id}.lat/lng``,
where the original's admin dashboard reads them), and no later crawl or failed geocoding erases it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cineradar.geocoding import cinema_target, decide, theatre_target
from cineradar.items import Geocode, GeocodeAnswer, TixTheatre
from cineradar.parsers.nominatim import Place
from cineradar.spiders.geocode import GeocodeSpider
from tests.storage.storage_samples import tix_theatre

PLACE = Place(lat=-6.2251, lng=106.8091, display_name="Mall X, Jalan Sudirman, Jakarta, Indonesia",
              place_class="shop", place_type="mall", osm_type="way", osm_id=123456789, place_id=42,
              importance=0.31, place_rank=30, addresstype="shop")


def valid(item: Any) -> dict[str, Any]:
    return type(item).validate_constructed(item).row()


def geocoded(theatre: dict[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any], dict[str, Any]]:
    """(the theatre row, its Geocode row, its answer row) as the spider yields them for a found theatre."""
    spider = GeocodeSpider()
    target = theatre_target(theatre)
    assert target is not None
    decision = decide([PLACE], target.box, target.by_name)
    answer = {"query_key": "id|q", "query": target.queries[0], "countrycodes": "id", "status": "found",
              "results": [PLACE.as_dict()], "answered_at": dt.datetime(2026, 11, 21, 1, tzinfo=dt.UTC)}
    item = spider._geocode_item(target, list(target.queries), target.queries[0], decision, answer)
    return [valid(spider._theatre_item(theatre, PLACE))], valid(item), valid(GeocodeAnswer.model_construct(**answer))


def test_coordinates_land_everywhere_and_are_never_erased(sqlite_store, pg_store, fs_store, fs_client):
    crawled = tix_theatre(1, ["2D", "IMAX 2D"]).row() | {"city": "JAKARTA", "address": "Jl. Sudirman No. 1"}
    theatre_rows, geocode_row, answer_row = geocoded(crawled)
    assert geocode_row["status"] == "found" and geocode_row["confidence"] == "exact"
    later_crawl = tix_theatre(1, ["4DX"]).row() | {"city": "JAKARTA", "address": "Jl. Sudirman No. 1",
                                                   "last_seen": "2026-11-22"}
    not_found = geocode_row | {"status": "not_found", "lat": None, "lng": None, "display_name": None,
                               "osm_type": None, "osm_id": None, "importance": None, "confidence": None,
                               "place_class": None, "place_type": None, "place_rank": None,
                               "located_query": None, "located_at": None, "reason": "the geocoder found nothing",
                               "geocoded_input": "jl. baru no. 2|jakarta", "queries": ["Jl. Baru No. 2, Jakarta"]}
    results = {}
    for store in (sqlite_store, pg_store, fs_store):
        store.upsert(TixTheatre.entity, [crawled])
        store.upsert(GeocodeAnswer.entity, [answer_row])
        store.upsert(Geocode.entity, [geocode_row])
        store.upsert(TixTheatre.entity, theatre_rows)
        store.upsert(TixTheatre.entity, [later_crawl])  # tix_movies the next day: no lat/lng in its row
        store.upsert(Geocode.entity, [not_found])  # the address changed and the new one is not found
        [theatre] = store.fetch(TixTheatre.entity)
        [row] = store.fetch(Geocode.entity)
        [answer] = store.fetch(GeocodeAnswer.entity)
        results[store.name] = (theatre, row, answer)
        assert (theatre["lat"], theatre["lng"]) == (PLACE.lat, PLACE.lng), store.name
        assert theatre["room_types"] == ["2D", "4DX", "IMAX 2D"] and theatre["merchant"] == crawled["merchant"]
        assert theatre["address"] == "Jl. Sudirman No. 1" and theatre["last_seen"] == "2026-11-22"
        assert row["status"] == "not_found" and (row["lat"], row["lng"], row["osm_id"]) == (PLACE.lat, PLACE.lng,
                                                                                              123456789)
        assert row["located_query"] == geocode_row["located_query"] and row["confidence"] == "exact"
        assert answer["results"][0]["osm_id"] == 123456789
    assert results["sqlite"] == results["postgres"]
    assert results["sqlite"][1:] == results["firestore"][1:]
    # Firestore: the original's admin reads collection("theatres") -> lat/lng
    doc = fs_client.collection("theatres").document(crawled["theatre_id"]).get().to_dict()
    assert (doc["lat"], doc["lng"]) == (PLACE.lat, PLACE.lng) and doc["name"] == crawled["name"]


def test_a_cinema_has_its_row_keyed_by_city_and_slug(sqlite_store, pg_store, fs_store):
    target = cinema_target({"city": "krakow", "slug": "kino-pod-baranami/asp", "name": "Kino Pod Baranami Asp"})
    assert target is not None
    place = Place(lat=50.0616286, lng=19.9353217, display_name="Kino Pod Baranami", place_class="amenity",
                  place_type="cinema", osm_type="node", osm_id=1, place_rank=30)
    item = GeocodeSpider()._geocode_item(target, list(target.queries), target.queries[1], decide(
        [place], target.box, True), {"answered_at": dt.datetime(2026, 11, 21, tzinfo=dt.UTC)})
    row = valid(item)
    for store in (sqlite_store, pg_store, fs_store):
        store.upsert(Geocode.entity, [row])
        assert store.fetch(Geocode.entity) == [row]
    assert row["place_key"] == "krakow|kino-pod-baranami/asp" and row["confidence"] == "name"
