"""Shared look of every chart: colour-blind-safe palette and the projector switch.

Builders draw marks without fixed sizes and call :func:`finish`, which sets fonts, line widths and
contrast for normal screens or (``projector=True``) for a lecture-hall projector.
"""
from __future__ import annotations

import altair as alt

# Okabe & Ito (2008), ordered for lines on white: yellow last (weak contrast on white).
PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000",
                            "#F0E442")
VANISH_COLOR = "#56B4E9"  # zone fills
EXPLODE_COLOR = "#D55E00"
VANISH_TEXT = "#1F5F8B"  # zone labels: darker shades of the fills, readable on them
EXPLODE_TEXT = "#9A3D00"
WINDOW_COLOR = "#7f7f7f"
OVERFLOW_SHAPE = "triangle-up"
UNDERFLOW_SHAPE = "triangle-down"
MAX_ROWS = 4000  # per chart; the browser, not Python, is the bottleneck above a few thousand
HOVER_ROWS = 600  # per line chart: invisible points that carry the tooltips (Vega re-encodes each on every move)
LINE_WIDTH_PX = 1400  # widest a line chart gets (projector, full width): lines are simplified for this size
# per heat map: each cell is a mark Vega re-encodes on every slider move, ~0.1 ms each on a 2-core machine (1600 ->
# 1100 cells: the GRU page's two heat maps redraw 50-150 ms sooner). 32 units x 34 steps still gives a cell
# 6 px wide or more in a third of a 1280 px screen, where 50 steps gave 4 px (measured: tests/bench/latency.py)
HEATMAP_CELLS = 1100


PROJECTOR_TALLER = 1.3  # charts are this much taller in projector mode (text and legends take more of them)


def sizes(projector: bool) -> dict[str, float]:
    """Font sizes (px), stroke widths and point sizes for the two display modes."""
    if projector:
        return {"label": 18, "title": 20, "chart_title": 22, "line": 4.0, "rule": 3.0, "point": 140,
                "flag": 420, "zone_opacity": 0.22, "grid": 0.45}
    return {"label": 13, "title": 14, "chart_title": 16, "line": 2.2, "rule": 1.6, "point": 50,
            "flag": 200, "zone_opacity": 0.14, "grid": 0.25}


def color_scale(domain: list[str]) -> dict:
    """The categorical palette, assigned in the order of ``domain`` (so a series keeps its colour)."""
    return {"domain": list(domain), "range": [PALETTE[i % len(PALETTE)] for i in range(len(domain))]}


def finish(chart: alt.TopLevelMixin, projector: bool, title: str | None = None) -> alt.TopLevelMixin:
    """Apply fonts, widths and contrast (and an optional title) to a finished chart, in place; in projector mode a
    chart with a fixed height gets ``PROJECTOR_TALLER`` times it.

    The config is assigned as one dict: chained ``configure_*`` calls would deep-copy the chart each time.
    """
    s = sizes(projector)
    if title:
        chart.title = title
    height = chart._kwds.get("height", alt.Undefined)
    if projector and isinstance(height, int):    # larger text and legends: keep the plot itself as tall as before
        chart.height = int(height * PROJECTOR_TALLER)
    # Canvas, not SVG: redrawing after a slider move then costs no DOM updates (measured: ~140 ms less
    # per key press on the vanilla-RNN page). Streamlit reads the renderer from ``usermeta.embedOptions``.
    chart.usermeta = {"embedOptions": {"renderer": "canvas"}}
    ink = "#000000" if projector else "#222222"
    chart.config = {
        "axis": {"labelFontSize": s["label"], "titleFontSize": s["title"], "labelColor": ink, "titleColor": ink,
                 "gridOpacity": s["grid"], "domainColor": ink, "tickColor": ink, "labelLimit": 260,
                 "titleFontWeight": "bold" if projector else "normal"},
        "legend": {"labelFontSize": s["label"], "titleFontSize": s["title"], "labelColor": ink, "titleColor": ink,
                   "symbolStrokeWidth": s["line"], "labelLimit": 320, "orient": "bottom", "columns": 4},
        "title": {"fontSize": s["chart_title"], "color": ink, "anchor": "start"},
        "header": {"labelFontSize": s["title"], "titleFontSize": s["title"], "labelColor": ink},
        "line": {"strokeWidth": s["line"]},
        "rule": {"strokeWidth": s["rule"]},
        "point": {"size": s["point"]},
        "view": {"stroke": "#999999" if projector else "#dddddd"},
    }
    return chart
