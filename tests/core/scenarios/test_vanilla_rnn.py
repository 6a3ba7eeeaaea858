import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from core.scenarios import vanilla_rnn


@settings(max_examples=30, deadline=None)
@given(act=st.sampled_from(["tanh", "sigmoid", "linear"]), rho=st.floats(0.1, 2.0), hidden=st.integers(2, 40),
       T=st.integers(5, 80), scale=st.floats(0.0, 3.0), init=st.sampled_from(["orthogonal", "gaussian"]),
       seed=st.integers(0, 50))
def test_gradient_never_exceeds_the_bound(act, rho, hidden, T, scale, init, seed):
    r = vanilla_rnn.run(act, rho, hidden, T, scale, init, window=10, seed=seed)
    assert np.all(r["log_norm"] <= r["log_bound"] + 1e-9)
    assert r["log_norm"][0] == 0.0 and np.all(np.isfinite(r["log_norm"]))
    assert 0.0 <= r["truncated_share"] <= 1.0
    assert np.isclose(r["rho"], rho)


def test_linear_orthogonal_curve_is_rho_power():
    r = vanilla_rnn.run("linear", 1.3, 16, 50, 1.0, "orthogonal", 10, 0)
    assert np.allclose(r["log_norm"], r["log_rho"], atol=1e-9)
    assert np.allclose(np.abs(r["eig"]), 1.3)


def test_vanishing_has_a_horizon_and_contributions_fade():
    r = vanilla_rnn.run("tanh", 0.5, 32, 100, 1.0, "orthogonal", 10, 0)
    assert r["horizon"] is not None and r["horizon"] < 15
    assert r["contrib"][-1] < 1e-12 * r["contrib"][0]
    assert r["truncated_share"] < 1e-3
