"""Page 6, part B: does the gradient survive depth as well as time? Stacked RNNs with and without skips.

A stack of L unidirectional layers (``torch.nn.RNN(..., num_layers=L)``), layer l reading the outputs
of layer l-1, gets the loss  L = u . y^{top}_T  on the top layer's last output (u a fixed unit vector).
Going down one layer multiplies the gradient by that layer's input Jacobians (and carries it back in
time through the layer's recurrence); a residual connection y^l = h^l + x^l (l >= 1) adds an identity
path, so some gradient arrives undamped however deep the stack is.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np

from ..recurrent import Trace
from ..stacked import StackedRNN
from .common import inputs, readout

MAX_LAYERS = 8

EQUATIONS = [
    r"x^{(l+1)}_t = y^{(l)}_t = h^{(l)}_t\ \big(+\,x^{(l)}_t \text{ with a residual connection}, l \ge 1\big)",
    r"\frac{\partial L}{\partial y^{(l)}_t} = \sum_{s \ge t} \frac{\partial L}{\partial y^{(l+1)}_s}"
    r"\frac{\partial h^{(l+1)}_s}{\partial x^{(l+1)}_t}"
    r"\ \Big(+\,\frac{\partial L}{\partial y^{(l+1)}_t} \text{ with a residual connection}\Big)",
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
    """(depth, depth, T) array G[l, p, t] = ||dL_p/dy^l_t|| for the losses L_p = u . y^p_T, p = 0..depth-1.

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
        d[:, l:] = d_in + live if residual else d_in                 # through layer l (+ the skip's identity)
    return G


def _log10(a) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log10(a)


def run(layers=3, cell="rnn", hidden=16, T=30, residual=False, seed=0, input_scale=1.0,
        max_layers=MAX_LAYERS) -> dict:
    """Gradient over layer x time for one stack, and the gradient reaching the first layer vs depth.

    Parameters
    ----------
    layers : number of stacked layers L (the page offers 1..8)
    cell : "rnn" (tanh) | "lstm" | "gru" (also "relu")
    hidden : units per layer, H;  T : sequence length
    residual : skip connections y^l = h^l + x^l for the layers l >= 1 (layer 0 changes the width)
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
      first_layer_vs_depth : dict, for stacks of 1..max_layers layers with the same seed, weights and inputs:
        depths (max_layers,) 1..max_layers
        reach_plain, reach_residual (max_layers,) : log10 of the total gradient reaching the first
          layer, sqrt(sum_t ||dL/dy^0_t||^2) over all time steps, without / with residual connections.
          Depth 1 gives 0 in both (the loss sits on that layer; skips start at layer 1); -inf if exactly
          zero (every ReLU off). The total over time is used, not the first time step alone: that would be
          exactly 0 at depth 1 and would mostly show the decay over T-1 steps of time, not over depth.
    Cost: per mode (plain, residual) one forward pass of a max(layers, max_layers)-layer stack and one
    batched backward pass; the heat map is the sweep's stack of ``layers`` layers, not a separate run.
    """
    if min(int(layers), int(T), int(hidden), int(max_layers)) < 1:
        raise ValueError("layers, T, hidden and max_layers must be >= 1")
    layers, T, hidden, max_layers = int(layers), int(T), int(hidden), int(max_layers)
    depth = max(layers, max_layers)
    xs = inputs(T, input_scale, seed + 1)
    u = readout(hidden, seed)
    G = {r: _probe_norms(cell, hidden, depth, r, xs, u, seed) for r in (False, True)}
    reach = {r: _log10(np.sqrt(np.sum(G[r][0, :max_layers] ** 2, axis=1))) for r in (False, True)}
    return {
        "log_grad": _log10(G[bool(residual)][:layers, layers - 1]),
        "t": np.arange(1, T + 1),
        "layer": np.arange(1, layers + 1),
        "first_layer_vs_depth": {
            "depths": np.arange(1, max_layers + 1),
            "reach_plain": reach[False],
            "reach_residual": reach[True],
        },
    }
