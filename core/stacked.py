"""Multi-layer and bidirectional recurrent networks, like ``torch.nn.RNN/LSTM/GRU(num_layers=L,
bidirectional=True)``, plus optional residual (skip) connections between layers.

    layer l, forward direction:  h^l_t = cell(x^l_t, h^l_{t-1})               t = 1..T
    layer l, reverse direction:  g^l_t = cell'(x^l_t, g^l_{t+1})              t = T..1
    output of layer l:           y^l_t = [h^l_t ; g^l_t]   (+ a x^l_t if residual and l >= 1; a = 1 for True)
    input of layer l+1:          x^{l+1}_t = y^l_t

Parameters are named as torch names them: ``weight_ih_l0``, ``weight_hh_l0_reverse``, ...
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .gru import GRU
from .init import rng_from
from .lstm import LSTM
from .recurrent import PARAM_NAMES, as_batched
from .rnn import RNN

CELLS = {"rnn": RNN, "tanh": RNN, "relu": RNN, "lstm": LSTM, "gru": GRU}

EQUATIONS = [
    r"\overrightarrow{h}^{(l)}_t = \mathrm{cell}\big(x^{(l)}_t,\ \overrightarrow{h}^{(l)}_{t-1}\big),\qquad"
    r"\overleftarrow{h}^{(l)}_t = \mathrm{cell}'\big(x^{(l)}_t,\ \overleftarrow{h}^{(l)}_{t+1}\big)",
    r"y^{(l)}_t = \big[\overrightarrow{h}^{(l)}_t;\ \overleftarrow{h}^{(l)}_t\big]"
    r"\ \big(+\,\alpha\,x^{(l)}_t \text{ with residual connections},\ l \ge 1\big),\qquad x^{(l+1)}_t = y^{(l)}_t",
]


@dataclass
class StackedTrace:
    """Forward trace: ``output`` (T, D*H) or (T, B, D*H) like torch; per-layer inputs and cell traces."""

    output: np.ndarray
    inputs: list          # layer inputs, each (T, B, ·)
    traces: list          # traces[l][d]: the cell trace of layer l, direction d (reverse runs on flipped time)
    batched: bool


class StackedRNN:
    """Stacked, optionally bidirectional, optionally residual recurrent network.

    Parameters
    ----------
    cell : "rnn" (tanh), "relu", "lstm" or "gru"
    input_size, hidden_size, num_layers : int
    bidirectional : bool; output is [forward | reverse] (D = 2)
    residual : bool or float a >= 0; adds a times each layer's input to its output for layers l >= 1 (shapes
        match there): True is the usual residual connection (a = 1), False none, e.g. 0.5 a skip at half strength
    seed : int or Generator; every parameter ~ U(-1/sqrt(H), 1/sqrt(H)) as in torch
    """

    def __init__(self, cell, input_size, hidden_size, num_layers=1, bidirectional=False, residual=False, seed=0):
        if cell not in CELLS:
            raise ValueError(f"unknown cell {cell!r}; choose from {sorted(CELLS)}")
        if num_layers < 1:
            raise ValueError("num_layers must be >= 1")
        self.cell, self.input_size, self.hidden_size = cell, int(input_size), int(hidden_size)
        self.num_layers, self.bidirectional = int(num_layers), bool(bidirectional)
        self.residual = float(residual)                                   # the skip's weight a (True -> 1.0)
        if not np.isfinite(self.residual):
            raise ValueError("residual must be a bool or a finite number")
        self.D = 2 if bidirectional else 1
        rng = rng_from(seed)
        self.cells, self.params = {}, {}
        for l in range(self.num_layers):
            for d in range(self.D):
                size_in = self.input_size if l == 0 else self.D * self.hidden_size
                m = self._make_cell(size_in, rng)
                self.cells[(l, d)] = m
                for name in PARAM_NAMES:
                    self.params[self._pname(name, l, d)] = m.params[name]

    def _make_cell(self, size_in, rng):
        cls = CELLS[self.cell]
        if cls is RNN:
            return RNN(size_in, self.hidden_size, "relu" if self.cell == "relu" else "tanh", seed=rng)
        return cls(size_in, self.hidden_size, seed=rng)

    @staticmethod
    def _pname(name, l, d):
        return f"{name}_l{l}" + ("_reverse" if d == 1 else "")

    def _sync(self):
        """Point every cell at the arrays currently in self.params (so assignments take effect)."""
        for (l, d), m in self.cells.items():
            m.params = {name: self.params[self._pname(name, l, d)] for name in PARAM_NAMES}

    def forward(self, xs) -> StackedTrace:
        """xs: (T, I) or (T, B, I). Returns a trace whose ``output`` equals torch's output."""
        self._sync()
        x, batched = as_batched(xs, self.input_size)
        inputs, traces = [], []
        for l in range(self.num_layers):
            inputs.append(x)
            trs = [self.cells[(l, 0)].forward(x)]
            if self.D == 2:
                trs.append(self.cells[(l, 1)].forward(x[::-1]))          # reverse reads x_T .. x_1
            outs = [trs[0].hb] + ([trs[1].hb[::-1]] if self.D == 2 else [])
            y = np.concatenate(outs, axis=-1)                             # [forward | reverse]
            if self.residual and l >= 1:
                y = y + self.residual * x                                 # skip connection (1.0 * x is x)
            traces.append(trs)
            x = y
        out = x if batched else x[:, 0]
        return StackedTrace(output=out, inputs=inputs, traces=traces, batched=batched)

    def _backward(self, tr: StackedTrace, d_output):
        """Returns (grads, layer_out_grads) with layer_out_grads[l] = dL/dy^l, (T, B, D*H)."""
        self._sync()
        d = np.asarray(d_output, dtype=np.float64)
        d = d if tr.batched else d[:, None, :]
        expected = tr.output.shape if tr.batched else (tr.output.shape[0], 1, tr.output.shape[1])
        if d.shape != expected:
            raise ValueError(f"d_output must have the shape of trace.output {tr.output.shape}")
        H, grads, layer_grads = self.hidden_size, {}, [None] * self.num_layers
        for l in range(self.num_layers - 1, -1, -1):
            layer_grads[l] = d
            d_in = np.zeros_like(tr.inputs[l])
            for dd in range(self.D):
                m, t_ = self.cells[(l, dd)], tr.traces[l][dd]
                dh = d[..., dd * H:(dd + 1) * H]
                g = m.backward(t_, dh[::-1] if dd == 1 else dh)          # cell traces are batched
                for name in PARAM_NAMES:
                    grads[self._pname(name, l, dd)] = g[name]
                d_in += g["x"][::-1] if dd == 1 else g["x"]              # flip the reverse direction back
            if self.residual and l >= 1:
                d_in = d_in + self.residual * d                           # gradient through the skip
            d = d_in
        grads["x"] = d if tr.batched else d[:, 0]
        return grads, layer_grads

    def backward(self, tr: StackedTrace, d_output) -> dict:
        """Exact BPTT from dL/d(output) (shape of ``tr.output``): gradients for every parameter + "x"."""
        return self._backward(tr, d_output)[0]

    def layer_grad_norms(self, tr: StackedTrace, d_output) -> np.ndarray:
        """(num_layers, T): ||dL/dy^l_t|| (over units, directions and batch) for every layer and step."""
        _, layer_grads = self._backward(tr, d_output)
        return np.stack([np.sqrt(np.sum(g ** 2, axis=(1, 2))) for g in layer_grads])
