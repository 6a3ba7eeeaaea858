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

from ui.charts.clamp import auto_domain, clamp, fmt_values, status_texts
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import HEATMAP_CELLS, finish
from ui.charts.vl import FREE, chart, o, q, tip


def _stride(n_rows: int, n_cols: int, max_cells: int) -> tuple[int, int]:
    """Smallest strides (sr, sc), as equal as possible, with ceil(n_rows/sr) * ceil(n_cols/sc) <= max_cells."""
    sr = sc = 1
    while -(-n_rows // sr) * -(-n_cols // sc) > max_cells:
        if -(-n_cols // sc) >= -(-n_rows // sr):
            sc += 1
        else:
            sr += 1
    return sr, sc


SEAM_OVERLAP = 0.3  # share of a cell's size that reaches under its neighbour


def _edges(values: np.ndarray, drawn: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cell boundaries on a numeric axis: each value's cell reaches halfway to its neighbours (a lone value
    spans ±0.5); a drawn cell (indices ``drawn``, ascending) also covers the values skipped after it."""
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        lo, hi = v - 0.5, v + 0.5
    else:
        mid = (v[1:] + v[:-1]) / 2
        lo, hi = np.r_[2 * v[0] - mid[0], mid], np.r_[mid, 2 * v[-1] - mid[-1]]
    last = np.r_[drawn[1:] - 1, len(v) - 1]
    lo, hi = lo[drawn], hi[last]
    # each cell reaches a little under the next one (drawn after it, so on top): no hairline seams on canvas
    hi[:-1] += SEAM_OVERLAP * (hi[:-1] - lo[:-1])
    return lo, hi


def _axis(name: str, all_values: np.ndarray, drawn: np.ndarray, title: str, axis: dict) -> tuple[dict, dict]:
    """Encoding of one axis and the data columns it needs: numbers become a quantitative axis with cell
    edges (``<name>0``/``<name>1``): Vega encodes such cells far faster than bands of an ordinal scale, and
    the spec does not change with the data. Other values (words) get an ordinal axis in the given order."""
    values = all_values[drawn]
    if np.issubdtype(all_values.dtype, np.number) and np.isfinite(all_values.astype(float)).all():
        lo, hi = _edges(all_values, drawn)
        first_on_top = name == "y" and len(values) > 1 and values[0] < values[-1]  # as an ordinal axis draws it
        enc = q(f"{name}0", title, scale={**FREE, **({"reverse": True} if first_on_top else {})}, axis=axis)
        return {name: enc, f"{name}2": {"field": f"{name}1"}}, {f"{name}0": lo, f"{name}1": hi}
    return {name: o(name, title, sort=list(dict.fromkeys(values.tolist())), axis={**axis, "labelOverlap": True})}, {}


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
    x_enc, x_cols = _axis("x", xv, cols, x_title, {"labelAngle": 0})
    y_enc, y_cols = _axis("y", yv, rows, y_title, {})
    ri, ci = (g.ravel() for g in np.meshgrid(np.arange(len(rows)), np.arange(len(cols)), indexing="ij"))
    edges = {k: v[ci] for k, v in x_cols.items()} | {k: v[ri] for k, v in y_cols.items()}
    data = pd.DataFrame({k: v[keep] for k, v in {
        "x": xv[cols[ci]], "y": yv[rows[ri]], **edges, "c": vals,
        "value_text": fmt_values(sub),
        "status_text": status_texts(status, text),
    }.items()})
    # an automatic colour range is left to Vega (the data's extent), so the spec does not change with the data
    scale = {"scheme": "redblue" if diverging else scheme, "reverse": diverging,
             **({"domain": [lo, hi]} if domain is not None else {}), **({"domainMid": 0} if diverging else {})}
    enc = {
        **x_enc, **y_enc,
        "color": q("c", value_title, scale=scale,
                   legend={"orient": "right", "gradientLength": max(height - 120, 80), "format": ".3~g"}),
        "tooltip": [tip("x", x_title or "x", "ordinal"), tip("y", y_title or "y", "ordinal"),
                    tip("value_text", value_title or text.value), tip("status_text", text.status)],
    }
    out = finish(chart(data, "rect", enc, height=height), projector, title)
    out.config["legend"]["orient"] = "right"
    return out
