"""Activation functions as (function, derivative) pairs.

Each :class:`Activation` maps a pre-activation ``a`` to ``f(a)`` and gives ``f'(a)``.
The derivative is also available from the *output* ``y = f(a)`` (``dfdy``), which is how
BPTT uses it: no second pass over the pre-activations is needed.

    tanh'(a)    = 1 - tanh(a)^2              <= 1
    sigmoid'(a) = sigmoid(a) (1 - sigmoid(a)) <= 1/4
    relu'(a)    = 1[a > 0]                    in {0, 1}
    linear'(a)  = 1
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


def sigmoid(a: Array) -> Array:
    """Numerically stable logistic function 1 / (1 + exp(-a)) (no overflow warnings)."""
    a = np.asarray(a, dtype=np.float64)
    e = np.exp(-np.abs(a))                       # in (0, 1], never overflows
    return np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


@dataclass(frozen=True)
class Activation:
    """A nonlinearity with its derivative.

    Attributes
    ----------
    name : str
    f : callable, a -> f(a)
    df : callable, a -> f'(a)
    dfdy : callable, y = f(a) -> f'(a), used by backprop
    bound : float, sup |f'(a)| (the gamma of Pascanu et al.'s bound)
    """

    name: str
    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    dfdy: Callable[[Array], Array]
    bound: float


TANH = Activation("tanh", np.tanh, lambda a: 1.0 - np.tanh(a) ** 2, lambda y: 1.0 - y * y, 1.0)
SIGMOID = Activation("sigmoid", sigmoid, lambda a: sigmoid(a) * (1.0 - sigmoid(a)),
                     lambda y: y * (1.0 - y), 0.25)
RELU = Activation("relu", lambda a: np.maximum(a, 0.0), lambda a: (np.asarray(a) > 0).astype(np.float64),
                  lambda y: (y > 0).astype(np.float64), 1.0)
LINEAR = Activation("linear", lambda a: np.asarray(a, dtype=np.float64) * 1.0,
                    lambda a: np.ones_like(a, dtype=np.float64), lambda y: np.ones_like(y), 1.0)

ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (TANH, SIGMOID, RELU, LINEAR)}


def get_activation(name: str) -> Activation:
    """Look up an activation by name ("tanh", "sigmoid", "relu", "linear")."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown nonlinearity {name!r}; choose from {sorted(ACTIVATIONS)}") from None
