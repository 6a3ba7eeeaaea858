"""LSTM, exactly as ``torch.nn.LSTM`` (one layer, gate order i, f, g, o):

    i_t = sigma(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)      input gate
    f_t = sigma(W_if x_t + b_if + W_hf h_{t-1} + b_hf)      forget gate
    g_t = tanh (W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)      candidate cell
    o_t = sigma(W_io x_t + b_io + W_ho h_{t-1} + b_ho)      output gate
    c_t = f_t * c_{t-1} + i_t * g_t                         additive cell update
    h_t = o_t * tanh(c_t)

The state is s_t = [h_t; c_t] (2H). Its step Jacobian has the block dc_t/dc_{t-1} = diag(f_t):
the "cell path" through which gradients can travel unharmed while f_t stays near 1.
``forget_gate=False`` gives the 1997 LSTM (f_t = 1 always, the constant error carousel).
"""
from __future__ import annotations

import numpy as np

from .recurrent import Recurrent, Trace, as_batched, initial_state, user_shape

EQUATIONS = [
    r"i_t = \sigma(W_{ii}x_t + b_{ii} + W_{hi}h_{t-1} + b_{hi})",
    r"f_t = \sigma(W_{if}x_t + b_{if} + W_{hf}h_{t-1} + b_{hf})",
    r"g_t = \tanh(W_{ig}x_t + b_{ig} + W_{hg}h_{t-1} + b_{hg})",
    r"o_t = \sigma(W_{io}x_t + b_{io} + W_{ho}h_{t-1} + b_{ho})",
    r"c_t = f_t \odot c_{t-1} + i_t \odot g_t",
    r"h_t = o_t \odot \tanh(c_t)",
]
CELL_DERIVATIVE = [
    r"\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t) + "
    r"\frac{\partial c_t}{\partial h_{t-1}}\,\frac{\partial h_{t-1}}{\partial c_{t-1}}",
    r"\frac{\partial c_t}{\partial h_{t-1}} = \operatorname{diag}\big(c_{t-1}\odot f_t(1-f_t)\big)W_{hf}"
    r" + \operatorname{diag}\big(g_t\odot i_t(1-i_t)\big)W_{hi}"
    r" + \operatorname{diag}\big(i_t\odot(1-g_t^2)\big)W_{hg}",
    r"\frac{\partial h_{t-1}}{\partial c_{t-1}} = \operatorname{diag}\big(o_{t-1}\odot(1-\tanh^2 c_{t-1})\big)",
    r"\text{cell path: } \prod_{t=k+1}^{T}\operatorname{diag}(f_t)",
]


class LSTM(Recurrent):
    """Long short-term memory cell with PyTorch's parameters and equations.

    Parameters
    ----------
    input_size, hidden_size : int
    seed : int or Generator (PyTorch default U(-1/sqrt(H), 1/sqrt(H)) init)
    forget_gate : bool, default True. False = 1997 LSTM: f_t is fixed to 1 (its weights are unused
        and get zero gradient).
    """

    GATES = 4
    GATE_NAMES = ("i", "f", "g", "o")

    def __init__(self, input_size, hidden_size, seed=0, forget_gate=True):
        super().__init__(input_size, hidden_size, seed)
        self.forget_gate = bool(forget_gate)

    def forward(self, xs, h0=None, c0=None) -> Trace:
        """xs: (T, I) or (T, B, I); h0, c0: (H,) or (B, H), default zeros.

        Returns a :class:`Trace` with ``h``, ``c`` and ``gates`` {"i","f","g","o"}.
        """
        xb, batched = as_batched(xs, self.input_size)
        T, B, H = xb.shape[0], xb.shape[1], self.hidden_size
        h = initial_state(h0, B, H, batched)
        c = initial_state(c0, B, H, batched)
        h0b, c0b = h, c
        W_hhT = self.params["weight_hh"].T
        xw = self._input_projection(xb)
        xw += self.params["bias_hh"]                                 # input part of all gates, all t
        acts = np.empty((T, B, 4 * H))                               # i, f, g, o side by side (torch's order)
        hs, cs = np.empty((T, B, H)), np.empty((T, B, H))
        g_ = slice(2 * H, 3 * H)
        ig = np.empty((B, H))                                        # g_t, then i_t g_t
        # In place, one step at a time (a step's calls cost more than their arithmetic at these sizes).
        # sigma(a) = 1 / (1 + e^-a): for a < -709 e^-a overflows to inf and sigma is exactly 0 (true value < 1e-308)
        with np.errstate(over="ignore"):
            for t in range(T):
                s = acts[t]
                np.matmul(h, W_hhT, out=s)
                s += xw[t]                                           # gate pre-activations (B, 4H)
                np.tanh(s[:, g_], out=ig)                            # g
                np.negative(s, out=s)
                np.exp(s, out=s)
                s += 1.0
                np.reciprocal(s, out=s)                              # sigma of all four blocks (i, f, o kept)
                s[:, g_] = ig
                if not self.forget_gate:
                    s[:, H:2 * H] = 1.0
                c = np.multiply(s[:, H:2 * H], c, out=cs[t])
                ig *= s[:, :H]
                c += ig                                              # c_t = f c_{t-1} + i g
                h = np.tanh(c, out=hs[t])
                h *= s[:, 3 * H:]                                    # h_t = o tanh(c_t)
        gates = {k: acts[:, :, n * H:(n + 1) * H] for n, k in enumerate(self.GATE_NAMES)}
        return Trace(xb=xb, h0b=h0b, hb=hs, gateb=gates, batched=batched, c0b=c0b, cb=cs, cache={"acts": acts})

    def backward(self, tr: Trace, dh, dc=None) -> dict:
        """Exact BPTT from dL/dh_t (shape of ``tr.h``) and optionally dL/dc_t (shape of ``tr.c``).

        Returns gradients for every parameter plus ``x``, ``h0`` and ``c0``.
        """
        d = self._check_dh(tr, dh)
        dcx = None if dc is None else self._check_dh(tr, dc)
        T, B, H = d.shape
        gi, gf, gg, go = (tr.gateb[k] for k in self.GATE_NAMES)
        tc = np.tanh(tr.cb)
        # every step's local derivatives at once, so that the loop over t has only the chain left:
        # dA_t = [dc_t K_i, dc_t K_f, dc_t K_g, dh_t K_o] (blocks of 4H), dc_t = dL/dc_t + dh_t K_c + dc_{t+1} f_{t+1}
        s = tr.cache.get("acts")                                      # the four gates side by side, (T, B, 4H)
        s = np.concatenate([gi, gf, gg, go], axis=-1) if s is None else s
        s = s.reshape(T, B, 4, H)
        K = np.subtract(1.0, s)
        K *= s                                                        # sigma'(a) = s (1 - s) for i, f, o
        K[:, :, 0] *= gg                                              # dc/da_i = g i (1 - i)
        if self.forget_gate:
            K[:, :, 1] *= tr.c_prev                                   # dc/da_f = c_{t-1} f (1 - f)
        else:
            K[:, :, 1] = 0.0
        Kg = K[:, :, 2]
        np.square(gg, out=Kg)
        np.subtract(1.0, Kg, out=Kg)
        Kg *= gi                                                      # dc/da_g = i (1 - g^2)
        K[:, :, 3] *= tc                                              # dh/da_o = tanh(c) o (1 - o)
        K_c = np.square(tc)
        np.subtract(1.0, K_c, out=K_c)
        K_c *= go                                                     # dh_t/dc_t = o (1 - tanh^2 c)
        f = np.ascontiguousarray(gf)                                  # fast per-step rows
        W_hh = self.params["weight_hh"]
        dA = np.empty((T, B, 4, H))
        dh_next, dc_next = np.zeros((B, H)), np.zeros((B, H))
        dh_t, dc_t = np.empty((B, H)), np.empty((B, H))
        for t in range(T - 1, -1, -1):
            np.add(d[t], dh_next, out=dh_t)                           # total dL/dh_t
            np.multiply(dh_t, K_c[t], out=dc_t)
            dc_t += dc_next                                           # total dL/dc_t
            if dcx is not None:
                dc_t += dcx[t]
            a = dA[t]
            np.multiply(dc_t[:, None, :], K[t, :, :3], out=a[:, :3])  # through i_t g_t and f_t c_{t-1}
            np.multiply(dh_t, K[t, :, 3], out=a[:, 3])                # through o_t tanh(c_t)
            dh_next = a.reshape(B, 4 * H) @ W_hh                      # dL/dh_{t-1} via the gates
            dc_next = dc_t * f[t]                                     # dL/dc_{t-1} via the cell path
        dA = dA.reshape(T, B, 4 * H)
        grads = self._param_grads(tr, dA, dA)
        grads["x"] = user_shape(dA @ self.params["weight_ih"], tr.batched)
        grads["h0"] = user_shape(dh_next, tr.batched)
        grads["c0"] = user_shape(dc_next, tr.batched)
        return grads

    def _step_terms(self, tr: Trace, t: int | None = None):
        """Per-step diagonal factors used by both Jacobians: each (T, H) for an unbatched trace, or (B, H) for
        every sequence of a batched trace at step index ``t`` (the step from s_t to s_{t+1})."""
        if t is None:
            self._unbatched(tr)
            i, f, g, o = (tr.gateb[k][:, 0] for k in self.GATE_NAMES)
            c, c_prev = tr.cb[:, 0], tr.c_prev[:, 0]
        else:
            i, f, g, o = (tr.gateb[k][t] for k in self.GATE_NAMES)
            c, c_prev = tr.cb[t], (tr.c0b if t == 0 else tr.cb[t - 1])
        tc = np.tanh(c)
        df = c_prev * f * (1 - f) if self.forget_gate else np.zeros_like(f)
        return {
            "f": f,
            "dc_daf": df,                               # dc/da_f
            "dc_dai": g * i * (1 - i),                  # dc/da_i
            "dc_dag": i * (1 - g ** 2),                 # dc/da_g
            "dh_dao": tc * o * (1 - o),                 # dh/da_o
            "dh_dc": o * (1 - tc ** 2),                 # dh_t/dc_t
        }

    def _gate_jacobians(self, terms, W_name: str):
        """dc_t/dv and dh_t/dv for v = h_{t-1} (W_hh) or x_t (W_ih): each (T, H, cols)."""
        Wi, Wf, Wg, Wo = (self.block(W_name, k) for k in range(4))
        col = lambda v: v[:, :, None]                   # noqa: E731  (T, H) -> (T, H, 1)
        dc = col(terms["dc_daf"]) * Wf + col(terms["dc_dai"]) * Wi + col(terms["dc_dag"]) * Wg
        dh = col(terms["dh_dao"]) * Wo + col(terms["dh_dc"]) * dc
        return dh, dc

    def state_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, 2H, 2H): J[t-1] = ds_t/ds_{t-1} for s = [h; c], unbatched traces only.

        Blocks: [[dh_t/dh_{t-1}, dh_t/dc_{t-1}], [dc_t/dh_{t-1}, dc_t/dc_{t-1} = diag(f_t)]].
        """
        terms = self._step_terms(tr)
        dh_dh, dc_dh = self._gate_jacobians(terms, "weight_hh")
        T, H = terms["f"].shape
        eye = np.eye(H)
        dc_dc = terms["f"][:, :, None] * eye                          # diag(f_t)
        dh_dc = (terms["dh_dc"] * terms["f"])[:, :, None] * eye       # diag(o (1 - tanh^2 c_t) f_t)
        J = np.empty((T, 2 * H, 2 * H))
        J[:, :H, :H], J[:, :H, H:] = dh_dh, dh_dc
        J[:, H:, :H], J[:, H:, H:] = dc_dh, dc_dc
        return J

    def batch_state_jacobian(self, tr: Trace, t: int) -> BlockJacobian:
        """J[t] = ds_{t+1}/ds_t for every sequence of a batched trace, (B, 2H, 2H) kept as its blocks
        (:class:`BlockJacobian`): ``R @ J`` then needs one (rows, 2H) @ (2H, H) product per sequence.
        Sequence b's J equals ``state_jacobians`` of its own unbatched run at t."""
        terms = self._step_terms(tr, t)
        dh_dh, dc_dh = self._gate_jacobians(terms, "weight_hh")
        f = terms["f"]
        return BlockJacobian(np.concatenate([dh_dh, dc_dh], axis=1), terms["dh_dc"] * f, f)

    def input_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, 2H, I): ds_t/dx_t for s = [h; c]."""
        dh, dc = self._gate_jacobians(self._step_terms(tr), "weight_ih")
        return np.concatenate([dh, dc], axis=1)

    def cell_path(self, tr: Trace) -> np.ndarray:
        """(T, H) forget gates f_t: the diagonal of the cell-only path dc_t/dc_{t-1} = diag(f_t)."""
        self._unbatched(tr)
        return tr.gateb["f"][:, 0].copy()


class BlockJacobian:
    """A stack of LSTM step Jacobians J = [[A, diag(d)], [B, diag(f)]], (N, 2H, 2H), kept as its blocks:
    AB = [A; B] (N, 2H, H), d and f (N, H). ``R @ J`` for R (N, rows, 2H) gives [R AB, R_h d + R_c f]
    (columns scaled by d and f) without forming J: half the multiplications of a dense product.
    """

    __array_ufunc__ = None                              # so that ndarray @ BlockJacobian calls __rmatmul__

    def __init__(self, AB: np.ndarray, d: np.ndarray, f: np.ndarray):
        self.AB, self.d, self.f = AB, d, f

    @property
    def shape(self) -> tuple[int, int, int]:
        N, S, _ = self.AB.shape
        return N, S, S

    def __rmatmul__(self, R: np.ndarray) -> np.ndarray:
        H = self.f.shape[-1]
        out = np.empty(R.shape[:-1] + (2 * H,))
        out[..., :H] = R @ self.AB                                           # R_h A + R_c B
        out[..., H:] = R[..., :H] * self.d[:, None, :] + R[..., H:] * self.f[:, None, :]   # R_h diag(d) + R_c diag(f)
        return out

    def dense(self) -> np.ndarray:
        """The (N, 2H, 2H) matrices."""
        N, S, _ = self.shape
        H = S // 2
        J = np.zeros((N, S, S))
        J[:, :, :H] = self.AB
        idx = np.arange(H)
        J[:, idx, H + idx] = self.d
        J[:, H + idx, H + idx] = self.f
        return J
