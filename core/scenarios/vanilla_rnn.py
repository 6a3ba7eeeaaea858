"""Page 1: why does the gradient from far away vanish or explode in a vanilla RNN?"""
from __future__ import annotations

import numpy as np

from ..chains import chain_log10_norms, memory_horizon
from ..family import chain_log10_norms_family
from ..init import max_singular_value, spectral_radius
from .common import (
    by_distance,
    family_states,
    given,
    input_drive,
    inputs,
    power_line,
    readout,
    rescaled_family,
    vanilla_rnn,
)


def run(activation="tanh", rho=0.9, hidden=32, T=100, input_scale=1.0, init="orthogonal", window=20,
        seed=0, log_norm=None) -> dict:
    """Everything page 1 draws, for one setting.

    ``log_norm``, when given, is the gradient curve by distance already computed for this setting (member
    ``f`` of :func:`family`, ``family(...)["log_norm"][f]``): it is used as it is instead of multiplying the
    Jacobian chain again, the costly part (the family's members equal that chain to float64 precision).

    Returns
    -------
    dict with
      distance (T+1,) d = T-k;  log_norm (T+1,) log10 ||dh_T/dh_{T-d}||_2
      log_rho (T+1,) d log10 rho;  log_bound (T+1,) d log10(gamma sigma_max)
      eig (H,) complex eigenvalues of W_hh;  gamma (sup|f'|), rho, sigma_max
      h (T, H) states;  fprime (T, H) f'(a_t)
      contrib (T,) ||term k of dL/dW_hh||_F for L = u . h_T, indexed by distance d = T-k (1..T)
      truncated_share: share of the summed term norms that truncated BPTT (``window`` steps) drops
      horizon: distance at which the gradient norm has fallen 1000x (None if never)
    """
    m = vanilla_rnn(activation, hidden, rho, init, seed)
    tr = m.forward(inputs(T, input_scale, seed))
    W = m.params["weight_hh"]
    gamma = m.act.bound
    rho_true, sigma = spectral_radius(W), max_singular_value(W)
    L = by_distance(chain_log10_norms(m.state_jacobians(tr))) if log_norm is None else given(log_norm, T)
    d = np.arange(T + 1)
    dh = np.zeros((T, hidden))
    dh[-1] = readout(hidden, seed)
    da, _ = m._da(tr, dh)
    terms = da[:, 0, :, None] * tr.h_prev[:, 0, None, :]         # term k of dL/dW_hh, (T, H, H)
    contrib = np.linalg.norm(terms, axis=(1, 2))[::-1]           # by distance 1..T
    lost = contrib[min(window, T):].sum()                         # terms farther back than the window
    return {
        "distance": d, "log_norm": L,
        "log_rho": power_line(d, rho_true), "log_bound": power_line(d, gamma * sigma),
        "eig": np.linalg.eigvals(W), "gamma": gamma, "rho": rho_true, "sigma_max": sigma,
        "h": tr.h, "fprime": m.derivatives(tr),
        "contrib": contrib,
        "truncated_share": float(lost / contrib.sum()) if contrib.sum() > 0 else 0.0,
        "horizon": memory_horizon(L[::-1]),
    }


def family(activation="tanh", rhos=(0.9,), hidden=32, T=100, input_scale=1.0, init="orthogonal", seed=0) -> dict:
    """The main curves of :func:`run` for every ρ in ``rhos`` at once (one batched pass; member f equals
    ``run(..., rho=rhos[f], ...)`` to float64 precision).

    Every member's W_hh is the same matrix rescaled, W_f = W_0 ρ_f / ρ(W_0) (``common.vanilla_rnn``), on the
    same inputs, so the states of all members advance together, (F, H) per step.

    Returns
    -------
    dict with ``rho`` (F,) the grid; ``distance`` (T+1,); ``log_norm``, ``log_rho``, ``log_bound`` (F, T+1)
    by distance, as in :func:`run`; ``horizon`` (F,) float, the memory horizon (NaN where there is none
    within T); ``grad_T`` (F,) log10 ||dh_T/dh_0||.
    """
    rhos = np.asarray(rhos, dtype=float)
    F = len(rhos)
    base = vanilla_rnn(activation, hidden, 1.0, init, seed)            # the shared W_ih and biases
    act = base.act
    W, raw, current = rescaled_family(init, hidden, rhos, seed)         # = run()'s W_hh for every rho
    hs = family_states(act, W, input_drive(base, T, input_scale, seed))
    fprime = act.dfdy(hs)                                                  # (F, T, H)
    L = chain_log10_norms_family(lambda k: fprime[:, k, :, None] * W, F, T, hidden)[:, ::-1]
    scale = rhos / current if current > 0 else np.zeros(F)                 # W_f = scale_f * raw
    rho_true, sigma = current * scale, max_singular_value(raw) * scale
    d = np.arange(T + 1)
    horizon = np.array([np.nan if (hz := memory_horizon(row[::-1])) is None else hz for row in L], dtype=float)
    return {"rho": rhos, "distance": d, "log_norm": L, "log_rho": power_line(d, rho_true[:, None]),
            "log_bound": power_line(d, act.bound * sigma[:, None]), "horizon": horizon, "grad_T": L[:, -1]}

