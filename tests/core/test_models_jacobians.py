"""State and input Jacobians against finite differences, and the analytic special cases."""
import numpy as np
import pytest

from core import GRU, LSTM, RNN, chain_log10_norms, diag_chain_log10_norms
from core.init import orthogonal

from .helpers import jacobian_fd, rel_err

I, H, T = 3, 4, 6


def step_fn(model, xs, t):
    """s_t as a function of s_{t-1} (flattened), running the model one step from a given state."""
    is_lstm = isinstance(model, LSTM)

    def run(s_prev, x_t):
        if is_lstm:
            tr = model.forward(x_t[None], s_prev[:H], s_prev[H:])
            return np.concatenate([tr.h[0], tr.c[0]])
        return model.forward(x_t[None], s_prev).h[0]
    return run


@pytest.mark.parametrize("model", [RNN(I, H, "tanh", seed=1), RNN(I, H, "sigmoid", seed=1),
                                   LSTM(I, H, seed=1), GRU(I, H, seed=1)], ids=["tanh", "sigmoid", "lstm", "gru"])
def test_step_and_input_jacobians_match_finite_differences(model):
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(T, I))
    tr = model.forward(xs)
    J, Jx = model.state_jacobians(tr), model.input_jacobians(tr)
    is_lstm = isinstance(model, LSTM)
    states = np.concatenate([tr.h, tr.c], axis=1) if is_lstm else tr.h
    s0 = np.zeros(2 * H if is_lstm else H)
    for t in range(T):
        run = step_fn(model, xs, t)
        s_prev = (s0 if t == 0 else states[t - 1]).copy()
        x_t = xs[t].copy()
        assert np.allclose(run(s_prev, x_t), states[t])
        assert rel_err(J[t], jacobian_fd(lambda: run(s_prev, x_t), s_prev)) < 1e-7
        assert rel_err(Jx[t], jacobian_fd(lambda: run(s_prev, x_t), x_t)) < 1e-7


def test_linear_orthogonal_chain_is_exact_power_of_rho():
    rho = 1.7
    m = RNN(2, 16, "linear", seed=0)
    m.params["weight_hh"][:] = rho * orthogonal(16, seed=4)
    tr = m.forward(np.random.default_rng(0).normal(size=(40, 2)))
    for ord_ in (2, "fro"):
        L = chain_log10_norms(m.state_jacobians(tr), ord=ord_)
        dist = 40 - np.arange(41)
        offset = 0.0 if ord_ == 2 else 0.5 * np.log10(16)    # ||rho^n Q||_F = rho^n sqrt(H)
        assert np.allclose(L, dist * np.log10(rho) + offset, atol=1e-9)


def test_tanh_zero_input_zero_bias_has_jacobian_w_hh():
    m = RNN(2, 5, "tanh", seed=0)
    m.params["bias_ih"][:] = 0
    m.params["bias_hh"][:] = 0
    tr = m.forward(np.zeros((7, 2)))
    J = m.state_jacobians(tr)
    assert np.allclose(J, m.params["weight_hh"][None], atol=0, rtol=0)


def test_lstm_with_zero_recurrent_weights_cell_path_is_product_of_f():
    m = LSTM(3, 6, seed=2)
    m.params["weight_hh"][:] = 0
    tr = m.forward(np.random.default_rng(3).normal(size=(12, 3)))
    J = m.state_jacobians(tr)
    H_ = 6
    f = tr.gates["f"]
    full_cell = chain_log10_norms(J, rows=slice(H_, 2 * H_), cols=slice(H_, 2 * H_))
    path = diag_chain_log10_norms(m.cell_path(tr))
    prod = np.array([np.max(np.prod(f[k:], axis=0)) for k in range(12)] + [1.0])
    assert np.allclose(path, np.log10(prod), atol=1e-12)
    assert np.allclose(full_cell, path, atol=1e-10)   # no h -> c coupling: dc_T/dc_k = prod diag(f)


def test_gru_direct_path_equals_z():
    m = GRU(3, 4, seed=0)
    tr = m.forward(np.random.default_rng(0).normal(size=(5, 3)))
    assert np.array_equal(m.direct_path(tr), tr.gates["z"])


def test_jacobians_need_an_unbatched_trace():
    m = RNN(2, 3, seed=0)
    tr = m.forward(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError):
        m.state_jacobians(tr)
