"""Weight initialisers for recurrent matrices, all deterministic for a given seed or Generator.

- PyTorch's default for nn.RNN/LSTM/GRU: every weight and bias ~ U(-1/sqrt(H), 1/sqrt(H)).
- Gaussian N(0, g^2 / n): spectral radius close to g for large n (circular law).
- Orthogonal (QR of a Gaussian matrix, sign-corrected so it is Haar distributed): all |eigenvalues| = 1.
- Identity (IRNN, Le et al. 2015).
- Rescaling W to a target spectral radius max|lambda_i| or a target largest singular value sigma_max.
"""
from __future__ import annotations

import numpy as np


def rng_from(seed) -> np.random.Generator:
    """A Generator from an int seed (or pass a Generator through)."""
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def pytorch_uniform(shape, hidden_size: int, seed=0) -> np.ndarray:
    """U(-k, k) with k = 1/sqrt(hidden_size): PyTorch's default for recurrent layers."""
    k = 1.0 / np.sqrt(hidden_size)
    return rng_from(seed).uniform(-k, k, size=shape)


def gaussian(n: int, gain: float = 1.0, seed=0, m: int | None = None) -> np.ndarray:
    """(n, m) matrix with entries N(0, gain^2 / n); square by default."""
    return rng_from(seed).normal(0.0, gain / np.sqrt(n), size=(n, n if m is None else m))


def orthogonal(n: int, seed=0, gain: float = 1.0) -> np.ndarray:
    """Haar-random orthogonal (n, n) matrix times gain: Q from QR(G), columns sign-fixed by diag(R)."""
    q, r = np.linalg.qr(rng_from(seed).normal(size=(n, n)))
    return gain * q * np.sign(np.diag(r))        # sign fix makes the distribution uniform


def identity(n: int, gain: float = 1.0) -> np.ndarray:
    """gain * I: the IRNN initialisation of W_hh."""
    return gain * np.eye(n)


def spectral_radius(W: np.ndarray) -> float:
    """rho(W) = max_i |lambda_i(W)|."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def max_singular_value(W: np.ndarray) -> float:
    """sigma_max(W) = ||W||_2."""
    return float(np.linalg.norm(W, 2))


def scale_to_spectral_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """Return W * rho / rho(W), whose spectral radius is rho (W itself is not changed)."""
    current = spectral_radius(W)
    return W * (rho / current) if current > 0 else W.copy()


def scale_to_max_singular(W: np.ndarray, sigma: float) -> np.ndarray:
    """Return W * sigma / sigma_max(W), whose largest singular value is sigma."""
    current = max_singular_value(W)
    return W * (sigma / current) if current > 0 else W.copy()


def raw_recurrent(kind: str, n: int, seed=0) -> np.ndarray:
    """The (n, n) matrix of a given kind before rescaling (see :func:`recurrent_matrix`)."""
    makers = {
        "orthogonal": lambda: orthogonal(n, seed),
        "gaussian": lambda: gaussian(n, 1.0, seed),
        "identity": lambda: identity(n),
        "pytorch": lambda: pytorch_uniform((n, n), n, seed),
    }
    if kind not in makers:
        raise ValueError(f"unknown init {kind!r}; choose from {sorted(makers)}")
    return makers[kind]()


def recurrent_matrix(kind: str, n: int, scale: float, seed=0, by: str = "radius") -> np.ndarray:
    """A (n, n) recurrent matrix of a given kind rescaled to ``scale``.

    Parameters
    ----------
    kind : "orthogonal" | "gaussian" | "identity" | "pytorch"
    scale : target spectral radius (``by="radius"``) or largest singular value (``by="singular"``)
    """
    W = raw_recurrent(kind, n, seed)
    return scale_to_spectral_radius(W, scale) if by == "radius" else scale_to_max_singular(W, scale)
