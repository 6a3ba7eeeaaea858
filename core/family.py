"""Families: one setting of a page's main control per member, computed in one batched NumPy pass.

A page's main chart holds the exact curves for every value on its main control's grid (ρ on page 1,
b_f on page 3, ...), so the browser can redraw while the slider moves. Member f of a family must equal
the single-value computation at grid value f (the tests check it to float64 precision), so the batched
code below repeats the single code's arithmetic with a leading (F, ...) axis.

    grid(0.1, 2.0, 0.05)                            # the slider's values, exactly as the URL spells them
    L = chain_log10_norms_family(jac, F, T, S)      # (F, T+1): chain_log10_norms for every member
    m, tr = bias_family(lstm, 1, grid(-4, 6, 0.25), xs)   # F LSTMs differing in the forget bias, one pass
"""
from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from .chains import _MAXIT, _TOL, memory_horizon

_SMALL = 16  # batched, exact norms (one eigvalsh per member) beat the power iteration up to here (as in chains)
_ITERATIONS = 2 * _MAXIT  # a block of two settles more slowly than chains' block of 8, but each step is cheap
_POWER = 3  # products with M M^T per iteration after the first (one Ritz value and orthonormalisation per three)


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


def _orthonormal2(Z: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the two columns of every Z[a] (A, m, 2): Gram-Schmidt, the second column twice."""
    q1 = Z[:, :, 0] / np.maximum(np.linalg.norm(Z[:, :, 0], axis=1), 1e-300)[:, None]
    z2 = Z[:, :, 1]
    for _ in range(2):
        z2 = z2 - np.einsum("am,am->a", q1, z2)[:, None] * q1
    return np.stack([q1, z2 / np.maximum(np.linalg.norm(z2, axis=1), 1e-300)[:, None]], axis=2)


def _top_ritz2(B: np.ndarray) -> np.ndarray:
    """Largest eigenvalue of every B[a]^T B[a] for B (A, n, 2), in closed form."""
    g = B.transpose(0, 2, 1) @ B                             # (A, 2, 2)
    a, c, b = g[:, 0, 0], g[:, 1, 1], g[:, 0, 1]
    return 0.5 * (a + c) + np.hypot(0.5 * (a - c), b)


def _spectral_family(M: np.ndarray, U: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Largest singular value of every M[f] (F, m, n) by subspace iteration on M M^T with a block of two,
    warm-started from U (F, m, 2), as ``chains._spectral`` does for one matrix (there with a block of 8);
    members that do not settle within ``_ITERATIONS`` steps get the exact value. Returns (sigma (F,), U_next).

    A block of two needs no LAPACK call (the 2 x 2 Rayleigh-Ritz and the orthonormalisation are closed
    forms), whose fixed cost per small matrix dominated here. Most members settle at once from the warm start
    (one product with M M^T, two Ritz values); the rest take ``_POWER`` products per iteration, so the fixed cost
    of an iteration is paid less often. Members that settled are dropped from the arrays once they are 40 %.
    """
    F = M.shape[0]
    sigma, U = np.zeros(F), U.copy()
    act, Ma, Ua = np.arange(F), M, U                         # the rows still in the arrays ...
    live = np.ones(F, dtype=bool)                            # ... and which of them still iterate
    prev, step = np.full(F, -1.0), np.full(F, np.inf)
    for it in range(_ITERATIONS):
        B = Ma.transpose(0, 2, 1) @ Ua                       # (A, n, 2)
        s = np.sqrt(np.maximum(_top_ritz2(B), 0.0))          # Rayleigh-Ritz value on each block
        change = np.abs(s - prev)
        done = change <= _TOL * s
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            rate = change / step if it >= 2 else np.zeros(len(act))
            stuck = live & ~done & ((rate >= 1.0) | (change * rate ** (_ITERATIONS - it) > _TOL * s))
        sigma[act[live]] = s[live]
        if stuck.any():                                      # clustered spectrum: exact value
            sigma[act[stuck]] = _exact_top(Ma[stuck])
        live &= ~(done | stuck)
        n = np.count_nonzero(live)
        if n == 0:
            break
        if n < 0.6 * len(live):
            act, Ma, B, s, change, live = act[live], Ma[live], B[live], s[live], change[live], live[live]
        prev, step = s, change
        Z = Ma @ B                                           # subspace iteration on M M^T ...
        for _ in range(_POWER - 1 if it else 0):
            Z = Ma @ (Ma.transpose(0, 2, 1) @ Z)
        Ua = _orthonormal2(Z)                                # ... orthonormalised
        U[act[live]] = Ua[live]
    else:
        sigma[act[live]] = _exact_top(Ma[live])
    return sigma, U


def chain_log10_norms_family(jac: Callable[[int], np.ndarray], F: int, T: int, S: int, ord=2, rows=None,
                             cols=None, blocks=None) -> np.ndarray:
    """:func:`core.chains.chain_log10_norms` for F chains at once.

    Parameters
    ----------
    jac : k -> (F, S, S), every member's J[k] = ds_{k+1}/ds_k (asked for k = T-1 down to 0, once each, so
        a family never holds all T Jacobians: (F, T, S, S) would not fit in memory for long runs). Anything
        that ``R @`` accepts will do, e.g. ``core.lstm.BlockJacobian``.
    F, T, S : members, steps, state size
    ord, rows, cols : as in ``chain_log10_norms``
    blocks : optional sequence of (rows, cols) pairs, instead of ``rows``, ``cols``: the norms of several
        blocks of the same products from one sweep (e.g. an LSTM's whole state and its c block)

    Returns
    -------
    (F, T+1) array, row f = ``chain_log10_norms`` of member f's Jacobians (-inf once a product is exactly
    zero, never NaN); with ``blocks``, (len(blocks), F, T+1), one such array per block.
    """
    if ord not in (2, "fro"):
        raise ValueError("ord must be 2 or 'fro'")
    idx = np.arange(S)
    pairs = [(idx if r is None else idx[r], idx if c is None else idx[c])
             for r, c in ([(rows, cols)] if blocks is None else blocks)]
    r_idx = pairs[0][0] if len(pairs) == 1 else np.unique(np.concatenate([r for r, _ in pairs]))
    R = np.broadcast_to(np.eye(S)[r_idx], (F, len(r_idx), S)).copy()   # only the rows some block needs
    picks = [(None if np.array_equal(r, r_idx) else np.searchsorted(r_idx, r),
              None if np.array_equal(c, idx) else c) for r, c in pairs]     # each block inside R
    exact = [ord == "fro" or min(len(r), len(c)) <= _SMALL for r, c in pairs]
    L = np.full((len(pairs), F, T + 1), -np.inf)
    U = []
    for b, (r, c) in enumerate(pairs):
        L[b, :, T] = _log10(np.full(F, np.linalg.norm(np.eye(S)[np.ix_(r, c)], "fro" if ord == "fro" else 2)))
        U0 = None if exact[b] else np.linalg.qr(np.random.default_rng(0).normal(size=(len(r), 2)))[0]
        U.append(None if U0 is None else np.broadcast_to(U0, (F, *U0.shape)).copy())
    log_scale = np.zeros(F)
    alive = np.ones(F, dtype=bool)                           # products not yet exactly zero
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
        for b, (ri, ci) in enumerate(picks):
            M = R if ri is None else R[:, ri]
            M = M if ci is None else M[:, :, ci]
            if ord == "fro":
                value = np.linalg.norm(M, axis=(1, 2))
            elif exact[b]:
                value = _exact_top(M)
            else:
                value, U[b] = _spectral_family(M, U[b])
            L[b, :, k] = np.where(alive, log_scale + _log10(value), -np.inf)
    return L[0] if blocks is None else L


def bias_family(model, gate: int, values, xs: np.ndarray):
    """Run F models that differ only in gate ``gate``'s total bias on the same inputs, in one batched pass.

    ``model`` (RNN, LSTM or GRU) holds that gate's bias in ``bias_ih`` with ``bias_hh``'s block zero, as the
    scenarios set it; member f gets ``values[f]`` there. ``bias_ih`` is stacked to (F, G*H) on a shallow copy
    of the model, so NumPy broadcasting in forward's input projection (x_t W_ih^T + bias_ih) gives each
    member its own bias while every other line of ``forward`` is the single model's; ``xs`` (T, I) is fed
    to every member as a (T, F, I) broadcast view.

    Returns
    -------
    (family model, batched Trace (T, F, ...)): sequence f of the trace is member f's run, so
    ``family_model.batch_state_jacobian(trace, k)`` gives every member's J[k].
    """
    values = np.asarray(values, dtype=np.float64)
    H = model.hidden_size
    bias = np.repeat(model.params["bias_ih"][None], len(values), axis=0)
    bias[:, gate * H:(gate + 1) * H] = values[:, None]     # = set_gate_bias(member, gate, values[f])
    fam = copy.copy(model)
    fam.params = {**model.params, "bias_ih": bias}
    xs = np.asarray(xs, dtype=np.float64)
    return fam, fam.forward(np.broadcast_to(xs[:, None, :], (xs.shape[0], len(values), xs.shape[1])))


def horizons(L: np.ndarray) -> np.ndarray:
    """``memory_horizon`` of every row of L (F, T+1) by distance; NaN where there is none within T."""
    return np.array([np.nan if (h := memory_horizon(row[::-1])) is None else h for row in L], dtype=float)


def take_members(result, idx):
    """Members ``idx`` of a family result, in that order (repeats allowed): a page family's dict whose arrays
    all have the member axis first, except ``distance`` (the x axis every member shares), in nested dicts.

    ``take_members(fam, [0, 0, 1])`` is the family of members 0, 0 and 1 of ``fam``.
    """
    idx = np.asarray(idx, dtype=int)
    if isinstance(result, dict):
        return {k: v if k == "distance" else take_members(v, idx) for k, v in result.items()}
    return np.asarray(result)[idx]


def join_members(first, second):
    """The members of two family results of the same kind, ``first``'s then ``second``'s (as ``take_members``
    reads them: member axis first, ``distance`` shared). ``take_members(join_members(a, b), order)`` interleaves
    two parts of a grid, e.g. a coarse family and the members it left out, into the whole family."""
    if isinstance(first, dict):
        return {k: v if k == "distance" else join_members(v, second[k]) for k, v in first.items()}
    return np.concatenate([np.asarray(first), np.asarray(second)])
