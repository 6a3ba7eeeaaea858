"""Shared look of every chart: one colour per model, reference-line styles, the log-axis format and the projector
switch.

Builders draw marks without fixed sizes and call :func:`finish`, which sets fonts, line widths and
contrast for normal screens or (``projector=True``) for a lecture-hall projector. Builders that draw named series
take a ``colors`` mapping (series name -> colour or :class:`Style`), built by the pages from the tables here:

    colors = styles({tanh_label: "tanh", bound_label: "bound", cell_label: ("lstm", "dark")})

Models keep one Okabe-Ito hue on every page (``MODEL_COLORS``); variants of a model (the LSTM's cell path and full
state, the LSTM with b_f = 1 and b_f = 0, a GRU's direct path) keep the hue in another shade (``shade``); reference
lines (bounds, powers, baselines, thresholds, finish lines: ``REFERENCES``) are black or grey with their own dash
pattern and never take a model's colour.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

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


# One hue per model, the same on every page (Okabe & Ito 2008; black is left to the reference lines). tanh and sigmoid
# are one family (sigmoid(a) = (1 + tanh(a/2)) / 2): dark and light blue; ReLU and the IRNN (a ReLU RNN started at
# W_hh = I) vermillion and orange. Okabe-Ito's yellow is too faint on white for a line: the linear RNN's is the same
# hue, darkened (it must stand apart from the IRNN orange it often lies on).
MODEL_COLORS: dict[str, str] = {
    "tanh": "#0072B2",      # the vanilla RNN (tanh)
    "sigmoid": "#56B4E9",
    "relu": "#D55E00",
    "linear": "#6B6B00",
    "irnn": "#E69F00",
    "lstm": "#009E73",
    "gru": "#CC79A7",
}
MODEL_ALIASES = {"rnn": "tanh", "vanilla": "tanh", "vanilla_rnn": "tanh"}   # the ids other tables use (core.train)
SHADES = {"base": 0.0, "dark": -0.42, "light": 0.45}   # a model's variants: mixed towards black (-) or white (+)

# Dash patterns (px on, px off). "over": a series that lies on an earlier one of its chart (within a line's width)
# is drawn with it, in gaps long enough to see the line underneath (``ui.charts.overlap``).
DASHES: dict[str, list[int]] = {"solid": [1, 0], "dash": [8, 5], "dot": [2, 4], "dashdot": [10, 4, 2, 4],
                                "over": [7, 7]}


@dataclass(frozen=True)
class Style:
    """How a series is drawn: its colour and a dash pattern (a key of ``DASHES``)."""

    color: str
    dash: str = "solid"


# Reference lines: greys and black, each with its own dash pattern, never a model's colour.
REFERENCES: dict[str, Style] = {
    "bound": Style("#333333", "dash"),          # an upper bound, e.g. (gamma sigma_max)^(T-k)
    "power": Style("#777777", "dot"),           # a power law, e.g. rho^(T-k), sigma(b_f)^(T-k)
    "baseline": Style("#333333", "dash"),       # the loss of the best constant answer
    "threshold": Style("#555555", "dashdot"),   # a clipping threshold, a cap, the memory race's finish line
}
REFERENCES["finish"] = REFERENCES["threshold"]
# Page 5 compares clipping rules on one model: its colours code the rule (the same rule in both tabs).
RULE_COLORS: dict[str, str] = {"none": "#D55E00", "norm": "#0072B2", "value": "#009E73"}
# Page 5's cut through the cliff: two quantities of one unit (no model, no rule).
CLIFF_COLORS: dict[str, str] = {"loss": "#E69F00", "slope": "#CC79A7"}
# Page 7's runners (core.scenarios.memory_race.RUNNERS) and its two reference lines.
RUNNER_STYLES: dict[str, str | tuple[str, str]] = {"rnn": "tanh", "irnn": "irnn", "lstm0": ("lstm", "dark"),
                                                   "lstm": "lstm", "gru": "gru", "baseline": "baseline",
                                                   "threshold": "finish"}


def shade(color: str, amount: float) -> str:
    """``color`` mixed with black (``amount`` < 0) or white (> 0) by ``|amount|``."""
    rgb = [int(color[i:i + 2], 16) for i in (1, 3, 5)]
    end = 255 if amount > 0 else 0
    return "#" + "".join(f"{round(c + abs(amount) * (end - c)):02X}" for c in rgb)


def style(key: str | tuple[str, str] | Style) -> Style:
    """The style of a model (``"lstm"``), a model's variant (``("lstm", "dark")``), a reference (``"bound"``)."""
    if isinstance(key, Style):
        return key
    model, tone = key if isinstance(key, tuple) else (key, "base")
    model = MODEL_ALIASES.get(model, model)
    if model in MODEL_COLORS:
        return Style(shade(MODEL_COLORS[model], SHADES[tone]) if tone != "base" else MODEL_COLORS[model])
    if model in REFERENCES and tone == "base":
        return REFERENCES[model]
    raise KeyError(f"no model or reference line {key!r} in the colour table")


def model_color(key: str | tuple[str, str]) -> str:
    """The colour of a model or a variant (``"gru"``, ``("lstm", "dark")``)."""
    return style(key).color


def styles(keys: Mapping[str, str | tuple[str, str] | Style]) -> dict[str, Style]:
    """Series name -> :class:`Style` from series name -> a key of the tables (see :func:`style`)."""
    return {name: style(key) for name, key in keys.items()}


def rule_styles(names: Mapping[str, str]) -> dict[str, Style]:
    """Series name -> style for page 5's clipping rules (``names``: series name -> rule id)."""
    return {name: Style(RULE_COLORS[rule]) for name, rule in names.items()}


def series_styles(names: list[str], colors: Mapping[str, str | Style] | None,
                  refs: Iterable[str] = ()) -> dict[str, Style]:
    """Every series' style: from ``colors`` (name -> colour or Style), else the palette in order (charts whose
    series are not models, and the tests); a reference line (``refs``) without an entry is dashed."""
    colors, refs = colors or {}, set(refs)
    out = {}
    for i, name in enumerate(names):
        c = colors.get(name)
        out[name] = c if isinstance(c, Style) else Style(c or PALETTE[i % len(PALETTE)],
                                                         "dash" if c is None and name in refs else "solid")
    return out


def style_scale(names: list[str], colors: Mapping[str, str | Style] | None) -> dict:
    """A colour scale for ``names`` taking each series' colour from ``colors`` (see :func:`series_styles`)."""
    found = series_styles(names, colors)
    return {"domain": list(names), "range": [found[name].color for name in names]}


def row_dash(field: str = "dash") -> dict:
    """A line's dash pattern from its rows' ``field`` (a key of ``DASHES``), by tests on the row, not a scale.

    A field channel (``strokeDash: {"field": "dash"}``) would make the key part of the line's grouping: Vega-Lite
    draws one path group per (series, dash), and Vega keeps path groups in the order they first appeared. When new
    data (a rerun's, or the scrub's next member) turn a line's key from ``"solid"`` to ``"over"``, its group is a new
    one and goes to the end, on top of every other line, while a fresh chart with the same data draws it in its
    series' place: the draw order depended on the chart's history. With the tests, the groups are the series
    (the colour's domain, fixed by the spec) and every path takes its pattern from its first row. ``"solid"`` is
    tested first: most lines pass the first test.
    """
    *tested, last = DASHES
    return {"condition": [{"test": f"datum.{field} == {json.dumps(key)}", "value": DASHES[key]} for key in tested],
            "value": DASHES[last]}


def text_px(text: str, size: float) -> float:
    """Rough width in px of a bold label (CJK characters are square, Latin ones about 0.62 em)."""
    return sum(size if ord(ch) > 0x2E80 else 0.62 * size for ch in text) + 6


LEGEND_SYMBOL = 30  # px: a legend's stroke symbol with its gap, long enough to show a dash pattern


def legend_columns(names: list[str], width: float, size: float) -> int:
    """How many legend entries fit side by side in ``width`` px (at most 4; Vega cuts a legend wider than its
    chart): the most columns whose widest entries, one per column, add up to at most ``width``."""
    widths = [text_px(name, size) + LEGEND_SYMBOL + 8 for name in names] or [0.0]
    for cols in range(min(4, len(widths)), 1, -1):
        if sum(max(widths[c::cols]) for c in range(cols)) <= width:
            return cols
    return 1


def legend_row(s: dict) -> int:
    """Height (px) of one legend row at the sizes ``s`` (:func:`sizes`)."""
    return int(s["label"] * 1.6)


def dash_legend(names: list[str], colors: Mapping[str, str | Style] | None, width: float | None = None,
                size: float = 13) -> dict:
    """A colour legend whose symbols are line strokes in each series' own dash pattern; with the chart's plot
    ``width`` (px) and the label font ``size``, as many columns as fit (:func:`legend_columns`)."""
    found = series_styles(names, colors)
    dashed = {name: DASHES[st.dash] for name, st in found.items() if st.dash != "solid"}
    legend: dict = {"symbolType": "stroke", "symbolSize": LEGEND_SYMBOL ** 2 // 2}
    if width is not None:
        legend["columns"] = legend_columns(names, width, size)
    if dashed:
        table = ", ".join(f"{_js(name)}: {DASHES[found[name].dash]}" for name in dashed)
        legend["symbolDash"] = {"expr": f"({{{table}}})[datum.value] || [1, 0]"}   # per entry: Vega evaluates it
                                                                                 # for each legend symbol
    return legend


def _js(text: str) -> str:
    import json
    return json.dumps(text, ensure_ascii=False)


# Log-scaled axes, one rule on every page: plain decimals from 0.001 to 9999, else 1e±k (2.5e-7, 1e20).
LOG_LABELS = ("abs(datum.value) >= 0.001 && abs(datum.value) < 10000 ? format(datum.value, '~g') : "
              "replace(format(datum.value, '.2~e'), 'e+', 'e')")
LOG_AXIS = {"labelExpr": LOG_LABELS}
LOG_TICKS = 7   # at most this many labelled decades on a log axis


def log_axis(scale: str = "y") -> dict:
    """The axis of the log scale named ``scale`` (Vega's name: "y", or "layer_0_y" for a layer's own scale): ticks
    at whole decades (every 1st, 2nd, 5th, ... decade: at most ``LOG_TICKS``), labelled by ``LOG_LABELS``. Left to
    Vega, a log axis ticks 1..9 x 10^k and its overlap rule drops labels irregularly (0.9, 0.1, 0.02, 0.003,
    4e-4 ...). The tick count is an expression of the scale's domain (``log_tick_count``), so the spec does not
    depend on the data: a chart whose data change is updated in place, not embedded again. A domain with fewer than
    two whole decades keeps Vega's ticks."""
    return {**LOG_AXIS, "tickCount": {"expr": log_tick_count(scale)}}


def log_tick_count(scale: str) -> str:
    """Vega expression: the tick count that makes d3's log ticks whole decades (d3 ticks powers of ten only when
    the domain spans at least ``count`` decades, and then at a nice stride: 1, 2, 5, 10 ... decades)."""
    d = f"domain('{scale}')"
    whole = (f"(floor(log(max({d}[0], {d}[1])) / LN10 + 1e-9) - "
             f"ceil(log(min({d}[0], {d}[1])) / LN10 - 1e-9))")
    return f"{whole} >= 2 ? min({LOG_TICKS}, {whole}) : 10"


def log_label(value: float) -> str:
    """What ``LOG_LABELS`` writes for ``value`` (the same rule in Python: CSV headers, tests)."""
    if 0.001 <= abs(value) < 10000:
        return f"{value:g}"
    mant, exp = f"{value:.2e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


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


def edge_room(chart: alt.TopLevelMixin, projector: bool) -> alt.TopLevelMixin:
    """Padding on the right for a chart whose last x label is centred on the plot's right end (half of it would
    stick out of the canvas and be cut); in place."""
    chart.padding = {"left": 5, "top": 5, "bottom": 5, "right": int(sizes(projector)["label"] * 1.2)}
    return chart


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
    # Streamlit's autosize ("fit" to the container, padding included) with ``resize``: Vega fits the plot to the
    # bounds of everything drawn once, when the chart is embedded, and keeps that size when only the data change
    # (a rerun's new data, the scrub). Bounds that differ by a pixel (page 6's influence chart at H = 16 and 19)
    # then left the updated chart a pixel shorter than a fresh one with the same data: a link did not reproduce it.
    chart.autosize = {"type": "fit", "contains": "padding", "resize": True}
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
