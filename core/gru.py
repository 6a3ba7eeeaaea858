"""GRU, exactly as ``torch.nn.GRU`` (one layer, gate order r, z, n):

    r_t = sigma(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)          reset gate
    z_t = sigma(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)          update gate (share of the OLD state kept)
    n_t = tanh(W_in x_t + b_in + r_t * (W_hn h_{t-1} + b_hn))   candidate state
    h_t = (1 - z_t) * n_t + z_t * h_{t-1}

CS224n writes the update gate as u_t = 1 - z_t (the share REPLACED). The step Jacobian is
diag(z_t) (the direct path) plus terms through n_t and z_t.
"""
from __future__ import annotations

import numpy as np

from .activations import sigmoid
from .recurrent import Recurrent, Trace, as_batched, initial_state, user_shape

EQUATIONS = [
    r"r_t = \sigma(W_{ir}x_t + b_{ir} + W_{hr}h_{t-1} + b_{hr})",
    r"z_t = \sigma(W_{iz}x_t + b_{iz} + W_{hz}h_{t-1} + b_{hz})",
    r"n_t = \tanh\big(W_{in}x_t + b_{in} + r_t \odot (W_{hn}h_{t-1} + b_{hn})\big)",
    r"h_t = (1 - z_t)\odot n_t + z_t \odot h_{t-1}",
]
EQUATIONS_CS224N = [
    r"u_t = 1 - z_t = \sigma(\dots)\quad\text{(update gate, CS224n)}",
    r"\tilde h_t = \tanh\big(W_h(r_t \odot h_{t-1}) + U_h x_t + b_h\big)",
    r"h_t = (1 - u_t)\odot h_{t-1} + u_t \odot \tilde h_t",
]
JACOBIAN = [
    r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}(z_t) + "
    r"\operatorname{diag}(1 - z_t)\frac{\partial n_t}{\partial h_{t-1}} + "
    r"\operatorname{diag}(h_{t-1} - n_t)\frac{\partial z_t}{\partial h_{t-1}}",
    r"\text{direct path: } \prod_{t=k+1}^{T}\operatorname{diag}(z_t)",
]


class GRU(Recurrent):
    """Gated recurrent unit with PyTorch's parameters and equations (see module docstring)."""

    GATES = 3
    GATE_NAMES = ("r", "z", "n")

    def forward(self, xs, h0=None) -> Trace:
        """xs: (T, I) or (T, B, I); h0: (H,) or (B, H). Trace gates: {"r", "z", "n"}."""
        xb, batched = as_batched(xs, self.input_size)
        T, B, H = xb.shape[0], xb.shape[1], self.hidden_size
        h = initial_state(h0, B, H, batched)
        h0b = h
        W_hh, b_hh = self.params["weight_hh"], self.params["bias_hh"]
        gi = self._input_projection(xb)                            # W_i* x_t + b_i*, all t
        acts = np.empty((T, B, 3 * H))                             # r, z, n side by side (torch's order)
        hs, hns = np.empty((T, B, H)), np.empty((T, B, H))
        for t in range(T):
            gh = h @ W_hh.T + b_hh                                 # W_h* h_{t-1} + b_h*
            s = acts[t]
            s[:, :2 * H] = sigmoid(gi[t, :, :2 * H] + gh[:, :2 * H])  # r and z in one call
            r, z, hn = s[:, :H], s[:, H:2 * H], gh[:, 2 * H:]
            n = np.tanh(gi[t, :, 2 * H:] + r * hn, out=s[:, 2 * H:])  # reset gate scales the recurrent part
            h = np.add((1 - z) * n, z * h, out=hs[t])              # interpolate new and old
            hns[t] = hn
        gates = {k: acts[:, :, j * H:(j + 1) * H] for j, k in enumerate(self.GATE_NAMES)}
        return Trace(xb=xb, h0b=h0b, hb=hs, gateb=gates, batched=batched, cache={"hn": hns})

    def backward(self, tr: Trace, dh) -> dict:
        """Exact BPTT from dL/dh_t; gradients for every parameter plus ``x`` and ``h0``."""
        d = self._check_dh(tr, dh)
        r, z, n = (np.ascontiguousarray(tr.gateb[k]) for k in self.GATE_NAMES)  # fast per-step rows
        hn, hp = tr.cache["hn"], tr.h_prev
        W_hh = self.params["weight_hh"]
        G = (d.shape[0], d.shape[1], 3 * self.hidden_size)
        d_ih, d_hh = np.empty(G), np.empty(G)
        dh_next = np.zeros_like(d[0])
        for t in range(d.shape[0] - 1, -1, -1):
            dh_t = d[t] + dh_next
            da_n = dh_t * (1 - z[t]) * (1 - n[t] ** 2)            # through n_t
            da_z = dh_t * (hp[t] - n[t]) * z[t] * (1 - z[t])       # through z_t
            da_r = da_n * hn[t] * r[t] * (1 - r[t])                # through r_t in n_t
            d_ih[t] = np.concatenate([da_r, da_z, da_n], axis=-1)
            d_hh[t] = np.concatenate([da_r, da_z, da_n * r[t]], axis=-1)
            dh_next = dh_t * z[t] + d_hh[t] @ W_hh                 # direct path + gates
        grads = self._param_grads(tr, d_ih, d_hh)
        grads["x"] = user_shape(d_ih @ self.params["weight_ih"], tr.batched)
        grads["h0"] = user_shape(dh_next, tr.batched)
        return grads

    def _jacobian(self, tr: Trace, W_name: str, direct: bool, t: int | None = None) -> np.ndarray:
        """dh_t/dv for v = h_{t-1} (W_hh, with the direct diag(z_t) term) or x_t (W_ih): (T, H, cols) for an
        unbatched trace, or (B, H, cols) for every sequence of a batched trace at step index ``t``."""
        if t is None:
            self._unbatched(tr)
            r, z, n = (tr.gateb[k][:, 0] for k in self.GATE_NAMES)
            hn, hp = tr.cache["hn"][:, 0], tr.h_prev[:, 0]
        else:
            r, z, n = (tr.gateb[k][t] for k in self.GATE_NAMES)
            hn, hp = tr.cache["hn"][t], (tr.h0b if t == 0 else tr.hb[t - 1])
        Wr, Wz, Wn = (self.block(W_name, k) for k in range(3))
        col = lambda v: v[:, :, None]                              # noqa: E731
        dr = col(r * (1 - r)) * Wr                                 # dr_t/dv
        dz = col(z * (1 - z)) * Wz                                 # dz_t/dv
        inner = col(r) * Wn + col(hn) * dr if direct else Wn + col(hn) * dr
        dn = col(1 - n ** 2) * inner                               # dn_t/dv
        J = col(1 - z) * dn + col(hp - n) * dz
        if direct:
            J = J + z[:, :, None] * np.eye(self.hidden_size)       # + diag(z_t)
        return J

    def state_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, H, H): J[t-1] = dh_t/dh_{t-1}. Unbatched traces only."""
        return self._jacobian(tr, "weight_hh", direct=True)

    def batch_state_jacobian(self, tr: Trace, t: int) -> np.ndarray:
        """(B, H, H): J[t] = dh_{t+1}/dh_t for every sequence of a batched trace (sequence b's equals
        ``state_jacobians`` of its own unbatched run at t)."""
        return self._jacobian(tr, "weight_hh", direct=True, t=t)

    def input_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, H, I): dh_t/dx_t."""
        return self._jacobian(tr, "weight_ih", direct=False)

    def direct_path(self, tr: Trace) -> np.ndarray:
        """(T, H) update gates z_t: the diagonal of the direct path diag(z_t)."""
        self._unbatched(tr)
        return tr.gateb["z"][:, 0].copy()
