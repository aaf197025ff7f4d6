"""``scrapy geocode-review``: the places a person should look at after ``scrapy crawl geocode``."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import TYPE_CHECKING, Any

from cineradar.backends import open_backends
from cineradar.commands import ProjectCommand
from cineradar.geocoding import Target, cinema_target, theatre_target
from cineradar.items import Geocode

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

SECTIONS = {
    "unplaceable": "cannot be geocoded: its city has no box (add it to cineradar/data/geo_cities.json)",
    "pending": "not geocoded yet (new, or its address changed since): run `scrapy crawl geocode`",
    "not_found": "not found by the geocoder (no coordinates)",
    "refused": "refused: every answer lies outside the city's box (no coordinates)",
    "ambiguous": "ambiguous: another answer inside the city is as good (coordinates of the first)",
    "imprecise": "imprecise: only the district or city was found (confidence locality)",
}


class Command(ProjectCommand):
    usage = "[--site tix|repertuary] [--json]"
    summary = "List the theatres and cinemas without coordinates, refused, ambiguous or imprecise"
    description = (
        "Reads the primary storage backend: every TIX.id theatre and repertuary cinema, and its geocoding "
        "(entity geocodes, written by `scrapy crawl geocode`). Prints a summary line, then the places to "
        "review, one per line with its reason: unplaceable (a city without a box), pending (never geocoded, or "
        "its address changed since), "
        "not found, refused (answers outside the city's box, named), ambiguous, imprecise. With --json, "
        "one JSON object {summary, places} instead. Reads only; never sends a request."
    )
    exit_status = ("0  printed (whatever it lists)", "1  the storage could not be opened or read")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", choices=("tix", "repertuary"), help="only this site's places")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        try:
            backends = open_backends(settings)
        except Exception as exc:  # noqa: BLE001 - one line for the user, not a traceback
            print(f"geocode-review: storage could not be opened ({type(exc).__name__}: {exc})")
            return 1
        try:
            primary = backends[0]
            theatres = primary.fetch("tix_theatres") if opts.site in (None, "tix") else []
            cinemas = primary.fetch("repertuary_cinemas") if opts.site in (None, "repertuary") else []
            geocodes = primary.fetch(Geocode.entity)
        except Exception as exc:  # noqa: BLE001
            print(f"geocode-review: reading failed ({type(exc).__name__}: {exc})")
            return 1
        finally:
            for backend in backends:
                backend.close()
        summary, places = review(theatres, cinemas, geocodes)
        if opts.json:
            print(json.dumps({"summary": summary, "places": places}, ensure_ascii=False, default=str))
            return 0
        print("geocode-review: " + ", ".join(f"{n} {k}" for k, n in summary.items()))
        for section, title in SECTIONS.items():
            listed = [p for p in places if p["section"] == section]
            if listed:
                print(f"\n== {title}: {len(listed)}")
                for p in listed:
                    print(f"  {p['site']} {p['place_key']} ({p['name']}, {p['city']}): {p['reason']}")
        print("\nCoordinates: © OpenStreetMap contributors (ODbL), through Nominatim.")
        return 0


def review(theatres: list[dict[str, Any]], cinemas: list[dict[str, Any]],
           geocodes: list[dict[str, Any]]) -> tuple[dict[str, int], list[dict[str, Any]]]:
    """(counts per state, the places to review in SECTIONS order), from stored rows."""
    rows = {(r["site"], r["place_key"]): r for r in geocodes}
    summary: Counter[str] = Counter()
    places: list[dict[str, Any]] = []
    targets: list[Target] = []
    for site, stored, make in (("tix", theatres, theatre_target), ("repertuary", cinemas, cinema_target)):
        for raw in stored:
            target = make(raw)
            if target is None:  # never geocoded: its city has no box, or it has nothing to search by
                summary["unplaceable"] += 1
                key = raw.get("theatre_id") if site == "tix" else f"{raw.get('city')}|{raw.get('slug')}"
                places.append({"site": site, "place_key": key, "name": raw.get("name"), "city": raw.get("city"),
                               "section": "unplaceable", "reason": "no box for its city in "
                               "cineradar/data/geo_cities.json, or no address nor name"})
            else:
                targets.append(target)
    for target in targets:
        row = rows.get((target.site, target.place_key))
        base = {"site": target.site, "place_key": target.place_key, "name": target.name, "city": target.city}
        if row is None or row.get("geocoded_input") != target.geocoded_input:
            summary["pending"] += 1
            places.append(base | {"section": "pending", "reason": "never geocoded" if row is None else
                                  f"input changed since geocoded ({row.get('geocoded_input')!r})"})
            continue
        status = row["status"]
        summary[status] += 1
        if row.get("lat") is not None:
            summary["with coordinates"] += 1
        queries = "; ".join(row.get("queries") or [])
        if status == "not_found":
            kept = f"; coordinates kept from {row['located_query']!r}" if row.get("lat") is not None else ""
            places.append(base | {"section": "not_found", "reason": f"{row.get('reason')} for {queries!r}{kept}"})
        elif status == "refused":
            where = "; ".join(str(r.get("display_name"))[:70] for r in row.get("refused") or [])
            places.append(base | {"section": "refused", "reason": f"{row.get('reason')}: {where}"})
        if row.get("ambiguous"):
            summary["ambiguous"] += 1
            places.append(base | {"section": "ambiguous", "reason": f"{row.get('reason')}; kept "
                                  f"{row.get('display_name')} ({row.get('lat')}, {row.get('lng')})"})
        if status == "found" and row.get("confidence") == "locality":
            summary["imprecise"] += 1
            places.append(base | {"section": "imprecise", "reason": f"only {row.get('display_name')}"})
    summary["places"] = len(theatres) + len(cinemas)
    order = list(SECTIONS)
    places.sort(key=lambda p: (order.index(p["section"]), p["site"], str(p["city"]), str(p["place_key"])))
    keys = ("places", "with coordinates", "found", "pending", "not_found", "refused", "ambiguous", "imprecise",
            "unplaceable")
    return {k: summary[k] for k in keys} | {k: v for k, v in summary.items() if k not in keys}, places
