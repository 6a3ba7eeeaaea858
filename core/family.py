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

from .chains import _SMALL, _TOL


# When a member's power iteration settles too slowly (close top singular values), its exact value from the Gram
# matrix is cheaper than more iterations: an eigvalsh of an m x m Gram costs ~50 us at m = 32 and ~2 ms at
# m = 128, an iteration over the family ~0.3 ms. So small states give up early, large ones iterate longer.
def _budget(m: int) -> tuple[int, float]:
    """(power-iteration steps, slowest acceptable contraction per step) for m x m products."""
    return (6, 0.15) if m <= 48 else (24, 0.6)


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


def _orthonormal_pair(X: np.ndarray) -> np.ndarray:
    """Gram-Schmidt on the two columns of every X[f] (F, m, 2), vectorised (no per-matrix LAPACK call)."""
    a = X[:, :, 0] / np.maximum(np.linalg.norm(X[:, :, 0], axis=1, keepdims=True), 1e-300)
    b = X[:, :, 1] - np.einsum("fm,fm->f", a, X[:, :, 1])[:, None] * a
    b = b - np.einsum("fm,fm->f", a, b)[:, None] * a            # twice is enough (Kahan)
    nb = np.linalg.norm(b, axis=1, keepdims=True)
    return np.stack([a, np.where(nb > 1e-300, b / np.maximum(nb, 1e-300), 0.0)], axis=2)


def _top_ritz(G: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest eigenvalue and its unit eigenvector of every symmetric 2 x 2 G[f], in closed form."""
    a, b, c = G[:, 0, 0], G[:, 0, 1], G[:, 1, 1]
    half = 0.5 * (a - c)
    lam = 0.5 * (a + c) + np.hypot(half, b)
    # eigenvector (lam - c, b) when a >= c, else (b, lam - a): the larger first component avoids cancellation
    y = np.where((half >= 0)[:, None], np.stack([lam - c, b], axis=1), np.stack([b, lam - a], axis=1))
    n = np.linalg.norm(y, axis=1, keepdims=True)
    y = np.where(n > 0, y / np.where(n > 0, n, 1.0), np.array([1.0, 0.0]))
    return lam, y


def _spectral_family(M: np.ndarray, U: np.ndarray, exact: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest singular value of every M[f] (F, m, n), to ``_TOL`` relative accuracy.

    Block power iteration on M M^T with a block of two vectors (so a pair of close singular values, common for
    real matrices with complex eigenvalue pairs, does not slow it down), warm-started from the previous step's
    block U (F, m, 2): consecutive products share their top left singular vectors, so it usually settles in two
    or three cheap steps. Rayleigh-Ritz and orthonormalisation are done in closed form over the whole family.
    The error is extrapolated from the observed contraction, as in ``chains._spectral``; members that settle
    too slowly, and members flagged in ``exact``, get the exact value from their Gram matrix.

    Returns (sigma (F,), U_next, slow (F,) bool: the members that needed the exact value).
    """
    F = M.shape[0]
    theta, prev, change_prev = np.zeros(F), np.full(F, -1.0), np.full(F, np.inf)
    todo = ~exact
    slow = exact.copy()
    U = U.copy()
    max_it, too_slow = _budget(M.shape[1])
    for it in range(max_it):
        idx = np.flatnonzero(todo)                           # only the members still iterating
        if not idx.size:
            break
        Mi, Ui = (M, U) if idx.size == F else (M[idx], U[idx])
        B = Mi.transpose(0, 2, 1) @ Ui                       # (k, n, 2)
        t, y = _top_ritz(B.transpose(0, 2, 1) @ B)           # sigma^2 estimate and its direction in the block
        X = Mi @ (B @ np.stack([y, np.stack([-y[:, 1], y[:, 0]], axis=1)], axis=2))   # M M^T U, top Ritz first
        U[idx] = _orthonormal_pair(X)
        change = np.abs(t - prev[idx])
        with np.errstate(divide="ignore", invalid="ignore"):
            rate = change / change_prev[idx] if it >= 2 else np.zeros(idx.size)
            err = np.where(rate < 1.0, change * rate / (1.0 - rate), np.inf)
        theta[idx] = t
        done = (change == 0) | ((it >= 2) & (err <= _TOL * t))   # extrapolated error, not the last step
        stuck = ~done & (it >= 3) & ((rate >= too_slow) | ~np.isfinite(err))
        todo[idx[done | stuck]] = False
        slow[idx[stuck]] = True
        prev[idx], change_prev[idx] = t, change
    slow |= todo                                             # not settled in time
    sigma = np.sqrt(np.maximum(theta, 0.0))
    if slow.any():
        sigma[slow] = _exact_top(M[slow])
    return sigma, U, slow


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
    U = _orthonormal_pair(np.broadcast_to(np.random.default_rng(0).normal(size=(len(r_idx), 2)),
                                          (F, len(r_idx), 2)).copy())
    misses = np.zeros(F, dtype=int)                          # steps in a row that needed the exact value
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
        else:                                                # still slow: exact, retrying every 8th step
            value, U, slow = _spectral_family(M, U, (misses >= 2) & (k % 8 != 0))
            misses = np.where(slow, misses + 1, 0)
        L[:, k] = np.where(alive, log_scale + _log10(value), -np.inf)
    return L
