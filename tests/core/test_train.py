"""Training loop: determinism, gradient correctness of the read-out, stopping, clipping, learning."""
import numpy as np
import pytest

from core.lstm import LSTM
from core.tasks import TASKS
from core.train import CONTESTANTS, loss_and_grads, make_model, train

from .helpers import central_diff, rel_err


@pytest.mark.parametrize("kind", CONTESTANTS)
def test_same_seed_same_history(kind):
    a = train(kind, "adding", T=12, hidden_size=6, steps=8, batch=4, seed=3).as_arrays()
    b = train(kind, "adding", T=12, hidden_size=6, steps=8, batch=4, seed=3).as_arrays()
    c = train(kind, "adding", T=12, hidden_size=6, steps=8, batch=4, seed=4).as_arrays()
    for k in a:
        assert np.array_equal(a[k], b[k])
    assert not np.array_equal(a["loss"], c["loss"])


@pytest.mark.parametrize("kind", CONTESTANTS)
def test_loss_gradients_match_finite_differences(kind):
    spec = TASKS["adding"]
    model = make_model(kind, spec.input_size, 5, seed=0)
    rng = np.random.default_rng(0)
    head = {"W_out": rng.normal(size=(1, 5)), "b_out": np.zeros(1)}
    xs, ys = spec.make(6, 3, 1)
    _, grads, _ = loss_and_grads(model, head, xs, ys)
    f = lambda: loss_and_grads(model, head, xs, ys)[0]          # noqa: E731
    for name, p in {**model.params, **head}.items():
        assert rel_err(grads[name], central_diff(f, p)) < 1e-6, name


def test_make_model_inits():
    m = make_model("irnn", 2, 4)
    assert np.array_equal(m.params["weight_hh"], np.eye(4)) and m.nonlinearity == "relu"
    lstm = make_model("lstm", 2, 4)
    assert np.allclose(lstm.params["bias_ih"][4:8] + lstm.params["bias_hh"][4:8], 1.0)
    lstm0 = make_model("lstm0", 2, 4)                        # PyTorch's default: every bias in +-1/sqrt(H)
    default = LSTM(2, 4, seed=0)
    for k, v in default.params.items():
        np.testing.assert_array_equal(lstm0.params[k], v)
    assert np.all(np.abs(lstm0.params["bias_ih"][4:8] + lstm0.params["bias_hh"][4:8]) <= 1.0)
    with pytest.raises(ValueError):
        make_model("transformer", 2, 4)


def test_callback_can_stop_and_clipping_caps_updates():
    seen = []
    h = train("rnn", "remember", T=10, hidden_size=4, steps=50, batch=4,
              callback=lambda step, hist: seen.append(step) or step < 4)
    assert h.stopped and len(h.loss) == 5 and seen == [0, 1, 2, 3, 4]
    clipped = train("rnn", "adding", T=10, hidden_size=4, steps=5, batch=4, optimizer="sgd", lr=0.1, clip=1e-3)
    raw = train("rnn", "adding", T=10, hidden_size=4, steps=5, batch=4, optimizer="sgd", lr=0.1)
    assert clipped.grad_norm[0] == raw.grad_norm[0]          # recorded before clipping
    assert clipped.loss[1] != raw.loss[1]


def test_gru_learns_short_adding_problem():
    h = train("gru", "adding", T=10, hidden_size=16, steps=150, batch=32, lr=1e-2, seed=0)
    assert h.test_loss[-1] < 0.5 * TASKS["adding"].baseline_mse
    assert h.diverged_at is None and all(np.isfinite(h.first_step_grad))


def test_a_shorter_run_repeats_the_start_of_a_longer_one():
    """The batches of step k do not depend on the number of steps: the page's live race and the determinism
    test of the stored races rely on it."""
    short = train("lstm", "remember", T=9, hidden_size=5, steps=4, batch=3, seed=2, eval_every=2).as_arrays()
    long = train("lstm", "remember", T=9, hidden_size=5, steps=11, batch=3, seed=2, eval_every=2).as_arrays()
    for k in ("loss", "grad_norm", "first_step_grad", "first_step_grad_c"):
        np.testing.assert_array_equal(short[k], long[k][:4])
    np.testing.assert_array_equal(short["eval_step"], [0, 2, 3])     # every 2 steps and the last one
    np.testing.assert_array_equal(short["test_loss"][:2], long["test_loss"][:2])


@pytest.mark.parametrize("kind, clip", [("rnn", None), ("rnn", 0.5), ("lstm", 1.0)])
def test_training_without_evaluation_is_the_same_training(kind, clip):
    """``eval_every=None`` (page 5 B shows the training loss only) skips the held-out set and nothing else."""
    common = dict(T=12, hidden_size=6, steps=15, batch=4, lr=0.05, optimizer="sgd", seed=7, clip=clip,
                  recurrent_gain=2.5)
    with_eval = train(kind, "adding", eval_every=3, **common).as_arrays()
    without = train(kind, "adding", eval_every=None, **common).as_arrays()
    for k in ("loss", "grad_norm", "first_step_grad", "first_step_grad_c"):
        np.testing.assert_array_equal(with_eval[k], without[k])
    assert len(with_eval["test_loss"]) == 6 and len(without["test_loss"]) == len(without["eval_step"]) == 0


@pytest.mark.parametrize("kind", CONTESTANTS)
def test_the_gradient_reaching_the_initial_state_is_recorded(kind):
    """||dL/dh_0|| for every cell, and for the LSTMs (state (h, c)) also ||dL/dc_0||, both from backward."""
    spec = TASKS["adding"]
    h = train(kind, "adding", T=7, hidden_size=4, steps=1, batch=3, seed=5)
    rng = np.random.default_rng(5)
    model = make_model(kind, spec.input_size, 4, seed=int(rng.integers(2**31)))
    head = {"W_out": rng.uniform(-0.5, 0.5, size=(1, 4)), "b_out": np.zeros(1)}
    rng.integers(2**31)                                          # the test batch's seed
    xs, ys = spec.make(7, 3, int(rng.integers(2**31, size=1)[0]))
    _, grads, _ = loss_and_grads(model, head, xs, ys)
    assert h.first_step_grad == [pytest.approx(np.linalg.norm(grads["h0"]), rel=1e-12)]
    if kind.startswith("lstm"):
        assert h.first_step_grad_c == [pytest.approx(np.linalg.norm(grads["c0"]), rel=1e-12)]
        assert h.first_step_grad_c[0] > 0
    else:
        assert h.first_step_grad_c == []
