"""LSTM gates at extreme pre-activations: sigma is computed as 1 / (1 + e^-a) in place, and e^-a overflows for
a < -709. The gate must then be exactly 0 (the true value is below 1e-308), finite and without a warning."""
import warnings

import numpy as np

from core.lstm import LSTM


def test_saturated_gates_are_exact_and_silent():
    m = LSTM(1, 1, seed=0)
    m.params["weight_ih"][:, 0] = [-1e4, 1e4, 0.5, -800.0]     # i, f, g, o for x = 1 (W_hh, biases add < 3)
    xs = np.ones((4, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")                       # no overflow warning may escape
        tr = m.forward(xs)
        grads = m.backward(tr, np.ones_like(tr.h))
    assert np.all(tr.gates["i"] == 0.0) and np.all(tr.gates["f"] == 1.0) and np.all(tr.gates["o"] == 0.0)
    assert np.all(np.abs(tr.gates["g"]) < 1) and np.all(tr.c == 0.0) and np.all(tr.h == 0.0)
    assert all(np.all(np.isfinite(g)) for g in grads.values())
