"""Toy sequence tasks with a long-range dependency, deterministic for a given seed.

Every task returns ``xs`` of shape ``(T, batch, input_size)`` (time first, as ``core`` models and
torch's RNNs take it) and targets ``ys`` of shape ``(batch, 1)``, to be predicted from ``h_T``.
Each task also knows the MSE of the best *constant* prediction: a model that does not beat this
baseline has not used the long-range information at all.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

ADDING_BASELINE_MSE = 1.0 / 6.0     # Var(u_1 + u_2) for u_i ~ U[0, 1], the MSE of always predicting 1
REMEMBER_BASELINE_MSE = 1.0 / 3.0   # Var(v) for v ~ U[-1, 1], the MSE of always predicting 0


def adding_problem(T: int, batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem (Hochreiter & Schmidhuber 1997; setup of Le, Jaitly & Hinton 2015).

    Channel 0 holds values ``u_t ~ U[0, 1]``; channel 1 is a marker, 1 at exactly two time steps,
    one drawn uniformly from the first half ``[0, T//2)`` and one from the second half
    ``[T//2, T)``, 0 elsewhere. The target is the sum of the two marked values::

        y = sum_t u_t m_t,   E[y] = 1,   Var(y) = 2 * 1/12 = 1/6 = ADDING_BASELINE_MSE

    Parameters
    ----------
    T : int, >= 2
        Sequence length.
    batch : int
        Number of sequences.
    seed : int
        Seed of ``np.random.default_rng``; the same seed gives the same arrays.

    Returns
    -------
    xs : ndarray, shape (T, batch, 2)
    ys : ndarray, shape (batch, 1)
    """
    if T < 2:
        raise ValueError(f"the adding problem needs T >= 2, got {T}")
    rng = np.random.default_rng(seed)
    # values u_t ~ U[0, 1]
    values = rng.uniform(0.0, 1.0, size=(T, batch))
    # one marked position per half: first in [0, T//2), second in [T//2, T)
    half = T // 2
    first = rng.integers(0, half, size=batch)
    second = rng.integers(half, T, size=batch)
    markers = np.zeros((T, batch))
    cols = np.arange(batch)
    markers[first, cols] = 1.0
    markers[second, cols] = 1.0
    # y = u_first + u_second
    ys = (values[first, cols] + values[second, cols])[:, None]
    return np.stack([values, markers], axis=-1), ys


def remember_marked(T: int, batch: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Remember the marked value: one number among T distractors, asked for at the end.

    Channel 0 holds values ``v_t ~ U[-1, 1]`` at every step (the distractors); channel 1 is a marker,
    1 at exactly one step ``p`` drawn uniformly from ``[0, T)`` and 0 elsewhere. The target is the
    marked value, read out after the last step::

        y = v_p,   E[y] = 0,   Var(y) = 1/3 = REMEMBER_BASELINE_MSE

    This is the adding problem (Hochreiter & Schmidhuber 1997) with one marker instead of two: the
    cell has to open its memory when the marker comes, then keep the value while T - 1 - p further
    values stream past. Short lags (a marker near the end) are easy; the baseline can only be halved
    by also carrying values over long lags.

    It replaces "remember the first input" (``x_1 = u``, then exact zeros), which taught the opposite
    of the literature: with nothing to ignore and no marker, a tanh RNN trained with Adam at 1e-2 got
    below the line at T = 100 without any gradient from step 1 (||dL/dh_0|| ~ 1e-23): its W_hh grew
    to a spectral radius of ~3 and the state fell into one of 3 fixed points picked by u (dh_T/du = 0),
    a quantiser of u; the gated cells, whose gradient to x_1 was 1e-13 (LSTM) to 1e-23 (GRU) with
    every lag exactly T - 1, stayed at the baseline (and so did every cell with Adam at 3e-3 for
    2000 steps).

    Parameters
    ----------
    T : int, >= 1
    batch : int
    seed : int

    Returns
    -------
    xs : ndarray, shape (T, batch, 2)
    ys : ndarray, shape (batch, 1)
    """
    if T < 1:
        raise ValueError(f"remember_marked needs T >= 1, got {T}")
    rng = np.random.default_rng(seed)
    # distractors v_t ~ U[-1, 1]
    values = rng.uniform(-1.0, 1.0, size=(T, batch))
    # one marked step per sequence, anywhere in [0, T)
    marked = rng.integers(0, T, size=batch)
    cols = np.arange(batch)
    markers = np.zeros((T, batch))
    markers[marked, cols] = 1.0
    # y = v_p
    return np.stack([values, markers], axis=-1), values[marked, cols][:, None]


@dataclass(frozen=True)
class Task:
    """A toy task: ``make(T, batch, seed) -> (xs (T, batch, input_size), ys (batch, output_size))``."""

    name: str
    make: Callable[[int, int, int], tuple[np.ndarray, np.ndarray]]
    input_size: int
    baseline_mse: float
    output_size: int = 1


TASKS: dict[str, Task] = {
    "adding": Task("adding", adding_problem, input_size=2, baseline_mse=ADDING_BASELINE_MSE),
    "remember": Task("remember", remember_marked, input_size=2, baseline_mse=REMEMBER_BASELINE_MSE),
}
