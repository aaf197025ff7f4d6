"""The theatres' map: Indonesia's outline from Natural Earth (npm package world-atlas, TopoJSON,
installed by `npm ci`; no tile server, works offline) with each geocoded theatre as a dot
coloured by chain, drawn as one SVG on the server."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

ROOT = Path(__file__).resolve().parents[2]
OUTLINE_FILE = ROOT / "node_modules" / "world-atlas" / "countries-50m.json"
INDONESIA = "360"  # ISO 3166-1 numeric, the TopoJSON geometry id
BOUNDS = (94.5, 141.5, -11.5, 6.5)  # lon min, lon max, lat min, lat max
WIDTH = 900
CHAIN_COLOURS = {"XXI": "#b42318", "CGV": "#0b57d0", "Cinépolis": "#1a7f37"}
OTHER_COLOUR = "#6e7781"
ATTRIBUTION = "Country outline: Natural Earth (public domain), via the world-atlas package."


def _project(lon: float, lat: float) -> tuple[float, float]:
    lon0, lon1, lat0, lat1 = BOUNDS
    k = WIDTH / (lon1 - lon0)
    return round((lon - lon0) * k, 1), round((lat1 - lat) * k, 1)


def height() -> float:
    return _project(BOUNDS[0], BOUNDS[2])[1]


@lru_cache(maxsize=2)
def outline_path(path: Path = OUTLINE_FILE) -> str | None:
    """The SVG path data of Indonesia's outline, or None when the file is not installed."""
    try:
        topo = json.loads(path.read_text())
    except OSError:
        return None
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:  # quantized, delta-encoded positions
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    geometry = next(g for g in topo["objects"]["countries"]["geometries"] if g.get("id") == INDONESIA)
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            ring_points: list[tuple[float, float]] = []
            for index in ring:
                arc = arcs[index] if index >= 0 else arcs[~index][::-1]
                ring_points.extend(arc if not ring_points else arc[1:])
            projected = [_project(lon, lat) for lon, lat in ring_points]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in projected) + "Z")
    return "".join(parts)


def theatre_map(theatres: list[dict[str, Any]]) -> tuple[Markup, str]:
    """(the SVG, its caption) for these theatres; those without coordinates are counted, not drawn."""
    placed = [t for t in theatres if t.get("lat") is not None and t.get("lng") is not None]
    outline = outline_path()
    h = height()
    dots = []
    for t in placed:
        x, y = _project(float(t["lng"]), float(t["lat"]))
        colour = CHAIN_COLOURS.get(t.get("merchant") or "", OTHER_COLOUR)
        dots.append(f'<circle class="theatre chain-{escape(t.get("merchant") or "unknown")}" cx="{x}" cy="{y}" r="4" '
                    f'fill="{colour}" stroke="#fff" stroke-width="1"><title>{escape(t["name"])} '
                    f'({escape(t.get("merchant") or "?")}, {escape(t["city"])})</title></circle>')
    legend = "".join(
        f'<g transform="translate({12 + i * 110},{h - 16})"><circle r="5" cx="5" cy="-4" fill="{c}"></circle>'
        f'<text x="14" y="0" font-size="13" fill="#222">{escape(name)}</text></g>'
        for i, (name, c) in enumerate(CHAIN_COLOURS.items()))
    shape = (f'<path class="outline" d="{outline}" fill="#e8eef4" stroke="#8094a8" stroke-width="0.6"></path>'
             if outline else f'<text x="20" y="40" font-size="14">Outline not installed ({OUTLINE_FILE.name}: run '
                             'npm ci)</text>')
    svg = (f'<svg class="map" role="img" aria-label="Map of {len(placed)} theatres by chain" '
           f'viewBox="0 0 {WIDTH} {h}" width="100%">{shape}{"".join(dots)}{legend}</svg>')
    caption = (f"{len(placed)} of {len(theatres)} theatres have coordinates (geocoding fills lat/lng); "
               f"{ATTRIBUTION}")
    return Markup(svg), caption
