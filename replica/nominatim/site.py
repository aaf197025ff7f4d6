"""The Nominatim /search endpoint (https://nominatim.org/release-docs/latest/api/Search/), as the
public service answers it: a JSON array (``format=json``: the main tag's key as ``class``;
``jsonv2``: as ``category``; both with place_rank and addresstype, as Nominatim 4+), numbers of
coordinates and bounding boxes as strings, ``limit`` (default 10, at most 40), ``countrycodes``.
A missing ``q`` is a 400 with an error object; any other format a 400 too (the replica serves
json and jsonv2 only). Faults (429, 5xx, latency...) are the core's, with ``site=nominatim``.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from replica.core import Context
from replica.nominatim.data import LICENCE, Answer, NominatimDataset, search

FORMATS = ("json", "jsonv2")


def _place(answer: Answer, fmt: str) -> dict[str, Any]:
    half = answer.half_size
    box = [answer.lat - half, answer.lat + half, answer.lng - half, answer.lng + half]
    place: dict[str, Any] = {"place_id": answer.place_id, "licence": LICENCE, "osm_type": answer.osm_type,
                             "osm_id": answer.osm_id, "lat": f"{answer.lat:.7f}", "lon": f"{answer.lng:.7f}"}
    place["category" if fmt == "jsonv2" else "class"] = answer.place_class
    place.update({"type": answer.place_type, "place_rank": answer.place_rank, "importance": answer.importance,
                  "addresstype": answer.addresstype, "name": answer.name, "display_name": answer.display_name,
                  "boundingbox": [f"{v:.7f}" for v in box]})
    return place


def _error(message: str) -> web.Response:
    return web.json_response({"error": {"code": 400, "message": message}}, status=400)


def build_app(ctx: Context, ds: NominatimDataset) -> web.Application:
    async def handle_search(request: web.Request) -> web.Response:
        query = request.query
        q = query.get("q", "").strip()
        if not q:
            return _error("Nothing to search for.")
        fmt = query.get("format", "jsonv2")  # the default of /search since Nominatim 4.4
        if fmt not in FORMATS:
            return _error(f"Parameter 'format' must be one of: {', '.join(FORMATS)} (replica).")
        try:
            limit = max(1, min(40, int(query.get("limit", "10"))))
        except ValueError:
            return _error("Integer expected for parameter 'limit'")
        codes = [c.strip().lower() for c in query.get("countrycodes", "").split(",") if c.strip()]
        answers = search(ds, q, codes)[:limit]
        return web.json_response([_place(a, fmt) for a in answers], headers={"Access-Control-Allow-Origin": "*"})

    app = web.Application()
    app.router.add_get("/search", handle_search)
    app.router.add_get("/search.php", handle_search)
    return app
