import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.family import grid
from core.scenarios import gru_update_gate
from core.scenarios.common import inputs
from tests.core.helpers import jacobian_fd
from tests.core.scenarios.test_lstm_forget_gate import assert_family_is_the_runs, log10_max_prod, no_nan_or_posinf


def test_direct_path_is_the_product_of_the_returned_update_gates():
    for kw in ({}, {"update_bias": 2.5, "reset_bias": -3.0}, {"update_bias": -3.0, "weight_scale": 2.0}):
        r = gru_update_gate.run(hidden=10, T=50, seed=4, **kw)
        assert r["z"].shape == (50, 10) and r["distance"].shape == (51,)
        assert np.allclose(r["curves"]["gru_direct"], log10_max_prod(r["z"]), rtol=0, atol=1e-9)
        assert np.isclose(r["mean_z"], r["z"].mean())


def test_leaky_unit_has_a_constant_update_gate():
    for leaky in (0.05, 0.5, 0.9, 0.99):
        r = gru_update_gate.run(leaky=leaky, update_bias=-3.0, hidden=12, T=80, input_scale=2.0, seed=1)
        assert np.all(np.abs(r["z"] - leaky) < 1e-12) and np.all(r["z"] == r["z"][0, 0])
        assert np.allclose(r["curves"]["gru_direct"], r["distance"] * np.log10(leaky), rtol=0, atol=1e-10)
    a = gru_update_gate.run(leaky=0.9, update_bias=-3.0, hidden=8, T=30)
    b = gru_update_gate.run(leaky=0.9, update_bias=4.0, hidden=8, T=30)
    assert np.array_equal(a["curves"]["gru_full"], b["curves"]["gru_full"])   # update_bias unused when leaky
    assert np.isclose(a["lstm_forget_bias"], np.log(9.0))


def test_update_bias_stretches_the_memory_horizon():
    runs = [gru_update_gate.run(update_bias=b, hidden=16, T=300, seed=0) for b in (-2.0, 0.0, 2.0)]
    for name in ("gru_full", "gru_direct", "lstm"):
        h = [np.inf if r["horizons"][name] is None else r["horizons"][name] for r in runs]
        assert h[0] < h[1] < h[2], (name, h)
    assert runs[0]["mean_z"] < 0.2 < 0.8 < runs[2]["mean_z"]
    assert len({r["horizons"]["vanilla_rnn"] for r in runs}) == 1


def test_candidate_without_reset_matches_a_gru_with_the_reset_gate_forced_open():
    r = gru_update_gate.run(reset_bias=-2.0, weight_scale=1.5, hidden=7, T=20, input_scale=1.5, seed=5)
    m = gru_update_gate.build_gru(7, 5, 1.5, 0.0, -2.0)
    xs = inputs(20, 1.5, 5)
    h_prev = np.vstack([np.zeros(7), r["h"][:-1]])
    # every step as its own one-step sequence from the recorded h_{t-1}: (1, T, I) with batch T
    one_step = m.forward(xs[None], h0=h_prev)
    assert np.allclose(one_step.gates["n"][0], r["n"], atol=1e-14)
    m.block("weight_ih", 0)[:] = 0.0
    m.block("weight_hh", 0)[:] = 0.0
    m.block("bias_ih", 0)[:] = 50.0                                  # sigmoid(50) == 1.0 in float64
    opened = m.forward(xs[None], h0=h_prev)
    assert np.all(opened.gates["r"] == 1.0)
    assert np.allclose(opened.gates["n"][0], r["n_no_reset"], atol=1e-14)
    assert np.allclose(r["reset_shift"], np.abs(r["n"] - r["n_no_reset"]).mean(axis=1))


def test_closed_reset_gate_changes_the_candidate_more():
    closed = gru_update_gate.run(reset_bias=-4.0, hidden=16, T=60, seed=2)
    opened = gru_update_gate.run(reset_bias=4.0, hidden=16, T=60, seed=2)
    assert closed["r"].max() < 0.15 and opened["r"].min() > 0.85
    assert closed["reset_shift"].mean() > 3 * opened["reset_shift"].mean()


def test_chain_value_matches_explicit_product_and_finite_differences():
    H, T, k = 6, 14, 5
    r = gru_update_gate.run(update_bias=1.0, reset_bias=0.5, weight_scale=1.8, hidden=H, T=T, input_scale=1.2,
                            seed=9)
    m = gru_update_gate.build_gru(H, 9, 1.8, 1.0, 0.5)
    xs = inputs(T, 1.2, 9)
    J = m.state_jacobians(m.forward(xs))
    P = np.eye(H)
    for t in range(T - 1, k - 1, -1):                               # dh_T/dh_k = J[T-1] ... J[k]
        P = P @ J[t]
    assert np.isclose(r["curves"]["gru_full"][T - k], np.log10(np.linalg.norm(P, 2)), rtol=0, atol=1e-10)
    h_k = r["h"][k - 1].copy()
    fd = jacobian_fd(lambda: m.forward(xs[k:], h0=h_k).h[-1], h_k)
    assert np.allclose(fd, P, atol=1e-8)


def test_result_shapes():
    r = gru_update_gate.run(hidden=5, T=8)
    assert set(r["curves"]) == set(r["horizons"]) == {"gru_full", "gru_direct", "vanilla_rnn", "lstm"}
    for key in ("z", "r", "n", "n_no_reset", "h"):
        assert r[key].shape == (8, 5)
    assert r["reset_shift"].shape == (8,)
    assert all(v.shape == (9,) and v[0] == 0.0 for v in r["curves"].values())


@settings(max_examples=25, deadline=None)
@given(ub=st.floats(-4, 4), rb=st.floats(-4, 4), ws=st.floats(0, 3), hidden=st.integers(2, 40),
       T=st.integers(5, 120), scale=st.floats(0, 3), seed=st.integers(0, 100),
       leaky=st.none() | st.floats(0.01, 0.99))
def test_no_nan_or_overflow_over_the_slider_ranges(ub, rb, ws, hidden, T, scale, seed, leaky):
    r = gru_update_gate.run(ub, rb, ws, hidden, T, scale, seed, leaky=leaky)
    no_nan_or_posinf(r)
    assert all(L[0] == 0.0 for L in r["curves"].values())
    assert np.all(r["curves"]["gru_direct"] <= 0.0)


def test_heaviest_corner_stays_finite():
    no_nan_or_posinf(gru_update_gate.run(4.0, -4.0, 3.0, 128, 300, 3.0, seed=0))


FAMILY_CASES = [  # (reset_bias, weight_scale, hidden, T, input_scale, seed, leaky)
    (0.0, 1.0, 32, 100, 1.0, 0, None), (-4.0, 2.0, 12, 60, 0.3, 4, None), (2.0, 0.0, 8, 40, 2.0, 9, None),
    (0.0, 1.0, 16, 50, 1.0, 2, 0.9), (-1.0, 2.5, 20, 80, 3.0, 11, 0.3),
]


@pytest.mark.parametrize("rb, ws, H, T, scale, seed, leaky", FAMILY_CASES)
def test_family_members_equal_single_runs(rb, ws, H, T, scale, seed, leaky):
    """The page's main chart holds the family over PyTorch's b_z; each member must be what run() computes."""
    b = grid(-4.0, 4.0, 0.25)
    fam = gru_update_gate.family(b, rb, ws, H, T, scale, seed, leaky=leaky)
    assert set(fam["curves"]) == {"gru_full", "gru_direct", "vanilla_rnn", "lstm"}
    assert fam["mean_z"].shape == (len(b),)
    assert_family_is_the_runs(fam, lambda f: gru_update_gate.run(b[f], rb, ws, H, T, scale, seed, leaky=leaky),
                              (0, 5, 12, 16, 17, 27, 32), unused=leaky is not None,
                              extra=lambda f, r: np.testing.assert_allclose(fam["mean_z"][f], r["mean_z"], atol=1e-14))
