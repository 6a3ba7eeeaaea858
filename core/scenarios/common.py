"""Building blocks shared by the scenarios: a seeded input sequence and a configured vanilla RNN."""
from __future__ import annotations

import numpy as np

from ..init import recurrent_matrix, rng_from
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
