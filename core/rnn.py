"""Vanilla (Elman) RNN, exactly as ``torch.nn.RNN`` (one layer):

    a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    h_t = f(a_t),            f in {tanh, relu, sigmoid, linear}

and its exact gradients. The step Jacobian is dh_t/dh_{t-1} = diag(f'(a_t)) W_hh: the product of
these over many steps is what vanishes or explodes.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .recurrent import Recurrent, Trace, as_batched, initial_state, user_shape

EQUATIONS = [
    r"a_t = W_{ih}\,x_t + b_{ih} + W_{hh}\,h_{t-1} + b_{hh}",
    r"h_t = f(a_t)",
    r"\frac{\partial h_t}{\partial h_{t-1}} = \operatorname{diag}\big(f'(a_t)\big)\,W_{hh}",
    r"\frac{\partial h_T}{\partial h_k} = \prod_{t=k+1}^{T} \operatorname{diag}\big(f'(a_t)\big)\,W_{hh}",
    r"\Big\|\frac{\partial h_T}{\partial h_k}\Big\| \le \big(\gamma\,\sigma_{\max}(W_{hh})\big)^{T-k},"
    r"\quad \gamma = \sup|f'| \;(1 \text{ for tanh},\ \tfrac14 \text{ for sigmoid})",
    r"\frac{\partial L}{\partial W_{hh}} = \sum_{k=1}^{T} \operatorname{diag}\big(f'(a_k)\big)"
    r"\frac{\partial L}{\partial h_k}\; h_{k-1}^{\top}",
]


class RNN(Recurrent):
    """Elman RNN with PyTorch's parameters and equations.

    Parameters
    ----------
    input_size, hidden_size : int
    nonlinearity : "tanh" | "relu" | "sigmoid" | "linear"
        (torch offers tanh and relu; sigmoid and linear are here for the lecture)
    seed : int or np.random.Generator, for the U(-1/sqrt(H), 1/sqrt(H)) initialisation

    Examples
    --------
    >>> m = RNN(3, 8, seed=0); tr = m.forward(np.zeros((5, 3))); tr.h.shape
    (5, 8)
    """

    GATES = 1

    def __init__(self, input_size, hidden_size, nonlinearity="tanh", seed=0):
        super().__init__(input_size, hidden_size, seed)
        self.act = get_activation(nonlinearity)
        self.nonlinearity = nonlinearity

    def forward(self, xs, h0=None) -> Trace:
        """Run the sequence. xs: (T, I) or (T, B, I); h0: (H,) or (B, H), default zeros.

        Returns a :class:`Trace` with ``h`` (T, H) or (T, B, H) and ``gates == {}``.
        """
        xb, batched = as_batched(xs, self.input_size)
        h = initial_state(h0, xb.shape[1], self.hidden_size, batched)
        h0b, W_hh, b_hh = h, self.params["weight_hh"], self.params["bias_hh"]
        xw = self._input_projection(xb) + b_hh            # W_ih x_t + b_ih + b_hh, all t at once
        hs = np.empty(xw.shape)
        with np.errstate(over="ignore", invalid="ignore"):
            for t in range(xb.shape[0]):
                h = self.act.f(xw[t] + h @ W_hh.T)            # h_t = f(a_t)
                hs[t] = h
        return Trace(xb=xb, h0b=h0b, hb=hs, gateb={}, batched=batched)

    def _da(self, tr: Trace, dh) -> tuple[np.ndarray, np.ndarray]:
        """BPTT core: dL/da_t for every step (T, B, H) and dL/dh_0 (B, H)."""
        d = self._check_dh(tr, dh)
        W_hh = self.params["weight_hh"]
        fprime = self.act.dfdy(tr.hb)                     # f'(a_t) from h_t = f(a_t)
        da = np.empty_like(d)
        dh_next = np.zeros_like(d[0])                     # dL/dh_t arriving from step t+1
        for t in range(d.shape[0] - 1, -1, -1):
            da[t] = (d[t] + dh_next) * fprime[t]          # dL/da_t = dL/dh_t * f'(a_t)
            dh_next = da[t] @ W_hh                        # dL/dh_{t-1} through W_hh
        return da, dh_next

    def backward(self, tr: Trace, dh) -> dict:
        """Exact BPTT. dh: dL/dh_t for every t, shape of ``tr.h``.

        Returns dict with ``weight_ih, weight_hh, bias_ih, bias_hh`` (shapes of params),
        ``x`` (shape of xs) and ``h0`` (shape of h0).
        """
        da, dh0 = self._da(tr, dh)
        grads = self._param_grads(tr, da, da)
        grads["x"] = user_shape(da @ self.params["weight_ih"], tr.batched)
        grads["h0"] = user_shape(dh0, tr.batched)
        return grads

    def state_grads(self, tr: Trace, dh) -> np.ndarray:
        """Total dL/dh_t for every step (direct part + what flows back from t+1), shape of ``tr.h``."""
        d = self._check_dh(tr, dh)
        da, _ = self._da(tr, dh)
        g = d.copy()
        g[:-1] += da[1:] @ self.params["weight_hh"]          # dL/dh_t through h_{t+1}
        return tr._user(g)

    def step_contributions(self, tr: Trace, dh) -> np.ndarray:
        """(T,) Frobenius norms of each step's term diag(f'(a_k)) dL/dh_k h_{k-1}^T in dL/dW_hh."""
        da, _ = self._da(tr, dh)
        # ||sum_b da_b h_b^T||_F per step
        return np.linalg.norm(np.einsum("tbg,tbh->tgh", da, tr.h_prev), axis=(1, 2))

    def derivatives(self, tr: Trace) -> np.ndarray:
        """f'(a_t) for every step, shape of ``tr.h``."""
        return tr._user(self.act.dfdy(tr.hb))

    def state_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, H, H): J[t-1] = dh_t/dh_{t-1} = diag(f'(a_t)) W_hh. Unbatched traces only."""
        self._unbatched(tr)
        return self.act.dfdy(tr.hb[:, 0])[:, :, None] * self.params["weight_hh"]

    def input_jacobians(self, tr: Trace) -> np.ndarray:
        """(T, H, I): dh_t/dx_t = diag(f'(a_t)) W_ih."""
        self._unbatched(tr)
        return self.act.dfdy(tr.hb[:, 0])[:, :, None] * self.params["weight_ih"]
