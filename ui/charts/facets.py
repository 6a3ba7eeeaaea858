"""Small multiples: one panel per series with several curves, e.g. each activation f and its slope f'.

Input: long frame with x, y, ``curve`` (e.g. "f(a)", "f'(a)") and ``series`` (e.g. "tanh"). Each panel draws in
its series' colour (``colors``: the model's), the curves told apart by their dash (the first solid, the next dashed,
in the legend); a grey dotted y = 1 guide (slope 1: the edge between shrinking and growing) is in every panel.
"""
from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from ui.charts.clamp import EXACT, auto_domain, clamp_frame, fmt_value, thin
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import DASHES, MAX_ROWS, OVERFLOW_SHAPE, UNDERFLOW_SHAPE, Style, finish, sizes, style_scale
from ui.charts.vl import chart, layer, n, q, tip


def function_grid(df: pd.DataFrame, *, x: str = "a", y: str = "value", curve: str = "curve",
                  series: str = "series", y_domain: tuple[float, float] | None = None,
                  guide: float | None = 1.0, text: ChartText = ENGLISH, projector: bool = False,
                  height: int = 200, width: int = 200, columns: int = 5, title: str | None = None,
                  x_title: str | None = None, colors: Mapping[str, str | Style] | None = None,
                  max_rows: int = MAX_ROWS) -> alt.FacetChart:
    """Panels per ``series``, lines per ``curve``; off-range values become edge triangles."""
    s = sizes(projector)
    pts = pd.DataFrame({"x": pd.to_numeric(df[x], errors="coerce"), "v": pd.to_numeric(df[y], errors="coerce"),
                        "curve": df[curve].astype(str), "series": df[series].astype(str)}).dropna(subset=["x"])
    lo, hi = y_domain or auto_domain(pts["v"].to_numpy(), include=(0.0,), limit=(-1e6, 1e6))
    data = thin(clamp_frame(pts, "v", lo, hi), max_rows, by=["series", "curve"])
    data["value_text"] = [fmt_value(v) for v in data["v"]]
    data["status_text"] = data["status"].map({EXACT: text.exact, "overflow": text.overflow,
                                              "underflow": text.underflow})
    data = data.drop(columns="v")
    curves = list(dict.fromkeys(data["curve"])) or ["-"]
    xt = x_title or text.input
    names = list(dict.fromkeys(data["series"]))
    patterns = [DASHES[k] for k in ("solid", "dash", "dot", "dashdot")]
    enc = {"x": q("x", xt), "y": q("y", text.value, scale={"domain": [lo, hi], "nice": False}),
           "color": n("series", None, scale=style_scale(names, colors), sort=names, legend=None)}
    dash = n("curve", text.function, sort=curves, scale={"domain": curves, "range": [patterns[i % len(patterns)]
                                                                                      for i in range(len(curves))]},
             legend={"symbolType": "stroke", "symbolStrokeColor": "#333333"})
    tooltip = [tip("series", text.series), tip("curve", text.function), tip("x", xt, "quantitative", format=".3f"),
               tip("value_text", text.value), tip("status_text", text.status)]
    shape = n("status", scale={"domain": ["overflow", "underflow"], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
              legend=None)
    layers = [chart(alt.Undefined, "line", {**enc, "strokeDash": dash}),
              chart(alt.Undefined, {"type": "point", "opacity": 0, "size": s["point"] * 2},
                    {**enc, "tooltip": tooltip}),
              chart(alt.Undefined, {"type": "point", "filled": True, "size": s["flag"]},
                    {**enc, "shape": shape, "tooltip": tooltip}, where=f"datum.status != '{EXACT}'")]
    if guide is not None and lo <= guide <= hi:
        layers.insert(0, chart(alt.Undefined, {"type": "rule", "color": "#888888", "strokeDash": DASHES["dot"]},
                               {"y": {"datum": guide}}))
    out = alt.FacetChart(data=data, spec=layer(*layers, width=width, height=height),
                         facet=n("series", None, sort=names), columns=columns)
    return finish(out, projector, title)
