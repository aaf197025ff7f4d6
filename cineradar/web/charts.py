"""SVG charts, drawn on the server: inline in the pages and the report, no JavaScript. Line charts
(trends: axes, dates, a legend) by pygal; horizontal bars drawn here (``_bars``: cheaper).

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


# Drawn here, not by pygal: a bar chart is a few rectangles and texts, which pygal took 5-20 ms to
# draw (its configuration lookups), and the TIX.id day draws three of them for every day viewed.
# Same style (STYLE's colours and fonts), a 0-max scale with guides, the value at each bar's end
# (readable without pygal's JavaScript tooltips, which are cut out anyway).
BAR_WIDTH, LABEL_WIDTH, ROW = 720, 230, 24


@lru_cache(maxsize=256)
def _bars(title: str, labels: tuple[str, ...], values: tuple[float, ...], unit: str,
          max_value: float | None) -> Markup:
    top = max(max_value or 0.0, *values, 1e-9) if values else (max_value or 1.0)
    left, right = LABEL_WIDTH + 10, BAR_WIDTH - 60
    span = right - left
    height = 48 + ROW * len(labels) + 28
    esc = Markup.escape
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="bars" viewBox="0 0 {BAR_WIDTH} {height}" role="img" '
           f'aria-label="{esc(title)}" font-family="{STYLE.font_family}" font-size="{STYLE.label_font_size}">',
           f'<text x="{BAR_WIDTH / 2}" y="22" text-anchor="middle" font-size="{STYLE.title_font_size}" '
           f'fill="{STYLE.foreground_strong}">{esc(title)}</text>']
    axis = 48 + ROW * len(labels)
    for i in range(5):
        x = left + span * i / 4
        out.append(f'<line x1="{x:.1f}" y1="40" x2="{x:.1f}" y2="{axis}" stroke="#d0d7de"/>'
                   f'<text x="{x:.1f}" y="{axis + 16}" text-anchor="middle" fill="{STYLE.foreground_subtle}">'
                   f'{_number(top * i / 4)}</text>')
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 48 + ROW * i
        width = span * max(0.0, value) / top
        shown = label if len(label) <= 26 else label[:25] + "…"
        out.append(f'<g><title>{esc(label)}: {_number(value)} {esc(unit)}</title>'
                   f'<text x="{LABEL_WIDTH}" y="{y + ROW / 2 + 4}" text-anchor="end" fill="{STYLE.foreground}">'
                   f'{esc(shown)}</text>'
                   f'<rect x="{left}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" fill="{STYLE.colors[0]}"/>'
                   f'<text x="{left + width + 4:.1f}" y="{y + ROW / 2 + 4}" fill="{STYLE.foreground}">'
                   f'{_number(value)}</text></g>')
    out.append("</svg>")
    return Markup("".join(out))


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
