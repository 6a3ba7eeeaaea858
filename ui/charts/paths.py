"""Paths on a surface: a heat map over a numeric (x, y) window with polylines drawn on top.

Made for gradient-descent paths on a loss surface (e.g. the cliff of Pascanu et al. 2013, with and
without gradient clipping): the surface is a grid of rectangles on quantitative axes, so lines and
points share its coordinates. Path points outside the window are not dropped: they sit on the window's
edge as a triangle pointing where the point went, and the tooltip gives the true coordinates.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, OVERFLOW, auto_domain, clamp, fmt_values, status_texts, thin
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import DASHES, MAX_ROWS, Style, dash_legend, finish, series_styles, sizes, style_scale
from ui.charts.vl import chart, layer, n, q, tip
from ui.charts.zones import PLOT_WIDTH

OUTSIDE = "outside the window: drawn on its edge, pointing where it went"
INSIDE_SHAPE = "circle"


def _edges(centres: np.ndarray, lo: float, hi: float, overlap: float = 0.25) -> tuple[np.ndarray, np.ndarray]:
    """Cell edges around sorted ``centres`` (midpoints between neighbours), cut to [lo, hi].

    Each cell reaches ``overlap`` of a cell into the next one: rectangles that only touch leave hairline
    seams after anti-aliasing, overlapping ones do not (the next cell is drawn on top).
    """
    c = np.asarray(centres, dtype=float)
    mid = (c[1:] + c[:-1]) / 2 if c.size > 1 else np.array([])
    half = (c[1] - c[0]) / 2 if c.size > 1 else 0.5
    left = np.concatenate([[c[0] - half], mid])
    right = np.concatenate([mid, [c[-1] + half]])
    right = right + overlap * (right - left)
    return np.clip(left, lo, hi), np.clip(right, lo, hi)


def _grid_frame(z: np.ndarray, xv: np.ndarray, yv: np.ndarray, window: tuple, domain: tuple | None,
                max_cells: int) -> tuple[pd.DataFrame, tuple[float, float]]:
    """One row per drawn cell: edges, centre, raw value (finite), clamped colour value and status."""
    stride = 1
    while -(-len(xv) // stride) * -(-len(yv) // stride) > max_cells:
        stride += 1
    xi, yi = np.arange(0, len(xv), stride), np.arange(0, len(yv), stride)
    xs, ys, sub = xv[xi], yv[yi], z[np.ix_(yi, xi)]
    lo, hi = domain or auto_domain(sub, pad=0.0)
    c, status, keep = clamp(sub.ravel(), lo, hi)
    x0, x1 = _edges(xs, *window[0])
    y0, y1 = _edges(ys, *window[1])
    jj, ii = np.meshgrid(np.arange(len(xs)), np.arange(len(ys)))
    jj, ii = jj.ravel(), ii.ravel()
    raw = sub.ravel()
    data = pd.DataFrame({"x0": x0[jj], "x1": x1[jj], "y0": y0[ii], "y1": y1[ii], "x": xs[jj], "y": ys[ii],
                         "value": np.where(np.isfinite(raw), raw, c), "c": c, "status": status})
    if not np.isfinite(raw).all():   # exact text only where the number itself cannot be shown
        data["value_text"] = fmt_values(raw)
    return data.loc[keep].reset_index(drop=True), (lo, hi)


def _direction(x: np.ndarray, y: np.ndarray, window: tuple) -> np.ndarray:
    """'circle' inside the window, else the triangle pointing to the side the point left by most."""
    (xl, xh), (yl, yh) = window
    wx, wy = max(xh - xl, 1e-300), max(yh - yl, 1e-300)
    with np.errstate(over="ignore", invalid="ignore"):
        out = {"triangle-left": (xl - x) / wx, "triangle-right": (x - xh) / wx,
               "triangle-down": (yl - y) / wy, "triangle-up": (y - yh) / wy}
    names = list(out)
    amounts = np.nan_to_num(np.stack([out[k] for k in names]), nan=0.0, posinf=1e300, neginf=-1e300)
    best = amounts.argmax(axis=0)
    return np.where(amounts.max(axis=0) > 0, np.array(names)[best], INSIDE_SHAPE)


def _path_frame(paths: pd.DataFrame, window: tuple, tips: Mapping[str, str], outside: str,
                text: ChartText, max_points: int) -> pd.DataFrame:
    """Path points: raw and plotted coordinates, edge shape, and formatted tooltip columns."""
    x = pd.to_numeric(paths["x"], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(paths["y"], errors="coerce").to_numpy(dtype=float)
    keep = ~(np.isnan(x) | np.isnan(y))
    (xl, xh), (yl, yh) = window
    px, py = np.clip(np.nan_to_num(x, posinf=xh, neginf=xl), xl, xh), np.clip(np.nan_to_num(y, posinf=yh, neginf=yl),
                                                                             yl, yh)
    shape = _direction(x, y, window)
    data = pd.DataFrame({"series": paths["series"].astype(str).to_numpy(),
                         "step": pd.to_numeric(paths["step"], errors="coerce").fillna(0).to_numpy(),
                         "x": np.where(np.isfinite(x), x, px), "y": np.where(np.isfinite(y), y, py),
                         "px": px, "py": py, "shape": shape,
                         "status": np.where(shape == INSIDE_SHAPE, EXACT, OVERFLOW),
                         "x_text": fmt_values(x), "y_text": fmt_values(y),
                         **{f"{col}_text": fmt_values(pd.to_numeric(paths[col], errors="coerce").to_numpy(dtype=float))
                            for col in tips},
                         "status_text": np.where(shape == INSIDE_SHAPE, text.exact, outside)})
    return thin(data.loc[keep].reset_index(drop=True), max_points, by="series")


def surface_layer(z: np.ndarray, xv: np.ndarray, yv: np.ndarray, *, x_title: str, y_title: str, value_title: str,
                  domain: tuple[float, float] | None, scheme: str, text: ChartText, height: int,
                  max_cells: int, pad: int = 0, legend_below: bool = False) -> tuple[alt.Chart, tuple]:
    """The heat map of ``z`` over the window its grid spans, and that window ((x_lo, x_hi), (y_lo, y_hi)).
    ``pad``: pixels of margin around the window (room for marks on its edge); ``legend_below``: the colour bar
    lies under the plot (the plot gets the width), else it stands at its right, as high as the plot."""
    z = np.asarray(z, dtype=float).reshape(len(yv), len(xv))
    window = ((float(xv[0]), float(xv[-1])), (float(yv[0]), float(yv[-1])))
    cells, (lo, hi) = _grid_frame(z, xv, yv, window, domain, max_cells)
    cells["status_text"] = status_texts(cells.pop("status").to_numpy(), text)
    value_tip = (tip("value_text", value_title) if "value_text" in cells
                 else tip("value", value_title, "quantitative", format=".4~g"))
    margin = {"padding": pad} if pad else {}
    xs = {"domain": list(window[0]), "nice": False, "zero": False, **margin}
    ys = {"domain": list(window[1]), "nice": False, "zero": False, **margin}
    fmt = {"format": ".4~g"}
    colour = {"scheme": scheme, "domain": [lo, hi]}
    return chart(cells, "rect",
                 {"x": q("x0", x_title, scale=xs), "x2": {"field": "x1"}, "y": q("y0", y_title, scale=ys),
                  "y2": {"field": "y1"},
                  "fill": q("c", value_title, scale=colour,
                            legend={"type": "gradient", "format": ".3~g",
                                    **({"orient": "bottom", "direction": "horizontal", "gradientLength": 160}
                                       if legend_below else {"orient": "right", "direction": "vertical",
                                                             "gradientLength": max(height - 150, 80)})}),
                  "tooltip": [tip("x", x_title, "quantitative", **fmt), tip("y", y_title, "quantitative", **fmt),
                              value_tip, tip("status_text", text.status)]}), window


def line_frame(lines: pd.DataFrame | None, window: tuple) -> pd.DataFrame | None:
    """Reference lines (``x``, ``y``, ``series``) cut to the window, numbered in row order (``i``); None if empty."""
    if lines is None or not len(lines):
        return None
    ref = pd.DataFrame({"x": pd.to_numeric(lines["x"], errors="coerce"),
                        "y": pd.to_numeric(lines["y"], errors="coerce"), "series": lines["series"].astype(str)})
    ref = ref.loc[np.isfinite(ref["x"]) & np.isfinite(ref["y"])]
    ref = ref.loc[ref["x"].between(*window[0]) & ref["y"].between(*window[1])].reset_index(drop=True)
    ref["i"] = np.arange(len(ref))
    return ref if len(ref) else None


def path_colors(names: list[str], refs: list[str], colors: Mapping[str, str | Style] | None,
                s: dict | None = None) -> dict:
    """The colour channel of the paths and the reference lines: each series' colour from ``colors`` (the palette in
    order without it), the legend drawing the lines' dashes."""
    found = series_styles(names, colors, refs)
    # beside the colour bar's legend (about 240 px) at the bottom of the surface
    legend = {**dash_legend(names, found, PLOT_WIDTH - 240, (s or sizes(False))["label"]), "orient": "bottom"}
    return n("series", None, scale=style_scale(names, found), sort=names, legend=legend)


def line_layer(ref: pd.DataFrame, color: dict, text: ChartText) -> alt.Chart:
    """Dashed reference lines from :func:`line_frame`."""
    return chart(ref, {"type": "line", "strokeDash": DASHES["dash"], "clip": True},
                 {"x": q("x"), "y": q("y"), "color": color, "order": q("i"), "tooltip": [tip("series", text.series)]})


def surface_paths(z: np.ndarray, *, x_values: Sequence[float], y_values: Sequence[float],
                  paths: pd.DataFrame | None = None, lines: pd.DataFrame | None = None,
                  path_tips: Mapping[str, str] | None = None, x_title: str = "x", y_title: str = "y",
                  value_title: str = "value", step_title: str = "step", domain: tuple[float, float] | None = None,
                  scheme: str = "greys", outside: str = OUTSIDE, text: ChartText = ENGLISH,
                  projector: bool = False, height: int = 360, title: str | None = None,
                  max_cells: int = 2500, max_points: int = MAX_ROWS // 4,
                  colors: Mapping[str, str | Style] | None = None) -> alt.LayerChart:
    """Heat map of ``z`` over the window spanned by the grid, with ``paths`` and dashed ``lines`` on top.

    Parameters
    ----------
    z : (len(y_values), len(x_values)) array, rows along y (e.g. log10 of a loss over (w, b)); ±inf are
        clamped to the colour range (``domain``, default: the finite values) and NaN cells are left out.
    x_values, y_values : increasing grid coordinates; the window is [first, last] on each axis.
    paths : long DataFrame with columns ``series``, ``step``, ``x``, ``y`` (+ the columns of ``path_tips``):
        one polyline per series in step order, with a point per step whose tooltip shows the series, the
        step, the true x and y and the ``path_tips`` columns. Points outside the window are drawn on its edge.
    lines : DataFrame with ``x``, ``y``, ``series``: dashed reference lines (e.g. where a wall is), in row order.
    path_tips : ``{column: tooltip title}`` extra numbers of each path point (e.g. loss, gradient norm).
    outside : status text of a point outside the window (translated by the caller).

    Rows: at most ``max_cells`` cells (the grid is subsampled by a stride) plus ``max_points`` path points.
    """
    s = sizes(projector)
    tips = dict(path_tips or {})
    xv, yv = np.asarray(x_values, dtype=float), np.asarray(y_values, dtype=float)
    surface, window = surface_layer(z, xv, yv, x_title=x_title, y_title=y_title, value_title=value_title,
                                    domain=domain, scheme=scheme, text=text, height=height, max_cells=max_cells)
    layers = [surface]
    pts = _path_frame(paths, window, tips, outside, text, max_points) if paths is not None and len(paths) else None
    ref = line_frame(lines, window)
    names = list(dict.fromkeys([*(pts["series"] if pts is not None else []),
                                *(ref["series"] if ref is not None else [])])) or ["-"]
    color = path_colors(names, list(dict.fromkeys(ref["series"])) if ref is not None else [], colors, s)
    if ref is not None:
        layers.append(line_layer(ref, color, text))
    if pts is not None and len(pts):
        tooltip = path_tooltip(tips, x_title, y_title, step_title, text)
        layers.append(chart(pts, {"type": "line", "clip": True, "opacity": 0.9},
                            {"x": q("px"), "y": q("py"), "color": color, "order": q("step"), "detail": n("series")}))
        layers += point_layers(pts, color, tooltip, s, inside=f"datum.status == '{EXACT}'")
    return finish(layer(*layers, height=height), projector, title)


def path_tooltip(tips: Mapping[str, str], x_title: str, y_title: str, step_title: str, text: ChartText) -> list:
    """Tooltip of a path point (rows from :func:`_path_frame`)."""
    return [tip("series", text.series), tip("step", step_title, "quantitative"), tip("x_text", x_title),
            tip("y_text", y_title), *(tip(f"{c}_text", t) for c, t in tips.items()), tip("status_text", text.status)]


def point_layers(data: pd.DataFrame | None, color: dict, tooltip: list | None, s: dict, *, inside: str) -> list:
    """A path's points: circles inside the window (``inside``: a Vega filter expression), black-edged triangles on
    its edge for the points beyond it; ``data=None`` inherits the parent layer's data."""
    enc = {"x": q("px"), "y": q("py"), "color": color, "shape": n("shape", scale=None),
           **({"tooltip": tooltip} if tooltip else {})}
    return [
        chart(data, {"type": "point", "filled": True, "opacity": 1, "stroke": "white", "strokeWidth": 1,
                     "size": s["point"] * 1.3}, enc, where=inside),
        chart(data, {"type": "point", "filled": True, "opacity": 1, "stroke": "black", "strokeWidth": 1,
                     "size": s["flag"]}, enc, where=f"!({inside})"),
    ]
