"""Page 5: what clipping does when the gradient explodes, and what it cannot do.

Part A is the single-unit cliff of Pascanu, Mikolov & Bengio (2013) (``core.cliff``); part B trains a
small RNN on the adding problem from the same seed with and without norm clipping, and shows that
clipping cannot bring back a gradient that has vanished.
"""
from __future__ import annotations

import copy

import numpy as np

from ..cliff import RULES, cliff_loss, descend, descend_family, wall_b
from ..clipping import clip_by_norm, clip_coefficient
from ..tasks import TASKS
from ..train import train
from .common import readout, vanilla_rnn


def surface(w_min=-2.0, w_max=12.0, b_min=-6.0, b_max=2.0, n=60, T=50) -> dict:
    """log10 E on an n x n grid of (w, b), plus the wall line b = x0 - w sigmoid(x0).

    Returns dict: w (n,), b (n,), log_E (n_b, n_w) with E floored at 1e-12 (E = 0 is possible only at
    the target), grad_norm (n_b, n_w) = ||(dE/dw, dE/db)||, wall_w, wall_b (the line over the window).
    """
    w, b = np.linspace(w_min, w_max, n), np.linspace(b_min, b_max, n)
    W, B = np.meshgrid(w, b)
    E, dw, db = cliff_loss(W, B, T=T)
    wall_w = np.linspace(w_min, w_max, 200)
    wall = wall_b(wall_w)
    inside = (wall >= b_min) & (wall <= b_max) & (np.abs(wall_w) > 4)   # the wall exists for |w| > 4
    return {"w": w, "b": b, "log_E": np.log10(np.maximum(E, 1e-12)), "grad_norm": np.hypot(dw, db),
            "wall_w": wall_w[inside], "wall_b": wall[inside]}


def slice_b(w=6.0, b_min=-6.0, b_max=2.0, n=400, T=50) -> dict:
    """E and |dE/db| along b at a fixed w (the 1-D view of the cliff)."""
    b = np.linspace(b_min, b_max, n)
    E, _, db = cliff_loss(np.full_like(b, w), b, T=T)
    return {"b": b, "log_E": np.log10(np.maximum(E, 1e-12)), "abs_dE_db": np.abs(db)}


def paths(w0=6.0, b0=None, lr=0.1, steps=40, norm_threshold=1.0, value_limit=1.0, T=50) -> dict:
    """Gradient descent from (w0, b0) under each rule; b0=None starts right next to the wall."""
    b0 = float(wall_b(w0)) + 1e-6 if b0 is None else b0
    thresholds = {"none": 1.0, "norm": norm_threshold, "value": value_limit}
    return {rule: descend(w0, b0, lr, steps, rule=rule, threshold=thresholds[rule], T=T) for rule in RULES}


def start_b(w0, gap=-6.0, below=False):
    """The start's bias: ``b0 = wall_b(w0) +- 10^gap``, 10^gap above the wall (``below``: under it). Broadcasts."""
    return wall_b(w0) + (-1.0 if below else 1.0) * 10.0 ** float(gap)


def paths_family(w0s, gap=-6.0, below=False, lr=0.1, steps=40, norm_threshold=1.0, value_limit=1.0, T=50) -> dict:
    """:func:`paths` from every start ``w0s[f]`` (at ``b0 = start_b(w0s[f], gap, below)``), all in one batched
    pass (:func:`core.cliff.descend_family` over the three rules at once).

    Returns dict: ``"w0"``, ``"b0"`` (F,), and for each rule the :func:`~core.cliff.descend_family` dict of its F
    paths ((F, steps + 1) arrays, NaN after a path's end; ``"n"``, ``"overflow"`` (F,)). :func:`member` gives one
    start's paths in :func:`paths`' form.
    """
    w0s = np.asarray(w0s, dtype=np.float64).ravel()
    F = w0s.size
    b0 = np.asarray(start_b(w0s, gap, below), dtype=np.float64)
    limits = {"none": 1.0, "norm": norm_threshold, "value": value_limit}
    fam = descend_family(np.tile(w0s, len(RULES)), np.tile(b0, len(RULES)), lr, steps,
                         rules=np.repeat(np.array(RULES, dtype=object), F),
                         thresholds=np.repeat([float(limits[r]) for r in RULES], F), T=T)
    return {"w0": w0s, "b0": b0} | {rule: {k: v[i * F:(i + 1) * F] for k, v in fam.items()}
                                    for i, rule in enumerate(RULES)}


def member(family: dict, f: int) -> dict:
    """Start ``f`` of a :func:`paths_family`: {rule: path}, each path as :func:`core.cliff.descend` returns it."""
    out = {}
    for rule in RULES:
        fam = family[rule]
        n = int(fam["n"][f])
        out[rule] = {k: fam[k][f, :n].copy() for k in ("w", "b", "loss", "grad_norm", "step_norm", "cos")}
        out[rule]["overflow"] = bool(fam["overflow"][f])
    return out


def training_run(cell="rnn", T=50, hidden=32, steps=200, lr=0.05, gain=2.0, clip=None, seed=0, callback=None):
    """One of the two runs of :func:`training`: ``clip`` None trains without clipping, a number with norm clipping
    at it. The run without clipping does not depend on ``clip``: a page that lets the threshold move keeps it.
    ``callback(done, total)`` follows the run's steps. No held-out evaluation (the page shows the training loss)."""
    report = None if callback is None else (lambda step, hist: callback(step + 1, steps))
    return train(cell, task="adding", T=T, hidden_size=hidden, steps=steps, batch=32, lr=lr, optimizer="sgd",
                 seed=seed, recurrent_gain=gain, clip=clip, eval_every=None, callback=report)


def clips_nothing(grad_norms, clip) -> bool:
    """Whether norm clipping at ``clip`` would leave every step of a run without clipping as it was (``grad_norms``:
    that run's total norms, before clipping, one per step). Each step's factor is then exactly 1, so the clipped run
    is the same run, step for step, to the last bit (a diverging step diverges in both): it need not be trained."""
    return all(clip_coefficient(g, clip) == 1.0 for g in grad_norms)


def training(cell="rnn", T=50, hidden=32, steps=200, lr=0.05, gain=2.0, clip=1.0, seed=0, callback=None) -> dict:
    """Train the same model from the same seed twice: without and with norm clipping (once when ``clip`` is above
    every norm of the run without clipping: :func:`clips_nothing`; the clipped run is then a copy of it).

    ``gain`` multiplies W_hh after PyTorch's initialisation (rho(W_hh) ~ 0.59 at H = 32), so the run can start
    in the exploding regime: at T = 40, H = 32, seed 0 the tanh RNN's ||dh_T/dh_0|| starts above 1 from gain 2.2
    (10^-0.6 at gain 2, 10^2.5 at 3). With plain SGD the linear read-out can diverge on its own: once the state
    saturates (||h||^2 up to H) a learning rate above 1/(H + 1) may be unstable for it.
    Returns {"plain": History, "clipped": History, "baseline": 1/6}.
    """
    def after(start):                                    # progress of both runs together: the second after the first
        return None if callback is None else (lambda done, _: callback(start + done, 2 * steps))

    common = dict(T=T, hidden=hidden, steps=steps, lr=lr, gain=gain, seed=seed)
    plain = training_run(cell, clip=None, callback=after(0), **common)
    if clips_nothing(plain.grad_norm, clip):             # a threshold above every norm: the same run
        clipped = copy.deepcopy(plain)
        if callback is not None:
            callback(2 * steps, 2 * steps)
    else:
        clipped = training_run(cell, clip=clip, callback=after(steps), **common)
    return {"plain": plain, "clipped": clipped, "baseline": TASKS["adding"].baseline_mse}


def vanishing(rho=0.6, hidden=32, T=60, clip=1.0, seed=0) -> dict:
    """Clipping cannot fix vanishing: ||dL/dh_k|| by distance for a tanh RNN, raw and after norm clipping.

    Norm clipping multiplies the whole gradient by one factor c = min(1, clip / ||g||), so every
    distance is scaled alike: the share that reaches the first step is unchanged (and when ||g|| is
    below the threshold, nothing changes at all).
    """
    m = vanilla_rnn("tanh", hidden, rho, "orthogonal", seed)
    xs = np.random.default_rng(seed).normal(size=(T, m.input_size))
    tr = m.forward(xs)
    dh = np.zeros((T, hidden))
    dh[-1] = 10.0 * readout(hidden, seed)                       # a loss big enough to be clipped
    grads = m.backward(tr, dh)
    params = {k: grads[k] for k in m.params}
    _, total = clip_by_norm(params, clip)
    c = min(1.0, clip / (total + 1e-6))
    g = np.linalg.norm(m.state_grads(tr, dh), axis=1)[::-1]     # by distance 0..T-1
    with np.errstate(divide="ignore"):
        raw, clipped = np.log10(g), np.log10(g * c)
    return {"distance": np.arange(T), "raw": raw, "clipped": clipped, "factor": c, "total_norm": total,
            "share_first_raw": float(g[-1] / g[0]), "share_first_clipped": float(g[-1] * c / (g[0] * c))}
