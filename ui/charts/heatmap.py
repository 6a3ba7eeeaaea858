"""Heat map of a 2-D array: units x time, position x word, layer x time, ...

Large arrays are subsampled by a stride on each axis so the chart stays under ``max_cells`` cells (the
tooltip still shows the exact value of every drawn cell). Non-finite values are clamped to the colour
range and the tooltip says overflow/underflow.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, OVERFLOW, UNDERFLOW, auto_domain, clamp, fmt_value
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import HEATMAP_CELLS, finish
from ui.charts.vl import chart, o, q, tip


def _stride(n_rows: int, n_cols: int, max_cells: int) -> tuple[int, int]:
    """Smallest strides (sr, sc), as equal as possible, with ceil(n_rows/sr) * ceil(n_cols/sc) <= max_cells."""
    sr = sc = 1
    while -(-n_rows // sr) * -(-n_cols // sc) > max_cells:
        if -(-n_cols // sc) >= -(-n_rows // sr):
            sc += 1
        else:
            sr += 1
    return sr, sc


def _ticks(values: np.ndarray, n: int = 10) -> dict:
    """Axis ``values`` with about ``n`` evenly spaced ticks (Vega's default when there are few)."""
    if len(values) <= n:
        return {}
    return {"values": values[np.linspace(0, len(values) - 1, n).round().astype(int)].tolist()}


def _order(values: np.ndarray, numeric: bool) -> dict:
    """The axis order: the given one, left out when it is ascending numbers (Vega's own order), so that the
    spec does not grow and change with the data (a changed spec makes the browser rebuild the chart)."""
    seen = list(dict.fromkeys(values.tolist()))
    return {} if numeric and seen == sorted(seen) else {"sort": seen}


def heatmap(z: np.ndarray, *, x_values: Sequence | None = None, y_values: Sequence | None = None,
            x_title: str = "", y_title: str = "", value_title: str = "", domain: tuple[float, float] | None = None,
            scheme: str = "viridis", diverging: bool = False, text: ChartText = ENGLISH,
            projector: bool = False, height: int = 300, title: str | None = None,
            max_cells: int = HEATMAP_CELLS) -> alt.Chart:
    """Colour cells of ``z`` (shape (rows, cols)): rows on the y axis (``y_values``), columns on x.

    ``diverging=True`` uses a red-blue scheme centred on 0 (e.g. signed hidden states); ``domain`` fixes
    the colour range (default: the finite data, symmetric when diverging).
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    n_rows, n_cols = z.shape
    xv = np.arange(n_cols) if x_values is None else np.asarray(list(x_values))
    yv = np.arange(n_rows) if y_values is None else np.asarray(list(y_values))
    sr, sc = _stride(n_rows, n_cols, max_cells)
    rows, cols = np.arange(0, n_rows, sr), np.arange(0, n_cols, sc)
    sub = z[np.ix_(rows, cols)]
    if domain is None:
        lo, hi = auto_domain(sub, pad=0.0)
        if diverging:
            m = max(abs(lo), abs(hi), 1e-12)
            lo, hi = -m, m
    else:
        lo, hi = domain
    vals, status, keep = clamp(sub.ravel(), lo, hi)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    data = pd.DataFrame({
        "x": xv[cc.ravel()], "y": yv[rr.ravel()], "c": vals,
        "value_text": [fmt_value(v) for v in sub.ravel()],
        "status_text": pd.Series(status).map({EXACT: text.exact, OVERFLOW: text.overflow,
                                              UNDERFLOW: text.underflow}),
    }).loc[keep].reset_index(drop=True)
    x_num = np.issubdtype(np.asarray(xv).dtype, np.number)
    y_num = np.issubdtype(np.asarray(yv).dtype, np.number)
    # an automatic colour range is left to Vega (the data's extent), so the spec does not change with the data
    scale = {"scheme": "redblue" if diverging else scheme, "reverse": diverging,
             **({"domain": [lo, hi]} if domain is not None else {}), **({"domainMid": 0} if diverging else {})}
    enc = {
        "x": o("x", x_title, **_order(xv[cols], x_num),
               axis={"labelOverlap": True, "labelAngle": 0, **(_ticks(xv[cols]) if x_num else {})}),
        "y": o("y", y_title, **_order(yv[rows], y_num),
               axis={"labelOverlap": True, **(_ticks(yv[rows]) if y_num else {})}),
        "color": q("c", value_title, scale=scale,
                   legend={"orient": "right", "gradientLength": max(height - 60, 80), "format": ".3~g"}),
        "tooltip": [tip("x", x_title or "x", "ordinal"), tip("y", y_title or "y", "ordinal"),
                    tip("value_text", value_title or text.value), tip("status_text", text.status)],
    }
    out = finish(chart(data, "rect", enc, height=height), projector, title)
    out.config["legend"]["orient"] = "right"
    return out
