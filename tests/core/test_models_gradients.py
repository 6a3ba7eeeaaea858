"""Every model's BPTT against central finite differences (float64, relative error < 1e-6)."""
import numpy as np
import pytest

from core import GRU, LSTM, RNN

from .helpers import central_diff, rel_err

T, I, H, B = 5, 3, 4, 2


def make(kind, **kw):
    if kind == "lstm":
        return LSTM(I, H, seed=3, **kw)
    if kind == "gru":
        return GRU(I, H, seed=3)
    return RNN(I, H, nonlinearity=kind, seed=3)


MODELS = ["tanh", "sigmoid", "relu", "linear", "lstm", "gru"]


def loss_setup(model, batched, seed=0):
    rng = np.random.default_rng(seed)
    shape = (T, B, I) if batched else (T, I)
    sshape = (B, H) if batched else (H,)
    xs = rng.normal(size=shape)
    h0 = rng.normal(size=sshape) * 0.5
    c0 = rng.normal(size=sshape) * 0.5
    w = rng.normal(size=shape[:-1] + (H,))          # L = sum_t w_t . h_t
    wc = rng.normal(size=shape[:-1] + (H,))         # LSTM: + sum_t wc_t . c_t
    is_lstm = isinstance(model, LSTM)

    def loss():
        tr = model.forward(xs, h0, c0) if is_lstm else model.forward(xs, h0)
        out = np.sum(w * tr.h)
        return out + np.sum(wc * tr.c) if is_lstm else out

    def grads():
        tr = model.forward(xs, h0, c0) if is_lstm else model.forward(xs, h0)
        return model.backward(tr, w, wc) if is_lstm else model.backward(tr, w)

    return xs, h0, c0, loss, grads


@pytest.mark.parametrize("batched", [False, True])
@pytest.mark.parametrize("kind", MODELS)
def test_backward_matches_finite_differences(kind, batched):
    model = make(kind)
    if kind == "relu":   # keep ReLU pre-activations away from the kink at 0
        model.params["bias_hh"] += 0.3
    xs, h0, c0, loss, grads = loss_setup(model, batched)
    g = grads()
    for name, p in model.params.items():
        assert g[name].shape == p.shape
        assert rel_err(g[name], central_diff(loss, p)) < 1e-6, name
    assert rel_err(g["x"], central_diff(loss, xs)) < 1e-6
    assert rel_err(g["h0"], central_diff(loss, h0)) < 1e-6
    if kind == "lstm":
        assert rel_err(g["c0"], central_diff(loss, c0)) < 1e-6


def test_1997_lstm_gradients_and_constant_forget():
    model = make("lstm", forget_gate=False)
    xs, h0, c0, loss, grads = loss_setup(model, False)
    g = grads()
    tr = model.forward(xs, h0, c0)
    assert np.all(tr.gates["f"] == 1.0)
    for name, p in model.params.items():
        assert rel_err(g[name], central_diff(loss, p)) < 1e-6, name
    assert np.all(g["weight_hh"][H:2 * H] == 0)     # forget-gate weights unused


def test_backward_rejects_wrong_shape():
    m = make("tanh")
    tr = m.forward(np.zeros((T, I)))
    with pytest.raises(ValueError):
        m.backward(tr, np.zeros((T + 1, H)))


def test_step_contributions_sum_to_weight_grad_for_batch_of_one():
    m = make("tanh")
    rng = np.random.default_rng(1)
    xs, dh = rng.normal(size=(T, I)), rng.normal(size=(T, H))
    tr = m.forward(xs)
    contrib = m.step_contributions(tr, dh)
    da, _ = m._da(tr, dh)
    terms = np.einsum("tbg,tbh->tgh", da, tr.h_prev)
    assert np.allclose(terms.sum(0), m.backward(tr, dh)["weight_hh"])
    assert np.allclose(contrib, np.linalg.norm(terms, axis=(1, 2)))


def test_rnn_state_grads_match_finite_differences():
    m = make("tanh")
    rng = np.random.default_rng(2)
    xs, w = rng.normal(size=(T, I)), rng.normal(size=(T, H))
    tr = m.forward(xs)
    g = m.state_grads(tr, w)
    for t in range(T):
        h_t = tr.h[t].copy()

        def rest_loss():   # L as a function of h_t: its own term plus everything after it
            later = m.forward(xs[t + 1:], h_t).h if t + 1 < T else np.zeros((0, H))
            return float(w[t] @ h_t + np.sum(w[t + 1:] * later))
        assert rel_err(g[t], central_diff(rest_loss, h_t)) < 1e-6
