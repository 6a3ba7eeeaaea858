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


def thin(df: pd.DataFrame, max_rows: int, by: str | None = None, flag: str | None = "status") -> pd.DataFrame:
    """At most ``max_rows`` rows: evenly spaced within each ``by`` group; rows with ``flag`` != exact stay."""
    if len(df) <= max_rows:
        return df
    groups = [df] if by is None else [g for _, g in df.groupby(by, sort=False)]
    budget = max(2, max_rows // len(groups))
    parts = []
    for g in groups:
        if len(g) <= budget:
            parts.append(g)
            continue
        keep = np.zeros(len(g), dtype=bool)
        flagged = np.flatnonzero((g[flag] != EXACT).to_numpy()) if flag is not None and flag in g else []
        n_flag = min(len(flagged), budget // 2)
        if n_flag:
            keep[flagged[_even(len(flagged), n_flag)]] = True
        keep[_even(len(g), budget - n_flag)] = True
        parts.append(g.loc[keep])
    return pd.concat(parts, ignore_index=True)


def simplify(df: pd.DataFrame, scale: tuple[float, float], by: str | list[str] | None = "series", x: str = "x",
             y: str = "y", tol: float = 0.25) -> pd.DataFrame:
    """The rows a line needs: Ramer-Douglas-Peucker per ``by`` group (in ``x`` order), with ``scale`` = pixels
    per data unit on (x, y). Dropped points lie within ``tol`` pixels of the line through the kept ones, so
    the drawn line looks the same while Vega has far fewer points to encode on every redraw."""
    if df.empty:
        return df
    keys = [by] if isinstance(by, str) else list(by or [])
    group = (df.groupby(keys, sort=False).ngroup().to_numpy() if keys else np.zeros(len(df), dtype=int))
    xs, ys = df[x].to_numpy(dtype=float), df[y].to_numpy(dtype=float)
    order = np.lexsort((xs, group))  # by group, then x (stable for equal x)
    starts = np.flatnonzero(np.r_[True, np.diff(group[order]) != 0, True])
    keep = [order[a:b][_rdp(xs[order[a:b]] * scale[0], ys[order[a:b]] * scale[1], tol)]
            for a, b in zip(starts[:-1], starts[1:], strict=True)]
    return df.iloc[np.concatenate(keep)].reset_index(drop=True)


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
