"""What RNN, LSTM and GRU share: PyTorch-named parameters, input shapes, and the forward trace.

Parameters follow ``torch.nn.RNN/LSTM/GRU`` (single layer): ``weight_ih (G*H, I)``,
``weight_hh (G*H, H)``, ``bias_ih (G*H,)``, ``bias_hh (G*H,)``, float64, drawn from
U(-1/sqrt(H), 1/sqrt(H)) as torch does. ``G`` is the number of gate blocks stacked in torch's order.
Internally every sequence is batched, ``(T, B, ·)``; an unbatched ``(T, I)`` input gives an
unbatched ``(T, H)`` trace back.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .init import pytorch_uniform, rng_from

PARAM_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")


@dataclass
class Trace:
    """Everything a forward pass computed, kept for backward and Jacobians.

    Attributes (internal arrays are batched; the properties give the user's shape)
    ----------
    xb : (T, B, I) inputs;  h0b : (B, H);  hb : (T, B, H) states h_1..h_T
    c0b, cb : LSTM cell states, same shapes as h0b, hb (None otherwise)
    gateb : dict name -> (T, B, H) gate activations
    cache : model-specific intermediate values
    batched : whether the user passed (T, B, I)
    """

    xb: np.ndarray
    h0b: np.ndarray
    hb: np.ndarray
    gateb: dict
    batched: bool
    c0b: np.ndarray | None = None
    cb: np.ndarray | None = None
    cache: dict = field(default_factory=dict)

    def _user(self, a):
        return None if a is None else (a if self.batched else a[:, 0])

    @property
    def h(self) -> np.ndarray:
        """(T, H) or (T, B, H): h_1 ... h_T, torch's ``output``."""
        return self._user(self.hb)

    @property
    def c(self) -> np.ndarray | None:
        """LSTM cell states c_1 ... c_T, same shape as ``h``."""
        return self._user(self.cb)

    @property
    def gates(self) -> dict:
        """Gate activations, name -> (T, H) or (T, B, H)."""
        return {k: self._user(v) for k, v in self.gateb.items()}

    @property
    def h_prev(self) -> np.ndarray:
        """(T, B, H): h_0 ... h_{T-1}, the state each step starts from."""
        return np.concatenate([self.h0b[None], self.hb[:-1]], axis=0)

    @property
    def c_prev(self) -> np.ndarray:
        """(T, B, H): c_0 ... c_{T-1} (LSTM)."""
        return np.concatenate([self.c0b[None], self.cb[:-1]], axis=0)


def as_batched(xs, input_size: int):
    """Return (xb (T, B, I) float64, batched flag); check the feature size."""
    x = np.asarray(xs, dtype=np.float64)
    if x.ndim == 2:
        x, batched = x[:, None, :], False
    elif x.ndim == 3:
        batched = True
    else:
        raise ValueError(f"xs must be (T, I) or (T, B, I), got shape {x.shape}")
    if x.shape[-1] != input_size:
        raise ValueError(f"xs has {x.shape[-1]} features, the model expects input_size={input_size}")
    if x.shape[0] < 1:
        raise ValueError("xs must have at least one time step")
    return x, batched


def initial_state(s0, batch: int, hidden_size: int, batched: bool) -> np.ndarray:
    """(B, H) initial state from None (zeros), (H,) or (B, H)."""
    if s0 is None:
        return np.zeros((batch, hidden_size))
    s = np.asarray(s0, dtype=np.float64)
    if s.ndim == 1:
        s = np.broadcast_to(s, (batch, hidden_size)).copy()
    if s.shape != (batch, hidden_size):
        raise ValueError(f"initial state must be ({hidden_size},) or ({batch}, {hidden_size}), got {s.shape}")
    return s


def user_shape(a: np.ndarray, batched: bool) -> np.ndarray:
    """Drop the batch axis (axis 1 for sequences, 0 for states) of an unbatched run."""
    return a if batched else a[:, 0] if a.ndim == 3 else a[0]


class Recurrent:
    """Base class: parameters, gate slicing, shape handling. Subclasses set ``GATES`` and ``GATE_NAMES``."""

    GATES = 1
    GATE_NAMES: tuple = ()

    def __init__(self, input_size: int, hidden_size: int, seed=0):
        if input_size < 1 or hidden_size < 1:
            raise ValueError("input_size and hidden_size must be positive")
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        G, H, I = self.GATES, self.hidden_size, self.input_size
        rng = rng_from(seed)
        shapes = {"weight_ih": (G * H, I), "weight_hh": (G * H, H), "bias_ih": (G * H,), "bias_hh": (G * H,)}
        # torch draws every parameter from U(-1/sqrt(H), 1/sqrt(H)), in this order
        self.params = {name: pytorch_uniform(shape, H, rng) for name, shape in shapes.items()}

    # --- gate blocks, views into params (torch order) -----------------------------------------
    def block(self, name: str, gate: int) -> np.ndarray:
        """Rows of parameter ``name`` that belong to gate number ``gate`` (a view)."""
        H = self.hidden_size
        return self.params[name][gate * H:(gate + 1) * H]

    def split(self, a: np.ndarray) -> list:
        """Split the last axis (G*H) into G gate blocks of H."""
        return np.split(a, self.GATES, axis=-1)

    def _input_projection(self, xb: np.ndarray) -> np.ndarray:
        """x_t W_ih^T + b_ih for every step at once: (T, B, G*H)."""
        return xb @ self.params["weight_ih"].T + self.params["bias_ih"]

    def _param_grads(self, tr: Trace, d_ih: np.ndarray, d_hh: np.ndarray) -> dict:
        """Parameter gradients from the pre-activation gradients of the input side (d_ih) and the
        recurrent side (d_hh), both (T, B, G*H): sums over time and batch of outer products."""
        flat = lambda a: a.reshape(-1, a.shape[-1])               # noqa: E731  (T*B, ·)
        x, hp = flat(tr.xb), flat(tr.h_prev)
        bias_ih = d_ih.sum(axis=(0, 1))
        return {
            "weight_ih": flat(d_ih).T @ x,                         # sum_t,b d_t x_t^T
            "weight_hh": flat(d_hh).T @ hp,                        # sum_t,b d_t h_{t-1}^T
            "bias_ih": bias_ih,
            "bias_hh": bias_ih.copy() if d_hh is d_ih else d_hh.sum(axis=(0, 1)),   # RNN, LSTM: the same sum
        }

    @staticmethod
    def _check_dh(tr: Trace, dh) -> np.ndarray:
        d = np.asarray(dh, dtype=np.float64)
        d = d if tr.batched else d[:, None, :]
        if d.shape != tr.hb.shape:
            raise ValueError(f"dh must have the shape of trace.h, {tr.h.shape}, got {np.shape(dh)}")
        return d

    @staticmethod
    def _unbatched(tr: Trace) -> None:
        if tr.hb.shape[1] != 1:
            raise ValueError("Jacobians are defined for one sequence: run forward on (T, I) input")

    @property
    def num_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))
