"""Page 2: would ReLU fix it? The same W_hh and inputs under every activation, plus IRNN."""
from __future__ import annotations

import numpy as np

from ..activations import ACTIVATIONS
from ..chains import chain_log10_norms, diag_chain_log10_norms, memory_horizon
from ..family import chain_log10_norms_family
from ..init import identity
from .common import (
    by_distance,
    family_states,
    given_curves,
    input_drive,
    inputs,
    power_line,
    rescaled_family,
    vanilla_rnn,
)

CONTENDERS = ("tanh", "sigmoid", "relu", "linear", "irnn")


def _model(name, hidden, rho, init, seed):
    if name == "irnn":                                      # ReLU with W_hh = rho I (Le et al. 2015: rho = 1)
        m = vanilla_rnn("relu", hidden, 1.0, init, seed)
        m.params["weight_hh"][:] = identity(hidden, gain=rho)
        return m
    return vanilla_rnn(name, hidden, rho, init, seed)


def run(rho=1.1, hidden=32, T=100, input_scale=1.0, init="orthogonal", seed=0, contenders=CONTENDERS,
        log_norms=None) -> dict:
    """Per contender: gradient curve by distance, forward state norms, and the f'(a) values met.

    ``log_norms``, when given, maps each contender to its gradient curve by distance already computed for this
    setting (member ``f`` of :func:`family`: ``{name: family(...)[name]["log_norm"][f]}``); those are used as they
    are instead of multiplying the Jacobian chains again, the costly part.

    Returns
    -------
    dict with ``distance`` (T+1,), ``t`` (T,) and ``curves``: name -> dict(
      log_norm (T+1,) log10 ||dh_T/dh_{T-d}||, -inf where exactly zero (all ReLUs off);
      log_h (T,) log10 ||h_t|| (forward growth; -inf for h_t = 0);
      fprime (T*H,) f'(a_t) values;  horizon (distance of a 1000x drop, or None);  bound (sup|f'|) )
    and ``functions``: a grid ``a`` with f(a) and f'(a) for tanh, sigmoid, relu, linear.
    """
    xs = inputs(T, input_scale, seed)
    known = given_curves(log_norms, contenders, T) if log_norms is not None else {}
    curves = {}
    for name in contenders:
        m = _model(name, hidden, rho, init, seed)
        with np.errstate(over="ignore", invalid="ignore"):
            tr = m.forward(xs)
        finite = bool(np.all(np.isfinite(tr.h)))
        if not finite:
            L = np.full(T + 1, np.inf)
        elif name in known:
            L = known[name]
        elif name == "irnn":                                # J_t = diag(1[a_t > 0]) rho I is diagonal: exact and cheap
            L = by_distance(diag_chain_log10_norms(m.derivatives(tr) * rho))
        else:
            L = by_distance(chain_log10_norms(m.state_jacobians(tr)))
        with np.errstate(divide="ignore", over="ignore"):
            log_h = np.log10(np.linalg.norm(tr.h, axis=1)) if finite else np.full(T, np.inf)
        curves[name] = {
            "log_norm": L, "log_h": log_h,
            "fprime": m.derivatives(tr).ravel() if finite else np.zeros(0),
            "horizon": memory_horizon(L[::-1]) if finite else None,
            "bound": m.act.bound,
        }
    a, functions = activation_grid()
    return {"distance": np.arange(T + 1), "t": np.arange(1, T + 1), "curves": curves, "a": a, "functions": functions}


def activation_grid() -> tuple[np.ndarray, dict]:
    """A grid ``a`` on [-4, 4] and, per activation, (f(a), f'(a)): the same whatever the controls say."""
    a = np.linspace(-4, 4, 161)
    return a, {n: (ACTIVATIONS[n].f(a), ACTIVATIONS[n].df(a)) for n in ("tanh", "sigmoid", "relu", "linear")}


def family(rhos=(1.1,), hidden=32, T=100, input_scale=1.0, init="orthogonal", seed=0,
           contenders=CONTENDERS) -> dict:
    """The gradient curves of :func:`run` for every rho in ``rhos`` in one batched pass per contender (member f
    equals ``run(rho=rhos[f])['curves'][name]`` to float64 precision).

    Returns
    -------
    dict with ``rho`` (F,), ``distance`` (T+1,) and, per contender name, ``log_norm`` (F, T+1) by distance
    (+inf for a member whose forward pass overflowed, as in :func:`run`), ``grad_T`` (F,) log10 ||dh_T/dh_0||,
    ``horizon`` (F,) (NaN when there is none) and ``log_h_max`` (F,) the largest log10 ||h_t||.
    """
    rhos = np.asarray(rhos, dtype=float)
    F = len(rhos)
    out = {"rho": rhos, "distance": np.arange(T + 1)}
    runs, L = {}, {}
    for name in contenders:
        base = _model(name, hidden, 1.0, init, seed)                     # shared W_ih and biases
        if name == "irnn":
            W = rhos[:, None, None] * np.eye(hidden)                     # = identity(hidden, gain=rho)
        else:
            W, raw, rho_raw = rescaled_family(init, hidden, rhos, seed)
        hs = family_states(base.act, W, input_drive(base, T, input_scale, seed))
        finite = np.all(np.isfinite(hs), axis=(1, 2))
        d = base.act.dfdy(np.where(finite[:, None, None], hs, 0.0))      # f'(a_t) (F, T, H)
        runs[name] = (W, hs, finite, d)
        if name == "irnn":                                               # diagonal Jacobians: exact and cheap
            L[name] = np.stack([by_distance(diag_chain_log10_norms(d[f] * rhos[f])) for f in range(F)])
        elif name == "linear":                                           # J_t = W_f = (rho_f / rho(raw)) raw
            L[name] = (by_distance(chain_log10_norms(np.broadcast_to(raw, (T, hidden, hidden))))[None]
                       + power_line(np.arange(T + 1), (rhos / rho_raw)[:, None]))
    full = [name for name in contenders if name not in L]                # J_t = diag(f'(a_t)) W_f: one sweep for all
    if full:
        d_all = np.concatenate([runs[name][3] for name in full])         # (len(full) F, T, H)
        W_all = np.concatenate([runs[name][0] for name in full])
        chains = chain_log10_norms_family(lambda k: d_all[:, k, :, None] * W_all, len(full) * F, T, hidden)
        for i, name in enumerate(full):
            L[name] = chains[i * F:(i + 1) * F, ::-1]
    for name in contenders:
        _, hs, finite, _ = runs[name]
        Ln = L[name]
        Ln[~finite] = np.inf
        with np.errstate(divide="ignore", over="ignore"):
            log_h = np.log10(np.linalg.norm(hs, axis=2))                 # (F, T)
        log_h[~finite] = np.inf
        horizon = np.array([np.nan if not ok or (hz := memory_horizon(row[::-1])) is None else hz
                            for row, ok in zip(Ln, finite, strict=True)], dtype=float)
        out[name] = {"log_norm": Ln, "grad_T": Ln[:, -1], "horizon": horizon, "log_h_max": log_h.max(axis=1)}
    return out
