"""core.clipping: hand-computed cases, torch's clip_grad_norm_/clip_grad_value_, and properties."""
import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from core.clipping import EPS, clip_by_norm, clip_by_value, global_norm, total_norm

INF = float("inf")


def hand_grads():
    # ||a|| = 5, ||b|| = 12, global L2 norm 13, L1 norm 19, max |entry| 12
    return {"a": np.array([3.0, -4.0]), "b": np.array([[0.0], [12.0]])}


# ---------------------------------------------------------------- hand-computed reference

def test_norms_by_hand():
    g = hand_grads()
    assert global_norm(g) == 13.0
    assert total_norm(g, 2.0) == 13.0
    assert total_norm(g, 1.0) == 19.0
    assert total_norm(g, INF) == 12.0
    assert total_norm({}, 2.0) == 0.0
    assert isinstance(global_norm(g), float)


def test_clip_by_norm_by_hand():
    clipped, norm = clip_by_norm(hand_grads(), 6.5)
    coef = 6.5 / (13.0 + 1e-6)
    assert norm == 13.0 and isinstance(norm, float)
    np.testing.assert_allclose(clipped["a"], [3.0 * coef, -4.0 * coef], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [[0.0], [12.0 * coef]], rtol=1e-15)
    assert clipped["b"].shape == (2, 1)


def test_clip_by_norm_leaves_small_gradients_alone():
    clipped, norm = clip_by_norm(hand_grads(), 20.0)
    assert norm == 13.0
    for k, g in hand_grads().items():
        np.testing.assert_array_equal(clipped[k], g)


def test_clip_by_norm_inf_norm_by_hand():
    clipped, norm = clip_by_norm(hand_grads(), 3.0, norm_type=INF)
    assert norm == 12.0
    np.testing.assert_allclose(clipped["b"], [[0.0], [12.0 * 3.0 / (12.0 + EPS)]], rtol=1e-15)


def test_clip_by_norm_nonfinite_like_torch():
    clipped, norm = clip_by_norm({"a": np.array([INF, 1.0])}, 1.0)
    assert norm == INF
    assert np.isnan(clipped["a"][0]) and clipped["a"][1] == 0.0      # inf * 0, 1 * 0
    clipped, norm = clip_by_norm({"a": np.array([np.nan, 1.0])}, 1.0)
    assert np.isnan(norm) and np.isnan(clipped["a"]).all()


def test_huge_but_finite_norm_does_not_overflow():
    g = {"a": np.array([3e200, 4e200])}
    clipped, norm = clip_by_norm(g, 1.0)
    assert norm == pytest.approx(5e200, rel=1e-15)
    np.testing.assert_allclose(clipped["a"], [0.6, 0.8], rtol=1e-12)


def test_dtype_kept():
    g = {"a": np.array([3.0, 4.0], dtype=np.float32)}
    assert clip_by_norm(g, 1.0)[0]["a"].dtype == np.float32
    assert clip_by_value(g, 1.0)["a"].dtype == np.float32


def test_clip_by_value_by_hand():
    out = clip_by_value({"a": np.array([-3.0, 0.5, 2.0]), "b": np.array(-0.25)}, 1.0)
    np.testing.assert_array_equal(out["a"], [-1.0, 0.5, 1.0])
    assert out["b"] == -0.25


def test_bad_arguments():
    with pytest.raises(ValueError):
        clip_by_value(hand_grads(), -1.0)
    with pytest.raises(ValueError):
        total_norm(hand_grads(), 0.5)


# ---------------------------------------------------------------- against torch

@pytest.fixture(scope="module")
def torch():
    return pytest.importorskip("torch")


def random_grads(rng):
    shapes = [(3, 4), (4,), (2, 3, 2), ()]
    n = rng.integers(1, len(shapes) + 1)
    scale = 10.0 ** rng.uniform(-3, 3)
    return {f"p{i}": rng.normal(0.0, scale, size=shapes[i]) for i in range(n)}


def torch_params(torch, grads):
    params = []
    for g in grads.values():
        p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.float64))
        p.grad = torch.tensor(g, dtype=torch.float64)
        params.append(p)
    return params


@pytest.mark.torch
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, INF])
def test_clip_by_norm_matches_torch(torch, norm_type):
    rng = np.random.default_rng(0)
    for _ in range(50):
        grads = random_grads(rng)
        max_norm = total_norm(grads, norm_type) * rng.choice([0.01, 0.5, 0.999, 2.0])
        params = torch_params(torch, grads)
        ref_norm = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        clipped, norm = clip_by_norm(grads, max_norm, norm_type)
        assert norm == pytest.approx(float(ref_norm), rel=1e-12)
        for p, k in zip(params, grads, strict=True):
            np.testing.assert_allclose(clipped[k], p.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.torch
def test_clip_by_norm_nonfinite_matches_torch(torch):
    for bad in (INF, -INF, np.nan):
        grads = {"a": np.array([1.0, bad]), "b": np.array([2.0, 3.0])}
        params = torch_params(torch, grads)
        ref_norm = float(torch.nn.utils.clip_grad_norm_(params, 1.0))
        clipped, norm = clip_by_norm(grads, 1.0)
        np.testing.assert_equal(norm, ref_norm)
        for p, k in zip(params, grads, strict=True):
            np.testing.assert_array_equal(clipped[k], p.grad.numpy())


@pytest.mark.torch
def test_clip_by_value_matches_torch(torch):
    rng = np.random.default_rng(1)
    for _ in range(50):
        grads = random_grads(rng)
        clip_value = float(10.0 ** rng.uniform(-3, 3))
        params = torch_params(torch, grads)
        torch.nn.utils.clip_grad_value_(params, clip_value)
        clipped = clip_by_value(grads, clip_value)
        for p, k in zip(params, grads, strict=True):
            np.testing.assert_array_equal(clipped[k], p.grad.numpy())


# ---------------------------------------------------------------- properties

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
grad_dicts = st.dictionaries(
    st.sampled_from(["weight_ih", "weight_hh", "bias_ih", "bias_hh"]),
    arrays(np.float64, array_shapes(min_dims=0, max_dims=3, max_side=4), elements=finite),
    min_size=1, max_size=4,
)
limits = st.floats(1e-3, 1e3)


def flat(grads):
    return np.concatenate([np.ravel(grads[k]) for k in sorted(grads)])


def unit(v):
    v = v / np.abs(v).max()                  # rescale first: tiny entries must not underflow
    return v / np.linalg.norm(v)


@settings(max_examples=200, deadline=None)
@given(grads=grad_dicts, max_norm=limits)
def test_norm_clipping_properties(grads, max_norm):
    before = copy.deepcopy(grads)
    clipped, norm = clip_by_norm(grads, max_norm)
    for k in grads:                                         # input not mutated
        np.testing.assert_array_equal(grads[k], before[k])
    assert global_norm(clipped) <= max_norm * (1 + 1e-9)    # length capped
    g, c = flat(grads), flat(clipped)
    if norm > 0 and global_norm(clipped) > 0:               # direction kept: cosine 1
        cos = unit(c) @ unit(g)
        assert cos == pytest.approx(1.0, abs=1e-12)
    if norm < max_norm * 0.5:                               # small gradients pass unchanged
        np.testing.assert_array_equal(c, g)


@settings(max_examples=200, deadline=None)
@given(grads=grad_dicts, clip_value=limits)
def test_value_clipping_properties(grads, clip_value):
    before = copy.deepcopy(grads)
    clipped = clip_by_value(grads, clip_value)
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])
        assert np.all(np.abs(clipped[k]) <= clip_value)
        inside = np.abs(grads[k]) <= clip_value
        np.testing.assert_array_equal(clipped[k][inside], grads[k][inside])
