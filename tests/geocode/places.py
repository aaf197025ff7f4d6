"""The replica's theatres and cinemas stored as the crawlers store them (the geocode spider's input)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cineradar.backends import SPECS
from cineradar.items import RepertuaryCinema, TixTheatre
from cineradar.parsers.repertuary import cinema_name
from cineradar.storage.sqlite import SQLiteStorage


def seed_places(db: Path, truth: dict[str, Any], tix_cities: set[str] | None = None,
                repertuary_cities: set[str] | None = None) -> set[tuple[str, str]]:
    """Store the theatres and cinemas (optionally of some cities only); return their (site, key)."""
    store = SQLiteStorage(db)
    store.open(SPECS)
    theatres, cinemas, keys = [], [], set()
    for t in truth["tix"]["theatres"]:
        if tix_cities is not None and t["city"] not in tix_cities:
            continue
        theatres.append(TixTheatre.model_validate({
            "theatre_id": t["theatre_id"], "name": t["name"], "merchant": t["merchant"], "city": t["city"],
            "address": re.sub(r"\s+", " ", t["address"]).strip(), "room_types": t["room_categories"],
            "last_seen": truth["tix"]["date"]}).row())
        keys.add(("tix", t["theatre_id"]))
    for city, data in truth["repertuary"]["cities"].items():
        if repertuary_cities is not None and city not in repertuary_cities:
            continue
        for c in data["cinemas"]:
            cinemas.append(RepertuaryCinema.model_validate(
                {"city": city, "slug": c["slug"], "name": cinema_name(c["slug"])}).row())
            keys.add(("repertuary", f"{city}|{c['slug']}"))
    store.upsert("tix_theatres", theatres)
    store.upsert("repertuary_cinemas", cinemas)
    store.close()
    return keys
