import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.family import grid
from core.scenarios import lstm_forget_gate
from core.scenarios.common import inputs
from tests.core.helpers import jacobian_fd


def no_nan_or_posinf(r: dict) -> None:
    """Every array in the result is free of NaN and +inf; -inf only in the log10 curves."""
    for key, v in r.items():
        if isinstance(v, dict):
            for name, a in v.items():
                if a is not None:
                    a = np.asarray(a, dtype=float)
                    assert not np.isnan(a).any() and not np.isposinf(a).any(), (key, name)
        else:
            assert np.all(np.isfinite(np.asarray(v, dtype=float))), key


def log10_max_prod(g: np.ndarray) -> np.ndarray:
    """log10 max_i prod_{t > T-d} g_t,i for d = 0..T, straight from the gate values (no log domain)."""
    T = g.shape[0]
    with np.errstate(divide="ignore"):
        return np.array([np.log10(np.max(np.prod(g[T - d:], axis=0))) for d in range(T + 1)])


def test_cell_path_is_the_product_of_the_returned_forget_gates():
    for kw in ({}, {"forget_bias": 3.0, "input_scale": 2.0}, {"forget_bias": -2.0, "weight_scale": 2.5}):
        r = lstm_forget_gate.run(hidden=12, T=60, seed=3, **kw)
        assert r["f"].shape == (60, 12) and r["distance"].shape == (61,)
        assert np.allclose(r["curves"]["cell_path"], log10_max_prod(r["f"]), rtol=0, atol=1e-9)
        assert np.isclose(r["mean_f"], r["f"].mean())


def test_forget_bias_stretches_the_memory_horizon():
    runs = [lstm_forget_gate.run(forget_bias=b, hidden=16, T=300, seed=0) for b in (0.0, 1.0, 3.0)]
    for name in ("cell_path", "cell_full", "state_full"):
        h = [r["horizons"][name] for r in runs]
        h = [np.inf if v is None else v for v in h]
        assert h[0] < h[1] < h[2], (name, h)
    assert runs[0]["horizons"]["cell_path"] < 20                 # f ~ 0.5: 0.5^10 = 1e-3
    assert runs[2]["curves"]["cell_path"][50] > -1.5             # f ~ 0.95: slow decay
    assert np.isclose(runs[1]["sigmoid_bf_T"], 300 * np.log10(1 / (1 + np.exp(-1.0))))
    vanilla = {r["horizons"]["vanilla_rnn"] for r in runs}
    assert len(vanilla) == 1                                     # the comparison ignores the gate biases


def test_1997_lstm_constant_error_carousel_and_growing_cell():
    r = lstm_forget_gate.run(no_forget_gate=True, hidden=16, T=200, seed=1)
    base = lstm_forget_gate.run(hidden=16, T=200, seed=1)
    assert np.all(r["f"] == 1.0) and r["mean_f"] == 1.0
    assert np.all(r["curves"]["cell_path"] == 0.0)                # log10 1 at every distance
    assert r["horizons"]["cell_path"] is None and r["sigmoid_bf_T"] == 0.0
    assert np.abs(r["c"][-1]).max() > 10 * np.abs(base["c"][-1]).max()
    assert r["c_abs_max"][-1] > r["c_abs_max"][20] and np.all(np.abs(r["c"]) <= np.arange(1, 201)[:, None])


def test_without_recurrent_weights_the_cell_chain_is_the_cell_path():
    r = lstm_forget_gate.run(weight_scale=0.0, hidden=24, T=80, seed=2)
    c = r["curves"]
    assert np.allclose(c["cell_full"], c["cell_path"], rtol=0, atol=1e-9)
    assert r["vanilla_rho"] == 0.0 and c["vanilla_rnn"][0] == 0.0 and np.all(c["vanilla_rnn"][1:] == -np.inf)


def test_chain_values_match_explicit_products_and_finite_differences():
    H, T, k = 5, 12, 4
    kw = {"forget_bias": 1.0, "input_bias": -0.5, "weight_scale": 1.7, "input_scale": 1.5}
    r = lstm_forget_gate.run(hidden=H, T=T, seed=7, **kw)
    m = lstm_forget_gate.build_lstm(H, 7, kw["weight_scale"], kw["forget_bias"], kw["input_bias"])
    xs = inputs(T, kw["input_scale"], 7)
    tr = m.forward(xs)
    J = m.state_jacobians(tr)
    P = np.eye(2 * H)
    for t in range(T - 1, k - 1, -1):                         # ds_T/ds_k = J[T-1] ... J[k]
        P = P @ J[t]
    d = T - k
    assert np.isclose(r["curves"]["state_full"][d], np.log10(np.linalg.norm(P, 2)), rtol=0, atol=1e-10)
    assert np.isclose(r["curves"]["cell_full"][d], np.log10(np.linalg.norm(P[H:, H:], 2)), rtol=0, atol=1e-10)
    # independent of the Jacobian code: finite differences of the map s_k -> s_T
    s_k = np.concatenate([tr.h[k - 1], tr.c[k - 1]])

    def s_T():
        t2 = m.forward(xs[k:], h0=s_k[:H], c0=s_k[H:])
        return np.concatenate([t2.h[-1], t2.c[-1]])

    fd = jacobian_fd(s_T, s_k)
    assert np.allclose(fd, P, atol=1e-8)


def test_result_shapes():
    r = lstm_forget_gate.run(hidden=6, T=9)
    assert set(r["curves"]) == set(r["horizons"]) == {"cell_path", "cell_full", "state_full", "vanilla_rnn"}
    for key in ("f", "i", "c", "h"):
        assert r[key].shape == (9, 6)
    assert all(v.shape == (10,) and v[0] == 0.0 for v in r["curves"].values())
    assert r["c_abs_max"].shape == (9,)


@settings(max_examples=25, deadline=None)
@given(fb=st.floats(-4, 6), ib=st.floats(-4, 4), ws=st.floats(0, 3), hidden=st.integers(2, 40),
       T=st.integers(5, 120), scale=st.floats(0, 3), seed=st.integers(0, 100), old=st.booleans())
def test_no_nan_or_overflow_over_the_slider_ranges(fb, ib, ws, hidden, T, scale, seed, old):
    r = lstm_forget_gate.run(fb, ib, ws, hidden, T, scale, seed, no_forget_gate=old)
    no_nan_or_posinf(r)
    assert all(L[0] == 0.0 for L in r["curves"].values())
    assert np.all(r["curves"]["cell_path"] <= 0.0)                # 0 < f <= 1


def test_heaviest_corner_stays_finite():
    r = lstm_forget_gate.run(6.0, 4.0, 3.0, 128, 300, 3.0, seed=0, no_forget_gate=True)
    no_nan_or_posinf(r)
    assert 100 < r["c_abs_max"][-1] <= 300


FAMILY_CASES = [  # (input_bias, weight_scale, hidden, T, input_scale, seed, no_forget_gate)
    (0.0, 1.0, 32, 100, 1.0, 0, False), (2.0, 2.5, 12, 60, 0.3, 4, False), (-3.0, 0.0, 8, 40, 2.0, 9, False),
    (0.0, 1.0, 16, 50, 1.0, 2, True), (1.0, 0.5, 20, 80, 3.0, 11, True),
]


def assert_family_is_the_runs(fam: dict, run_at, members, unused: bool, extra=None) -> None:
    """Members ``members`` of a scenario's family have run()'s curves (float64 precision) and memory horizons
    (``run_at(f)``: run() at member f's value; ``extra(f, r)``: the scenario's own checks). ``unused``: the
    scrubbed bias has no effect in this mode (1997 LSTM, leaky GRU), so every member must be the same."""
    for f in members:
        r = run_at(f)
        for key, L in r["curves"].items():
            assert fam["curves"][key].shape[1:] == L.shape
            np.testing.assert_allclose(fam["curves"][key][f], L, atol=1e-9, rtol=0, err_msg=f"{key}, member {f}")
            h = fam["horizons"][key][f]
            assert (r["horizons"][key] is None and np.isnan(h)) or h == r["horizons"][key], key
        if extra is not None:
            extra(f, r)
    for L in fam["curves"].values() if unused else ():
        assert np.array_equal(L, np.repeat(L[:1], len(L), axis=0))


@pytest.mark.parametrize("ib, ws, H, T, scale, seed, old", FAMILY_CASES)
def test_family_members_equal_single_runs(ib, ws, H, T, scale, seed, old):
    """The page's main chart holds the family; each member must be what run() computes at that b_f."""
    b = grid(-4.0, 6.0, 0.25)
    fam = lstm_forget_gate.family(b, ib, ws, H, T, scale, seed, no_forget_gate=old)
    assert set(fam["curves"]) == {"cell_path", "cell_full", "state_full", "vanilla_rnn"}
    assert fam["curves"]["cell_path"].shape == (len(b), T + 1)

    def gates(f, r):
        assert fam["mean_f"][f] == pytest.approx(r["mean_f"], abs=1e-14)
        assert fam["sigmoid_bf"][f][-1] == pytest.approx(r["sigmoid_bf_T"], abs=1e-12)
    assert_family_is_the_runs(fam, lambda f: lstm_forget_gate.run(b[f], ib, ws, H, T, scale, seed, no_forget_gate=old),
                              (0, 7, 16, 20, 29, 40), unused=old, extra=gates)
