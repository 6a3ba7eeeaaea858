"""Gradient clipping with exactly PyTorch's rules.

A gradient is a dict ``name -> array`` (the format of ``model.backward``). Two rules:

* by norm (``torch.nn.utils.clip_grad_norm_``): rescale *all* tensors by one factor, so the
  direction of the whole gradient is kept and only its length is capped::

      total = || (||g_1||_p, ..., ||g_n||_p) ||_p
      coef  = min(max_norm / (total + 1e-6), 1)
      g_i  <- coef * g_i

* by value (``torch.nn.utils.clip_grad_value_``): clamp every component to ``[-c, c]``;
  the length *and* the direction change.

Both return new arrays and never modify their input.
"""
from __future__ import annotations

import numpy as np

Grads = dict[str, np.ndarray]

EPS = 1e-6  # torch's epsilon in max_norm / (total_norm + eps)

CLIP_NORM_LATEX = (r"g \leftarrow g \cdot \min\!\left(1,\ "
                   r"\frac{\text{max\_norm}}{\lVert g \rVert + 10^{-6}}\right)")
CLIP_VALUE_LATEX = r"g_i \leftarrow \min\big(\max(g_i, -c),\ c\big)"


def _vector_norm(g: np.ndarray, norm_type: float) -> float:
    """p-norm of an array seen as a flat vector, without overflow in the intermediate sum.

    ``||g||_p = s * (sum_j (|g_j| / s)^p)^(1/p)`` with ``s = max_j |g_j|``: identical to the plain
    formula up to rounding, but finite whenever the norm itself is (torch's sum of squares
    overflows once the norm passes ~1e154). 0.0 for an empty array; inf/nan entries give inf/nan.
    """
    # |g_j| over all entries
    a = np.abs(np.asarray(g, dtype=np.float64)).ravel()
    if a.size == 0:
        return 0.0
    # s = max |g_j| (this is already the inf-norm; nan propagates, inf stays inf)
    s = float(a.max())
    if norm_type == np.inf or s == 0.0 or not np.isfinite(s):
        return s
    # u = g / s has entries in [0, 1], so u^p cannot overflow
    u = a / s
    # s * (sum u^p)^(1/p)
    if norm_type == 2.0:
        return s * float(np.sqrt(u @ u))
    return s * float(np.sum(u**norm_type) ** (1.0 / norm_type))


def total_norm(grads: Grads, norm_type: float = 2.0) -> float:
    """Norm of the vector of per-tensor norms, as ``clip_grad_norm_`` computes it.

    Parameters
    ----------
    grads : dict[str, ndarray], any shapes
    norm_type : float
        p >= 1, or ``float('inf')``.

    Returns
    -------
    float
        ``|| (||g_1||_p, ..., ||g_n||_p) ||_p``; for p = 2 the L2 norm of all entries together,
        for p = inf the largest absolute entry. 0.0 for an empty dict; inf/nan pass through.
    """
    if not (norm_type >= 1.0):
        raise ValueError(f"norm_type must be >= 1 or inf, got {norm_type}")
    # per-tensor norms ||g_i||_p
    norms = [_vector_norm(g, norm_type) for g in grads.values()]
    # norm of that vector of norms (what torch does with torch.stack(norms))
    return _vector_norm(np.array(norms, dtype=np.float64), norm_type)


def global_norm(grads: Grads) -> float:
    """Global L2 norm ``sqrt(sum_i sum_j g_ij^2)`` of all arrays in ``grads`` (a float)."""
    return total_norm(grads, 2.0)


def clip_coefficient(total: float, max_norm: float) -> float:
    """torch's factor ``min(max_norm / (total + 1e-6), 1)`` for a gradient of total norm ``total`` (nan stays nan).
    It is exactly 1.0 when nothing is clipped: the gradient is then multiplied by 1.0 and stays what it was."""
    return float(np.minimum(max_norm / (total + EPS), 1.0))


def clip_by_norm(grads: Grads, max_norm: float, norm_type: float = 2.0) -> tuple[Grads, float]:
    """Rescale all gradients together so their total norm is at most ``max_norm``.

    The rule of ``torch.nn.utils.clip_grad_norm_`` (defaults ``error_if_nonfinite=False``)::

        total = || (||g_1||_p, ..., ||g_n||_p) ||_p
        coef  = max_norm / (total + 1e-6)
        g_i  <- min(coef, 1) * g_i

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients, any shapes; not modified.
    max_norm : float
        Largest allowed total norm.
    norm_type : float, default 2.0
        p of the p-norm; ``float('inf')`` gives the largest absolute entry.

    Returns
    -------
    clipped : dict[str, ndarray]
        New arrays, same keys, shapes and floating dtypes as ``grads``.
    total_norm : float
        The total norm *before* clipping.

    Notes
    -----
    Non-finite gradients behave as in torch: if ``total_norm`` is inf, ``coef = 0`` and every finite
    entry becomes 0 while inf entries become nan (``inf * 0``); if ``total_norm`` is nan, every entry
    becomes nan. The returned ``total_norm`` is inf/nan in those cases, so callers can detect it.

    Norms are computed in float64 and rescaled by the largest entry, so a finite gradient whose norm
    exceeds ~1e154 gets its true norm here, where torch's sum of squares overflows to inf (and then
    zeroes the gradient). Below that the two agree to rounding.
    """
    norm = total_norm(grads, norm_type)
    # clip_coef = max_norm / (total_norm + eps), clamped to at most 1 (a nan stays nan, as in torch)
    coef = clip_coefficient(norm, max_norm)
    # every tensor is multiplied by the same factor (torch always multiplies, by 1.0 when not clipping)
    with np.errstate(invalid="ignore"):  # inf * 0 -> nan, as documented
        clipped = {name: np.asarray(g) * coef for name, g in grads.items()}
    return clipped, norm


def clip_by_value(grads: Grads, clip_value: float) -> Grads:
    """Clamp every gradient component to ``[-clip_value, clip_value]``.

    The rule of ``torch.nn.utils.clip_grad_value_``: ``g_ij <- min(max(g_ij, -c), c)``.

    Parameters
    ----------
    grads : dict[str, ndarray]
        Gradients, any shapes; not modified.
    clip_value : float
        c >= 0.

    Returns
    -------
    dict[str, ndarray]
        New arrays, same keys and shapes. nan entries stay nan (as ``torch.clamp``).
    """
    if not clip_value >= 0:
        raise ValueError(f"clip_value must be >= 0, got {clip_value}")
    c = float(clip_value)
    # elementwise clamp to [-c, c]
    return {name: np.clip(np.asarray(g), -c, c) for name, g in grads.items()}
