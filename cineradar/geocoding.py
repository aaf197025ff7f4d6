"""What a geocoding decides, with no Scrapy: the queries of a place, the city's box, the confidence
of an answer, and whether to keep, refuse or call it ambiguous (cineradar/spiders/geocode.py asks).

Queries (the original's): a TIX.id theatre by its address, ``"<address>, <City>, Indonesia"`` with
``countrycodes=id`` (its name instead when it has no address); a repertuary cinema by its name,
``"<name>, <City>, Poland"`` with ``countrycodes=pl``, then, if nothing usable came back, the
same without the cinema word (``Kino Pod Baranami`` -> ``Pod Baranami``). One request per
distinct ``query_key`` (countrycodes and the case-folded, whitespace-collapsed query), ever:
answers are kept in the store (``geocode_answers``).

A result must lie inside the city's box (cineradar/data/geo_cities.json, its source noted there);
the first one inside is kept (Nominatim orders by relevance); none inside: refused. Confidence:
``exact`` (place_rank >= 28: a building, an address, a POI found by its address), ``street``
(26-27, or a highway), ``locality`` (below 26: a suburb, the city), ``name`` (a POI found by its
name only). Without place_rank (format=json of old versions) it is read from addresstype/class.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from cineradar.parsers.nominatim import Place

COUNTRIES = {"tix": ("Indonesia", "id"), "repertuary": ("Poland", "pl")}
CINEMA_WORDS = re.compile(r"\b(kino|cinema)\b(?!\s+city)", re.IGNORECASE)  # "Cinema City" is a chain's name
AMBIGUITY = 0.05  # importance apart: two answers closer than this are as good as each other
SAME_PLACE_M = 250.0  # two answers this close are one place (a building and its entrance)
POI_CLASSES = {"amenity", "building", "shop", "leisure", "tourism", "office", "craft", "man_made"}
STREET_ADDRESSTYPES = {"road", "street", "highway"}
LOCALITY_CLASSES = {"place", "boundary", "landuse"}


@dataclass(frozen=True)
class CityBox:
    name: str  # as a query names it ("Jakarta", "Kraków")
    south: float
    north: float
    west: float
    east: float

    def contains(self, lat: float, lng: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lng <= self.east


@cache
def _cities() -> dict[str, Any]:
    text = resources.files("cineradar").joinpath("data/geo_cities.json").read_text(encoding="utf-8")
    cities: dict[str, Any] = json.loads(text)
    return cities


def city_box(site: str, city: str) -> CityBox | None:
    """The box of a TIX.id city (``JAKARTA``) or repertuary city key (``krakow``); None if unknown."""
    entry = _cities()[site].get(city.upper() if site == "tix" else city.lower())
    if entry is None:
        return None
    half = float(entry["half"])
    return CityBox(entry["name"], entry["lat"] - half, entry["lat"] + half, entry["lon"] - half, entry["lon"] + half)


def collapse(text: str) -> str:
    """Whitespace runs (line breaks included) as one space; parts joined by ", " (no doubled commas)."""
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*,[\s,]*", ", ", text)  # one comma and one space between parts
    return text.strip(" ,")


def query_key(query: str, countrycodes: str) -> str:
    return f"{countrycodes}|{collapse(query).casefold()}"


@dataclass(frozen=True)
class Target:
    """One place to geocode: a theatre or a cinema, with its queries in order."""

    site: str  # "tix" or "repertuary"
    place_key: str
    name: str
    city: str
    address: str | None
    queries: tuple[str, ...]
    by_name: bool  # the queries name the place (no address): a POI found is `name` confidence
    box: CityBox | None
    stored: dict[str, Any] | None = field(default=None, compare=False)  # the tix_theatres row (tix)

    @property
    def countrycodes(self) -> str:
        return COUNTRIES[self.site][1]

    @property
    def geocoded_input(self) -> str:
        return f"{collapse(self.address or self.name).casefold()}|{self.city.casefold()}"


def theatre_target(row: dict[str, Any]) -> Target | None:
    city = str(row.get("city") or "")
    box = city_box("tix", city)
    if box is None or not row.get("theatre_id"):
        return None
    address = collapse(str(row.get("address") or "")) or None
    name = collapse(str(row.get("name") or ""))
    what = address or name
    if not what:
        return None
    return Target("tix", str(row["theatre_id"]), name or what, city, address,
                  (f"{what}, {box.name}, {COUNTRIES['tix'][0]}",), by_name=address is None, box=box, stored=row)


def cinema_target(row: dict[str, Any]) -> Target | None:
    city, slug, name = str(row.get("city") or ""), str(row.get("slug") or ""), collapse(str(row.get("name") or ""))
    box = city_box("repertuary", city)
    if box is None or not slug or not name:
        return None
    country = COUNTRIES["repertuary"][0]
    queries = [f"{name}, {box.name}, {country}"]
    short = collapse(CINEMA_WORDS.sub(" ", name))
    if short and short.casefold() != name.casefold():
        queries.append(f"{short}, {box.name}, {country}")
    return Target("repertuary", f"{city}|{slug}", name, city, None, tuple(queries), by_name=True, box=box)


def rank_of(place: Place) -> int:
    """Nominatim's place_rank, or what addresstype/class/type say when the answer has none."""
    if place.place_rank is not None:
        return place.place_rank
    kind = (place.addresstype or "").lower()
    if kind in STREET_ADDRESSTYPES or place.place_class == "highway":
        return 26
    if kind in ("house", "building", "amenity", "shop", "leisure", "tourism") or place.place_class in POI_CLASSES:
        return 30
    if place.place_type in ("house", "building"):
        return 30
    return 16


def confidence(place: Place, by_name: bool) -> str:
    rank = rank_of(place)
    street = place.place_class == "highway" or (place.addresstype or "").lower() in STREET_ADDRESSTYPES
    if rank >= 28 and not street:
        return "name" if by_name else "exact"
    if rank >= 26 or street:
        return "street"
    return "locality"


def distance_m(a: Place, b: Place) -> float:
    mean = math.radians((a.lat + b.lat) / 2)
    dy = (a.lat - b.lat) * 111_320
    dx = (a.lng - b.lng) * 111_320 * math.cos(mean)
    return math.hypot(dx, dy)


@dataclass(frozen=True)
class Outcome:
    status: str  # found / not_found / refused
    place: Place | None = None
    confidence: str | None = None
    ambiguous: bool = False
    refused: tuple[Place, ...] = ()
    reason: str = ""


def decide(places: list[Place], box: CityBox | None, by_name: bool) -> Outcome:
    """What one answer gives for a place of the city ``box``."""
    if not places:
        return Outcome("not_found", reason="the geocoder found nothing")
    inside = [p for p in places if box is None or box.contains(p.lat, p.lng)]
    outside = tuple(p for p in places if p not in inside)
    if not inside:
        return Outcome("refused", refused=outside,
                       reason=f"{len(outside)} answer(s), all outside {box.name if box else 'the city'}'s box")
    best = inside[0]
    rivals = [p for p in inside[1:] if _as_good(p, best) and distance_m(p, best) > SAME_PLACE_M]
    level = confidence(best, by_name)
    reason = f"{level} match"
    if rivals:
        reason += f"; {len(rivals)} other answer(s) as good ({rivals[0].display_name[:80]})"
    if outside:
        reason += f"; {len(outside)} answer(s) outside the city's box ignored"
    return Outcome("found", best, level, bool(rivals), outside, reason)


def _as_good(other: Place, best: Place) -> bool:
    if (other.place_class, other.place_type) != (best.place_class, best.place_type):
        return False
    if other.osm_type == best.osm_type and other.osm_id == best.osm_id and best.osm_id is not None:
        return False
    if best.importance is None or other.importance is None:
        return best.importance is None and other.importance is None
    return best.importance - other.importance < AMBIGUITY
