"""The scrubbed heat map: a family of 2-D arrays (one member per value of the page's main control) drawn as one heat
map whose slider, under the chart, picks the member; the browser recolours the cells while it moves.

    family_heatmap(z, x_values=t, y_values=layers, scrub=param, notes=texts, ...)      # z: (F, rows, cols)

Every member's cells are in the data, packed one row per (member, heat-map row) with the row's values as text
(see ``ui.charts.scrub``): a drag step filters F x rows rows and unpacks one member. Each drawn cell is a mark
Vega re-encodes on every step, so the cells are capped at ``max_cells`` per member (a stride over the columns
and rows, as ``ui.charts.heatmap`` does; the tooltips give each drawn cell's exact value). The colour range is
the whole family's, fixed while the slider moves, and lives in the data (the spec does not change with it).
-inf (an exact zero under a log10) is drawn grey and named ``zero_text``; +inf clamps to the top as overflow.
"""
from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import auto_domain
from ui.charts.family import _note_layers
from ui.charts.heatmap import _edges, _stride
from ui.charts.influence import ZERO_COLOR
from ui.charts.scrub import ScrubParam, _joined, js
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import finish, sizes
from ui.charts.vl import FREE, chart, extent_layer, layer, q, tip

VIEW = "family_cells"  # the layer the scrub's selection lives in
# per member: every drawn cell is re-encoded on each drag step. Measured (tests/bench/drag_scrub.py, page 6 at
# 8 layers x 100 steps, same run): 800 cells 34-42 ms a step, 400 cells 17-21 ms (one frame); so 8 x 100 draws
# every second step, each cell 12 px wide on a projector, its tooltip the exact value of its step
MAX_CELLS = 400


def family_heatmap(z: np.ndarray, *, x_values: Sequence[float], y_values: Sequence[float], scrub: ScrubParam,
                   notes: Sequence[str] | None = None, x_title: str = "", y_title: str = "", value_title: str = "",
                   zero_text: str = "exactly 0", domain: tuple[float, float] | None = None,
                   text: ChartText = ENGLISH, projector: bool = False, height: int = 300,
                   max_cells: int = MAX_CELLS) -> alt.LayerChart:
    """Heat map of ``z[f]`` (rows on y, ``y_values`` ascending upwards; columns on x) for the member f the slider
    ``scrub`` shows (``scrub.size == F``); ``notes``: F one-line texts written above the plot; ``domain``: the
    colour range (default: the finite values of the whole family)."""
    z = np.asarray(z, dtype=float)
    F, R, C = z.shape
    if F != scrub.size or len(x_values) != C or len(y_values) != R or (notes is not None and len(notes) != F):
        raise ValueError(f"expected {scrub.size} members of ({len(y_values)}, {len(x_values)}), got {z.shape}")
    s = sizes(projector)
    xv, yv = np.asarray(x_values, dtype=float), np.asarray(y_values, dtype=float)
    sr, sc = _stride(R, C, max_cells)
    rows, cols = np.arange(0, R, sr), np.arange(0, C, sc)
    sub = z[:, rows][:, :, cols]                                           # (F, R', C')
    lo, hi = domain or auto_domain(sub, pad=0.0)
    if not (np.isfinite(lo) and np.isfinite(hi)):           # auto_domain's 0 x span is NaN when the span overflows
        fin = sub[np.isfinite(sub)]
        lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (-1.0, 1.0)
    x0, x1 = _edges(xv, cols)
    y0, y1 = _edges(yv, rows)
    Rd = len(rows)
    packed = pd.DataFrame({
        "i": np.repeat(np.arange(F), Rd).astype(np.uint16),
        "y": np.tile(yv[rows], F), "y0": np.tile(y0, F), "y1": np.tile(y1, F),
        "v": _joined(sub.reshape(F * Rd, len(cols))),
        **{k: pd.Categorical([_joined(a[None])[0]] * (F * Rd)) for k, a in (("x", xv[cols]), ("x0", x0), ("x1", x1))},
        "lo": float(lo), "hi": float(hi),
    })
    unpack = [scrub.member_filter()]
    unpack += [{"calculate": f"split(datum.{f}, ',')", "as": f} for f in ("v", "x", "x0", "x1")]
    unpack.append({"flatten": ["v", "x", "x0", "x1"]})
    unpack += [{"calculate": f"toNumber(datum.{f})", "as": f} for f in ("v", "x", "x0", "x1")]
    unpack += [
        {"calculate": "clamp(datum.v, datum.lo, datum.hi)", "as": "c"},
        {"calculate": "datum.v < -MAX_VALUE", "as": "zero"},              # -inf (Vega's expressions have no Infinity)
        {"calculate": f"datum.zero ? {js(zero_text)} : datum.v > datum.hi ? {js(text.overflow)} : "
                      f"datum.v < datum.lo ? {js(text.underflow)} : {js(text.exact)}", "as": "status_text"},
        {"calculate": f"isFinite(datum.v) ? format(datum.v, {js('.4~g')}) : datum.v > 0 ? '+inf' : '-inf'",
         "as": "value_text"},
    ]
    x_enc = q("x0", x_title, scale=FREE, axis={"labelAngle": 0, "grid": False})
    y_enc = q("y0", y_title, scale=FREE, axis={"tickMinStep": 1, "format": "d", "grid": False})
    colour = q("c", value_title, scale={"scheme": "viridis"},
               legend={"orient": "right", "direction": "vertical", "format": ".3~g",
                       "gradientLength": max(int(0.5 * height), 60)})  # shorter than the plot: never shrinks it
    enc = {"x": x_enc, "x2": {"field": "x1"}, "y": y_enc, "y2": {"field": "y1"},
           "color": {"condition": {"test": "datum.zero", "value": ZERO_COLOR}, **colour},
           "tooltip": [tip("x", x_title or "x", "ordinal"), tip("y", y_title or "y", "ordinal"),
                       tip("value_text", value_title or text.value), tip("status_text", text.status)]}
    cells = chart(packed, "rect", enc, transform=unpack)
    cells.name = VIEW
    ranges = extent_layer(x=(x_enc, (float(x0.min()), float(x1.max()))), y=(y_enc, (float(y0.min()), float(y1.max()))))
    layers = [extent_layer(color=(colour, (lo, hi))), cells, ranges]
    layers += _note_layers(scrub, notes, None, "", x_enc, s)
    out = finish(layer(*layers, height=height), projector)
    out.config["legend"]["orient"] = "right"
    out.params = [alt.TopLevelSelectionParameter(**scrub.param(), views=[VIEW])]
    out.padding = {"top": 5, "left": 5, "right": 5, "bottom": 5}  # Vega makes room for the notes above the plot
    return out


__all__ = ["MAX_CELLS", "family_heatmap"]
