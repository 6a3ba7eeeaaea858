"""Building blocks shared by the scenarios: a seeded input sequence and a configured vanilla RNN."""
from __future__ import annotations

import numpy as np

from ..init import raw_recurrent, recurrent_matrix, rng_from, spectral_radius
from ..rnn import RNN

INPUT_SIZE = 8


def inputs(T: int, scale: float, seed: int, input_size: int = INPUT_SIZE) -> np.ndarray:
    """(T, I) Gaussian inputs times ``scale`` (seeded)."""
    return scale * rng_from(seed).normal(size=(T, input_size))


def vanilla_rnn(activation: str, hidden: int, rho: float, init: str, seed: int,
                input_size: int = INPUT_SIZE) -> RNN:
    """RNN whose W_hh has spectral radius ``rho`` (init "orthogonal" | "gaussian" | "identity"),
    W_ih ~ N(0, 1/I) so that W_ih x_t has the scale of x_t, and zero biases."""
    m = RNN(input_size, hidden, activation, seed=seed)
    m.params["weight_hh"][:] = recurrent_matrix(init, hidden, rho, seed=seed + 1)
    m.params["weight_ih"][:] = rng_from(seed + 2).normal(0, 1 / np.sqrt(input_size), size=(hidden, input_size))
    m.params["bias_ih"][:] = 0.0
    m.params["bias_hh"][:] = 0.0
    return m


def readout(hidden: int, seed: int) -> np.ndarray:
    """A fixed unit vector u: the loss L = u . h_T reads the last state."""
    u = rng_from(seed + 3).normal(size=hidden)
    return u / np.linalg.norm(u)


def by_distance(L: np.ndarray) -> np.ndarray:
    """Reorder a chain curve L[k] (k = 0..T) by distance d = T - k (d = 0..T)."""
    return np.asarray(L)[::-1].copy()


def power_line(d, base) -> np.ndarray:
    """log10(base^d) = d log10(base) for distances ``d`` (broadcast against ``base``): -inf for a base of 0 except at
    d = 0, where it is 0 (base^0 = 1; d * log10(0) would be NaN there)."""
    d, base = np.asarray(d), np.asarray(base, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(d == 0, 0.0, d * np.log10(base))


def given(curve, T: int) -> np.ndarray:
    """A curve by distance handed to a scenario's ``run`` (a member of its ``family``), checked: (T+1,) floats."""
    out = np.array(curve, dtype=float)
    if out.shape != (T + 1,):
        raise ValueError(f"a curve by distance for T = {T} has {T + 1} values, got shape {out.shape}")
    return out


def given_curves(curves, names, T: int) -> dict:
    """:func:`given` for each of ``names`` in the mapping ``curves`` (every one must be there)."""
    missing = [n for n in names if n not in curves]
    if missing:
        raise ValueError(f"curves missing: {missing}")
    return {n: given(curves[n], T) for n in names}


def rescaled_family(init: str, hidden: int, rhos: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """The W_hh that :func:`vanilla_rnn` builds for every rho, (F, H, H), with the same floating-point operations
    (``init.scale_to_spectral_radius``: W * (rho / rho(W))); also the raw matrix and rho(raw)."""
    raw = raw_recurrent(init, hidden, seed=seed + 1)
    current = spectral_radius(raw)
    W = np.stack([raw * (r / current) if current > 0 else raw.copy() for r in np.asarray(rhos, dtype=float)])
    return W, raw, current


def input_drive(m: RNN, T: int, scale: float, seed: int) -> np.ndarray:
    """W_ih x_t + b_ih + b_hh for every step, (T, 1, H), formed as ``RNN.forward`` forms it."""
    return m._input_projection(inputs(T, scale, seed, m.input_size)[:, None, :]) + m.params["bias_hh"]


def family_states(act, W: np.ndarray, drive: np.ndarray) -> np.ndarray:
    """States h_1..h_T of RNNs that share inputs and W_ih but each have their own W_hh, W (F, H, H), from
    h_0 = 0: (F, T, H), every member's step as ``RNN.forward`` computes it (non-finite values are left as
    they come: an exploding linear or ReLU run)."""
    F, H = W.shape[0], W.shape[1]
    h = np.zeros((F, 1, H))
    hs = np.empty((F, drive.shape[0], H))
    WT = W.transpose(0, 2, 1)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(drive.shape[0]):
            h = act.f(drive[t] + h @ WT)                   # h_t = f(a_t), every member
            hs[:, t] = h[:, 0]
    return hs
