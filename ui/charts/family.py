"""The scrubbed line chart: a family of curves, one member per value of the page's main control, with the
control as a slider under the chart (see ``ui.charts.scrub``). The browser shows the member the slider is on
and redraws as it moves: lines, overflow marks, hover tooltips and the numbers written inside the plot.

    family_curves(d, {"tanh": L}, scrub=param, notes=texts, marker=horizons, zones=(-3, 3), ...)

The axes are fixed for the whole family (its extent, at most ``LIMIT`` decades either way), so the eye sees
the curve move rather than the axis; a value beyond them sits on the edge as a triangle whose tooltip says
overflow/underflow, as on every other chart.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, OVERFLOW, UNDERFLOW, auto_domain, clamp, fmt_pow10s, fmt_values, rdp_rows
from ui.charts.lines import window_layers
from ui.charts.notes import member_notes, note_lines, room
from ui.charts.overlap import dash_keys, over_members
from ui.charts.scrub import DIGITS, ScrubParam, js, pack, unpack_transforms
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import (
    LINE_WIDTH_PX,
    OVERFLOW_SHAPE,
    UNDERFLOW_SHAPE,
    Style,
    dash_legend,
    finish,
    row_dash,
    series_styles,
    sizes,
    style_scale,
)
from ui.charts.vl import FREE, chart, extent_layer, layer, n, q, tip
from ui.charts.zones import PLOT_WIDTH, zone_label_spots, zone_layers

VIEW = "family_lines"  # name of the layer the scrub's selection lives in
FLAG_INSET = 0.04  # overflow/underflow triangles sit this share of the y range inside the edge (fully visible)
LIMIT = 60.0  # log10 axes of a family span at most ±60 decades: the interesting part stays readable


# Points that carry tooltips, per member: each is a mark Vega re-encodes (through its expression interpreter) on
# every drag step, so a drag step costs ~0.05 ms per point; 300 keeps every distance of a T = 100 page.
HOVER_POINTS = 320
# Overflow/underflow triangles per line and member: a line that leaves the axes for good shows a row of them along
# the edge, evenly spaced, not one per step (each is a symbol Vega draws on every drag step).
FLAGS = 24


def _hover_columns(n_points: int, n_series: int) -> np.ndarray:
    """Indices of the points that carry tooltips: all of them up to ``HOVER_POINTS`` per member, else evenly
    spaced (first and last kept)."""
    per_series = max(2, HOVER_POINTS // max(n_series, 1))
    if n_points <= per_series:
        return np.arange(n_points)
    return np.unique(np.linspace(0, n_points - 1, per_series).round().astype(int))


_RECENT: OrderedDict[str, pd.DataFrame] = OrderedDict()
RECENT = 8  # packed families kept (a page draws the same family on every run until another control changes it)


def _recent(key: tuple, build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``, or the frame it gave for the same ``key`` (arrays by content) among the last ``RECENT``: packing
    and formatting a family costs tens of ms, and the next run (after a release) draws the same one. The frames
    are shared: callers never modify them."""
    h = hashlib.sha1()
    for part in key:
        h.update(np.ascontiguousarray(part).tobytes() if isinstance(part, np.ndarray) else repr(part).encode())
    digest = h.hexdigest()
    if digest in _RECENT:
        _RECENT.move_to_end(digest)
        return _RECENT[digest]
    out = _RECENT[digest] = build()
    while len(_RECENT) > RECENT:
        _RECENT.popitem(last=False)
    return out


TIP_SEP = "|"  # between the tooltip texts of a packed row (numbers use ",")
CODES = {EXACT: "", OVERFLOW: "o", UNDERFLOW: "u"}  # a point's status in the hover rows (exact: nothing)


def _hover_rows(x: np.ndarray, series: Mapping[str, np.ndarray], kinds: dict[str, str], cols: np.ndarray, lo: float,
                hi: float, text: ChartText) -> pd.DataFrame:
    """The hover points of every member, packed per (member, series) like ``ui.charts.scrub.pack``: x, the
    tooltip's log10 and norm texts, formatted here as every other chart's tooltips are (``ui.charts.clamp``), and
    a status code per point. In the browser a point then costs three cheap expressions (its x, its height read
    back from the log10 text, its status word) instead of seven, two of them d3 formats (~0.1 ms a point while
    the slider moves)."""
    sub = {k: np.asarray(v, dtype=float)[:, cols] for k, v in series.items()}
    F = next(iter(sub.values())).shape[0] if sub else 0
    out: dict[str, list] = {"i": [], "series": [], "kind": [], "x": [], "log10_text": [], "norm_text": [], "code": []}
    for name, v in sub.items():
        log10 = fmt_values(v).reshape(v.shape)
        log10[np.isinf(v)] = np.where(v[np.isinf(v)] > 0, "Infinity", "-Infinity")   # as JavaScript reads them
        norm = fmt_pow10s(v.ravel()).reshape(v.shape)
        code = np.vectorize(CODES.get, otypes=[object])(clamp(v, lo, hi)[1])
        every_x = ",".join(f"{c:.{DIGITS}g}" for c in x[cols])
        for f in range(F):
            keep = ~np.isnan(v[f])
            out["i"].append(f)
            out["series"].append(name)
            out["kind"].append(kinds.get(name, "curve"))
            out["x"].append(every_x if keep.all() else ",".join(f"{c:.{DIGITS}g}" for c in x[cols][keep]))
            for field, col in (("log10_text", log10), ("norm_text", norm), ("code", code)):
                out[field].append(TIP_SEP.join(col[f][keep]))
    df = pd.DataFrame(out).astype({"i": np.uint16, "series": "category", "kind": "category", "x": "category"})
    return _with_range(df, lo, hi)


def _hover_unpack(scrub: ScrubParam, text: ChartText) -> list[dict]:
    """The slider's member of the hover rows, one datum per point: x, y (the log10 value, clamped to the axes)
    and the status word."""
    fields = ("x", "log10_text", "norm_text", "code")
    return [scrub.member_filter(),
            *({"calculate": f"split(datum.{f}, {js(',' if f == 'x' else TIP_SEP)})", "as": f} for f in fields),
            {"flatten": list(fields)},
            {"calculate": "toNumber(datum.x)", "as": "x"},
            {"calculate": "clamp(toNumber(datum.log10_text), datum.lo, datum.hi)", "as": "y"},
            {"calculate": f"datum.code == 'u' ? {js(text.underflow)} : datum.code == 'o' ? {js(text.overflow)} : "
                          f"{js(text.exact)}", "as": "status_text"}]


def _clamp_transforms(lo: float, hi: float) -> list[dict]:
    """y = v clamped to the chart's range, and the point's status (the range travels in the rows, lo/hi)."""
    return [
        {"calculate": "clamp(datum.v, datum.lo, datum.hi)", "as": "y"},
        {"calculate": f"datum.v > datum.hi ? {js(OVERFLOW)} : datum.v < datum.lo ? {js(UNDERFLOW)} : {js(EXACT)}",
         "as": "status"},
    ]


def _with_range(df: pd.DataFrame, lo: float, hi: float) -> pd.DataFrame:
    return df.assign(lo=float(lo), hi=float(hi))


def family_curves(x: Sequence[float] | np.ndarray, curves: Mapping[str, np.ndarray], *, scrub: ScrubParam,
                  refs: Mapping[str, np.ndarray] | None = None, notes: Sequence[str] | None = None,
                  marker: np.ndarray | None = None, marker_label: str = "",
                  zones: tuple[float, float] | None = (-3.0, 3.0), window: int | None = None,
                  y_domain: tuple[float, float] | None = None, text: ChartText = ENGLISH, projector: bool = False,
                  height: int = 360, title: str | None = None, x_title: str | None = None,
                  y_title: str | None = None, colors: Mapping[str, str | Style] | None = None) -> alt.LayerChart:
    """log10 ||gradient|| against distance for every member of a family, the slider choosing the member.

    Parameters
    ----------
    x : (N,) positions shared by every curve (e.g. the distances 0..T)
    curves, refs : name -> (F, N) log10 values (±inf allowed); refs are drawn dashed
    scrub : the slider (``scrub.size == F``)
    notes : F one-line texts written above the plot for each member (e.g. the gradient from T steps back
        and the memory horizon)
    marker : (F,) an x position per member marked by a vertical rule labelled ``marker_label`` (NaN: none)
    zones, window, y_domain : as in :func:`ui.charts.lines.gradient_curves`; y_domain defaults to the
        family's extent, at most ``LIMIT`` decades either way
    colors : series name -> colour or ``Style`` (``ui.charts.theme.styles``); references without a style of their
        own are dashed. In each member, a line that lies on an earlier one is drawn with gaps (``ui.charts.overlap``).
    """
    s = sizes(projector)
    refs = dict(refs or {})
    series = {**dict(curves), **refs}
    F = scrub.size
    for name, vals in series.items():
        if np.shape(vals) != (F, len(x)):
            raise ValueError(f"{name}: expected ({F}, {len(x)}) values, got {np.shape(vals)}")
    x = np.asarray(x, dtype=float)
    every = np.concatenate([np.asarray(v, dtype=float).ravel() for v in series.values()]) if series else np.zeros(0)
    zone_pts = tuple(z + m for z, m in zip(zones or (), (-1.0, 1.0), strict=False) if np.isfinite(z))
    lo, hi = y_domain or auto_domain(every, include=zone_pts + (0.0,), limit=(-LIMIT, LIMIT))
    x_lo, x_hi = float(x.min()), max(float(x.max()), float(x.min()) + 1)
    kinds = {name: "ref" for name in refs}
    names = list(series)
    found = series_styles(names, colors, refs)
    key = (x, *series.values(), tuple(series), tuple(kinds), lo, hi, text, tuple(found.items()))  # the same family
    lines = _recent(("lines", height, *key), lambda: _with_range(
        _per_member(series, lambda ss: _packed(x, ss, kinds, found, (lo, hi), height)), lo, hi))
    hover = _recent(("hover", *key), lambda: _per_member(
        series, lambda ss: _hover_rows(x, ss, kinds, _hover_columns(len(x), len(ss)), lo, hi, text)))

    xt, yt = x_title or text.distance, y_title or text.log10_grad
    x_enc, y_enc = q("x", xt, scale=FREE), q("y", yt, scale=FREE)
    color = n("series", None, scale=style_scale(names, found), sort=names, legend=dash_legend(names, found, PLOT_WIDTH,
                                                                                          s["label"]))
    dash = row_dash()
    shape = n("status", scale={"domain": [OVERFLOW, UNDERFLOW], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
              legend=None)
    unpack = unpack_transforms(scrub) + _clamp_transforms(lo, hi)
    # Everything that follows the slider is clipped to the plot (flags sit just inside its edge): marks that
    # reached beyond it would make Vega lay the chart out anew for some members and not others.
    line = chart(None, {"type": "line", "clip": True}, {"x": x_enc, "y": y_enc, "color": color, "strokeDash": dash})
    line.name = VIEW
    inset = {"calculate": f"datum.status == {js(OVERFLOW)} ? datum.hi - {FLAG_INSET} * (datum.hi - datum.lo) : "
                          f"datum.lo + {FLAG_INSET} * (datum.hi - datum.lo)", "as": "y"}
    flags = chart(None, {"type": "point", "filled": True, "opacity": 1, "size": s["flag"], "stroke": "black",
                         "strokeWidth": 1, "clip": True}, {"x": x_enc, "y": y_enc, "color": color, "shape": shape},
                  where=f"datum.status != {js(EXACT)}", transform=[inset])
    tooltip = [tip("series", text.series), tip("x", xt, "quantitative"), tip("log10_text", text.log10),
               tip("norm_text", text.norm), tip("status_text", text.status)]
    points = chart(None, {"type": "point", "filled": True, "opacity": 0, "size": s["point"] * 2, "clip": True},
                   {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip})
    layers = zone_layers(zones, lo, hi, text, s, labels=False) + window_layers(window, (x_lo, x_hi), text, s)
    layers.append(layer(line, flags, data=lines, transform=unpack))
    spots = zone_label_spots(x, series, (x_lo, x_hi), (lo, hi), zones, text, s, height, len(names), marker,
                              marker_label, window, notes is not None)
    if spots is not None:                                     # on top of the lines, under the hover points
        layers.append(chart(spots, {"type": "text", "align": "center", "baseline": "middle", "fontSize": s["label"],
                                    "fontWeight": "bold"},
                            {"x": q("x"), "y": q("y"), "text": n("zone"), "fill": n("ink", scale=None)},
                            transform=[scrub.member_filter()]))
    layers.append(layer(points, data=hover, transform=_hover_unpack(scrub, text)))
    layers += _note_layers(scrub, notes, marker, marker_label, x_enc, s)
    layers.append(extent_layer(x=(x_enc, (x_lo, x_hi)), y=(y_enc, (lo, hi))))  # the ranges live in the data
    out = finish(layer(*layers, height=height), projector, title)
    # the slider: a top-level selection living in the line layer (Vega-Lite's form for layered charts)
    out.params = [alt.TopLevelSelectionParameter(**scrub.param(), views=[VIEW])]
    if notes is not None and not title:                      # room above the plot for the member's numbers
        out.padding = {"top": room(s, note_lines(notes)), "left": 5, "right": 5, "bottom": 5}
    return out


def _per_member(series: Mapping[str, np.ndarray], build: Callable[[dict], pd.DataFrame]) -> pd.DataFrame:
    """``build(series)``, packed rows ordered by series then member ``i`` (one row each), computed for the distinct
    members only: a coarse family (``ui.progressive``) repeats each computed member for its neighbours, and
    formatting its copies again would cost the run that draws it."""
    arrays = {k: np.asarray(v, dtype=float) for k, v in series.items()}
    F = next(iter(arrays.values())).shape[0] if arrays else 0
    seen: dict[bytes, int] = {}
    inverse = np.array([seen.setdefault(b"".join(v[f].tobytes() for v in arrays.values()), len(seen))
                        for f in range(F)], dtype=np.intp)
    if len(seen) == F:
        return build(arrays)
    first = np.unique(inverse, return_index=True)[1]                   # each distinct member's first index
    out = build({k: v[first] for k, v in arrays.items()})
    U = len(first)
    take = (np.arange(len(arrays))[:, None] * U + inverse[None, :]).ravel()
    out = out.iloc[take].reset_index(drop=True)
    out["i"] = np.tile(np.arange(F, dtype=np.uint16), len(arrays))
    return out


def _drawn_points(x: np.ndarray, series: Mapping[str, np.ndarray], y_range: tuple[float, float],
                  height: int) -> dict[str, np.ndarray]:
    """Per line, the points that change how it looks at the widest the chart is drawn (``LINE_WIDTH_PX`` x
    ``height`` pixels: Ramer-Douglas-Peucker within a quarter pixel of the clamped curve, ``rdp_rows``), plus points
    beyond the axes, each of which carries an overflow/underflow triangle (at most about ``FLAGS`` a line, evenly
    spread, the first and last of them included): name -> (F, N) bool."""
    lo, hi = y_range
    span_x = max(float(x.max() - x.min()), 1e-300) if len(x) else 1.0
    px = x * (LINE_WIDTH_PX / span_x)
    out = {}
    for name, vals in series.items():
        v = np.asarray(vals, dtype=float)
        inside = np.clip(np.nan_to_num(v, nan=lo), lo, hi)
        out[name] = rdp_rows(px, inside * (height / max(hi - lo, 1e-300))) | _spread((v < lo) | (v > hi), FLAGS)
    return out


def _spread(flagged: np.ndarray, most: int) -> np.ndarray:
    """Of each row's True points, at most about ``most`` evenly spaced ones, its first and last among them."""
    rank = np.cumsum(flagged, axis=1) - 1
    count = flagged.sum(axis=1, keepdims=True)
    step = np.maximum(1, -(-count // most))
    return flagged & ((rank % step == 0) | (rank == count - 1))


def _packed(x: np.ndarray, series: Mapping[str, np.ndarray], kinds: dict[str, str], found: dict[str, Style],
            y_range: tuple[float, float], height: int) -> pd.DataFrame:
    """``pack``'s rows (member, series) with each line's dash key for its member: its own pattern, or ``"over"``
    where it lies on an earlier line of the member (so the browser picks it per row, with no expression)."""
    out = pack(x, series, kinds, keep=_drawn_points(x, series, y_range, height))
    names = list(series)
    Y = np.stack([np.asarray(series[name], dtype=float) for name in names])            # (S, F, N)
    keys = dash_keys(names, found, over_members(Y, y_range))                              # (S, F)
    out["dash"] = pd.Categorical(keys.ravel(), categories=list(dict.fromkeys(["solid", *keys.ravel()])))
    return out


def _note_layers(scrub: ScrubParam, notes: Sequence[str] | None, marker: np.ndarray | None, marker_label: str,
                 x_enc: dict, s: dict) -> list:
    """The member's numbers in the plot's top-left corner, and its marker rule."""
    out = [member_notes(scrub, notes, s)] if notes is not None else []
    if marker is not None:
        m = np.asarray(marker, dtype=float)
        keep = np.flatnonzero(np.isfinite(m))
        df = pd.DataFrame({"i": keep.astype(np.uint16), "x": m[keep], "label": marker_label})
        flt = [scrub.member_filter()]
        out += [
            chart(df, {"type": "rule", "color": "#444444", "strokeDash": [2, 3]}, {"x": x_enc}, transform=flt),
            # the label runs up along the rule and is clipped to the plot: it never moves the plot's edges
            chart(df, {"type": "text", "align": "left", "baseline": "bottom", "dx": 4, "dy": -3, "angle": 270,
                       "fontSize": s["label"], "color": "#444444", "clip": True},
                  {"x": x_enc, "y": {"value": "height"}, "text": n("label")}, transform=flt),
        ]
    return out
