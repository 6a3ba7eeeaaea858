import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.scenarios import depth
from core.scenarios.common import inputs, readout
from core.stacked import StackedRNN

CELLS = ["rnn", "lstm", "gru"]


def _reference(layers, cell, hidden, T, residual, seed, input_scale=1.0):
    """log10 layer gradient norms straight from StackedRNN for a freshly built stack of this depth."""
    m = StackedRNN(cell, 8, hidden, num_layers=layers, residual=residual, seed=seed)
    tr = m.forward(inputs(T, input_scale, seed + 1))
    d = np.zeros_like(tr.output)
    d[-1] = readout(hidden, seed)
    with np.errstate(divide="ignore"):
        return np.log10(m.layer_grad_norms(tr, d))


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("residual", [False, True])
@pytest.mark.parametrize("layers", [1, 3, 8])
def test_heat_map_equals_stacked_rnn_of_that_depth(cell, residual, layers):
    """The sweep reuses one deep stack and one batched backward; a stack built at each depth agrees."""
    r = depth.run(layers=layers, cell=cell, hidden=6, T=9, residual=residual, seed=4)
    ref = _reference(layers, cell, 6, 9, residual, 4)
    assert r["log_grad"].shape == (layers, 9)
    assert np.array_equal(np.isfinite(ref), np.isfinite(r["log_grad"]))
    np.testing.assert_allclose(r["log_grad"], ref, atol=1e-12)
    assert np.array_equal(r["t"], np.arange(1, 10)) and np.array_equal(r["layer"], np.arange(1, layers + 1))


@pytest.mark.parametrize("cell", CELLS)
def test_sweep_points_equal_stacks_built_at_each_depth(cell):
    r = depth.run(cell=cell, hidden=5, T=7, seed=2)["first_layer_vs_depth"]
    for residual, key in ((False, "reach_plain"), (True, "reach_residual")):
        for L in (1, 2, 5, 8):
            ref = _reference(L, cell, 5, 7, residual, 2)[0]
            assert np.isclose(r[key][L - 1], np.log10(np.sqrt(np.sum(10.0 ** (2 * ref)))), atol=1e-12)


def test_top_layer_last_step_has_unit_gradient_and_nothing_else():
    r = depth.run()
    top = r["log_grad"][-1]
    assert np.isclose(top[-1], 0.0, atol=1e-15)                          # ||u|| = 1
    assert np.all(top[:-1] == -np.inf)                                   # the loss reads only y_T
    assert np.all(np.isfinite(r["log_grad"][:-1]))
    f = r["first_layer_vs_depth"]
    assert np.array_equal(f["depths"], np.arange(1, 9))
    assert np.isclose(f["reach_plain"][0], 0.0, atol=1e-15) and f["reach_plain"][0] == f["reach_residual"][0]


@pytest.mark.parametrize("seed", range(10))
def test_residual_connections_keep_the_gradient_reaching_the_first_layer(seed):
    """tanh RNN at the default settings. Measured over seeds 0-19, H in {2, 4, 16, 64}, T in {2, 30, 100},
    input_scale in {0, 1, 3}: plain stacks lose >= 1.06 decades by depth 8, residual ones <= 0.99, the
    gap at depth 8 is >= 1.3 decades. The plain curve is NOT always monotone (about 2/3 of cases), so
    only the end points are asserted."""
    f = depth.run(seed=seed)["first_layer_vs_depth"]
    plain, res = f["reach_plain"], f["reach_residual"]
    assert plain[-1] < plain[0] - 1.0                                    # >= 10x lost through 7 layers
    assert res[-1] > res[0] - 1.0                                        # less than 10x with skips
    assert res[-1] - plain[-1] > 1.0
    assert np.all(res[1:] > plain[1:])                                   # skips help at every depth


@settings(max_examples=25, deadline=None)
@given(layers=st.integers(1, 8), cell=st.sampled_from(CELLS + ["relu"]), hidden=st.integers(2, 64),
       T=st.integers(2, 100), residual=st.booleans(), scale=st.floats(0.0, 3.0), seed=st.integers(0, 1000))
def test_no_nan_anywhere(layers, cell, hidden, T, residual, scale, seed):
    r = depth.run(layers, cell, hidden, T, residual, seed, scale)
    g = r["log_grad"]
    assert g.shape == (layers, T) and not np.any(np.isnan(g)) and np.all(g < np.inf)
    assert np.isclose(g[-1, -1], 0.0, atol=1e-12)
    f = r["first_layer_vs_depth"]
    for key in ("reach_plain", "reach_residual"):
        assert f[key].shape == (8,) and not np.any(np.isnan(f[key])) and np.all(f[key] < np.inf)
    if cell != "relu":                                                   # relu units can all be off (-inf)
        assert f["reach_residual"][-1] > f["reach_plain"][-1]


def test_bad_sizes_raise():
    with pytest.raises(ValueError):
        depth.run(layers=0)
    with pytest.raises(ValueError):
        depth.run(T=0)


# --- the skip weight a (y = h + a x) and the family over it -------------------------------------------------------
@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("a", [0.0, 0.35, 1.0])
def test_skip_weight_equals_a_stack_built_with_it(cell, a):
    r = depth.run(layers=4, cell=cell, hidden=5, T=8, residual=a, seed=1)
    ref = _reference(4, cell, 5, 8, a, 1)
    assert np.array_equal(np.isfinite(ref), np.isfinite(r["log_grad"]))
    np.testing.assert_allclose(r["log_grad"], ref, atol=1e-12)
    sweep = r["first_layer_vs_depth"]
    for L in (1, 2, 4, 8):
        ref = _reference(L, cell, 5, 8, a, 1)[0]
        assert np.isclose(sweep["reach"][L - 1], np.log10(np.sqrt(np.sum(10.0 ** (2 * ref)))), atol=1e-12)


def test_bool_residual_is_weight_zero_or_one_exactly():
    for flag, a in ((False, 0.0), (True, 1.0)):
        r, s = depth.run(residual=flag), depth.run(residual=a)
        assert np.array_equal(r["log_grad"], s["log_grad"]) and r["residual"] == a
        assert np.array_equal(r["first_layer_vs_depth"]["reach"], s["first_layer_vs_depth"]["reach"])
    f = depth.run(residual=0.5)["first_layer_vs_depth"]
    assert np.array_equal(f["reach_plain"], depth.run()["first_layer_vs_depth"]["reach"])
    assert np.array_equal(f["reach_residual"], depth.run(residual=True)["first_layer_vs_depth"]["reach"])


@pytest.mark.parametrize("cell", CELLS + ["relu"])
@pytest.mark.parametrize("layers", [1, 2, 5, 8])
def test_family_member_equals_the_single_run(cell, layers):
    alphas = np.round(np.linspace(0.0, 1.0, 21), 10)
    fam = depth.family(alphas, layers=layers, cell=cell, hidden=6, T=11, seed=3)
    assert fam["log_grad"].shape == (21, layers, 11) and np.array_equal(fam["alphas"], alphas)
    for f in (0, 4, 13, 20):                                             # sampled members, both ends included
        r = depth.run(layers=layers, cell=cell, hidden=6, T=11, residual=alphas[f], seed=3)
        got, want = fam["log_grad"][f], r["log_grad"]
        assert np.array_equal(np.isfinite(got), np.isfinite(want)) and np.array_equal(got == -np.inf, want == -np.inf)
        np.testing.assert_allclose(got[np.isfinite(got)], want[np.isfinite(want)], rtol=0, atol=1e-12)
        assert np.isclose(fam["reach"][f], r["first_layer_vs_depth"]["reach"][layers - 1], rtol=0, atol=1e-12)
        assert fam["corner"][f] == got[0, 0]


def test_family_at_the_heaviest_settings_matches_too():
    alphas = np.array([0.0, 0.55, 1.0])
    fam = depth.family(alphas, layers=8, cell="lstm", hidden=64, T=100, seed=0)
    r = depth.run(layers=8, cell="lstm", hidden=64, T=100, residual=0.55, seed=0)
    np.testing.assert_allclose(fam["log_grad"][1], r["log_grad"], rtol=0, atol=1e-12)


def test_family_skip_weight_opens_the_path_across_depth():
    """tanh RNN, 8 layers: the gradient reaching the first layer grows with the skip weight, from the plain
    stack's ~10^-1.6 to about the loss's own at a = 1."""
    fam = depth.family(np.round(np.linspace(0, 1, 21), 10), layers=8)
    assert fam["reach"][0] < -1.0 and fam["reach"][-1] > -0.5
    assert fam["reach"][-1] - fam["reach"][0] > 1.0 and np.all(np.isfinite(fam["log_grad"][:, :-1]))


def test_bad_skip_weights_raise():
    for bad in (-0.1, np.nan, np.inf):
        with pytest.raises(ValueError):
            depth.run(residual=bad)
        with pytest.raises(ValueError):
            depth.family([0.0, bad])
