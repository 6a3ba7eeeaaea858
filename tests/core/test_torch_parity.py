"""Forward passes and gradients against PyTorch itself (float64), when torch is installed."""
import numpy as np
import pytest

from core import GRU, LSTM, RNN

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

I, H, T, B = 3, 5, 7, 2


def torch_twin(model):
    if isinstance(model, LSTM):
        net = torch.nn.LSTM(I, H, dtype=torch.float64)
    elif isinstance(model, GRU):
        net = torch.nn.GRU(I, H, dtype=torch.float64)
    else:
        net = torch.nn.RNN(I, H, nonlinearity=model.nonlinearity, dtype=torch.float64)
    with torch.no_grad():
        for name, p in model.params.items():
            getattr(net, name + "_l0").copy_(torch.from_numpy(p))
    return net


@pytest.mark.parametrize("make", [lambda: RNN(I, H, "tanh", seed=0), lambda: RNN(I, H, "relu", seed=0),
                                  lambda: LSTM(I, H, seed=0), lambda: GRU(I, H, seed=0)],
                         ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("batched", [False, True])
def test_forward_and_backward_equal_torch(make, batched):
    model = make()
    net = torch_twin(model)
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(T, B, I) if batched else (T, I))
    sshape = (B, H) if batched else (H,)
    h0, c0 = rng.normal(size=sshape), rng.normal(size=sshape)
    w = rng.normal(size=xs.shape[:-1] + (H,))

    is_lstm = isinstance(model, LSTM)
    tr = model.forward(xs, h0, c0) if is_lstm else model.forward(xs, h0)
    g = model.backward(tr, w)

    xt = torch.tensor(xs, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    c0t = torch.tensor(c0[None], requires_grad=True)
    out, _ = net(xt, (h0t, c0t)) if is_lstm else net(xt, h0t)
    (out * torch.from_numpy(w)).sum().backward()

    np.testing.assert_allclose(tr.h, out.detach().numpy(), rtol=1e-12, atol=1e-13)
    for name in model.params:
        np.testing.assert_allclose(g[name], getattr(net, name + "_l0").grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g["x"], xt.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(g["h0"], h0t.grad.numpy()[0], rtol=1e-10, atol=1e-12)
    if is_lstm:
        np.testing.assert_allclose(g["c0"], c0t.grad.numpy()[0], rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(tr.gates["i"].shape, tr.h.shape)


def test_default_init_range_matches_torch_rule():
    m = LSTM(I, 64, seed=0)
    k = 1 / np.sqrt(64)
    for p in m.params.values():
        assert p.min() >= -k and p.max() <= k and p.std() > 0.4 * k
