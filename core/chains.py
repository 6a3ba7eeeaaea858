"""Norms of long products of Jacobians, computed in the log domain.

For step Jacobians J[t-1] = ds_t/ds_{t-1} (t = 1..T) the gradient that reaches step k from step T is
carried by

    ds_T/ds_k = J[T-1] J[T-2] ... J[k]        (k = 0..T, empty product = I at k = T)

One backward sweep R_T = I, R_k = R_{k+1} J[k] gives every k. After each product R is rescaled to
max|R| = 1 and the scale is added to a running log10, so rho = 3, T = 1000 (10^477) neither
overflows nor underflows. Only the rows that are asked for are carried (e.g. the c rows of an
LSTM's [h; c] state), and the spectral norm of each R_k comes from a block power iteration
warm-started from the previous k: consecutive products share their top singular directions, so a
few cheap matrix-vector products replace a full SVD per step (an exact SVD is the fallback).
"""
from __future__ import annotations

import numpy as np

_BLOCK = 8          # width of the power-iteration block
_TOL = 1e-12        # relative change of the Ritz value that counts as converged
_MAXIT = 10         # steps still unconverged after this get an exact (batched) eigvalsh
_SMALL = 16         # matrices this small are done exactly


def _spectral(M: np.ndarray, U: np.ndarray | None):
    """Largest singular value of M (m, n) by block power iteration on M M^T, warm-started from U.

    The LEFT singular vectors are the ones to carry from one k to the next: R_k = R_{k+1} J[k]
    appends factors on the right, so its output side (the rows) settles down as k decreases while
    its input side changes with every new factor. Returns (sigma, U_next, converged); when not
    converged, sigma is only a lower bound and the caller computes the exact value.
    """
    m = M.shape[0]
    if U is None:
        U = np.linalg.qr(np.random.default_rng(0).normal(size=(m, min(_BLOCK, m))))[0]
    prev, step = -1.0, np.inf
    for it in range(_MAXIT):
        B = M.T @ U                                        # (n, p)
        w, Y = np.linalg.eigh(B.T @ B)                     # Rayleigh-Ritz on the small block
        sigma = float(np.sqrt(max(w[-1], 0.0)))
        change = abs(sigma - prev)
        if change <= _TOL * sigma:
            return sigma, U, True
        rate = change / step if it >= 2 else 0.0           # observed contraction per iteration
        if rate >= 1.0 or change * rate ** (_MAXIT - it) > _TOL * sigma:
            break                                          # clustered spectrum: won't converge in time
        prev, step = sigma, change
        U, _ = np.linalg.qr(M @ (B @ Y[:, ::-1]))          # one step of subspace iteration on M M^T
    return sigma, U, False


def _log10(x: float) -> float:
    return float(np.log10(x)) if x > 0 else -np.inf


def chain_log10_norms(J, ord=2, rows=None, cols=None) -> np.ndarray:
    """log10 ||ds_T/ds_k|| for every k = 0..T in one sweep.

    Parameters
    ----------
    J : (T, S, S) array, J[t-1] = ds_t/ds_{t-1}
    ord : 2 (spectral, default) or "fro"
    rows, cols : optional index arrays or slices selecting a block of the product, e.g. for an LSTM
        with s = [h; c] and H units, ``rows=cols=slice(H, 2H)`` gives ||dc_T/dc_k||.

    Returns
    -------
    L : (T+1,) float array, L[k] = log10 ||(ds_T/ds_k)[rows, cols]||; L[T] is the norm of the
        identity block (0 for the spectral norm). -inf where the product is exactly zero (e.g. all
        ReLUs off); never NaN for finite J.
    """
    J = np.asarray(J, dtype=np.float64)
    if J.ndim != 3 or J.shape[1] != J.shape[2]:
        raise ValueError(f"J must be (T, S, S), got {J.shape}")
    if ord not in (2, "fro"):
        raise ValueError("ord must be 2 or 'fro'")
    T, S, _ = J.shape
    idx = np.arange(S)
    r_idx = idx if rows is None else idx[rows]
    c_idx = idx if cols is None else idx[cols]
    R = np.eye(S)[r_idx]                                   # selected rows of the identity
    exact = ord == "fro" or min(len(r_idx), len(c_idx)) <= _SMALL
    L = np.full(T + 1, -np.inf)
    L[T] = _log10(float(np.linalg.norm(R[:, c_idx], "fro" if ord == "fro" else 2)))
    log_scale, V, hard, misses = 0.0, None, {}, 0
    for k in range(T - 1, -1, -1):
        R = R @ J[k]                                       # R_k = R_{k+1} J[k]
        s = float(np.max(np.abs(R)))
        if not np.isfinite(s):
            raise ValueError("J contains non-finite values")
        if s == 0.0:
            break                                          # exactly zero from here on: -inf
        R /= s                                             # keep R at unit scale ...
        log_scale += np.log10(s)                           # ... and its size in the log
        M = R[:, c_idx]
        if exact:
            value = float(np.linalg.norm(M, "fro")) if ord == "fro" else None
            if value is None:
                hard[k] = M.copy()
        elif misses >= 2 and k % 8:                        # still clustered: go exact, retry every 8th
            hard[k], value = M.copy(), None
        else:
            value, V, ok = _spectral(M, V)
            misses = 0 if ok else misses + 1
            if not ok:
                hard[k], value = M.copy(), None            # finish exactly below, all at once
        L[k] = log_scale + (_log10(value) if value is not None else 0.0)
    if hard:                                               # exact spectral norms, one batched call
        ks = np.fromiter(hard, dtype=int)
        Ms = np.stack([hard[k] for k in ks])
        grams = Ms @ Ms.transpose(0, 2, 1) if Ms.shape[1] <= Ms.shape[2] else Ms.transpose(0, 2, 1) @ Ms
        top = np.linalg.eigvalsh(grams)[:, -1]
        L[ks] += np.array([_log10(float(np.sqrt(max(v, 0.0)))) for v in top])
    return L


def diag_chain_log10_norms(d, ord=2) -> np.ndarray:
    """log10 || prod_{t=k+1}^{T} diag(d_t) || for k = 0..T, exactly, from (T, H) diagonals.

    Spectral norm of a diagonal matrix = max_i |prod_t d_t,i|; Frobenius = sqrt(sum_i prod^2).
    Used for the LSTM cell path diag(f_t) and the GRU direct path diag(z_t).
    """
    d = np.abs(np.asarray(d, dtype=np.float64))
    if d.ndim != 2:
        raise ValueError(f"d must be (T, H), got {d.shape}")
    with np.errstate(divide="ignore"):
        logd = np.log10(d)
    # suffix sums: S[k, i] = sum_{t >= k} log10 d_t,i, S[T] = 0
    S = np.concatenate([np.cumsum(logd[::-1], axis=0)[::-1], np.zeros((1, d.shape[1]))])
    if ord == 2:
        return S.max(axis=1)
    if ord == "fro":
        m = S.max(axis=1, keepdims=True)
        with np.errstate(invalid="ignore"):
            out = m[:, 0] + 0.5 * np.log10(np.sum(10.0 ** (2 * (S - np.where(np.isfinite(m), m, 0))), axis=1))
        return np.where(np.isfinite(m[:, 0]), out, -np.inf)
    raise ValueError("ord must be 2 or 'fro'")


def influence_norms(J, Jx, rows=None, ord="fro") -> np.ndarray:
    """||ds_t/dx_k|| restricted to ``rows`` of the state, for all positions t, k (0-based).

    ds_t/dx_k = J[t] J[t-1] ... J[k+1] Jx[k] for k <= t and 0 for k > t (a causal RNN cannot see
    the future). J: (T, S, S) step Jacobians, Jx: (T, S, I) input Jacobians.

    Returns
    -------
    (T, T) array, entry [t, k]; zero above the diagonal.
    """
    J, Jx = np.asarray(J, dtype=np.float64), np.asarray(Jx, dtype=np.float64)
    T, S, _ = J.shape
    r_idx = np.arange(S) if rows is None else np.arange(S)[rows]
    out = np.zeros((T, T))
    for k in range(T):
        M = Jx[k]                                          # ds_k/dx_k
        for t in range(k, T):
            if t > k:
                M = J[t] @ M                               # ds_t/dx_k = J[t] ds_{t-1}/dx_k
            sub = M[r_idx]
            out[t, k] = np.linalg.norm(sub) if ord == "fro" else np.linalg.norm(sub, 2)
    return out


def memory_horizon(L: np.ndarray, drop_decades: float = 3.0) -> int | None:
    """Smallest distance T-k at which log10-norm curve L (as from chain_log10_norms) has fallen
    ``drop_decades`` below L[T]; None if it never does within the sequence."""
    L = np.asarray(L, dtype=np.float64)
    dist_curve = L[::-1]                                   # index = distance T-k
    below = np.nonzero(dist_curve <= dist_curve[0] - drop_decades)[0]
    return int(below[0]) if below.size else None
