"""core.cliff: exact gradients vs finite differences and a scalar BPTT loop; the wall; descend(); descend_family()."""
import math
import timeit
import warnings

import numpy as np
import pytest

from core.cliff import RULES, cliff_loss, descend, descend_family, wall_b


def sigmoid_ref(z):
    e = math.exp(-abs(z))
    return 1.0 / (1.0 + e) if z >= 0 else e / (1.0 + e)


def slope_ref(z):
    e = math.exp(-abs(z))
    return e / (1.0 + e) ** 2


def cliff_ref(w, b, T=50, x0=0.5, target=0.7):
    """Independent scalar reference: forward pass, then reverse-mode BPTT."""
    xs = [x0]
    for _ in range(T):
        xs.append(w * sigmoid_ref(xs[-1]) + b)
    s_T = sigmoid_ref(xs[-1])
    E = (s_T - target) ** 2
    dx = 2.0 * (s_T - target) * slope_ref(xs[-1])      # dE/dx_T
    dw = db = 0.0
    for t in range(T, 0, -1):
        dw += dx * sigmoid_ref(xs[t - 1])               # x_t = w s(x_{t-1}) + b
        db += dx
        dx *= w * slope_ref(xs[t - 1])                  # dE/dx_{t-1}
    return E, dw, db


def fd4(f, x, h):
    """Fourth-order central difference."""
    return (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)


def away_from_wall(w, b, margin=0.5):
    return ~((np.abs(w) > 4.0) & (np.abs(b - wall_b(w)) < margin))


# ---------------------------------------------------------------- values and gradients

def test_matches_scalar_bptt_reference():
    rng = np.random.default_rng(0)
    w, b = rng.uniform(-12, 12, 300), rng.uniform(-12, 12, 300)
    w[:20] = np.linspace(-1000, 1000, 20)              # include saturated units
    for T in (1, 2, 7, 50):
        E, gw, gb = cliff_loss(w, b, T=T)
        for i in range(len(w)):
            E_ref, gw_ref, gb_ref = cliff_ref(w[i], b[i], T=T)
            assert E[i] == pytest.approx(E_ref, rel=1e-12, abs=1e-300)
            assert gw[i] == pytest.approx(gw_ref, rel=1e-8, abs=1e-300)
            assert gb[i] == pytest.approx(gb_ref, rel=1e-8, abs=1e-300)


def test_other_x0_and_target():
    E, gw, gb = cliff_loss(2.0, -1.0, T=9, x0=-0.3, target=0.2)
    np.testing.assert_allclose([E, gw, gb], cliff_ref(2.0, -1.0, T=9, x0=-0.3, target=0.2), rtol=1e-12)


def test_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    w, b = rng.uniform(-8, 8, 4000), rng.uniform(-8, 8, 4000)
    E, gw, gb = cliff_loss(w, b)
    h = 3e-4
    fd_w = fd4(lambda v: cliff_loss(v, b)[0], w, h)
    fd_b = fd4(lambda v: cliff_loss(w, v)[0], b, h)
    keep = away_from_wall(w, b)
    for g, fd in ((gw, fd_w), (gb, fd_b)):
        # relative error only where the gradient is well above the rounding noise of E (~1e-16 / h)
        ok = keep & (np.abs(g) > 1e-4)
        assert ok.sum() > 2000
        rel = np.abs(fd[ok] - g[ok]) / np.abs(g[ok])
        assert rel.max() < 1e-6


def test_broadcasting():
    w = np.linspace(-10, 10, 200)
    b = np.linspace(-10, 10, 200)
    W, B = np.meshgrid(w, b)
    out_grid = cliff_loss(W, B)
    out_bcast = cliff_loss(w[None, :], b[:, None])
    for a, c in zip(out_grid, out_bcast, strict=True):
        assert a.shape == (200, 200)
        np.testing.assert_array_equal(a, c)
    assert cliff_loss(w, 0.0)[0].shape == (200,)
    E, gw, gb = cliff_loss(3.0, -1.0)
    assert np.ndim(E) == np.ndim(gw) == np.ndim(gb) == 0
    assert cliff_loss(W[5, 7], B[5, 7])[1] == out_grid[1][5, 7]


def test_huge_weights_stay_finite_and_quiet():
    w = np.linspace(-1000, 1000, 401)
    W, B = np.meshgrid(w, np.linspace(-1000, 1000, 401))
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        outs = cliff_loss(W, B) + cliff_loss(w, wall_b(w))   # the grid, and right on the wall
    for a in outs:
        assert np.isfinite(a).all()


def test_bad_T():
    with pytest.raises(ValueError):
        cliff_loss(1.0, 1.0, T=0)


def test_speed_200x200():
    W, B = np.meshgrid(np.linspace(-20, 20, 200), np.linspace(-20, 20, 200))
    assert np.median(timeit.repeat(lambda: cliff_loss(W, B), number=1, repeat=7)) < 0.1


# ---------------------------------------------------------------- the cliff

def test_wall_line_is_a_fixed_point():
    for w in (-6.0, 5.0, 6.0):
        b = wall_b(w)
        assert w * sigmoid_ref(0.5) + b == pytest.approx(0.5, abs=1e-14)


def test_the_cliff_is_steep():
    # a uniform fine b-slice at w = 5 (no knowledge of where the wall is)
    b = np.linspace(-3.0, -2.0, 100_001)
    E, _, gb = cliff_loss(5.0, b)
    assert np.abs(gb).max() > 1e3
    b_steep = b[np.argmax(np.abs(gb))]
    assert b_steep == pytest.approx(wall_b(5.0), abs=1e-3)
    # and the wall grows like (w sigmoid'(x0))^T
    assert np.abs(cliff_loss(6.0, wall_b(6.0) + 1e-9)[2]) > 1e6


def test_the_cliff_is_a_jump_on_a_coarse_grid():
    for w in (5.0, 6.0, -6.0):
        b = np.linspace(wall_b(w) - 0.5, wall_b(w) + 0.5, 101)
        E = cliff_loss(w, b)[0]
        ratio = np.maximum(E[1:] / E[:-1], E[:-1] / E[1:])
        assert ratio.max() > 5                       # neighbouring b values, very different E
        assert np.abs(np.diff(E)).max() > 0.2


# ---------------------------------------------------------------- descend

def wall_start(w=6.0):
    return w, float(wall_b(w)) + 1e-8


def check_finite_path(path, steps):
    keys = ("w", "b", "loss", "grad_norm", "step_norm", "cos")
    for k in keys:
        assert path[k].shape == (steps + 1,)
        assert np.isfinite(path[k]).all()
    assert path["overflow"] is False
    assert path["step_norm"][-1] == 0.0 and path["cos"][-1] == 1.0
    # step_norm is the length of the step actually taken
    moved = np.hypot(np.diff(path["w"]), np.diff(path["b"]))
    np.testing.assert_allclose(moved, path["step_norm"][:-1], rtol=1e-9, atol=1e-12)


def test_no_clipping_jumps_off_the_wall():
    path = descend(*wall_start(), lr=0.1, steps=30, rule="none")
    check_finite_path(path, 30)
    assert path["grad_norm"][0] > 1e5
    assert path["step_norm"].max() > 1e3                  # one step throws the parameters away
    np.testing.assert_allclose(path["cos"], 1.0)


def test_norm_clipping_caps_the_step():
    lr, threshold = 0.1, 1.0
    path = descend(*wall_start(), lr=lr, steps=50, rule="norm", threshold=threshold)
    check_finite_path(path, 50)
    assert path["step_norm"].max() <= lr * threshold * (1 + 1e-6)
    np.testing.assert_allclose(path["cos"], 1.0, atol=1e-12)


def test_value_clipping_caps_each_component():
    lr, threshold = 0.1, 1.0
    path = descend(*wall_start(), lr=lr, steps=50, rule="value", threshold=threshold)
    check_finite_path(path, 50)
    assert np.abs(np.diff(path["w"])).max() <= lr * threshold * (1 + 1e-12)
    assert np.abs(np.diff(path["b"])).max() <= lr * threshold * (1 + 1e-12)
    assert path["cos"][0] < 0.99                          # both components clipped: direction turned
    assert (path["cos"] <= 1.0).all()


def test_overflow_stops_the_path():
    path = descend(*wall_start(), lr=1e305, steps=10, rule="none")
    assert path["overflow"] is True
    assert len(path["w"]) == 1
    for k in ("w", "b", "loss", "grad_norm", "step_norm", "cos"):
        assert np.isfinite(path[k]).all()
    assert path["step_norm"][-1] == 0.0


def test_zero_steps_and_bad_rule():
    path = descend(1.0, 0.0, lr=0.1, steps=0)
    assert len(path["w"]) == 1 and path["step_norm"][0] == 0.0
    with pytest.raises(ValueError):
        descend(1.0, 0.0, lr=0.1, steps=3, rule="clip")


# ---------------------------------------------------------------- descend_family: every member is descend()
PATH_KEYS = ("w", "b", "loss", "grad_norm", "step_norm", "cos")


def assert_member_is_descend(fam, f, w0, b0, lr, steps, rule, threshold):
    """Member f equals the single path bit for bit (the batched code repeats descend's arithmetic, down to the
    BLAS dot products), then NaN."""
    single = descend(w0, b0, lr, steps, rule=rule, threshold=threshold)
    n = int(fam["n"][f])
    assert n == len(single["w"]) and bool(fam["overflow"][f]) is single["overflow"]
    for k in PATH_KEYS:
        np.testing.assert_array_equal(fam[k][f, :n], single[k], err_msg=f"{k} of member {f} ({rule})")
        assert np.isnan(fam[k][f, n:]).all()


@pytest.mark.parametrize(("gap", "lr", "steps", "threshold"), [
    (-6.0, 0.1, 40, 1.0),       # the page's defaults: at the wall
    (-9.0, 1.0, 100, 0.05),     # the heaviest settings, a tiny threshold
    (0.5, 0.77, 25, 5.0),       # far from the wall: clipping never acts
    (-2.5, 0.01, 0, 0.3),       # no step at all
])
def test_every_member_is_the_single_descent(gap, lr, steps, threshold):
    rng = np.random.default_rng(int(10 * gap) % 97)
    w0 = np.round(rng.uniform(-10, 15, size=60), 1)
    b0 = wall_b(w0) + 10.0 ** gap * rng.choice([-1.0, 1.0], size=60)
    rules = rng.choice(np.array(RULES, dtype=object), size=60)      # mixed rules in one pass
    fam = descend_family(w0, b0, lr, steps, rules, threshold)
    assert fam["w"].shape == (60, steps + 1)
    for f in range(60):
        assert_member_is_descend(fam, f, w0[f], b0[f], lr, steps, rules[f], threshold)


def test_family_members_that_overflow_stop_like_the_single_path():
    w0 = np.array([6.0, 6.0, 1.0, 6.0, 6.0])
    b0 = wall_b(w0) + np.array([1e-8, 1e-8, 0.0, np.inf, 1e-6])
    rules = ["none", "norm", "value", "none", "value"]
    thresholds = np.array([1.0, 2.0, 1.0, 1.0, 1e300])
    fam = descend_family(w0, b0, 1e305, 10, rules, thresholds)
    assert fam["overflow"][0] and fam["n"][0] == 1                  # thrown beyond float range by its first step
    assert fam["overflow"][3] and fam["n"][3] == 0                  # a start that is not finite: no path
    assert not fam["overflow"][1] and fam["n"][1] == 11             # clipped: it walks on
    for f, rule in enumerate(rules):
        assert_member_is_descend(fam, f, w0[f], b0[f], 1e305, 10, rule, thresholds[f])


def test_family_input_checks():
    with pytest.raises(ValueError):
        descend_family([1.0], [0.0], 0.1, 3, rules="clip")
    with pytest.raises(ValueError):
        descend_family([1.0], [0.0], 0.1, -1)
    with pytest.raises(ValueError):
        descend_family([1.0], [0.0], 0.1, 3, rules="value", thresholds=-1.0)
    one = descend_family(6.0, float(wall_b(6.0)) + 1e-6, 0.1, 5)            # scalars: a family of one
    assert one["w"].shape == (1, 6)
