"""Line charts: log10 gradient norms against distance, and quantities over time.

Input is a long DataFrame (one row per point: x, y, series). ``gradient_curves`` expects y = log10 of a
norm (from ``core.chain_log10_norms``), shows the norm itself in the tooltip in scientific notation, and
can add dashed reference lines, shaded vanishing/exploding zones and a truncation window. Off-range
values (±inf included) sit on the chart edge as triangles whose tooltip says overflow/underflow.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

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
from ui.charts.overlap import row_dashes
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import (
    HOVER_ROWS,
    LINE_WIDTH_PX,
    MAX_ROWS,
    OVERFLOW_SHAPE,
    UNDERFLOW_SHAPE,
    WINDOW_COLOR,
    Style,
    dash_legend,
    finish,
    log_axis,
    row_dash,
    series_styles,
    sizes,
    style_scale,
)
from ui.charts.vl import FREE, chart, extent_layer, layer, n, q, tip
from ui.charts.zones import zone_label_spots, zone_layers

__all__ = ["gradient_curves", "series_frame", "time_series", "window_layers", "zone_layers"]
Colors = Mapping[str, "str | Style"] | None  # series name -> colour or Style (``ui.charts.theme.styles``)

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
                 y_range: tuple[float, float], height: int, log_y: bool = False,
                 colors: Colors = None, plot_width: float = 340) -> list[alt.Chart]:
    """Lines in their series' colour and dash pattern (``colors``; references without a style of their own dashed),
    invisible hover points, and the overflow/underflow triangles. A line that lies on an earlier one is drawn with
    gaps (``ui.charts.overlap``).

    Each layer gets only the rows it draws, so Vega runs no filters and encodes as few marks as it can: the
    lines keep the points that change their shape at the chart's size (``simplify``), the hover points are
    at most ``HOVER_ROWS`` (evenly spaced per series; every point when there are fewer), the triangles are
    the flagged rows. ``tips`` gives the tooltip text columns for some rows (only the hover and flagged rows
    get them). ``y_range`` is the visible range, ``height`` the plot height in pixels.
    """
    names = list(dict.fromkeys(data["series"])) or ["-"]
    kinds = dict(zip(data["series"], data["kind"], strict=False))
    found = series_styles(names, colors, [k for k, kind in kinds.items() if kind == "ref"])
    enc = {"x": x, "y": y, "color": n("series", None, scale=style_scale(names, found), sort=names,
                                      legend=dash_legend(names, found, plot_width, s["label"]))}
    dash = row_dash()
    flag_shape = n("status", scale={"domain": [OVERFLOW, UNDERFLOW], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
                   legend=None)
    py = data["y"]
    if log_y:
        py = np.log10(py)
        y_range = (np.log10(y_range[0]), np.log10(y_range[1]))
    x_span = float(data["x"].max() - data["x"].min()) if len(data["x"]) else 1.0
    pixels = (LINE_WIDTH_PX / max(x_span, 1e-300), height / max(y_range[1] - y_range[0], 1e-300))
    data = {**data, "dash": row_dashes(data["series"], data["x"], py, y_range, found)}
    line_rows = simplify_index(data["x"], py, first_codes(data["series"], data["kind"]), pixels)
    groups, flagged = first_codes(data["series"]), data["status"] != EXACT
    hover_rows = thin_index(groups, flagged, HOVER_ROWS)
    flag_rows = np.flatnonzero(flagged)
    flag_rows = flag_rows[thin_index(groups[flag_rows], flagged[flag_rows], HOVER_ROWS)]

    def tipped(rows: np.ndarray) -> pd.DataFrame:
        sub = {k: v[rows] for k, v in data.items()}
        return pd.DataFrame({k: sub[k] for k in ("x", "series", "kind", "y", "status")} | tips(sub))

    return [
        chart(_frame(data, line_rows, ["x", "y", "series", "kind", "dash", "status"]), "line",
              {**enc, "strokeDash": dash}),
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
                    x_title: str | None = None, y_title: str | None = None, colors: Colors = None,
                    max_rows: int = MAX_ROWS, plot_width: float = 340) -> alt.LayerChart:
    """log10 ||gradient|| against distance T - k, one line per series.

    Parameters
    ----------
    curves : long DataFrame with columns ``x`` (distance), ``y`` (log10 norm, may be ±inf) and ``series``
        (display name, e.g. "tanh").
    refs : same shape, drawn dashed (e.g. rho^(T-k) and the bound (gamma sigma_max)^(T-k)).
    zones : log10 thresholds (vanishing below the first, exploding above the second), or None.
    window : truncation window: an int w marks distances 0..w (kept by truncated BPTT), a pair a band.
    y_domain : visible log10 range; default: the data, at most ±300. Values outside are edge triangles.
    colors : series name -> colour or ``Style`` (``ui.charts.theme.styles``); default the palette in order
    plot_width : about how wide the plot is in px (the zone labels are placed where no line runs, and the legend
        gets as many columns as fit, by this size; a third of a 1280 px page by default)
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
    layers = zone_layers(zones, lo, hi, text, s, labels=False) + window_layers(window, (x_lo, x_hi), text, s)
    layers += _line_layers(data, x_enc, y_enc, tooltip, tips, s, y_range=(lo, hi), height=height, colors=colors,
                           plot_width=plot_width)
    layers += _zone_labels(pts, (x_lo, x_hi), (lo, hi), zones, window, text, s, height, plot_width, title)
    layers.append(extent_layer(x=(x_enc, (x_lo, x_hi)), y=(y_enc, (lo, hi))))  # the ranges live in the data
    return finish(layer(*layers, height=height), projector, title)


def _zone_labels(pts: Columns, x_range: tuple[float, float], y_range: tuple[float, float],
                 zones: tuple[float, float] | None, window: int | tuple[float, float] | None, text: ChartText,
                 s: dict, height: int, plot_width: float, title: str | None) -> list:
    """The zone labels where no line runs (``ui.charts.zones.zone_label_spots`` with one member): every line is
    put on the union of the x values (NaN outside its own), so lines of different lengths are compared too."""
    if not zones:
        return []
    grid = np.unique(pts["x"])
    names = list(dict.fromkeys(pts["series"]))
    series = {}
    for name in names:
        rows = pts["series"] == name
        order = np.argsort(pts["x"][rows], kind="stable")
        xs, vs = pts["x"][rows][order], pts["v"][rows][order]
        line = np.full(len(grid), np.nan)
        line[np.searchsorted(grid, xs)] = vs
        inside = (grid >= xs.min()) & (grid <= xs.max()) if len(xs) else np.zeros(len(grid), bool)
        known = ~np.isnan(line)
        if known.sum() >= 2:                                   # between a line's own points: where it is drawn
            line[inside & ~known] = np.interp(grid[inside & ~known], grid[known], line[known])
        series[name] = line[None]
    spots = zone_label_spots(grid, series, x_range, y_range, zones, text, s, height, len(names), None, "",
                             int(window) if np.isscalar(window) else None, False, plot_width=plot_width,
                             extra_px=s["chart_title"] * 1.5 if title else 0.0)
    if spots is None:
        return []
    return [chart(spots.drop(columns="i"), {"type": "text", "align": "center", "baseline": "middle",
                                            "fontSize": s["label"], "fontWeight": "bold"},
                  {"x": q("x"), "y": q("y"), "text": n("zone"), "fill": n("ink", scale=None)})]


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
                y_title: str | None = None, colors: Colors = None, max_rows: int = MAX_ROWS,
                plot_width: float = 340, marker: float | None = None) -> alt.LayerChart:
    """A quantity over time (e.g. ||h_t||, a cell state), one line per series; optional log-scaled y (labelled
    as every log axis is, ``ui.charts.theme.log_axis``); ``colors`` as in :func:`gradient_curves`.

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
    y_enc = q("y", yt, scale={"type": "log" if log_y else "linear", **FREE},
              **({"axis": log_axis()} if log_y else {}))
    tooltip = [tip("series", text.series), tip("x", xt, "quantitative"), tip("value_text", yt),
               tip("status_text", text.status)]
    layers = [*_line_layers(data, x_enc, y_enc, tooltip, tips, s, y_range=(lo, hi), height=height,
                            log_y=log_y, colors=colors, plot_width=plot_width),
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
