"""Geocoding's items (issue 20): where the theatres and cinemas are (cineradar/spiders/geocode.py,
docs/sources/geocoding.md). Coordinates come from OpenStreetMap through Nominatim: "© OpenStreetMap contributors"."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from cineradar.items.base import (
    CineItem,
    D,
    MergeRule,
    NonEmpty,
    UtcDatetime,
)

GeocodeStatus = Literal["found", "not_found", "refused"]
GeocodeConfidence = Literal["exact", "street", "locality", "name"]
_NOMINATIM = "from the geocoder's answer (OpenStreetMap data, © OpenStreetMap contributors)"


class Geocode(CineItem):
    """Where one TIX.id theatre or repertuary cinema is, or why it has no coordinates."""

    entity: ClassVar[str] = "geocodes"
    key: ClassVar[tuple[str, ...]] = ("site", "place_key")
    source: ClassVar[str] = "geocode"
    # What was located is never erased: a later run that finds nothing (a changed address not
    # found, a refused answer) keeps the coordinates and says so in status/reason.
    merge_rules: ClassVar[dict[str, MergeRule]] = dict.fromkeys(
        ("lat", "lng", "display_name", "osm_type", "osm_id", "importance", "confidence", "place_class",
         "place_type", "place_rank", "located_query", "located_at"), "nonnull")

    site: Literal["tix", "repertuary"] = D("Whose place: `tix` (a `tix_theatres` row) or `repertuary` "
                                           "(a `repertuary_cinemas` row).")
    place_key: NonEmpty = D("The place's key there: the TIX.id theatre id, or `{city}|{slug}` of a repertuary "
                            "cinema.")
    name: NonEmpty = D("The theatre's or cinema's name when geocoded.")
    city: NonEmpty = D("Its city as its site names it (`JAKARTA`, `krakow`).")
    address: str | None = D("The address geocoded (TIX.id), whitespace collapsed; null for a repertuary cinema "
                            "(the site publishes none: its name is searched).", None)
    geocoded_input: NonEmpty = D("What the queries were built from (`address|city` or `name|city`, normalized): "
                                 "when it changes (a new address) the place is geocoded again.")
    queries: list[str] = D("Every query sent for it in this decision, in order (the name, then the fallback "
                           "without the cinema word).", [])
    status: GeocodeStatus = D("`found` (coordinates inside the city's box), `not_found` (the geocoder knows no "
                              "such place) or `refused` (its answers all lie outside the city's box).")
    confidence: GeocodeConfidence | None = D(
        "How precise the coordinates are, from the answer's place_rank/class/type/addresstype: `exact` (the "
        "building or address), `street` (the street only), `locality` (a district or the city), `name` (a place "
        "found by its name, no address to confirm it); null until found.", None)
    ambiguous: bool = D("True when another answer inside the city's box is as good (same kind, importance within "
                        "0.05): worth a person's look (`scrapy geocode-review`).", False)
    lat: float | None = D(f"Latitude in decimal degrees (WGS 84), {_NOMINATIM}; null until found.", None)
    lng: float | None = D(f"Longitude in decimal degrees (WGS 84), {_NOMINATIM}; null until found.", None)
    display_name: str | None = D(f"The place's full name and address, {_NOMINATIM}.", None)
    osm_type: Literal["node", "way", "relation"] | None = D("The OpenStreetMap object's type.", None)
    osm_id: int | None = D("The OpenStreetMap object's id (with `osm_type`: openstreetmap.org/{type}/{id}).",
                           None)
    importance: float | None = D("Nominatim's importance of the place (0-1), when given.", None)
    place_class: str | None = D("The main OSM tag's key (`amenity`, `building`, `highway`, `place`...).", None)
    place_type: str | None = D("The main OSM tag's value (`cinema`, `residential`, `city`...).", None)
    place_rank: int | None = D("Nominatim's address rank (30 a building or POI, 26 a street, 16 a city), when "
                               "given (format jsonv2).", None)
    located_query: str | None = D("The query whose answer gave the coordinates.", None)
    located_at: UtcDatetime | None = D("When the coordinates' answer was received, ISO 8601 in UTC.", None)
    refused: list[dict[str, Any]] = D("The answers refused as outside the city's box: `{lat, lng, display_name, "
                                      "osm_type, osm_id}`.", [])
    reason: str | None = D("Why this status, in words.", None)
    checked_at: UtcDatetime = D("When this decision was made, ISO 8601 in UTC.")


class GeocodeAnswer(CineItem):
    """The geocoder's answer to one query, kept so that no query is ever sent twice."""

    entity: ClassVar[str] = "geocode_answers"
    key: ClassVar[tuple[str, ...]] = ("query_key",)
    source: ClassVar[str] = "geocode"

    query_key: NonEmpty = D("`{countrycodes}|{query}`, the query case-folded with whitespace collapsed: the "
                            "cache key (one request per distinct key, ever).")
    query: NonEmpty = D("The query as sent (`q` of /search).")
    countrycodes: str = D("The `countrycodes` it was limited to (`id`, `pl`).")
    status: Literal["found", "not_found"] = D("`found` (one result or more) or `not_found` (an empty answer).")
    results: list[dict[str, Any]] = D(
        "The results as read (at most the request's limit): `{place_id, osm_type, osm_id, lat, lng, "
        "display_name, place_class, place_type, importance, place_rank, addresstype, boundingbox}`.", [])
    answered_at: UtcDatetime = D("When the geocoder answered, ISO 8601 in UTC.")
