"""Which words does a position see? A word-by-position influence map and a per-word bar chart.

Both take the words of a sentence (any text, possibly repeated: ``"the"`` twice) and key everything by
position, so the words only appear as data (tooltips, axis labels), never in a Vega expression. Exact
zeros — words a reader cannot see at all — are drawn in light grey, distinct from small but non-zero values.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, FLOAT_MAX, OVERFLOW, UNDERFLOW, clamp, fmt_value
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import PALETTE, color_scale, finish, sizes
from ui.charts.vl import FREE, chart, extent_layer, layer, n, o, q, tip

ZERO_COLOR = "#e6e6e6"  # cells that are exactly 0 (cannot be seen)
FOCUS_COLOR = "#000000"


def _status(status: np.ndarray, zero: np.ndarray, text: ChartText, zero_text: str) -> list[str]:
    names = {EXACT: text.exact, OVERFLOW: text.overflow, UNDERFLOW: text.underflow}
    return [zero_text if z else names[s] for s, z in zip(status, zero, strict=True)]


def _top(values: np.ndarray) -> float:
    """Upper end of a non-negative colour/axis range: the largest finite value (1 if there is none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    hi = float(v.max()) if v.size else 0.0
    return hi if hi > 0 else 1.0


def influence_map(z: np.ndarray, words: Sequence[str], *, focus: int | None = None,
                  domain: tuple[float, float] | None = None, row_title: str = "position t",
                  col_title: str = "word k", row_word_title: str = "text at t", col_word_title: str = "text of word k",
                  value_title: str = "‖∂h_t/∂x_k‖", zero_text: str = "0: not seen", legend: bool = True,
                  text: ChartText = ENGLISH, projector: bool = False, height: int = 220,
                  title: str | None = None) -> alt.LayerChart:
    """Heat map of ``z[t, k]`` (T x T, non-negative): rows are positions t (1..T, top to bottom), columns
    words k (1..T). Axes show positions; the tooltip names both words. ``focus`` (0-based) outlines a row.

    ``domain`` fixes the colour range (give several maps the same one to compare them); default [0, max].
    Values above the range (±inf too) are clamped and marked overflow in the tooltip; never NaN.
    """
    z = np.atleast_2d(np.asarray(z, dtype=float))
    T = z.shape[0]
    words = [str(w) for w in words][:T] + [""] * max(0, T - len(words))
    lo, hi = domain or (0.0, _top(z))
    vals, status, keep = clamp(z.ravel(), lo, hi)
    tt, kk = np.meshgrid(np.arange(T), np.arange(z.shape[1]), indexing="ij")
    zero = z.ravel() == 0.0
    data = pd.DataFrame({
        "t": tt.ravel() + 1, "k": kk.ravel() + 1, "c": vals, "zero": zero,
        "word_t": [words[i] for i in tt.ravel()], "word_k": [words[i] if i < len(words) else "" for i in kk.ravel()],
        "value_text": [fmt_value(v) for v in z.ravel()],
        "status_text": _status(status, zero, text, zero_text),
    }).loc[keep].reset_index(drop=True)
    positions = list(range(1, T + 1))
    axis = {"labelAngle": 0, "labelOverlap": True}
    legend_spec = {"orient": "right", "gradientLength": max(height - 60, 80), "format": ".3~g"} if legend else None
    colour = q("c", value_title, scale={"scheme": "viridis"}, legend=legend_spec)
    enc = {
        "x": o("k", col_title, sort=positions, axis=axis),
        "y": o("t", row_title, sort=positions, axis=axis),
        "color": {"condition": {"test": "datum.zero", "value": ZERO_COLOR}, **colour},
        "tooltip": [tip("t", row_title, "ordinal"), tip("word_t", row_word_title), tip("k", col_title, "ordinal"),
                    tip("word_k", col_word_title), tip("value_text", value_title), tip("status_text", text.status)],
    }
    layers = [extent_layer(color=(colour, (lo, hi))), chart(data, "rect", enc)]  # colour range in the data
    if focus is not None and 0 <= int(focus) < T:
        row = pd.DataFrame({"t": [int(focus) + 1]})
        layers.append(chart(row, {"type": "rect", "filled": False, "stroke": FOCUS_COLOR,
                                  "strokeWidth": sizes(projector)["rule"] * 1.4},
                            {"y": o("t", sort=positions)}))
    return finish(layer(*layers, height=height), projector, title)


def word_bars(words: Sequence[str], values: Mapping[str, np.ndarray], *, focus: int | None = None,
              word_title: str = "text of word k", position_title: str = "word k", value_title: str = "value",
              text: ChartText = ENGLISH, projector: bool = False, height: int = 240,
              title: str | None = None) -> alt.LayerChart:
    """Grouped bars: one group per word of the sentence (x: "position word", in sentence order), one bar
    per series of ``values`` (name -> (T,) non-negative). ``focus`` (0-based) shades that word's group."""
    words = [str(w) for w in words]
    T = len(words)
    labels = [f"{k + 1} {w}" for k, w in enumerate(words)]
    names = list(values)
    raw = np.full(T * len(names), np.nan)                    # series shorter than the sentence: missing bars
    for i, s in enumerate(names):
        v = np.asarray(values[s], dtype=float).ravel()[:T]
        raw[i * T:i * T + len(v)] = v
    lo, hi = 0.0, min(_top(raw) * 1.05, FLOAT_MAX)  # the headroom stays finite
    vals, status, keep = clamp(raw, lo, hi)
    zero = raw == 0.0
    data = pd.DataFrame({
        "label": labels * len(names), "k": list(range(1, T + 1)) * len(names),
        "word": words * len(names), "series": np.repeat(names, T) if names else [],
        "v": vals, "value_text": [fmt_value(v) for v in raw],
        "status_text": _status(status, np.zeros_like(zero), text, ""),
    }).loc[keep].reset_index(drop=True)
    x = n("label", None, sort=labels, axis={"labelAngle": 0 if T <= 8 else -40, "labelLimit": 140})
    tooltip = [tip("series", text.series), tip("k", position_title, "ordinal"), tip("word", word_title),
               tip("value_text", value_title), tip("status_text", text.status)]
    y = q("v", value_title, stack=None, scale=FREE)
    enc = {"x": x, "xOffset": n("series", sort=names), "y": y,
           "color": n("series", None, scale=color_scale(names or ["-"]), sort=names), "tooltip": tooltip}
    layers = []
    if focus is not None and 0 <= int(focus) < T:
        band = pd.DataFrame({"label": [labels[int(focus)]]})
        layers.append(chart(band, {"type": "rect", "color": PALETTE[4], "opacity": 0.18},
                            {"x": n("label", sort=labels)}))
    layers += [chart(data, "bar", enc), extent_layer(y=(y, (lo, hi)))]
    return finish(layer(*layers, height=height), projector, title)
