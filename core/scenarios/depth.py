"""Page 6, part B: does the gradient survive depth as well as time? Stacked RNNs with and without skips.

A stack of L unidirectional layers (``torch.nn.RNN(..., num_layers=L)``), layer l reading the outputs
of layer l-1, gets the loss  L = u . y^{top}_T  on the top layer's last output (u a fixed unit vector).
Going down one layer multiplies the gradient by that layer's input Jacobians (and carries it back in
time through the layer's recurrence); a residual connection y^l = h^l + a x^l (l >= 1) adds a path whose
Jacobian is a times the identity, so with a = 1 some gradient arrives undamped however deep the stack is,
and with a < 1 the skip path itself shrinks like a^(L-1).

    run(layers=3, residual=0.5)                      # one stack: layer x time map, first layer vs depth
    family(np.linspace(0, 1, 21), layers=3)          # the map for every skip weight a, one batched pass
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..recurrent import Trace
from ..stacked import StackedRNN
from .common import inputs, readout

MAX_LAYERS = 8

EQUATIONS = [
    r"x^{(l+1)}_t = y^{(l)}_t = h^{(l)}_t\ \big(+\,\alpha\, x^{(l)}_t \text{ with a residual connection}, l \ge 1\big)",
    r"\frac{\partial L}{\partial y^{(l)}_t} = \sum_{s \ge t} \frac{\partial L}{\partial y^{(l+1)}_s}"
    r"\frac{\partial h^{(l+1)}_s}{\partial x^{(l+1)}_t}"
    r"\ \Big(+\,\alpha\,\frac{\partial L}{\partial y^{(l+1)}_t} \text{ with a residual connection}\Big)",
    r"\text{reach} = \log_{10} \Big( \sum_t \Big\|\frac{\partial L}{\partial y^{(0)}_t}\Big\|^2 \Big)^{1/2}",
]


def _tile(tr: Trace, P: int) -> Trace:
    """A batch of P identical copies of an unbatched-run cell trace, as read-only broadcast views."""
    def rep(a):
        if a is None:
            return None
        return np.broadcast_to(a, (a.shape[0], P) + a.shape[2:] if a.ndim == 3 else (P,) + a.shape[1:])
    return replace(tr, xb=rep(tr.xb), h0b=rep(tr.h0b), hb=rep(tr.hb), c0b=rep(tr.c0b), cb=rep(tr.cb),
                   gateb={k: rep(v) for k, v in tr.gateb.items()}, cache={k: rep(v) for k, v in tr.cache.items()},
                   batched=True)


def _probe_norms(cell, hidden, depth, residual, xs, u, seed) -> np.ndarray:
    """(depth, depth, T) array G[l, p, t] = ||dL_p/dy^l_t|| for the losses L_p = u . y^p_T, p = 0..depth-1,
    in the stack whose skips have weight ``residual`` (a bool or a float a: y^l = h^l + a x^l).

    The stack of p+1 layers is the first p+1 layers of this ``depth``-layer stack (the same seed draws
    the layers in order), so one forward pass serves every depth. Each loss is a "probe" in the batch
    axis: probe p's gradient is injected at layer p's last output and the probes go down together, one
    batched backward pass per layer over the probes that have started (p >= l).
    """
    T = xs.shape[0]
    net = StackedRNN(cell, xs.shape[1], hidden, num_layers=depth, residual=residual, seed=seed)
    tr = net.forward(xs)
    d = np.zeros((T, depth, hidden))                                 # dL_p/dy^l_t, all probes p
    G = np.zeros((depth, depth, T))
    for l in range(depth - 1, -1, -1):
        d[T - 1, l] += u                                             # probe l's loss sits on layer l
        G[l] = np.sqrt(np.sum(d ** 2, axis=2)).T
        if l == 0:
            break                                                    # nothing below the first layer
        live = d[:, l:]                                              # probes p < l are still zero here
        d_in = net.cells[(l, 0)].backward(_tile(tr.traces[l][0], depth - l), live)["x"]
        d[:, l:] = d_in + float(residual) * live if residual else d_in   # through layer l (+ a x the skip's identity)
    return G


def _log10(a) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(a)


def _strength(residual) -> float:
    """The skip weight a of ``residual`` (False -> 0, True -> 1, a number as it is; finite, >= 0)."""
    a = float(residual)
    if not (np.isfinite(a) and a >= 0):
        raise ValueError(f"residual must be a bool or a finite number >= 0, got {residual!r}")
    return a


def run(layers=3, cell="rnn", hidden=16, T=30, residual=False, seed=0, input_scale=1.0,
        max_layers=MAX_LAYERS) -> dict:
    """Gradient over layer x time for one stack, and the gradient reaching the first layer vs depth.

    Parameters
    ----------
    layers : number of stacked layers L (the page offers 1..8)
    cell : "rnn" (tanh) | "lstm" | "gru" (also "relu")
    hidden : units per layer, H;  T : sequence length
    residual : skip connections y^l = h^l + a x^l for the layers l >= 1 (layer 0 changes the width): False (a = 0,
        a plain stack), True (a = 1, the usual residual connection) or the weight a >= 0 itself
    seed : weights (PyTorch's default init) from ``seed``, inputs from ``seed + 1``, u from ``readout``
    input_scale : the inputs are ``input_scale`` * N(0, 1), 8 features
    max_layers : deepest stack of the depth sweep

    Returns
    -------
    dict with
      log_grad (L, T) : log10 ||dL/dy^l_t|| (= ``StackedRNN.layer_grad_norms``); row 0 is the first
        (bottom) layer, row L-1 the top. The top row is 0 at t = T (||u|| = 1) and -inf before: the loss
        reads only the last output, so earlier top-layer outputs get exactly zero gradient (-inf marks
        exact zeros everywhere; never NaN)
      t (T,) 1..T;  layer (L,) 1..L for display (1 = bottom; layer l of the equations is l+1 here)
      residual : float, the skip weight a used
      first_layer_vs_depth : dict, for stacks of 1..max_layers layers with the same seed, weights and inputs:
        depths (max_layers,) 1..max_layers
        reach_plain, reach_residual, reach (max_layers,) : log10 of the total gradient reaching the first
          layer, sqrt(sum_t ||dL/dy^0_t||^2) over all time steps, without skips (a = 0), with residual
          connections (a = 1) and with this stack's skips (a = ``residual``).
          Depth 1 gives 0 in all (the loss sits on that layer; skips start at layer 1); -inf if exactly
          zero (every ReLU off). The total over time is used, not the first time step alone: that would be
          exactly 0 at depth 1 and would mostly show the decay over T-1 steps of time, not over depth.
    Cost: per skip weight (0, 1 and ``residual``) one forward pass of a max(layers, max_layers)-layer stack and
    one batched backward pass; the heat map is the sweep's stack of ``layers`` layers, not a separate run.
    """
    if min(int(layers), int(T), int(hidden), int(max_layers)) < 1:
        raise ValueError("layers, T, hidden and max_layers must be >= 1")
    layers, T, hidden, max_layers = int(layers), int(T), int(hidden), int(max_layers)
    a = _strength(residual)
    depth = max(layers, max_layers)
    xs = inputs(T, input_scale, seed + 1)
    u = readout(hidden, seed)
    G = {r: _probe_norms(cell, hidden, depth, r, xs, u, seed) for r in dict.fromkeys((0.0, 1.0, a))}
    reach = {r: _log10(np.sqrt(np.sum(g[0, :max_layers] ** 2, axis=1))) for r, g in G.items()}
    return {
        "log_grad": _log10(G[a][:layers, layers - 1]),
        "t": np.arange(1, T + 1),
        "layer": np.arange(1, layers + 1),
        "residual": a,
        "first_layer_vs_depth": {
            "depths": np.arange(1, max_layers + 1),
            "reach_plain": reach[0.0],
            "reach_residual": reach[1.0],
            "reach": reach[a],
        },
    }


def _forward_family(net: StackedRNN, xs: np.ndarray, alphas: np.ndarray) -> list[Trace]:
    """Forward traces of every layer of ``net`` (one direction) for every skip weight at once: member f is
    batch column f, y^l = h^l + alphas[f] x^l (l >= 1), as ``StackedRNN.forward`` computes it for one weight.
    Layer 0 reads the same inputs for every member and is run once (its trace has a batch of 1)."""
    a = alphas[None, :, None]
    first = net.cells[(0, 0)].forward(xs[:, None, :])                    # layer 0 has no skip: the same for all
    traces, x = [first], np.repeat(first.hb, len(alphas), axis=1)        # (T, F, H)
    for l in range(1, net.num_layers):
        tr = net.cells[(l, 0)].forward(x)
        traces.append(tr)
        x = tr.hb + a * x                                                # the skip, a_f times the identity
    return traces


def family(alphas, layers=3, cell="rnn", hidden=16, T=30, seed=0, input_scale=1.0) -> dict:
    """:func:`run`'s layer x time map for every skip weight in ``alphas``, in one batched pass.

    The members are the batch axis of one forward pass through the stack and one backward pass from the loss
    on the top layer's last output; member f equals ``run(layers, cell, hidden, T, alphas[f], seed,
    input_scale)["log_grad"]`` (to rounding: the tests check it to 1e-12).

    Parameters
    ----------
    alphas : (F,) skip weights a >= 0 (y^l = h^l + a x^l for l >= 1)
    layers, cell, hidden, T, seed, input_scale : as in :func:`run`

    Returns
    -------
    dict with
      alphas (F,);  t (T,) 1..T;  layer (L,) 1..L
      log_grad (F, L, T) : member f's ``run(...)["log_grad"]``
      reach (F,) : log10 sqrt(sum_t ||dL/dy^0_t||^2), the total gradient reaching the first layer of this
        stack (= ``run(...)["first_layer_vs_depth"]["reach"][layers - 1]``)
      corner (F,) : log_grad[:, 0, 0], the gradient at layer 1, step 1
    Cost: one forward and one backward pass of the L-layer stack with a batch of F sequences.
    """
    alphas = np.array([_strength(a) for a in np.atleast_1d(alphas)], dtype=float)
    if min(int(layers), int(T), int(hidden)) < 1:
        raise ValueError("layers, T and hidden must be >= 1")
    layers, T, hidden = int(layers), int(T), int(hidden)
    F = len(alphas)
    xs = inputs(T, input_scale, seed + 1)
    u = readout(hidden, seed)
    # the first L layers of run's deeper stack: the same seed draws the layers in order
    net = StackedRNN(cell, xs.shape[1], hidden, num_layers=layers, seed=seed)
    traces = _forward_family(net, xs, alphas)
    d = np.zeros((T, F, hidden))                                         # dL/dy^l_t for every member
    d[T - 1] = u                                                         # the loss reads the top's last output
    G = np.zeros((F, layers, T))
    for l in range(layers - 1, -1, -1):
        G[:, l] = np.sqrt(np.sum(d ** 2, axis=2)).T
        if l == 0:
            break                                                        # nothing below the first layer
        d_in = net.cells[(l, 0)].backward(traces[l], d)["x"]
        d = d_in + alphas[None, :, None] * d                             # through layer l + a x the skip
    log_grad = _log10(G)
    return {
        "alphas": alphas, "t": np.arange(1, T + 1), "layer": np.arange(1, layers + 1),
        "log_grad": log_grad,
        "reach": _log10(np.sqrt(np.sum(G[:, 0] ** 2, axis=1))),
        "corner": log_grad[:, 0, 0].copy(),
    }
