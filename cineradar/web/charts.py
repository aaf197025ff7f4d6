"""SVG charts (pygal), drawn on the server: inline in the pages and the report, no JavaScript.

pygal adds a small inline script (its tooltips' config) and, unless told otherwise, a script
from its website: neither is wanted (offline, readable without JavaScript), so ``js=[]`` and the
inline one is cut out. Each chart is a figure with a caption and a data table beside it in the
templates, so the numbers are readable as text too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import pygal
from markupsafe import Markup
from pygal.style import Style

STYLE = Style(background="transparent", plot_background="transparent", foreground="#222",
              foreground_strong="#111", foreground_subtle="#555", font_family="system-ui, sans-serif",
              colors=("#1f6feb", "#d9480f", "#2b8a3e", "#862e9c", "#e67700", "#0b7285", "#c92a2a", "#5c940d"),
              label_font_size=12, major_label_font_size=12, title_font_size=15, legend_font_size=12)
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _render(chart: pygal.graph.graph.Graph, label: str) -> Markup:
    svg = chart.render(is_unicode=True)
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg))
    # an image with a name for screen readers; the figure's table carries the numbers
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{Markup.escape(label)}" ', 1)
    return Markup(svg)


def _config(height: int) -> dict[str, object]:
    return {"js": [], "disable_xml_declaration": True, "style": STYLE, "width": 720, "height": height,
            "explicit_size": False, "print_values": False, "show_legend": False, "truncate_label": 40}


def bars(title: str, labels: Sequence[str], values: Sequence[float], *, unit: str = "%",
         max_value: float | None = 100) -> Markup:
    """Horizontal bars, one per label (e.g. occupancy % per city), each with its value printed."""
    return _bars(title, tuple(labels), tuple(float(v) for v in values), unit, max_value)


# pygal takes 5-20 ms a bar chart (83 cities: about 14 ms); a past day's chart never changes, so
# each is drawn once per process for the same data (the data is the key: new figures, a new chart)
@lru_cache(maxsize=256)
def _bars(title: str, labels: tuple[str, ...], values: tuple[float, ...], unit: str,
          max_value: float | None) -> Markup:
    chart = pygal.HorizontalBar(**_config(max(160, 26 * len(labels) + 80)),
                                range=(0, max_value) if max_value else None)
    chart.print_values = True  # each value at its bar: readable without pygal's tooltips (script cut out)
    chart.value_formatter = _number
    chart.title = title
    chart.x_labels = list(labels)
    chart.add(unit, list(values))
    return _render(chart, title)


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if value % 1 else f"{value:,.0f}"


def lines(title: str, dates: Sequence[str], series: dict[str, Sequence[float | None]]) -> Markup:
    """One line per series over dates (e.g. occupancy % per chain over 30 days)."""
    return _lines(title, tuple(dates), tuple((k, tuple(v)) for k, v in series.items()))


@lru_cache(maxsize=256)
def _lines(title: str, dates: tuple[str, ...], series: tuple[tuple[str, tuple[float | None, ...]], ...]) -> Markup:
    config = _config(320) | {"show_legend": True, "legend_at_bottom": True, "x_label_rotation": 30,
                             "show_minor_x_labels": False, "range": (0, 100)}
    chart = pygal.Line(**config)
    chart.title = title
    chart.x_labels = [d[5:] for d in dates]
    chart.x_labels_major = [d[5:] for d in dates[:: max(1, len(dates) // 8)]]
    for name, values in series:
        # no dots (pygal's costliest part, and their tooltips need its script, which is cut out),
        # except on a series with a point alone between gaps, which a line alone would not show
        alone = any(v is not None and (i == 0 or values[i - 1] is None) and (i + 1 == len(values)
                    or values[i + 1] is None) for i, v in enumerate(values))
        chart.add(name, list(values), show_dots=alone)
    return _render(chart, title)
