"""core.tasks: shapes, determinism, the markers, and the constant-prediction baselines."""
import numpy as np
import pytest

from core.tasks import (
    ADDING_BASELINE_MSE,
    REMEMBER_BASELINE_MSE,
    TASKS,
    Task,
    adding_problem,
    remember_marked,
)


@pytest.mark.parametrize("make, size", [(adding_problem, 2), (remember_marked, 2)])
def test_shapes_and_determinism(make, size):
    xs, ys = make(T=13, batch=5, seed=3)
    assert xs.shape == (13, 5, size) and ys.shape == (5, 1)
    assert xs.dtype == ys.dtype == np.float64
    xs2, ys2 = make(T=13, batch=5, seed=3)
    np.testing.assert_array_equal(xs, xs2)
    np.testing.assert_array_equal(ys, ys2)
    xs3, ys3 = make(T=13, batch=5, seed=4)
    assert not np.array_equal(xs, xs3) and not np.array_equal(ys, ys3)


@pytest.mark.parametrize("T", [2, 3, 7, 50, 101])
def test_adding_markers_one_per_half(T):
    xs, ys = adding_problem(T, batch=500, seed=0)
    values, markers = xs[..., 0], xs[..., 1]
    assert ((values >= 0) & (values <= 1)).all()
    assert np.isin(markers, [0.0, 1.0]).all()
    half = T // 2
    np.testing.assert_array_equal(markers[:half].sum(axis=0), 1.0)
    np.testing.assert_array_equal(markers[half:].sum(axis=0), 1.0)
    # the target is the sum of the two marked values
    np.testing.assert_allclose(ys[:, 0], (values * markers).sum(axis=0), rtol=1e-15)


def test_adding_markers_cover_both_halves():
    xs, _ = adding_problem(10, batch=5000, seed=1)
    hits = xs[..., 1].sum(axis=1)
    assert (hits > 0).all()                      # every position gets marked sometimes


def sampling_check(errors, expected):
    """Mean of squared errors within 5 standard errors of the expected MSE."""
    se = errors.std() / np.sqrt(errors.size)
    assert abs(errors.mean() - expected) < 5 * se
    assert 5 * se < 0.02 * expected              # and the test is sharp


def test_adding_constant_one_scores_one_sixth():
    _, ys = adding_problem(20, batch=200_000, seed=0)
    sampling_check((ys[:, 0] - 1.0) ** 2, ADDING_BASELINE_MSE)
    assert ADDING_BASELINE_MSE == pytest.approx(1 / 6)


@pytest.mark.parametrize("T", [1, 2, 7, 100])
def test_remember_marks_one_value_and_asks_for_it(T):
    xs, ys = remember_marked(T, batch=500, seed=2)
    values, markers = xs[..., 0], xs[..., 1]
    assert ((values >= -1) & (values <= 1)).all()
    np.testing.assert_array_equal(markers.sum(axis=0), 1.0)          # exactly one marker per sequence
    np.testing.assert_array_equal(ys[:, 0], (values * markers).sum(axis=0))


def test_remember_markers_cover_every_step_and_distractors_vary():
    xs, _ = remember_marked(10, batch=5000, seed=1)
    assert (xs[..., 1].sum(axis=1) > 0).all()    # every position gets marked sometimes
    assert (xs[..., 0].std(axis=1) > 0.5).all()  # the unmarked steps carry values too (distractors)


def test_remember_mean_scores_one_third():
    _, ys = remember_marked(20, batch=200_000, seed=0)
    sampling_check((ys[:, 0] - 0.0) ** 2, REMEMBER_BASELINE_MSE)
    assert REMEMBER_BASELINE_MSE == pytest.approx(1 / 3)


def test_registry():
    assert set(TASKS) == {"adding", "remember"}
    for name, task in TASKS.items():
        assert isinstance(task, Task) and task.name == name
        xs, ys = task.make(6, 4, 0)
        assert xs.shape == (6, 4, task.input_size) and ys.shape == (4, task.output_size)
    assert TASKS["adding"].baseline_mse == ADDING_BASELINE_MSE
    assert TASKS["remember"].baseline_mse == REMEMBER_BASELINE_MSE


def test_too_short():
    with pytest.raises(ValueError):
        adding_problem(1, 3, 0)
    with pytest.raises(ValueError):
        remember_marked(0, 3, 0)
