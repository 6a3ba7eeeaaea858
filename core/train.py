"""Train a single-layer recurrent model with a linear read-out on a toy task.

    y = W_out h_T + b_out,      L = mean_b (y_b - target_b)^2

Batches are drawn fresh each step from one seeded stream, a fixed test batch measures progress, and
every step records the loss, the total gradient norm (before clipping) and the gradient that reaches the
initial state: ||dL/dh_0|| (the whole batch's (B, H) matrix) and, for the LSTM, whose state is the pair
(h, c), also ||dL/dc_0||. Same seed -> identical history; the batch of step k does not depend on how many
steps the run has, so a shorter run repeats the start of a longer one exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .clipping import clip_by_norm, global_norm
from .gru import GRU
from .init import identity, rng_from
from .lstm import LSTM
from .rnn import RNN
from .tasks import TASKS

CONTESTANTS = ("rnn", "irnn", "lstm0", "lstm", "gru")


def make_model(kind: str, input_size: int, hidden_size: int, seed=0):
    """The race's contestants, each initialised the way its paper recommends.

    - "rnn": tanh RNN, PyTorch default init
    - "irnn": ReLU RNN with W_hh = I and zero biases (Le, Jaitly & Hinton 2015)
    - "lstm0": PyTorch default init: the forget-gate bias b_if + b_hf is drawn near 0
    - "lstm": PyTorch default init with forget-gate bias 1 (Gers et al. 2000, Jozefowicz et al. 2015)
    - "gru": PyTorch default init
    """
    if kind == "rnn":
        return RNN(input_size, hidden_size, "tanh", seed=seed)
    if kind == "irnn":
        m = RNN(input_size, hidden_size, "relu", seed=seed)
        m.params["weight_hh"][:] = identity(hidden_size)
        m.params["weight_ih"][:] = rng_from(seed).normal(0, 0.001 ** 0.5, size=m.params["weight_ih"].shape)
        m.params["bias_ih"][:] = 0.0
        m.params["bias_hh"][:] = 0.0
        return m
    if kind == "lstm0":
        return LSTM(input_size, hidden_size, seed=seed)
    if kind == "lstm":
        m = LSTM(input_size, hidden_size, seed=seed)
        H = hidden_size
        m.params["bias_ih"][H:2 * H] = 1.0     # total forget bias b_if + b_hf = 1
        m.params["bias_hh"][H:2 * H] = 0.0
        return m
    if kind == "gru":
        return GRU(input_size, hidden_size, seed=seed)
    raise ValueError(f"unknown model kind {kind!r}; choose from {CONTESTANTS}")


class Adam:
    """Adam (Kingma & Ba 2015) on a dict of arrays, updated in place."""

    def __init__(self, params: dict, lr: float, betas=(0.9, 0.999), eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t = lr, betas[0], betas[1], eps, 0
        self.m = {k: np.zeros_like(v) for k, v in params.items()}
        self.v = {k: np.zeros_like(v) for k, v in params.items()}

    def step(self, params: dict, grads: dict) -> None:
        self.t += 1
        for k, p in params.items():
            self.m[k] = self.b1 * self.m[k] + (1 - self.b1) * grads[k]          # first moment
            self.v[k] = self.b2 * self.v[k] + (1 - self.b2) * grads[k] ** 2     # second moment
            m_hat = self.m[k] / (1 - self.b1 ** self.t)
            v_hat = self.v[k] / (1 - self.b2 ** self.t)
            p -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)


class SGD:
    """Plain gradient descent p <- p - lr * g, in place."""

    def __init__(self, params: dict, lr: float):
        self.lr = lr

    def step(self, params: dict, grads: dict) -> None:
        for k, p in params.items():
            p -= self.lr * grads[k]


@dataclass
class History:
    """What a training run recorded, one entry per step (test loss every ``eval_every`` steps)."""

    kind: str
    loss: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    first_step_grad: list = field(default_factory=list)
    first_step_grad_c: list = field(default_factory=list)
    eval_step: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    diverged_at: int | None = None
    stopped: bool = False

    def as_arrays(self) -> dict:
        return {k: np.asarray(getattr(self, k)) for k in
                ("loss", "grad_norm", "first_step_grad", "first_step_grad_c", "eval_step", "test_loss")}


def loss_and_grads(model, head: dict, xs: np.ndarray, ys: np.ndarray):
    """MSE of the read-out of h_T, and gradients for the model's and the head's parameters.

    Returns (loss, grads, dh) with dh = dL/dh_t for every t, (T, B, H).
    """
    tr = model.forward(xs)
    h_T = tr.h[-1]                                            # (B, H)
    y = h_T @ head["W_out"].T + head["b_out"]                 # (B, out)
    err = y - ys
    loss = float(np.mean(np.sum(err ** 2, axis=1)))
    dy = 2.0 * err / err.shape[0]                             # dL/dy
    dh = np.zeros_like(tr.h)
    dh[-1] = dy @ head["W_out"]                               # only the last step is read out
    grads = model.backward(tr, dh)
    grads["W_out"] = dy.T @ h_T
    grads["b_out"] = dy.sum(axis=0)
    return loss, grads, tr


def train(kind="lstm", task="adding", T=50, hidden_size=32, steps=300, batch=32, lr=1e-2,
          optimizer="adam", clip=None, seed=0, eval_every=10, test_size=256, callback=None,
          recurrent_gain=None) -> History:
    """Train one contestant; deterministic for a seed.

    Parameters
    ----------
    kind : one of CONTESTANTS;  task : a key of ``core.tasks.TASKS``
    clip : None or max total gradient norm (torch's clip_grad_norm_ rule)
    eval_every : steps between evaluations on a held-out set (and the last step); None: no evaluation
        (``test_loss`` stays empty; the training itself is the same)
    callback : optional f(step, history) -> bool; returning False stops training early
    recurrent_gain : optional factor multiplying weight_hh after initialisation (e.g. to start in the
        exploding regime)
    """
    spec = TASKS[task]
    rng = rng_from(seed)
    model = make_model(kind, spec.input_size, hidden_size, seed=int(rng.integers(2**31)))
    if recurrent_gain is not None:
        model.params["weight_hh"] *= recurrent_gain
    k = 1.0 / np.sqrt(hidden_size)
    head = {"W_out": rng.uniform(-k, k, size=(spec.output_size, hidden_size)), "b_out": np.zeros(spec.output_size)}
    params = {**model.params, **head}
    opt = Adam(params, lr) if optimizer == "adam" else SGD(params, lr)
    test_seed = int(rng.integers(2**31))                      # drawn either way: the batches stay the same
    test_x, test_y = spec.make(T, test_size, test_seed) if eval_every else (None, None)
    batch_seeds = rng.integers(2**31, size=steps)
    hist = History(kind=kind)
    for step in range(steps):
        xs, ys = spec.make(T, batch, int(batch_seeds[step]))
        with np.errstate(all="ignore"):
            loss, grads, _ = loss_and_grads(model, head, xs, ys)
        first = float(np.linalg.norm(grads.pop("h0")))           # ||dL/dh_0||: reached the start
        first_c = grads.pop("c0", None)                           # LSTM: ||dL/dc_0||, the cell's part
        grads.pop("x")
        gnorm = global_norm(grads)
        if not (np.isfinite(loss) and np.isfinite(gnorm)):
            hist.diverged_at = step
            break
        if clip is not None:
            grads, _ = clip_by_norm(grads, clip)
        opt.step(params, grads)
        hist.loss.append(loss)
        hist.grad_norm.append(gnorm)
        hist.first_step_grad.append(first)
        if first_c is not None:
            hist.first_step_grad_c.append(float(np.linalg.norm(first_c)))
        if eval_every and (step % eval_every == 0 or step == steps - 1):
            with np.errstate(all="ignore"):
                test_loss = float(np.mean(np.sum((model.forward(test_x).h[-1] @ head["W_out"].T
                                                  + head["b_out"] - test_y) ** 2, axis=1)))
            hist.eval_step.append(step)
            hist.test_loss.append(test_loss)
        if callback is not None and callback(step, hist) is False:
            hist.stopped = True
            break
    return hist

