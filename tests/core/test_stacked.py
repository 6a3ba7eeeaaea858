"""StackedRNN: finite differences (bidirectional, residual), torch parity, layer gradient norms."""
import numpy as np
import pytest

from core.stacked import StackedRNN

from .helpers import central_diff, rel_err

T, I, H = 5, 3, 4


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional,residual,layers", [(False, False, 2), (True, False, 2), (True, True, 3),
                                                           (False, True, 3), (True, 0.5, 3)])
@pytest.mark.parametrize("batched", [False, True])
def test_gradients_match_finite_differences(cell, bidirectional, residual, layers, batched):
    m = StackedRNN(cell, I, H, num_layers=layers, bidirectional=bidirectional, residual=residual, seed=1)
    rng = np.random.default_rng(0)
    xs = rng.normal(size=(T, 2, I) if batched else (T, I))
    w = rng.normal(size=m.forward(xs).output.shape)

    def loss():
        return float(np.sum(w * m.forward(xs).output))

    g = m.backward(m.forward(xs), w)
    for name, p in m.params.items():
        assert rel_err(g[name], central_diff(loss, p)) < 1e-6, name
    assert rel_err(g["x"], central_diff(loss, xs)) < 1e-6


def test_assigning_params_changes_the_model():
    m = StackedRNN("gru", I, H, num_layers=2, seed=0)
    xs = np.ones((T, I))
    before = m.forward(xs).output.copy()
    m.params["weight_hh_l1"] = np.zeros_like(m.params["weight_hh_l1"])
    assert not np.allclose(before, m.forward(xs).output)


def test_layer_grad_norms_shape_and_top_layer_value():
    m = StackedRNN("rnn", I, H, num_layers=3, seed=0)
    tr = m.forward(np.random.default_rng(0).normal(size=(T, I)))
    d = np.zeros_like(tr.output)
    d[-1] = 1.0
    n = m.layer_grad_norms(tr, d)
    assert n.shape == (3, T)
    assert np.isclose(n[2, -1], np.sqrt(H)) and np.all(n[2, :-1] == 0)   # top layer: only the last step
    assert np.all(n[0] > 0)                                                # the bottom layer sees all steps


@pytest.mark.torch
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_equals_torch(cell):
    torch = pytest.importorskip("torch")
    m = StackedRNN(cell, I, H, num_layers=2, bidirectional=True, seed=2)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    net = cls(I, H, num_layers=2, bidirectional=True, dtype=torch.float64)
    with torch.no_grad():
        for name, p in m.params.items():
            getattr(net, name).copy_(torch.from_numpy(p))
    xs = np.random.default_rng(3).normal(size=(T, 2, I))
    w = np.random.default_rng(4).normal(size=(T, 2, 2 * H))
    tr = m.forward(xs)
    g = m.backward(tr, w)
    xt = torch.tensor(xs, requires_grad=True)
    out, _ = net(xt)
    (out * torch.from_numpy(w)).sum().backward()
    np.testing.assert_allclose(tr.output, out.detach().numpy(), rtol=1e-12, atol=1e-13)
    for name in m.params:
        np.testing.assert_allclose(g[name], getattr(net, name).grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g["x"], xt.grad.numpy(), rtol=1e-10, atol=1e-12)
