"""Where every replica theatre and cinema is, as a Nominatim would answer for it, and the truth.

Deterministic from the replica's own data (seed, theatre ids, cinema slugs) and the city table
replica/data/geo_cities.json (city centres, see its "source"). Each place gets a kind, drawn
from a hash of its key:

=============  ======================================================================  =========
kind           what /search answers for its queries                                    TIX / PL
=============  ======================================================================  =========
exact          the building (TIX: shop=mall, PL: amenity=cinema), place_rank 30        rest
street         TIX: only its street (highway=primary, rank 26)                          8 %
locality       TIX: only its district (place=suburb, rank 19)                           6 %
ambiguous      two equally good answers inside the city, 1-3 km apart                   5 / 3 %
outside        one answer in another city (the same street name elsewhere): refused      3 / 3 %
missing        nothing (an empty array)                                                 4 / 5 %
fallback_only  PL: the full name finds nothing, the name without "kino" finds it        - / 15 %
=============  ======================================================================  =========

Kino Pod Baranami in Kraków is at its real coordinates (50.0616286, 19.9353217, the original's
geocoding example). Queries are matched on their words (case-folded, punctuation ignored), so
"<address>, <City>, Indonesia" and "<name>, <City>, Poland" find a place whatever the spacing.
"""

from __future__ import annotations

import json
import math
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from replica.core import stable_seed

CITIES_FILE = Path(__file__).resolve().parent.parent / "data" / "geo_cities.json"
LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"
COUNTRY = {"tix": ("Indonesia", "id"), "repertuary": ("Polska", "pl")}
QUERY_COUNTRY = {"tix": "Indonesia", "repertuary": "Poland"}
POD_BARANAMI = (50.0616286, 19.9353217)
CINEMA_WORD = re.compile(r"\b(kino|cinema)\b(?!\s+city)", re.IGNORECASE)


def words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"[^\W_]+", text.casefold()))


@dataclass
class Answer:
    """One result as Nominatim stores it (the JSON is built per format in site.py)."""

    lat: float
    lng: float
    place_class: str
    place_type: str
    addresstype: str
    place_rank: int
    importance: float
    name: str
    display_name: str
    osm_type: str
    osm_id: int
    place_id: int
    country_code: str
    half_size: float = 0.0003  # degrees: the bounding box around the point


@dataclass
class ReplicaPlace:
    site: str
    key: str
    name: str
    city: str
    kind: str
    answers: list[Answer]  # what a matching query gets
    queries: dict[tuple[str, ...], bool] = field(default_factory=dict)  # words -> answered (False: [])


@dataclass
class NominatimDataset:
    places: list[ReplicaPlace]
    index: dict[tuple[str, ...], list[Answer]]  # query words -> answers


def _cities() -> dict[str, Any]:
    return json.loads(CITIES_FILE.read_text(encoding="utf-8"))


def _kind(site: str, key: str, seed: int, can_fall_back: bool) -> str:
    roll = stable_seed("nominatim", seed, site, key) % 100
    if site == "tix":
        for kind, upto in (("missing", 4), ("outside", 7), ("ambiguous", 12), ("street", 20), ("locality", 26)):
            if roll < upto:
                return kind
        return "exact"
    for kind, upto in (("missing", 5), ("outside", 8), ("ambiguous", 11)):
        if roll < upto:
            return kind
    return "fallback_only" if roll < 26 and can_fall_back else "exact"


def _point(rng: random.Random, city: dict[str, Any], spread: float = 0.5) -> tuple[float, float]:
    """A point well inside the city's box (at most ``spread`` of its half-size from the centre)."""
    radius = city["half"] * spread * math.sqrt(rng.random())
    angle = rng.random() * 2 * math.pi
    return round(city["lat"] + radius * math.sin(angle), 7), round(city["lon"] + radius * math.cos(angle), 7)


def _apart(rng: random.Random, city: dict[str, Any], first: Answer) -> tuple[float, float]:
    """A point of the city at least about a kilometre from ``first`` (a homonym, not the same place)."""
    while True:
        at = _point(rng, city)
        if abs(at[0] - first.lat) + abs(at[1] - first.lng) > 0.012:
            return at


def _elsewhere(rng: random.Random, table: dict[str, Any], city_key: str) -> tuple[dict[str, Any], tuple[float, float]]:
    """A point in another city whose box does not overlap this city's."""
    own = table[city_key]
    far = [c for k, c in sorted(table.items()) if k != city_key
           and (abs(c["lat"] - own["lat"]) > c["half"] + own["half"] + 0.05
                or abs(c["lon"] - own["lon"]) > c["half"] + own["half"] + 0.05)]
    other = rng.choice(far)
    return other, _point(rng, other, 0.3)


def _answer(rng: random.Random, site: str, at: tuple[float, float], cls: str, typ: str, addresstype: str,
            rank: int, name: str, where: str) -> Answer:
    country_name, code = COUNTRY[site]
    return Answer(lat=at[0], lng=at[1], place_class=cls, place_type=typ, addresstype=addresstype, place_rank=rank,
                  importance=round(0.1 + rng.random() * 0.3, 6), name=name,
                  display_name=", ".join(p for p in (name, where, country_name) if p),
                  osm_type=rng.choice(("node", "way", "way", "relation")), osm_id=rng.randint(10**7, 10**10),
                  place_id=rng.randint(10**6, 4 * 10**8), country_code=code,
                  half_size=0.0003 if rank >= 28 else 0.004 if rank >= 26 else 0.03)


def _street(address: str) -> str:
    match = re.search(r"Jl\.\s*([^,\r\n]+?)\s+No\.", address)
    return f"Jalan {match[1].strip()}" if match else "Jalan Raya"


def build_dataset(tix_ds: Any, rep_ds: Any, seed: int) -> NominatimDataset:
    table = _cities()
    places: list[ReplicaPlace] = []
    for theatre in tix_ds.theatres:
        city = table["tix"][theatre.city.name]
        rng = random.Random(stable_seed("nominatim-place", seed, "tix", theatre.id))
        kind = _kind("tix", theatre.id, seed, can_fall_back=False)
        street, title = _street(theatre.address), theatre.name.title()
        where = f"{street}, {city['name']}"
        answers: list[Answer] = []
        if kind in ("exact", "ambiguous"):
            answers.append(_answer(rng, "tix", _point(rng, city), "shop", "mall", "shop", 30, title, where))
            if kind == "ambiguous":  # the same mall name on another street of the city, as important
                twin = _answer(rng, "tix", _apart(rng, city, answers[0]), "shop", "mall", "shop", 30, title,
                               f"Jalan {rng.choice(['Merdeka', 'Sudirman', 'Gatot Subroto'])}, {city['name']}")
                twin.importance = round(answers[0].importance - 0.01, 6)
                answers.append(twin)
        elif kind == "street":
            answers.append(_answer(rng, "tix", _point(rng, city), "highway", "primary", "road", 26, street,
                                   city["name"]))
        elif kind == "locality":
            answers.append(_answer(rng, "tix", _point(rng, city), "place", "suburb", "suburb", 19,
                                   f"Kecamatan {rng.choice(['Tengah', 'Utara', 'Selatan', 'Timur', 'Barat'])}",
                                   city["name"]))
        elif kind == "outside":
            other, at = _elsewhere(rng, table["tix"], theatre.city.name)
            answers.append(_answer(rng, "tix", at, "highway", "primary", "road", 26, street, other["name"]))
        place = ReplicaPlace("tix", theatre.id, theatre.name, theatre.city.name, kind, answers)
        place.queries[words(f"{theatre.address}, {city['name']}, {QUERY_COUNTRY['tix']}")] = True
        places.append(place)
    for city_key, data in sorted(rep_ds.cities.items()):
        city = table["repertuary"][city_key]
        for cinema in data.cinemas:
            # What a client may know of the name: the site's own, and the one derived from the slug.
            names = list(dict.fromkeys([cinema.name, " ".join(w.capitalize() for w in re.split(r"[-/]", cinema.slug))]))
            short = [CINEMA_WORD.sub(" ", n) for n in names if CINEMA_WORD.search(n)]
            key = f"{city_key}|{cinema.slug}"
            rng = random.Random(stable_seed("nominatim-place", seed, "repertuary", key))
            kind = _kind("repertuary", key, seed, can_fall_back=bool(short))
            if city_key == "krakow" and cinema.slug == "kino-pod-baranami":
                kind = "exact"
            at = POD_BARANAMI if kind == "exact" and cinema.slug == "kino-pod-baranami" else _point(rng, city)
            answers = []
            if kind in ("exact", "ambiguous", "fallback_only"):
                answers.append(_answer(rng, "repertuary", at, "amenity", "cinema", "amenity", 30, cinema.name,
                                       f"{city['name']}, województwo"))
                if kind == "ambiguous":  # a homonym: another cinema of that name in the city
                    twin = _answer(rng, "repertuary", _apart(rng, city, answers[0]), "amenity", "cinema", "amenity", 30,
                                   cinema.name, f"{city['name']}, województwo")
                    twin.importance = round(answers[0].importance - 0.02, 6)
                    answers.append(twin)
            elif kind == "outside":
                other, far = _elsewhere(rng, table["repertuary"], city_key)
                answers.append(_answer(rng, "repertuary", far, "amenity", "cinema", "amenity", 30, cinema.name,
                                       f"{other['name']}, województwo"))
            place = ReplicaPlace("repertuary", key, cinema.name, city_key, kind, answers)
            country = QUERY_COUNTRY["repertuary"]
            for name in names:
                place.queries[words(f"{name}, {city['name']}, {country}")] = kind != "fallback_only"
            for name in short:
                place.queries[words(f"{name}, {city['name']}, {country}")] = kind != "missing"
            places.append(place)
    index: dict[tuple[str, ...], list[Answer]] = {}
    for place in places:
        for query, answered in place.queries.items():
            found = place.answers if answered else []
            index[query] = index.get(query, []) + [a for a in found if a not in index.get(query, [])]
    return NominatimDataset(places, index)


def search(ds: NominatimDataset, q: str, countrycodes: list[str]) -> list[Answer]:
    answers = ds.index.get(words(q), [])
    if countrycodes:
        answers = [a for a in answers if a.country_code in countrycodes]
    return sorted(answers, key=lambda a: -a.importance)


def truth(ds: NominatimDataset) -> dict[str, Any]:
    """Per place: its kind, what a perfect geocoder run stores (status, coordinates) and its queries."""
    out = []
    for place in ds.places:
        status = {"missing": "not_found", "outside": "refused"}.get(place.kind, "found")
        best = max(place.answers, key=lambda a: a.importance) if place.answers and status == "found" else None
        out.append({"site": place.site, "key": place.key, "name": place.name, "city": place.city,
                    "kind": place.kind, "status": status, "ambiguous": place.kind == "ambiguous",
                    "lat": best.lat if best else None, "lng": best.lng if best else None,
                    "osm_type": best.osm_type if best else None, "osm_id": best.osm_id if best else None})
    return {"places": out}
