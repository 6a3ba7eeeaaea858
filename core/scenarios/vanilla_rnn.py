"""Page 1: why does the gradient from far away vanish or explode in a vanilla RNN?"""
from __future__ import annotations

import numpy as np

from ..chains import chain_log10_norms, memory_horizon
from ..init import max_singular_value, spectral_radius
from .common import by_distance, inputs, readout, vanilla_rnn


def run(activation="tanh", rho=0.9, hidden=32, T=100, input_scale=1.0, init="orthogonal", window=20,
        seed=0) -> dict:
    """Everything page 1 draws, for one setting.

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
    L = by_distance(chain_log10_norms(m.state_jacobians(tr)))
    d = np.arange(T + 1)
    dh = np.zeros((T, hidden))
    dh[-1] = readout(hidden, seed)
    da, _ = m._da(tr, dh)
    terms = da[:, 0, :, None] * tr.h_prev[:, 0, None, :]         # term k of dL/dW_hh, (T, H, H)
    contrib = np.linalg.norm(terms, axis=(1, 2))[::-1]           # by distance 1..T
    lost = contrib[min(window, T):].sum()                         # terms farther back than the window
    with np.errstate(divide="ignore"):
        log_gs = np.log10(gamma * sigma) if gamma * sigma > 0 else -np.inf
    return {
        "distance": d, "log_norm": L,
        "log_rho": d * np.log10(rho_true), "log_bound": d * log_gs,
        "eig": np.linalg.eigvals(W), "gamma": gamma, "rho": rho_true, "sigma_max": sigma,
        "h": tr.h, "fprime": m.derivatives(tr),
        "contrib": contrib,
        "truncated_share": float(lost / contrib.sum()) if contrib.sum() > 0 else 0.0,
        "horizon": memory_horizon(L[::-1]),
    }
