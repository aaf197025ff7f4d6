"""The replica's Nominatim (/search): the real service's JSON shapes, its parameters, truth for every
theatre and cinema of the replica, and the core's fault knobs on site "nominatim"."""

from __future__ import annotations

import datetime as dt
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from replica import Knobs, Replica, truth

DAY0 = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def replica():
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


def search(replica: Replica, **params: str) -> tuple[int, object]:
    url = f"{replica.urls['nominatim']}/search?{urllib.parse.urlencode(params)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body)
        except ValueError:  # a 503 page, as a proxy in front of the service sends
            return exc.code, body.decode()


def test_truth_for_every_theatre_and_cinema_of_both_presets_deterministic():
    for preset in ("tiny", "default"):
        whole = truth(preset, 1, DAY0)
        places = {(p["site"], p["key"]) for p in whole["nominatim"]["places"]}
        theatres = {("tix", t["theatre_id"]) for t in whole["tix"]["theatres"]}
        cinemas = {("repertuary", f"{city}|{c['slug']}") for city, data in whole["repertuary"]["cities"].items()
                   for c in data["cinemas"]}
        assert places == theatres | cinemas
        assert truth(preset, 1, DAY0)["nominatim"] == whole["nominatim"]
    kinds = {p["kind"] for p in truth("default", 1, DAY0)["nominatim"]["places"]}
    assert kinds == {"exact", "street", "locality", "ambiguous", "outside", "missing", "fallback_only"}


def test_jsonv2_and_json_shapes(replica):
    status, v2 = search(replica, q="Kino Pod Baranami, Kraków, Poland", format="jsonv2", countrycodes="pl")
    assert status == 200 and isinstance(v2, list) and len(v2) == 1
    [place] = v2
    assert (place["lat"], place["lon"]) == ("50.0616286", "19.9353217")  # strings, as the real service
    assert place["category"] == "amenity" and place["type"] == "cinema" and "class" not in place
    assert place["place_rank"] == 30 and place["addresstype"] == "amenity" and place["osm_type"] in (
        "node", "way", "relation")
    assert place["licence"].startswith("Data © OpenStreetMap contributors")
    assert all(isinstance(v, str) for v in place["boundingbox"]) and len(place["boundingbox"]) == 4
    assert isinstance(place["place_id"], int) and isinstance(place["osm_id"], int)
    _, v1 = search(replica, q="kino  pod baranami,Kraków , Poland", format="json")  # words matter, not spacing
    assert v1 and v1[0]["class"] == "amenity" and "category" not in v1[0]


def test_parameters_and_errors(replica):
    assert search(replica, q="Kino Pod Baranami, Kraków, Poland", countrycodes="id") == (200, [])
    assert search(replica, q="Nowhere at all, Poland") == (200, [])
    status, body = search(replica, format="jsonv2")
    assert status == 400 and body["error"]["code"] == 400
    assert search(replica, q="x", format="xml")[0] == 400
    assert search(replica, q="x", limit="many")[0] == 400


def test_fault_knobs_apply_to_the_geocoder(replica):
    replica.knobs.update({"faults": ["429_storm:site=nominatim,at=1,seconds=3", "5xx:site=nominatim,at=2"]})
    try:
        assert search(replica, q="x")[0] == 429
        assert search(replica, q="x")[0] == 503
        assert search(replica, q="x")[0] == 200
    finally:
        replica.knobs.update({"faults": []})
