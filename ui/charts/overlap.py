"""Curves that lie on one another: a line drawn exactly over an earlier one would hide it (page 1's rho^(T-k) under
the bound, page 2's linear RNN under the IRNN, page 3's full dc_T/dc_k under the full state, page 4's GRU under the
LSTM). Such a line is drawn with the dash pattern ``"over"`` (``ui.charts.theme.DASHES``), whose gaps show the line
underneath.

The test is done in NumPy when the chart's data are built, per member of a family (the browser draws one member at
a time): the result is one dash key per line and member, a column of the data. Nothing is computed per point in the
browser.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ui.charts.theme import Style

TOLERANCE = 0.01  # share of the y range: about a line's width on a plot 250-330 px tall
SHARE = 0.8  # a line lies on another when at least this share of its points is within TOLERANCE of it


def over_members(Y: np.ndarray, y_range: tuple[float, float]) -> np.ndarray:
    """(S, F) bool: line s of member f lies on an earlier line (s' < s) of the same member.

    ``Y`` (S, F, N): S lines of F members on one x grid (NaN: no point), compared after clamping to ``y_range``
    (two lines beyond the same edge sit on it together).
    """
    Y = np.asarray(Y, dtype=float)
    lo, hi = y_range
    tol = TOLERANCE * max(hi - lo, 1e-300)
    C = np.clip(Y, lo, hi)                                    # ±inf sit on the edges, NaN stays NaN
    S = Y.shape[0]
    out = np.zeros(Y.shape[:2], dtype=bool)
    with np.errstate(invalid="ignore"):
        drawn = (~np.isnan(C)).sum(axis=2)                      # (S, F)
        for s in range(1, S):
            close = np.abs(C[:s] - C[s][None]) <= tol             # (s, F, N); NaN compares False
            share = close.sum(axis=2) / np.maximum(drawn[s], 1)[None]
            out[s] = (share >= SHARE).any(axis=0) & (drawn[s] >= 2)
    return out


def dash_keys(names: list[str], styles: Mapping[str, Style], over: np.ndarray) -> np.ndarray:
    """(S, F) dash keys: each line's own pattern, ``"over"`` where it lies on an earlier line."""
    own = np.array([styles[name].dash for name in names], dtype=object)[:, None]
    return np.where(over, "over", np.broadcast_to(own, over.shape)).astype(object)


def row_dashes(series: np.ndarray, x: np.ndarray, y: np.ndarray, y_range: tuple[float, float],
               styles: Mapping[str, Style]) -> np.ndarray:
    """The dash key of every row of a long table (series, x, y): lines are compared where they share x values."""
    names = list(dict.fromkeys(series))
    grid = np.unique(x)
    Y = np.full((len(names), 1, len(grid)), np.nan)
    for k, name in enumerate(names):
        rows = series == name
        Y[k, 0, np.searchsorted(grid, x[rows])] = y[rows]
    keys = dash_keys(names, styles, over_members(Y, y_range))[:, 0]
    return keys[pd.Categorical(series, categories=names).codes] if len(series) else np.zeros(0, dtype=object)
