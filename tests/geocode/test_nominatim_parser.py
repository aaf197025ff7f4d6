"""Reading Nominatim answers (tests/fixtures/nominatim, README there says where each came from) and what a
geocoding decides from them (cineradar/geocoding.py): confidence, the city's box, ambiguity, queries."""

from __future__ import annotations

import json

import pytest

from cineradar.geocoding import (
    CityBox,
    cinema_target,
    city_box,
    confidence,
    decide,
    query_key,
    theatre_target,
)
from cineradar.parsers.nominatim import NominatimError, Place, parse_search
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "nominatim"
LONDON = CityBox("London", 51.28, 51.70, -0.52, 0.34)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("name", ["docs_latest_json_london.json", "docs_3x_json_london.json"])
def test_the_documented_example_in_both_versions(name):
    places, skipped = parse_search(fixture(name))
    assert skipped == 0
    [london] = places
    assert (london.lat, london.lng) == (51.5073219, -0.1276474)
    assert london.place_id == 100149 and london.osm_id == 107775 and london.osm_type == "node"
    assert (london.place_class, london.place_type) == ("place", "city")
    assert london.boundingbox == (51.3473219, 51.6673219, -0.2876474, 0.0323526)
    assert london.place_rank is None  # json of these versions has none: read from class/type
    assert confidence(london, by_name=False) == "locality"


def test_jsonv2_names_the_class_category():
    [posthof], _ = parse_search(fixture("recorded_jsonv2_posthof_linz.json"))
    assert (posthof.place_class, posthof.place_type, posthof.place_rank) == ("amenity", "arts_centre", 30)
    assert posthof.osm_type == "relation" and posthof.osm_id == 1860773
    assert posthof.lat == pytest.approx(48.31172055) and posthof.importance == pytest.approx(0.2154981504)
    assert confidence(posthof, by_name=True) == "name"
    assert confidence(posthof, by_name=False) == "exact"


def test_numbers_as_strings_of_older_versions():
    body = b"[" + fixture("recorded_reverse_jsonv2_strings_potsdam.json") + b"]"
    [place], _ = parse_search(body)
    assert place.place_id == 148441555 and place.osm_id == 308913303
    assert place.place_rank == 30 and place.importance == 0.0


def test_several_places_of_one_name_are_ambiguous_inside_the_box():
    places, _ = parse_search(fixture("recorded_json_st_matthews_london.json"))
    assert len(places) == 4 and places[0].place_rank == 30 and places[0].addresstype == "amenity"
    outcome = decide(places, LONDON, by_name=True)
    # Westminster first; Spitalfields (importance 0.239 against 0.272) is as good: a person decides
    assert outcome.status == "found" and outcome.place == places[0] and outcome.ambiguous
    assert outcome.confidence == "name"
    # One of them alone is no ambiguity; the bus stop of the same name is another kind of place
    assert not decide([places[0], places[3]], LONDON, by_name=True).ambiguous


def test_an_answer_outside_the_city_is_refused_and_kept_as_refused():
    places, _ = parse_search(fixture("recorded_jsonv2_posthof_linz.json"))
    outcome = decide(places, LONDON, by_name=True)
    assert outcome.status == "refused" and outcome.place is None
    assert outcome.refused == tuple(places) and "outside" in outcome.reason
    # inside and outside: the one inside is kept, the other ignored (said)
    london, _ = parse_search(fixture("docs_latest_json_london.json"))
    mixed = decide(places + london, LONDON, by_name=False)
    assert mixed.place == london[0] and mixed.refused == tuple(places)


def test_nothing_found_and_errors():
    assert parse_search(fixture("empty.json")) == ([], 0)
    assert decide([], LONDON, by_name=False).status == "not_found"
    with pytest.raises(NominatimError, match="400"):
        parse_search(fixture("error_400.json"))
    for body in (b"<html>", b'{"unexpected": 1}', b'"text"'):
        with pytest.raises(NominatimError):
            parse_search(body)


def test_an_entry_without_readable_coordinates_is_skipped_not_guessed():
    good = json.loads(fixture("recorded_jsonv2_posthof_linz.json"))[0]
    body = json.dumps([{"lat": "bad", "lon": "1"}, {"lat": "95", "lon": "1"}, "x", good]).encode()
    places, skipped = parse_search(body)
    assert skipped == 3 and [p.osm_id for p in places] == [1860773]


@pytest.mark.parametrize(("fields", "expected"), [
    ({"place_rank": 30, "place_class": "shop", "place_type": "mall"}, "exact"),
    ({"place_rank": 30, "place_class": "building", "place_type": "yes"}, "exact"),
    ({"place_rank": 26, "place_class": "highway", "place_type": "primary", "addresstype": "road"}, "street"),
    ({"place_rank": 30, "place_class": "highway", "place_type": "bus_stop"}, "street"),
    ({"place_rank": 19, "place_class": "place", "place_type": "suburb"}, "locality"),
    ({"place_class": "highway", "place_type": "residential"}, "street"),  # no place_rank (old json)
    ({"place_class": "amenity", "place_type": "cinema"}, "exact"),
    ({"place_class": "boundary", "place_type": "administrative"}, "locality"),
])
def test_confidence_from_rank_class_type_and_addresstype(fields, expected):
    assert confidence(Place(lat=0.0, lng=0.0, display_name="x", **fields), by_name=False) == expected


def test_queries_as_the_originals_with_the_fallback_without_the_cinema_word():
    address = "AEON Cakung Mall Lt. 3\r\n Jl. Cassia Utama No. 46 ,  Cakung - Jakarta 13960 "
    theatre = theatre_target({"theatre_id": "1", "name": "AEON MALL JGC CGV", "city": "JAKARTA", "address": address})
    assert theatre is not None and theatre.countrycodes == "id" and not theatre.by_name
    assert theatre.queries == ("AEON Cakung Mall Lt. 3 Jl. Cassia Utama No. 46, Cakung - Jakarta 13960, Jakarta, "
                               "Indonesia",)
    no_address = theatre_target({"theatre_id": "2", "name": "SOLO SQUARE XXI", "city": "SOLO", "address": None})
    assert no_address is not None and no_address.by_name and no_address.queries == (
        "SOLO SQUARE XXI, Surakarta, Indonesia",)
    kino = cinema_target({"city": "krakow", "slug": "kino-pod-baranami", "name": "Kino Pod Baranami"})
    assert kino is not None and kino.countrycodes == "pl" and kino.place_key == "krakow|kino-pod-baranami"
    assert kino.queries == ("Kino Pod Baranami, Kraków, Poland", "Pod Baranami, Kraków, Poland")
    chain = cinema_target({"city": "krakow", "slug": "cinema-city/bonarka", "name": "Cinema City Bonarka"})
    multikino = cinema_target({"city": "krakow", "slug": "multikino", "name": "Multikino"})
    assert chain is not None and chain.queries == ("Cinema City Bonarka, Kraków, Poland",)  # a chain's name
    assert multikino is not None and multikino.queries == ("Multikino, Kraków, Poland",)
    assert cinema_target({"city": "nowhere", "slug": "x", "name": "X"}) is None  # no box: not guessed


def test_one_query_key_whatever_the_spacing_and_case():
    assert query_key("Jl. A  No. 1 ,Jakarta,  Indonesia", "id") == query_key("jl. a no. 1, jakarta, indonesia", "id")
    assert query_key("X", "id") != query_key("X", "pl")


def test_every_city_of_both_sources_has_a_box_around_its_centre():
    from cineradar.cities import REPERTUARY_CITIES, tix_cities

    for site, cities in (("tix", [n for _, n in tix_cities()]), ("repertuary", list(REPERTUARY_CITIES))):
        for city in cities:
            box = city_box(site, city)
            assert box is not None and box.south < box.north and box.west < box.east, (site, city)
    krakow = city_box("repertuary", "krakow")
    assert krakow is not None and krakow.contains(50.0616286, 19.9353217)  # Kino Pod Baranami (the original's)
    assert not krakow.contains(52.2297, 21.0122)  # Warsaw
    assert (ROOT / "cineradar/data/geo_cities.json").read_text() == (ROOT / "replica/data/geo_cities.json").read_text()
