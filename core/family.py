"""Families: one setting of a page's main control per member, computed in one batched NumPy pass.

A page's main chart holds the exact curves for every value on its main control's grid (ρ on page 1,
b_f on page 3, ...), so the browser can redraw while the slider moves. Member f of a family must equal
the single-value computation at grid value f (the tests check it to float64 precision), so the batched
code below repeats the single code's arithmetic with a leading (F, ...) axis.

    grid(0.1, 2.0, 0.05)                            # the slider's values, exactly as the URL spells them
    L = chain_log10_norms_family(jac, F, T, S)      # (F, T+1): chain_log10_norms for every member
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .chains import _BLOCK, _MAXIT, _SMALL, _TOL


def grid(lo: float, hi: float, step: float) -> np.ndarray:
    """The values a slider from ``lo`` to ``hi`` in ``step`` takes: lo, lo + step, ..., hi (rounded to 10
    decimals, so 0.1 + 3 * 0.05 is 0.25, the value a browser's range input reports)."""
    if step <= 0 or hi < lo:
        raise ValueError(f"need step > 0 and lo <= hi, got {lo}, {hi}, {step}")
    n = int(round((hi - lo) / step))
    return np.round(lo + step * np.arange(n + 1), 10)


def _log10(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.where(x > 0, np.log10(np.where(x > 0, x, 1.0)), -np.inf)


def _exact_top(M: np.ndarray) -> np.ndarray:
    """Largest singular value of each (m, n) matrix in a (K, m, n) stack, from the smaller Gram matrix."""
    grams = M @ M.transpose(0, 2, 1) if M.shape[1] <= M.shape[2] else M.transpose(0, 2, 1) @ M
    return np.sqrt(np.maximum(np.linalg.eigvalsh(grams)[:, -1], 0.0))


def _spectral_family(M: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest singular value of every M[f] (F, m, n) by block power iteration on M M^T warm-started from
    U (F, m, p), as ``chains._spectral`` does for one matrix; members that do not settle within
    ``_MAXIT`` steps get the exact value. Returns (sigma (F,), U_next).

    Every member takes every iteration (thin products, (F, m, p)): cheaper than copying the unsettled ones out.
    """
    F = M.shape[0]
    sigma, prev, step = np.zeros(F), np.full(F, -1.0), np.full(F, np.inf)
    todo = np.ones(F, dtype=bool)
    MT = M.transpose(0, 2, 1)
    for it in range(_MAXIT):
        B = MT @ U                                           # (F, n, p)
        w, Y = np.linalg.eigh(B.transpose(0, 2, 1) @ B)      # Rayleigh-Ritz on each small block
        s = np.sqrt(np.maximum(w[:, -1], 0.0))
        change = np.abs(s - prev)
        done = change <= _TOL * s
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            rate = change / step if it >= 2 else np.zeros(F)
            stuck = ~done & ((rate >= 1.0) | (change * rate ** (_MAXIT - it) > _TOL * s))
        sigma = np.where(todo, s, sigma)
        if (stuck & todo).any():                             # clustered spectrum: exact value
            sigma[stuck & todo] = _exact_top(M[stuck & todo])
        todo &= ~(done | stuck)
        if not todo.any():
            break
        prev, step = s, change
        U = np.where(todo[:, None, None], np.linalg.qr(M @ (B @ Y[:, :, ::-1]))[0], U)
    if todo.any():
        sigma[todo] = _exact_top(M[todo])
    return sigma, U


def chain_log10_norms_family(jac: Callable[[int], np.ndarray], F: int, T: int, S: int, ord=2, rows=None,
                             cols=None) -> np.ndarray:
    """:func:`core.chains.chain_log10_norms` for F chains at once.

    Parameters
    ----------
    jac : k -> (F, S, S), every member's J[k] = ds_{k+1}/ds_k (asked for k = T-1 down to 0, once each, so
        a family never holds all T Jacobians: (F, T, S, S) would not fit in memory for long runs)
    F, T, S : members, steps, state size
    ord, rows, cols : as in ``chain_log10_norms``

    Returns
    -------
    (F, T+1) array, row f = ``chain_log10_norms`` of member f's Jacobians (-inf once a product is exactly
    zero, never NaN).
    """
    if ord not in (2, "fro"):
        raise ValueError("ord must be 2 or 'fro'")
    idx = np.arange(S)
    r_idx = idx if rows is None else idx[rows]
    c_idx = idx if cols is None else idx[cols]
    R = np.broadcast_to(np.eye(S)[r_idx], (F, len(r_idx), S)).copy()
    exact = ord == "fro" or min(len(r_idx), len(c_idx)) <= _SMALL
    L = np.full((F, T + 1), -np.inf)
    first = np.linalg.norm(np.eye(S)[np.ix_(r_idx, c_idx)], "fro" if ord == "fro" else 2)
    L[:, T] = _log10(np.full(F, first))
    log_scale = np.zeros(F)
    alive = np.ones(F, dtype=bool)                           # products not yet exactly zero
    U = None
    if not exact:
        U0 = np.linalg.qr(np.random.default_rng(0).normal(size=(len(r_idx), min(_BLOCK, len(r_idx)))))[0]
        U = np.broadcast_to(U0, (F, *U0.shape)).copy()
    for k in range(T - 1, -1, -1):
        R = R @ jac(k)                                       # R_k = R_{k+1} J[k], every member
        s = np.maximum(R.max(axis=(1, 2)), -R.min(axis=(1, 2)))   # max |R| without a temporary
        if not np.all(np.isfinite(s)):
            raise ValueError("J contains non-finite values")
        alive &= s > 0
        if not alive.any():
            break
        s = np.where(alive, s, 1.0)
        R /= s[:, None, None]                                # keep R at unit scale ...
        log_scale += np.log10(s)                             # ... and its size in the log
        M = R if cols is None else R[:, :, c_idx]
        if ord == "fro":
            value = np.linalg.norm(M, axis=(1, 2))
        elif exact:
            value = _exact_top(M)
        else:
            value, U = _spectral_family(M, U)
        L[:, k] = np.where(alive, log_scale + _log10(value), -np.inf)
    return L
