"""Line charts: log10 gradient norms against distance, and quantities over time.

Input is a long DataFrame (one row per point: x, y, series). ``gradient_curves`` expects y = log10 of a
norm (from ``core.chain_log10_norms``), shows the norm itself in the tooltip in scientific notation, and
can add dashed reference lines, shaded vanishing/exploding zones and a truncation window. Off-range
values (±inf included) sit on the chart edge as triangles whose tooltip says overflow/underflow.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import (
    EXACT,
    LOG10_LIMIT,
    OVERFLOW,
    UNDERFLOW,
    auto_domain,
    clamp,
    first_codes,
    fmt_pow10s,
    fmt_values,
    simplify_index,
    status_texts,
    thin_index,
)
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import (
    EXPLODE_COLOR,
    EXPLODE_TEXT,
    HOVER_ROWS,
    LINE_WIDTH_PX,
    MAX_ROWS,
    OVERFLOW_SHAPE,
    UNDERFLOW_SHAPE,
    VANISH_COLOR,
    VANISH_TEXT,
    WINDOW_COLOR,
    color_scale,
    finish,
    sizes,
)
from ui.charts.vl import FREE, chart, extent_layer, layer, n, q, tip

Columns = dict[str, np.ndarray]  # a chart's rows as NumPy columns; frames are built once per layer at the end


def _floats(col: pd.Series) -> np.ndarray:
    return col.to_numpy(dtype=float) if col.dtype.kind in "fiub" else pd.to_numeric(col, errors="coerce").to_numpy(
        dtype=float)


def _points(df: pd.DataFrame, x: str, y: str, series: str, kind: str) -> Columns:
    """Normalised columns x, v (raw y), series, kind ('curve' or 'ref'); rows without a finite x dropped."""
    xs, vs = _floats(df[x]), _floats(df[y])
    names = (df[series].astype(str).to_numpy(dtype=object) if series in df
             else np.full(len(df), kind, dtype=object))
    keep = np.isfinite(xs)
    return {"x": xs[keep], "v": vs[keep], "series": names[keep], "kind": np.full(int(keep.sum()), kind, dtype=object)}


def _gather(curves: pd.DataFrame, refs: pd.DataFrame | None, x: str, y: str, series: str) -> Columns:
    parts = [_points(curves, x, y, series, "curve")]
    if refs is not None and len(refs):
        parts.append(_points(refs, x, y, series, "ref"))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _clamped(pts: Columns, lo: float, hi: float, max_rows: int) -> Columns:
    """``pts`` without NaN values, with y (clamped to [lo, hi]) and status; at most ``max_rows`` (``thin``)."""
    y, status, keep = clamp(pts["v"], lo, hi)
    cols = {**{k: v[keep] for k, v in pts.items()}, "y": y[keep], "status": status[keep]}
    idx = thin_index(first_codes(cols["series"]), cols["status"] != EXACT, max_rows)
    return {k: v[idx] for k, v in cols.items()}


def _frame(cols: Columns, idx: np.ndarray, names: list[str]) -> pd.DataFrame:
    return pd.DataFrame({k: cols[k][idx] for k in names})


def _line_layers(data: Columns, x: dict, y: dict, tooltip: list, tips: Callable[[Columns], Columns], s: dict, *,
                 y_range: tuple[float, float], height: int, log_y: bool = False) -> list[alt.Chart]:
    """Curves (solid) and references (dashed), invisible hover points, and the overflow/underflow triangles.

    Each layer gets only the rows it draws, so Vega runs no filters and encodes as few marks as it can: the
    lines keep the points that change their shape at the chart's size (``simplify``), the hover points are
    at most ``HOVER_ROWS`` (evenly spaced per series; every point when there are fewer), the triangles are
    the flagged rows. ``tips`` gives the tooltip text columns for some rows (only the hover and flagged rows
    get them). ``y_range`` is the visible range, ``height`` the plot height in pixels.
    """
    names = list(dict.fromkeys(data["series"])) or ["-"]
    enc = {"x": x, "y": y, "color": n("series", None, scale=color_scale(names), sort=names)}
    dash = n("kind", scale={"domain": ["curve", "ref"], "range": [[1, 0], [7, 5]]}, legend=None)
    flag_shape = n("status", scale={"domain": [OVERFLOW, UNDERFLOW], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
                   legend=None)
    py = data["y"]
    if log_y:
        py = np.log10(py)
        y_range = (np.log10(y_range[0]), np.log10(y_range[1]))
    x_span = float(data["x"].max() - data["x"].min()) if len(data["x"]) else 1.0
    pixels = (LINE_WIDTH_PX / max(x_span, 1e-300), height / max(y_range[1] - y_range[0], 1e-300))
    line_rows = simplify_index(data["x"], py, first_codes(data["series"], data["kind"]), pixels)
    groups, flagged = first_codes(data["series"]), data["status"] != EXACT
    hover_rows = thin_index(groups, flagged, HOVER_ROWS)
    flag_rows = np.flatnonzero(flagged)
    flag_rows = flag_rows[thin_index(groups[flag_rows], flagged[flag_rows], HOVER_ROWS)]

    def tipped(rows: np.ndarray) -> pd.DataFrame:
        sub = {k: v[rows] for k, v in data.items()}
        return pd.DataFrame({k: sub[k] for k in ("x", "series", "kind", "y", "status")} | tips(sub))

    return [
        chart(_frame(data, line_rows, ["x", "y", "series", "kind", "status"]), "line", {**enc, "strokeDash": dash}),
        chart(tipped(hover_rows), {"type": "point", "filled": True, "opacity": 0, "size": s["point"] * 2},
              {**enc, "tooltip": tooltip}),
        chart(tipped(flag_rows), {"type": "point", "filled": True, "opacity": 1, "size": s["flag"],
                                  "stroke": "black", "strokeWidth": 1},
              {**enc, "shape": flag_shape, "tooltip": tooltip}),
    ]


def gradient_curves(curves: pd.DataFrame, *, x: str = "distance", y: str = "log10", series: str = "series",
                    refs: pd.DataFrame | None = None, zones: tuple[float, float] | None = (-3.0, 3.0),
                    window: int | tuple[float, float] | None = None,
                    y_domain: tuple[float, float] | None = None, text: ChartText = ENGLISH,
                    projector: bool = False, height: int = 360, title: str | None = None,
                    x_title: str | None = None, y_title: str | None = None,
                    max_rows: int = MAX_ROWS) -> alt.LayerChart:
    """log10 ||gradient|| against distance T - k, one line per series.

    Parameters
    ----------
    curves : long DataFrame with columns ``x`` (distance), ``y`` (log10 norm, may be ±inf) and ``series``
        (display name, e.g. "tanh").
    refs : same shape, drawn dashed (e.g. rho^(T-k) and the bound (gamma sigma_max)^(T-k)).
    zones : log10 thresholds (vanishing below the first, exploding above the second), or None.
    window : truncation window: an int w marks distances 0..w (kept by truncated BPTT), a pair a band.
    y_domain : visible log10 range; default: the data, at most ±300. Values outside are edge triangles.
    """
    s = sizes(projector)
    pts = _gather(curves, refs, x, y, series)
    # show a strip of each zone even when the data stays between them
    zone_pts = tuple(z + m for z, m in zip(zones or (), (-1.0, 1.0), strict=False) if np.isfinite(z))
    lo, hi = y_domain or auto_domain(pts["v"], include=zone_pts + (0.0,), limit=(-LOG10_LIMIT, LOG10_LIMIT))
    data = _clamped(pts, lo, hi, max_rows)
    x_lo, x_hi = (float(data["x"].min()), float(data["x"].max())) if len(data["x"]) else (0.0, 1.0)

    def tips(rows: Columns) -> Columns:
        return {"log10_text": fmt_values(rows["v"]),
                "norm_text": fmt_pow10s(rows["v"]),
                "status_text": status_texts(rows["status"], text)}

    xt = x_title or text.distance
    x_hi = max(x_hi, x_lo + 1)
    x_enc = q("x", xt, scale=FREE)
    y_enc = q("y", y_title or text.log10_grad, scale=FREE)
    tooltip = [tip("series", text.series), tip("x", xt, "quantitative"), tip("log10_text", text.log10),
               tip("norm_text", text.norm), tip("status_text", text.status)]
    layers = zone_layers(zones, lo, hi, text, s) + window_layers(window, (x_lo, x_hi), text, s)
    layers += _line_layers(data, x_enc, y_enc, tooltip, tips, s, y_range=(lo, hi), height=height)
    layers.append(extent_layer(x=(x_enc, (x_lo, x_hi)), y=(y_enc, (lo, hi))))  # the ranges live in the data
    return finish(layer(*layers, height=height), projector, title)


def zone_layers(zones: tuple[float, float] | None, lo: float, hi: float, text: ChartText, s: dict,
                labels: bool = True) -> list:
    """Shaded bands below the vanishing and above the exploding threshold, labelled at the right edge
    (``labels=False``: the bands only, for a builder that places the labels where its lines do not run)."""
    if not zones:
        return []
    rows = []
    if zones[0] > lo:
        rows.append({"y": lo, "y2": min(zones[0], hi), "zone": text.vanishing, "fill": VANISH_COLOR,
                     "ink": VANISH_TEXT})
    if zones[1] < hi:
        rows.append({"y": max(zones[1], lo), "y2": hi, "zone": text.exploding, "fill": EXPLODE_COLOR,
                     "ink": EXPLODE_TEXT})
    if not rows:
        return []
    band = pd.DataFrame({**{k: [r[k] for r in rows] for k in rows[0]},
                         "mid": [(r["y"] + r["y2"]) / 2 for r in rows]})
    shade = chart(band, {"type": "rect", "opacity": s["zone_opacity"]},
                  {"y": q("y"), "y2": {"field": "y2"}, "fill": n("fill", scale=None),
                   "tooltip": [tip("zone", text.status)]})
    if not labels:
        return [shade]
    return [
        shade,
        chart(band, {"type": "text", "align": "right", "baseline": "middle", "dx": -8, "fontSize": s["label"],
                     "fontWeight": "bold"},
              {"x": {"value": "width"}, "y": q("mid"), "text": n("zone"), "fill": n("ink", scale=None)}),
    ]


def window_layers(window: int | tuple[float, float] | None, x_range: tuple[float, float], text: ChartText,
                   s: dict) -> list:
    """The truncation window as a grey band with a dashed right edge, cut to the visible ``x_range``."""
    if window is None:
        return []
    a, b = (0.0, float(window)) if np.isscalar(window) else (float(window[0]), float(window[1]))
    a, b = min(max(a, x_range[0]), x_range[1]), min(max(b, x_range[0]), x_range[1])
    band = pd.DataFrame({"x": [a], "x2": [b], "label": [text.window]})
    return [
        chart(band, {"type": "rect", "color": WINDOW_COLOR, "opacity": s["zone_opacity"] * 0.8},
              {"x": q("x"), "x2": {"field": "x2"}, "tooltip": [tip("label", " ")]}),
        chart(band, {"type": "rule", "color": WINDOW_COLOR, "strokeDash": [2, 3]}, {"x": q("x2")}),
        chart(band, {"type": "text", "align": "left", "baseline": "top", "dx": 4, "dy": 4, "color": WINDOW_COLOR,
                     "fontSize": s["label"]}, {"x": q("x2"), "y": {"value": 0}, "text": n("label")}),
    ]


def time_series(df: pd.DataFrame, *, x: str = "t", y: str = "value", series: str = "series",
                log_y: bool = False, y_domain: tuple[float, float] | None = None,
                refs: pd.DataFrame | None = None, text: ChartText = ENGLISH, projector: bool = False,
                height: int = 300, title: str | None = None, x_title: str | None = None,
                y_title: str | None = None, max_rows: int = MAX_ROWS,
                marker: float | None = None) -> alt.LayerChart:
    """A quantity over time (e.g. ||h_t||, a cell state), one line per series; optional log-scaled y.

    Values beyond ``y_domain`` (default: the finite data; for ``log_y`` the positive data, at most
    1e±300) and ±inf are drawn as edge triangles with an overflow/underflow tooltip. ``marker``: an x marked by
    a dashed vertical rule (e.g. the step another chart shows; its position is data: moving it keeps the spec).
    """
    s = sizes(projector)
    pts = _gather(df, refs, x, y, series)
    limit = (10.0 ** -LOG10_LIMIT, 10.0 ** LOG10_LIMIT) if log_y else (-1e300, 1e300)
    lo, hi = y_domain or auto_domain(pts["v"], limit=limit, positive=log_y)
    data = _clamped(pts, lo, hi, max_rows)

    def tips(rows: Columns) -> Columns:
        return {"value_text": fmt_values(rows["v"]),
                "status_text": status_texts(rows["status"], text)}

    xt, yt = x_title or text.time, y_title or text.value
    x_enc = q("x", xt)
    y_enc = q("y", yt, scale={"type": "log" if log_y else "linear", **FREE})
    tooltip = [tip("series", text.series), tip("x", xt, "quantitative"), tip("value_text", yt),
               tip("status_text", text.status)]
    layers = [*_line_layers(data, x_enc, y_enc, tooltip, tips, s, y_range=(lo, hi), height=height,
                            log_y=log_y),
              extent_layer(y=(y_enc, (lo, hi)))]
    if marker is not None:
        layers.append(chart(pd.DataFrame({"x": [float(marker)]}), {"type": "rule", "color": "#444444",
                                                                    "strokeDash": [2, 3]},
                            {"x": q("x"), "tooltip": [tip("x", xt, "quantitative")]}))
    return finish(layer(*layers, height=height), projector, title)


def series_frame(xs: Sequence[float] | np.ndarray, ys: dict[str, np.ndarray], x: str = "x",
                 y: str = "y", series: str = "series") -> pd.DataFrame:
    """Long frame from one x array and named y arrays: ``series_frame(k, {"tanh": L1, "relu": L2})``."""
    xs = np.asarray(xs)
    ys_ = [np.broadcast_to(np.asarray(v, dtype=float), xs.shape) for v in ys.values()]
    return pd.DataFrame({x: np.tile(xs, len(ys_)), y: np.concatenate(ys_) if ys_ else np.zeros(0),
                         series: np.repeat(np.array(list(ys), dtype=object), len(xs))})
