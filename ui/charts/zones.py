"""The vanishing and exploding zones of a log10 gradient chart: shaded bands beyond the thresholds, and their labels
placed where no line runs (``zone_label_spots``), for the family charts (one spot per member) and the plain line
charts alike (one member)."""
from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ui.charts.text import ChartText
from ui.charts.theme import EXPLODE_COLOR, EXPLODE_TEXT, VANISH_COLOR, VANISH_TEXT, text_px
from ui.charts.vl import chart, n, q, tip

PLOT_WIDTH = 640  # px: a main chart's plot is about this wide on a 1280 px screen (zone labels are placed by it)


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


def zone_label_spots(x: np.ndarray, series: Mapping[str, np.ndarray], x_range: tuple[float, float],
                      y_range: tuple[float, float], zones: tuple[float, float] | None, text: ChartText, s: dict,
                      height: int, n_series: int, marker: np.ndarray | None, marker_label: str,
                      window: int | None, has_notes: bool, *, plot_width: float = PLOT_WIDTH,
                      extra_px: float = 0.0) -> pd.DataFrame | None:
    """Where each member's zone labels go: rows (i, zone, ink, x, y), the label's centre in data units.

    Candidates: the band's right end, centre and left end, in its middle (the right end is the place on other
    charts), at its outer edge and next to its threshold. A member takes the first candidate (right-middle, the
    edges, then the middle elsewhere) that none of its lines (nor their overflow triangles, its marker's label or
    the window's label) runs through; the next member keeps the same spot while it stays free, so the label moves
    only when a line comes. No free spot: the one crossed by the fewest. Sizes in px are estimated from the fonts
    and a typical plot size.
    """
    if not zones:
        return None
    (x_lo, x_hi), (lo, hi) = x_range, y_range
    size = s["label"]
    # px around the plot (notes, axis, legend of 4 columns), measured in Chromium at 1280 px: 230 normal, 268 projector
    chrome = ((s["title"] * 1.6 + 8 if has_notes else 0) + extra_px + 120 + 2.6 * size
              + np.ceil(n_series / 4) * (size + 10))
    ux, uy = (x_hi - x_lo) / plot_width, (hi - lo) / max(60.0, height + 30 - chrome)   # data units per px
    raw = np.stack([np.asarray(v, dtype=float) for v in series.values()], axis=1)                   # (F, S, N)
    Y = np.clip(raw, lo, hi)
    flag = (np.sqrt(s["flag"]) / 2 + 2) * uy                   # an off-range point's triangle reaches this far in
    Y_top = np.where(raw < lo, lo + flag, Y)                    # the extent of each point's mark
    Y_bottom = np.where(raw > hi, hi - flag, Y)
    F, x = Y.shape[0], np.asarray(x, dtype=float)
    m = np.full(F, np.nan) if marker is None or not marker_label else np.asarray(marker, dtype=float)
    along = lo + (text_px(marker_label, size) + 4) * uy          # a marker's label runs up its rule from the bottom

    def crossings(x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
        """(F,) lines (and labels) of each member inside the box (a segment crossing it counts)."""
        i0 = max(int(np.searchsorted(x, x0, side="right")) - 1, 0)
        i1 = min(int(np.searchsorted(x, x1, side="left")), len(x) - 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)               # an all-NaN stretch: no line there
            top, bottom = np.nanmax(Y_top[:, :, i0:i1 + 1], axis=2), np.nanmin(Y_bottom[:, :, i0:i1 + 1], axis=2)
        n_hit = ((top >= y0) & (bottom <= y1)).sum(axis=1)
        n_hit += (m + 4 * ux >= x0) & (m - (size + 4) * ux <= x1) & (along >= y0)
        if window is not None:
            wx = min(max(float(window), x_lo), x_hi) + 4 * ux
            n_hit += int(wx <= x1 and wx + text_px(text.window, size) * ux >= x0 and hi - (size + 10) * uy <= y1)
        return n_hit

    rows = []
    h, pad = size * 1.3, 6
    for zone, ink, a, b in ((text.vanishing, VANISH_TEXT, lo, min(zones[0], hi)),
                            (text.exploding, EXPLODE_TEXT, max(zones[1], lo), hi)):
        if not b > a:
            continue
        half_w, half_h = text_px(zone, size) / 2 * ux, h / 2 * uy
        xs = {"right": x_hi - (pad + 2) * ux - half_w, "left": x_lo + pad * ux + half_w, "centre": (x_lo + x_hi) / 2}
        ys = {"mid": (a + b) / 2}
        if b - a >= 2 * (half_h + pad * uy):                      # room for the edges inside the band
            low, high = a + pad * uy + half_h, b - pad * uy - half_h
            ys.update({"outer": low, "inner": high} if zone == text.vanishing else {"outer": high, "inner": low})
        spots = [(xs[hx], ys[vy]) for vy in ("mid", "outer", "inner") for hx in ("right", "centre", "left")
                 if vy in ys]
        spots = spots[:1] + sorted(spots[1:], key=lambda p: p[1] == ys["mid"])   # mid-band elsewhere comes last
        hits = np.stack([crossings(cx - half_w, cx + half_w, cy - half_h, cy + half_h) for cx, cy in spots], axis=1)
        at = None
        for f in range(F):
            if at is None or hits[f, at] > 0:                     # keep the spot while it is free
                at = int(np.argmin(hits[f]))                      # the first free one in order, else the least crossed
            rows.append((f, zone, ink, *spots[at]))
    if not rows:
        return None
    df = pd.DataFrame(rows, columns=["i", "zone", "ink", "x", "y"])
    return df.astype({"i": np.uint16})
