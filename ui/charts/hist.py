"""Distributions: histograms binned in NumPy (so the chart holds bins, not samples).

Typical use: the distribution of f'(a) per activation (tanh' <= 1, sigmoid' <= 1/4, ReLU' in {0, 1}),
one small panel per series. Values outside ``domain`` (±inf included) are counted in the edge bins and
the tooltip of an edge bin says how many were clamped.
"""
from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import auto_domain, fmt_value
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import Style, edge_room, finish, style_scale
from ui.charts.vl import chart, n, q, tip


def bin_frame(df: pd.DataFrame, value: str, series: str | None, bins: int,
              domain: tuple[float, float] | None) -> pd.DataFrame:
    """One row per (series, bin): lo, hi, count, fraction, clamped (how many values were moved in)."""
    vals = pd.to_numeric(df[value], errors="coerce").to_numpy(dtype=float)
    names = df[series].astype(str).to_numpy() if series and series in df else np.full(len(df), "")
    lo, hi = domain or auto_domain(vals, pad=0.0)
    if not lo < hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, bins + 1)
    rows = []
    for name in dict.fromkeys(names):
        v = vals[(names == name) & ~np.isnan(vals)]
        counts, _ = np.histogram(np.clip(v, lo, hi), bins=edges)
        below, above = int((v < lo).sum()), int((v > hi).sum())
        total = max(len(v), 1)
        for i in range(bins):
            clamped = (below if i == 0 else 0) + (above if i == bins - 1 else 0)
            rows.append({"series": name, "lo": edges[i], "hi": edges[i + 1], "count": int(counts[i]),
                         "fraction": counts[i] / total, "clamped": clamped})
    return pd.DataFrame(rows)


def histogram(df: pd.DataFrame, *, value: str = "value", series: str | None = "series", bins: int = 30,
              domain: tuple[float, float] | None = None, facet: bool = True, text: ChartText = ENGLISH,
              projector: bool = False, height: int = 220, width: int | None = None, title: str | None = None,
              x_title: str | None = None, columns: int = 5,
              colors: Mapping[str, str | Style] | None = None) -> alt.Chart | alt.FacetChart:
    """Histogram of ``df[value]`` per ``series``: one panel each (``facet``) or overlaid bars; ``colors`` maps
    series names to colours (``ui.charts.theme``)."""
    data = bin_frame(df, value, series, bins, domain)
    data["interval"] = [f"[{fmt_value(a, 3)}, {fmt_value(b, 3)}]" for a, b in zip(data["lo"], data["hi"], strict=True)]
    names = list(dict.fromkeys(data["series"])) or [""]
    split = facet and len(names) > 1
    enc = {
        "x": q("lo", x_title or text.value, bin="binned"),
        "x2": {"field": "hi"},
        "y": q("fraction", text.fraction, axis={"format": "%"}),
        "color": n("series", text.series, scale=style_scale(names, colors), **({"legend": None} if facet else {})),
        "tooltip": [tip("series", text.series), tip("interval", text.bin), tip("count", text.count, "quantitative"),
                    tip("fraction", text.fraction, "quantitative", format=".1%")],
    }
    size = {"height": height, **({"width": width} if width else {})}
    base = chart(data, {"type": "rect", "opacity": 0.85 if facet else 0.55, "stroke": "white", "strokeWidth": 0.5},
                 enc, **({} if split else size))
    if split:
        inner = chart(alt.Undefined, base.mark, enc, **size)
        out = alt.FacetChart(data=data, spec=inner, facet=n("series", None, sort=names), columns=columns)
    else:
        out = base
    return edge_room(finish(out, projector, title), projector)
