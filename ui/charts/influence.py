"""Which words does a position see? Page 6's influence maps of a sentence, with a focus word the slider moves.

One chart (one Vega view, so one slider drives all of it): the forward, backward and bidirectional maps side by
side, ``z[t, k] = ||dh_t/dx_k||``; the focus word's row outlined in each map and drawn again as bars under it
(the same columns, so bar k sits under cell k); the focus word's label in bold; one line of numbers above.

    focus_maps({"forward": F, "backward": B, "bidirectional": Z}, words, scrub=param, titles=..., notes=...)

The slider (``scrub``, positions 1..T) only picks rows: every map cell is in the data once and never changes
while it moves, so a drag step redraws 3 outlines, 3T bars and two texts, not the 3T² cells (each cell costs
Vega a re-encode, ~0.1 ms). The focus's bars are packed one row per map (``ui.charts.scrub``).
The words are data only (labels, tooltips), never part of a Vega expression: a sentence is free text.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import OVERFLOW, UNDERFLOW, clamp, fmt_values
from ui.charts.scrub import ScrubParam, js
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import PALETTE, finish, sizes
from ui.charts.vl import chart, extent_layer, layer, n, q, tip

ZERO_COLOR = "#e6e6e6"  # cells that are exactly 0 (cannot be seen)
FOCUS_COLOR = "#000000"
VIEW = "focus_maps"  # the layer the slider's selection lives in
SEP = "\x1f"  # joins a sentence's words in one string: tokenize() turns control characters into spaces
STRIP = 0.24  # share of the plot's height under the maps for the focus row's bars


@dataclass(frozen=True)
class FocusText:
    """The translated words of the chart (axis, tooltip and label texts); every tooltip title is distinct."""

    map: str = "map"
    row: str = "position t"
    col: str = "word k"
    row_word: str = "text at position t"
    col_word: str = "text of word k"
    value: str = "‖∂h_t/∂x_k‖"
    zero: str = "exactly 0: this position cannot see this word"
    strip: str = "focus row"


def _top(values: np.ndarray) -> float:
    """Upper end of a non-negative colour range: the largest finite value (1 if there is none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    hi = float(v.max()) if v.size else 0.0
    return hi if hi > 0 else 1.0


def _top_padding(s: dict) -> int:
    """Room above the plot: the focus word's note and the maps' titles."""
    return int(s["title"] + s["label"] + 26)


def _layout(T: int, height: int, s: dict) -> dict:
    """Plan of the plot: maps on top (one unit per row), a gap, the bars' strip; x in cell units. Vega fits the
    whole chart (note, titles, axis) into ``height``, so the plot gets about what those leave; the pixel sizes
    below (label spacing, the colour bar) use that estimate and err on the small side."""
    plot = height - _top_padding(s) - (2 * s["label"] + s["title"] + 20)   # minus the note and the x axis
    gap = round(s["label"] * 1.1)
    strip = round(STRIP * plot)
    maps = plot - gap - strip
    u = maps / T                                             # px per row
    G = max(1.0, round(0.15 * T, 2))                         # blocks are G cells apart
    return {"G": G, "u": u, "maps": maps, "base": T + (gap + strip) / u, "h": strip / u, "width": 3 * T + 2 * G,
            "y_max": T + (gap + strip) / u, "label_w": 120 if s["label"] > 14 else 100}


def focus_maps(maps: Mapping[str, np.ndarray], words: Sequence[str], *, scrub: ScrubParam,
               titles: Mapping[str, str], notes: Sequence[str], domain: tuple[float, float] | None = None,
               labels: FocusText = FocusText(), text: ChartText = ENGLISH, projector: bool = False,
               height: int = 300, colors: Mapping[str, str] | None = None) -> alt.LayerChart:
    """The maps ``maps`` (name -> (T, T), drawn left to right in this order) of the sentence ``words`` with the
    focus word chosen by ``scrub`` (positions 1..T: member i is position i+1); ``titles`` name -> map title;
    ``notes`` T one-line texts written above the plot for each focus word; ``domain`` the colour range (default
    [0, largest value]); exact zeros are grey; ``colors`` name -> colour of the map's focus-row bars."""
    names = list(maps)
    Z = np.stack([np.atleast_2d(np.asarray(maps[m], dtype=float)) for m in names])   # (D, T, T)
    D, T = Z.shape[0], Z.shape[1]
    if Z.shape != (D, T, T) or len(words) != T or len(notes) != T or scrub.size != T:
        raise ValueError(f"expected {T} words, notes and slider positions for ({T}, {T}) maps")
    words = [str(w) for w in words]
    s = sizes(projector)
    g = _layout(T, height, s)
    lo, hi = domain or (0.0, _top(Z))
    offset = np.arange(D) * (T + g["G"])                     # left edge of each map, in cells
    x_enc = q("x", labels.col, scale={"domain": [0, g["width"]], "nice": False, "zero": False},
              axis={"values": (offset[:, None] + np.arange(T) + 0.5).ravel().tolist(), "grid": False,
                    "labelExpr": f"floor(datum.value % {_num(T + g['G'])}) + 1", "labelOverlap": True,
                    "labelAngle": 0, "domain": False})
    y_enc = q("y", None, scale={"domain": [0, g["y_max"]], "reverse": True, "nice": False, "zero": False},
              axis=None)
    colour = q("c", labels.value, scale={"scheme": "viridis"},
               legend={"orient": "right", "direction": "vertical", "gradientLength": max(int(0.7 * g["maps"]), 50),
                       "format": ".3~g"})
    layers = [extent_layer(color=(colour, (lo, hi))),      # the colour range lives in the data
              _cells(Z, names, titles, words, offset, (lo, hi), x_enc, y_enc, colour, labels, text)]
    layers += _label_layers(words, names, titles, offset, g, x_enc, y_enc, labels, s, T)
    fills = [(colors or {}).get(m, PALETTE[j % len(PALETTE)]) for j, m in enumerate(names)]
    layers += _focus_layers(Z, names, titles, words, offset, g, hi, scrub, x_enc, y_enc, labels, s, fills)  # on top
    layers += _note(notes, scrub, s)
    out = finish(layer(*layers, height=height), projector)
    out.params = [alt.TopLevelSelectionParameter(**scrub.param(), views=[VIEW])]
    # the note, the titles and the row labels are marks outside the plot: Vega makes room for them itself
    out.padding = {"top": 5, "left": 5, "right": 5, "bottom": 5}
    return out


def _num(x: float) -> str:
    return repr(float(x))


def _cells(Z, names, titles, words, offset, rng, x_enc, y_enc, colour, labels: FocusText, text: ChartText):
    """Every cell of every map (static: nothing here follows the slider)."""
    D, T, _ = Z.shape
    b, t, k = (a.ravel() for a in np.meshgrid(np.arange(D), np.arange(T), np.arange(T), indexing="ij"))
    raw = Z.ravel()
    vals, status, keep = clamp(raw, *rng)                   # NaN cells (none from the core) are left out
    zero = raw == 0.0
    status_text = np.where(zero, labels.zero, np.where(status == OVERFLOW, text.overflow,
                                                       np.where(status == UNDERFLOW, text.underflow, text.exact)))
    w = np.array(words, dtype=object)
    data = pd.DataFrame({
        "map": pd.Categorical(np.array([titles[m] for m in names], dtype=object)[b]),
        "x": offset[b] + k, "x2": offset[b] + k + 1.0, "y": t.astype(float), "y2": t + 1.0,
        "t": t + 1, "k": k + 1, "word_t": w[t], "word_k": w[k], "c": vals, "zero": zero,
        "value_text": fmt_values(raw), "status_text": status_text.astype(object),
    }).loc[keep].reset_index(drop=True)
    enc = {"x": x_enc, "x2": {"field": "x2"}, "y": y_enc, "y2": {"field": "y2"},
           "color": {"condition": {"test": "datum.zero", "value": ZERO_COLOR}, **colour},
           "tooltip": [tip("map", labels.map), tip("t", labels.row, "ordinal"), tip("word_t", labels.row_word),
                       tip("k", labels.col, "ordinal"), tip("word_k", labels.col_word),
                       tip("value_text", labels.value), tip("status_text", text.status)]}
    cells = chart(data, "rect", enc)
    cells.name = VIEW
    return cells


def _focus_layers(Z, names, titles, words, offset, g, hi, scrub: ScrubParam, x_enc, y_enc, labels: FocusText,
                  s: dict, fills: list[str]) -> list:
    """What follows the slider: each map's focus row outlined, the row as bars under the map, the bold label."""
    D, T, _ = Z.shape
    flt = [scrub.member_filter()]
    f = np.repeat(np.arange(T), D)
    b = np.tile(np.arange(D), T)
    outline = pd.DataFrame({"i": f.astype(np.uint16), "x": offset[b], "x2": offset[b] + T, "y": f.astype(float),
                            "y2": f + 1.0})
    # the bars: one row per (focus word, map), the row's T values packed as text (ui.charts.scrub.pack)
    bars = np.clip(np.nan_to_num(Z, nan=0.0), 0.0, hi)       # as tall as the colour range (+inf: the top)
    vals = np.char.mod("%.6g", bars.transpose(1, 0, 2).reshape(T * D, T)).astype(object)
    top = hi if hi > 0 else 1.0
    bars = pd.DataFrame({
        "i": f.astype(np.uint16), "o": offset[b], "map": pd.Categorical(np.array([titles[m] for m in names])[b]),
        "fill": pd.Categorical(np.array(fills)[b]), "base": g["base"], "h": g["h"], "top": float(top),
        "k": pd.Categorical([",".join(str(k) for k in range(1, T + 1))] * (T * D)),
        "w": pd.Categorical([SEP.join(words)] * (T * D)),
        "v": np.array([",".join(r) for r in vals], dtype=object),
    })
    unpack = flt + [{"calculate": f"split(datum.{c}, {js(sep)})", "as": c} for c, sep in
                    (("v", ","), ("k", ","), ("w", SEP))]
    unpack += [{"flatten": ["v", "k", "w"]}, {"calculate": "toNumber(datum.v)", "as": "v"},
               {"calculate": "toNumber(datum.k)", "as": "k"},
               {"calculate": "datum.o + datum.k - 0.85", "as": "x"},
               {"calculate": "datum.o + datum.k - 0.15", "as": "x2"},
               {"calculate": "datum.base - datum.v / datum.top * datum.h", "as": "y"},
               {"calculate": "datum.base", "as": "y2"},
               {"calculate": f"format(datum.v, {js('.4~g')})", "as": "value_text"}]
    bar_tips = [tip("map", labels.map), tip("k", labels.col, "ordinal"), tip("w", labels.col_word),
                tip("value_text", labels.value)]
    row = pd.DataFrame({"i": np.arange(T, dtype=np.uint16), "y": np.arange(T) + 0.5,
                        "y0": np.arange(T) + 0.5 - 0.75 * s["label"] / g["u"],
                        "y1": np.arange(T) + 0.5 + 0.75 * s["label"] / g["u"],
                        "label": [f"{t + 1} {w}" for t, w in enumerate(words)]})
    label_mark = {"type": "text", "align": "right", "baseline": "middle", "fontSize": s["label"], "fontWeight": "bold",
                  "color": FOCUS_COLOR, "limit": g["label_w"] - 8}
    return [
        chart(outline, {"type": "rect", "filled": False, "stroke": FOCUS_COLOR, "strokeWidth": s["rule"] * 1.4},
              {"x": x_enc, "x2": {"field": "x2"}, "y": y_enc, "y2": {"field": "y2"}}, transform=flt),
        chart(bars, "rect", {"x": x_enc, "x2": {"field": "x2"}, "y": y_enc, "y2": {"field": "y2"},
                             "color": n("fill", None, scale=None, legend=None), "tooltip": bar_tips}, transform=unpack),
        # the focus word's label in bold over the plain one (a white card hides the plain label and its neighbours)
        chart(row, {"type": "rect", "color": "white"},
              {"x": {"value": -g["label_w"]}, "x2": {"value": -2}, "y": q("y0", None, scale=y_enc["scale"], axis=None),
               "y2": {"field": "y1"}}, transform=flt),
        chart(row, label_mark, {"x": {"value": -6}, "y": y_enc, "text": n("label")}, transform=flt),
    ]


def _label_layers(words, names, titles, offset, g, x_enc, y_enc, labels: FocusText, s: dict, T: int) -> list:
    """Static texts: each row's "position word" left of the maps (every k-th when rows are thin), the maps'
    titles above them, the strip's name left of the bars, and each strip's base line."""
    every = max(1, math.ceil(1.1 * s["label"] / g["u"]))
    rows = np.arange(0, T, every)
    left = pd.DataFrame({"y": rows + 0.5, "label": [f"{t + 1} {words[t]}" for t in rows]})
    heads = pd.DataFrame({"x": offset + T / 2, "title": [titles[m] for m in names]})
    base = pd.DataFrame({"x": offset, "x2": offset + T, "y": g["base"]})
    strip = pd.DataFrame({"y": [g["base"] - g["h"] / 2], "label": [labels.strip]})
    side = {"type": "text", "align": "right", "baseline": "middle", "fontSize": s["label"], "color": "#555555",
            "limit": g["label_w"] - 8}
    return [
        chart(left, side, {"x": {"value": -6}, "y": y_enc, "text": n("label")}),
        chart(strip, side, {"x": {"value": -6}, "y": y_enc, "text": n("label")}),
        chart(heads, {"type": "text", "align": "center", "baseline": "bottom", "dy": -6, "fontSize": s["title"],
                      "fontWeight": "bold", "color": "#111111"}, {"x": x_enc, "y": {"value": 0}, "text": n("title")}),
        chart(base, {"type": "rule", "color": "#888888", "strokeWidth": 1}, {"x": x_enc, "x2": {"field": "x2"},
                                                                            "y": y_enc}),
    ]


def _note(notes: Sequence[str], scrub: ScrubParam, s: dict) -> list:
    """The focus word's numbers above the maps' titles."""
    df = pd.DataFrame({"i": np.arange(len(notes), dtype=np.uint16), "note": list(notes)})
    return [chart(df, {"type": "text", "align": "left", "baseline": "bottom", "dy": -int(s["title"] + 14),
                       "fontSize": s["title"] + 1, "fontWeight": "bold", "color": "#111111"},
                  {"x": {"value": 0}, "y": {"value": 0}, "text": n("note")}, transform=[scrub.member_filter()])]


def integer_x(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Whole-number ticks on a chart's quantitative x axis (counts such as a distance in words or a number of
    layers: 0, 1, 2 rather than 0, 0.2, 0.4), in place; returns the chart."""
    for part in getattr(chart, "layer", []) or []:
        enc = getattr(part, "encoding", None)
        x = getattr(enc, "x", alt.Undefined) if enc is not None else alt.Undefined
        if isinstance(x, dict) and x.get("type") == "quantitative":
            part.encoding.x = {**x, "axis": {**x.get("axis", {}), "tickMinStep": 1, "format": "d"}}
    return chart


__all__ = ["FocusText", "focus_maps", "integer_x"]
