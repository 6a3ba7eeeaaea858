import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.family import grid
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


FAMILY_CASES = [("tanh", 32, 100, 1.0, "orthogonal", 0), ("sigmoid", 16, 60, 0.5, "gaussian", 3),
                ("linear", 8, 50, 1.0, "orthogonal", 1), ("tanh", 24, 120, 0.05, "gaussian", 7),
                ("tanh", 20, 80, 3.0, "orthogonal", 2)]


@pytest.mark.parametrize("act, H, T, scale, init, seed", FAMILY_CASES)
def test_family_members_equal_single_runs(act, H, T, scale, init, seed):
    """The page's main chart holds the family; each member must be what run() computes at that rho."""
    rhos = grid(0.1, 2.0, 0.05)
    fam = vanilla_rnn.family(act, rhos, H, T, scale, init, seed)
    assert fam["log_norm"].shape == (len(rhos), T + 1)
    for f in (0, 9, 17, 18, 19, 30, 38):
        r = vanilla_rnn.run(act, rhos[f], H, T, scale, init, 10, seed)
        for key in ("log_norm", "log_rho", "log_bound"):
            np.testing.assert_allclose(fam[key][f], r[key], atol=1e-9, rtol=0, err_msg=f"{key} at rho={rhos[f]}")
        assert (r["horizon"] is None and np.isnan(fam["horizon"][f])) or fam["horizon"][f] == r["horizon"]
        assert fam["grad_T"][f] == fam["log_norm"][f][-1]
