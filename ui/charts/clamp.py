"""Make any numbers drawable: clamp to the chart's range and say so, and keep charts small.

Values beyond the range (including ±inf) are moved to the edge and flagged ``overflow``/``underflow``
so the builder can draw them as explicit marks; NaN rows are dropped. Nothing returned contains NaN or
inf. ``thin`` keeps at most ``max_rows`` rows, evenly spaced per series, never dropping flagged rows;
``simplify`` drops the points of a line that lie on it anyway (within a fraction of a pixel).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ui.charts.text import ChartText

EXACT, OVERFLOW, UNDERFLOW = "exact", "overflow", "underflow"
FLOAT_MAX = float(np.finfo(float).max)
LOG10_LIMIT = 300.0  # log10 axes never extend beyond ±300 (float64 ends near ±308)


def auto_domain(values: np.ndarray, *, include: tuple[float, ...] = (), limit: tuple[float, float] | None = None,
                pad: float = 0.05, positive: bool = False) -> tuple[float, float]:
    """A [lo, hi] covering the finite values and ``include``, padded, within ``limit``; never empty.

    ``positive=True`` (log-scaled axes) ignores values <= 0 and pads multiplicatively.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    if positive:
        v = v[v > 0]
    if limit is not None:
        v = v[(v >= limit[0]) & (v <= limit[1])]
    pool = np.concatenate([v, np.asarray(include, dtype=float)])
    if pool.size == 0:
        lo, hi = (0.1, 10.0) if positive else (-1.0, 1.0)
    else:
        lo, hi = float(pool.min()), float(pool.max())
    if positive:
        lo, hi = lo / 10 ** (pad * 10), hi * 10 ** (pad * 10)
        if lo == hi:
            lo, hi = lo / 10, hi * 10
    else:
        span = hi - lo if hi > lo else max(abs(hi), 1.0)
        lo, hi = max(lo - pad * span, -FLOAT_MAX), min(hi + pad * span, FLOAT_MAX)  # padding stays finite
    if limit is not None:
        lo, hi = max(lo, limit[0]), min(hi, limit[1])
        if not lo < hi:
            lo, hi = limit
    return lo, hi


def clamp(values: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(clamped, status, keep): values moved into [lo, hi], 'exact'/'overflow'/'underflow', and not-NaN mask."""
    v = np.asarray(values, dtype=float)
    keep = ~np.isnan(v)
    status = np.where(v > hi, OVERFLOW, np.where(v < lo, UNDERFLOW, EXACT))
    return np.clip(np.nan_to_num(v, nan=lo, posinf=hi, neginf=lo), lo, hi), status, keep


def clamp_frame(df: pd.DataFrame, col: str, lo: float, hi: float, out: str = "y") -> pd.DataFrame:
    """Copy of ``df`` without NaN in ``col``, plus ``out`` (clamped) and ``status`` columns."""
    y, status, keep = clamp(df[col].to_numpy(dtype=float), lo, hi)
    res = df.assign(**{out: y, "status": status})
    return res.loc[keep].reset_index(drop=True)


def first_codes(*keys: np.ndarray) -> np.ndarray:
    """Each row's group number, groups numbered in order of first appearance (``groupby(sort=False).ngroup()``
    without pandas): ``first_codes(series)``, ``first_codes(series, kind)``."""
    n = len(keys[0]) if keys else 0
    code = np.zeros(n, dtype=np.int64)
    for key in keys:
        _, inv = np.unique(np.asarray(key), return_inverse=True)
        code = code * (int(inv.max()) + 1 if n else 1) + inv.ravel()
    _, first, inv = np.unique(code, return_index=True, return_inverse=True)
    rank = np.empty(len(first), dtype=np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    return rank[inv.ravel()]


def _groups(codes: np.ndarray) -> list[np.ndarray]:
    """Row indices of each group (in group-number order), each in row order."""
    order = np.argsort(codes, kind="stable")
    cuts = np.flatnonzero(np.diff(codes[order])) + 1
    return np.split(order, cuts) if len(order) else []


def thin_index(codes: np.ndarray, flagged: np.ndarray, max_rows: int) -> np.ndarray:
    """Rows :func:`thin` keeps, given each row's group (:func:`first_codes`) and whether it is flagged."""
    if len(codes) <= max_rows:
        return np.arange(len(codes))
    groups = _groups(codes)
    budget = max(2, max_rows // len(groups))
    parts = []
    for rows in groups:
        if len(rows) <= budget:
            parts.append(rows)
            continue
        keep = np.zeros(len(rows), dtype=bool)
        marked = np.flatnonzero(flagged[rows])
        n_flag = min(len(marked), budget // 2)
        if n_flag:
            keep[marked[_even(len(marked), n_flag)]] = True
        keep[_even(len(rows), budget - n_flag)] = True
        parts.append(rows[keep])
    return np.concatenate(parts)


def _codes(df: pd.DataFrame, by: str | list[str] | None) -> np.ndarray:
    keys = [by] if isinstance(by, str) else list(by or [])
    return first_codes(*(df[k].to_numpy() for k in keys)) if keys else np.zeros(len(df), dtype=np.int64)


def thin(df: pd.DataFrame, max_rows: int, by: str | list[str] | None = None,
         flag: str | None = "status") -> pd.DataFrame:
    """At most ``max_rows`` rows: evenly spaced within each ``by`` group; rows with ``flag`` != exact stay."""
    if len(df) <= max_rows:
        return df
    flagged = ((df[flag] != EXACT).to_numpy() if flag is not None and flag in df
               else np.zeros(len(df), dtype=bool))
    return df.iloc[thin_index(_codes(df, by), flagged, max_rows)].reset_index(drop=True)


def simplify_index(xs: np.ndarray, ys: np.ndarray, codes: np.ndarray, scale: tuple[float, float],
                   tol: float = 0.25) -> np.ndarray:
    """Rows :func:`simplify` keeps: per group (``codes``), in x order, Ramer-Douglas-Peucker at ``scale``."""
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    keep = []
    for rows in _groups(codes):
        rows = rows[np.argsort(xs[rows], kind="stable")]
        keep.append(rows[_rdp(xs[rows] * scale[0], ys[rows] * scale[1], tol)])
    return np.concatenate(keep) if keep else np.arange(0)


def simplify(df: pd.DataFrame, scale: tuple[float, float], by: str | list[str] | None = "series", x: str = "x",
             y: str = "y", tol: float = 0.25) -> pd.DataFrame:
    """The rows a line needs: Ramer-Douglas-Peucker per ``by`` group (in ``x`` order), with ``scale`` = pixels
    per data unit on (x, y). Dropped points lie within ``tol`` pixels of the line through the kept ones, so
    the drawn line looks the same while Vega has far fewer points to encode on every redraw."""
    if df.empty:
        return df
    idx = simplify_index(df[x].to_numpy(dtype=float), df[y].to_numpy(dtype=float), _codes(df, by), scale, tol)
    return df.iloc[idx].reset_index(drop=True)


def _rdp(px: np.ndarray, py: np.ndarray, tol: float) -> np.ndarray:
    """Indices kept by Ramer-Douglas-Peucker (iterative; first and last always kept)."""
    n = len(px)
    if n <= 2:
        return np.arange(n)
    keep = np.zeros(n, dtype=bool)
    keep[[0, n - 1]] = True
    stack = [(0, n - 1)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        dx, dy = px[b] - px[a], py[b] - py[a]
        rx, ry = px[a + 1:b] - px[a], py[a + 1:b] - py[a]
        length = math.hypot(dx, dy)
        dist = np.abs(dy * rx - dx * ry) / length if length > 0 else np.hypot(rx, ry)
        i = int(np.argmax(dist))
        if dist[i] > tol:
            k = a + 1 + i
            keep[k] = True
            stack += [(a, k), (k, b)]
    return np.flatnonzero(keep)


def rdp_rows(px: np.ndarray, py: np.ndarray, tol: float = 0.25) -> np.ndarray:
    """:func:`_rdp` of every row of ``py`` (R, N) against the shared ``px`` (N,), all rows at once: (R, N) bool,
    True where a point is kept (the same points as ``_rdp`` row by row, same arithmetic).

    Ramer-Douglas-Peucker does not depend on the order in which segments are split, so each pass splits every
    open segment of every row at its farthest point (the first farthest, as ``argmax``) with whole-array
    operations: about log2(N) passes instead of a Python loop per row and segment. Values must be finite."""
    py = np.asarray(py, dtype=float)
    R, N = py.shape
    keep = np.zeros((R, N), dtype=bool)
    if N == 0:
        return keep
    keep[:, [0, N - 1]] = True
    if N <= 2:
        return keep
    px = np.broadcast_to(np.asarray(px, dtype=float), (R, N))
    cols = np.arange(N)
    rows = np.arange(R)[:, None]
    while True:
        left = np.maximum.accumulate(np.where(keep, cols, 0), axis=1)                 # kept point at or before
        right = np.minimum.accumulate(np.where(keep, cols, N - 1)[:, ::-1], axis=1)[:, ::-1]   # ... at or after
        ax, ay, bx, by = px[rows, left], py[rows, left], px[rows, right], py[rows, right]
        dx, dy, rx, ry = bx - ax, by - ay, px - ax, py - ay
        length = np.hypot(dx, dy)
        with np.errstate(invalid="ignore", divide="ignore"):
            dist = np.where(length > 0, np.abs(dy * rx - dx * ry) / length, np.hypot(rx, ry))
        dist[keep] = -1.0
        flat = dist.ravel()
        starts = np.flatnonzero(keep.ravel())                                   # each segment: a kept point on
        seg_max = np.maximum.reduceat(flat, starts)
        seg = np.cumsum(keep.ravel()) - 1                                       # segment of every point
        split = (flat == seg_max[seg]) & (flat > tol)
        at = np.flatnonzero(split)
        if at.size == 0:
            return keep
        _, first = np.unique(seg[at], return_index=True)                       # the first farthest per segment
        keep.ravel()[at[first]] = True


def _even(n: int, k: int) -> np.ndarray:
    """k indices spread evenly over range(n), first and last included."""
    return np.linspace(0, n - 1, max(k, 1)).round().astype(int)


def fmt_value(x: float, digits: int = 4) -> str:
    """Exact value for a tooltip: '0.1235', '-3.2e-07', '+inf', '-inf', 'nan'."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "-inf"
    return f"{x:.{digits}g}"


def fmt_pow10(log10: float, digits: int = 3) -> str:
    """10**log10 in scientific notation without ever forming the float: fmt_pow10(-400.5) == '3.16e-401'."""
    if math.isnan(log10):
        return "nan"
    if math.isinf(log10):
        return "inf" if log10 > 0 else "0"
    e = math.floor(log10)
    m = 10 ** (log10 - e)
    if round(m, digits - 1) >= 10:
        m, e = m / 10, e + 1
    return f"{m:.{digits - 1}f}e{e:+03d}"


def fmt_values(x: np.ndarray, digits: int = 4) -> np.ndarray:
    """:func:`fmt_value` of every element (a tooltip column: thousands of heat-map cells per chart)."""
    x = np.asarray(x, dtype=float).ravel()
    out = np.array([f"{v:.{digits}g}" for v in x.tolist()], dtype=object)
    for i in np.flatnonzero(~np.isfinite(x)):
        out[i] = fmt_value(float(x[i]), digits)
    return out


def status_texts(status: np.ndarray, text: ChartText) -> np.ndarray:
    """The translated word for each status (``clamp``'s 'exact'/'overflow'/'underflow')."""
    status = np.asarray(status)
    return np.where(status == OVERFLOW, text.overflow,
                    np.where(status == UNDERFLOW, text.underflow, text.exact)).astype(object)


def fmt_pow10s(log10: np.ndarray, digits: int = 3) -> np.ndarray:
    """:func:`fmt_pow10` of every element (vectorised; a tooltip column of a few hundred rows per chart)."""
    v = np.asarray(log10, dtype=float)
    finite = np.abs(v) < 1e15  # beyond that the exponent itself needs the exact scalar path
    e = np.floor(np.where(finite, v, 0.0))
    m = 10.0 ** (np.where(finite, v, 0.0) - e)
    carry = np.round(m, digits - 1) >= 10
    m, e = np.where(carry, m / 10, m), np.where(carry, e + 1, e)
    out = np.char.add(np.char.mod(f"%.{digits - 1}f", m), np.char.mod("e%+03d", e.astype(np.int64))).astype(object)
    for i in np.flatnonzero(~finite):
        out[i] = fmt_pow10(float(v[i]))
    return out
