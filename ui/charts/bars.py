"""Bar chart of one value per category or per step (e.g. each time step's share of dL/dW_hh).

Bars that would leave the visible range (±inf included) are cut at the edge and topped with a triangle
whose tooltip says overflow/underflow; the tooltip always shows the exact value.
"""
from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, auto_domain, clamp_frame, fmt_value, thin
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import MAX_ROWS, OVERFLOW_SHAPE, PALETTE, UNDERFLOW_SHAPE, Style, finish, sizes, style_scale
from ui.charts.vl import FREE, chart, extent_layer, layer, n, q, tip


def bar_chart(df: pd.DataFrame, *, x: str, y: str, color: str | None = None,
              y_domain: tuple[float, float] | None = None, baseline: float = 0.0,
              text: ChartText = ENGLISH, projector: bool = False, height: int = 260,
              title: str | None = None, x_title: str | None = None, y_title: str | None = None,
              colors: Mapping[str, str | Style] | None = None, max_rows: int = MAX_ROWS) -> alt.LayerChart:
    """Bars from ``baseline`` to ``df[y]`` at ``df[x]`` (numeric x: one bar per step; text x: categories).

    ``color`` names the column of the bars' series; ``colors`` maps its values to colours (``ui.charts.theme``); a
    ``color`` that is ``x`` itself (bars named on the axis) draws no legend.

    ``baseline`` lets log-valued bars start at the bottom of the view (e.g. ``baseline=-20`` for log10).
    """
    s = sizes(projector)
    numeric_x = pd.api.types.is_numeric_dtype(df[x])
    pts = pd.DataFrame({"x": df[x], "v": pd.to_numeric(df[y], errors="coerce"),
                        "series": df[color].astype(str) if color else ""})
    if numeric_x:
        pts = pts.loc[np.isfinite(pts["x"].astype(float))]
    lo, hi = y_domain or auto_domain(pts["v"].to_numpy(), include=(baseline,), limit=(-1e300, 1e300))
    data = thin(clamp_frame(pts, "v", lo, hi), max_rows, by="series" if color else None)
    data["base"] = min(max(baseline, lo), hi)
    data["value_text"] = [fmt_value(v) for v in data["v"]]
    data["status_text"] = data["status"].map({EXACT: text.exact, "overflow": text.overflow,
                                              "underflow": text.underflow})
    data = data.drop(columns="v")
    xt, yt = x_title or (text.time if numeric_x else text.value), y_title or text.value
    tooltip = [tip("x", xt, "quantitative" if numeric_x else "nominal"), tip("value_text", yt),
               tip("status_text", text.status)]
    if color:
        tooltip.insert(0, tip("series", text.series))
    names = list(dict.fromkeys(data["series"])) or [""]
    legend = {"legend": None} if color == x else {}   # bars named on the axis need no legend
    col = n("series", text.series, scale=style_scale(names, colors), **legend) if color else {"value": PALETTE[0]}
    y_enc = q("y", yt, scale=FREE)
    if numeric_x:
        data["x0"], data["x1"] = data["x"].astype(float) - 0.42, data["x"].astype(float) + 0.42
        bars = chart(data, "rect", {"x": q("x0", xt), "x2": {"field": "x1"}, "y": y_enc, "y2": {"field": "base"},
                                    "color": col, "tooltip": tooltip})
        x_flag = q("x")
    else:
        bars = chart(data, "bar", {"x": n("x", x_title, sort=None, axis={"labelAngle": 0}), "y": y_enc,
                                   "y2": {"field": "base"}, "color": col, "tooltip": tooltip})
        x_flag = n("x", sort=None)
    shape = n("status", scale={"domain": ["overflow", "underflow"], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
              legend=None)
    flags = chart(data, {"type": "point", "filled": True, "size": s["flag"], "color": "black"},
                  {"x": x_flag, "y": q("y"), "shape": shape, "tooltip": tooltip}, where=f"datum.status != '{EXACT}'")
    return finish(layer(bars, flags, extent_layer(y=(y_enc, (lo, hi))), height=height), projector, title)
