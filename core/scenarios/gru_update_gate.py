"""Page 4: how does the GRU's update gate decide what to keep?

A GRU with PyTorch's default init, its gate biases set from the sliders, on the shared seeded inputs.
z_t is PyTorch's update gate, the share of the OLD state kept (CS224n's u_t = 1 - z_t is the share
replaced; pages convert). Curves by distance d = T-k:

    gru_full     ||dh_T/dh_k||                      the whole GRU Jacobian chain
    gru_direct   ||prod_{t=k+1}^{T} diag(z_t)||     the direct (copy) path alone
    vanilla_rnn  ||dh_T/dh_k||  tanh RNN as strong as the GRU's candidate path (W_hn)
    lstm         ||dh_T/ds_k||, s = [h; c], an LSTM at comparable settings (see run)
"""
from __future__ import annotations

import numpy as np

from ..chains import chain_log10_norms, diag_chain_log10_norms, memory_horizon
from ..family import bias_family, chain_log10_norms_family, horizons
from ..gru import GRU
from ..init import spectral_radius
from .common import INPUT_SIZE, by_distance, given_curves, inputs
from .lstm_forget_gate import build_lstm, lstm_family, members, set_gate_bias, vanilla_curve


def logit(p: float) -> float:
    """sigma^{-1}(p) = log(p / (1 - p)) for p in (0, 1)."""
    return float(np.log(p) - np.log1p(-p))


def build_gru(hidden: int, seed: int, weight_scale: float = 1.0, update_bias: float = 0.0,
              reset_bias: float = 0.0, leaky: float | None = None) -> GRU:
    """GRU(INPUT_SIZE, hidden) with PyTorch's default init from ``seed``, then W_hh <- weight_scale * W_hh,
    b_ir + b_hr = reset_bias, b_iz + b_hz = update_bias (gate order r, z, n).

    ``leaky`` in (0, 1): the leaky-integration unit. The z rows of weight_ih and weight_hh are zeroed and
    the z bias is logit(leaky), so z_t = sigmoid(logit(leaky)) = leaky (to rounding, ~1e-16) at every
    step and unit, and h_t = (1 - leaky) n_t + leaky h_{t-1}; ``update_bias`` is then unused.
    """
    m = GRU(INPUT_SIZE, hidden, seed=seed)
    m.params["weight_hh"] *= weight_scale
    set_gate_bias(m, 0, reset_bias)                        # r
    set_gate_bias(m, 1, update_bias)                       # z
    if leaky is not None:
        if not 0.0 < leaky < 1.0:
            raise ValueError(f"leaky must be in (0, 1), got {leaky}")
        m.block("weight_ih", 1)[:] = 0.0                   # z no longer sees x_t ...
        m.block("weight_hh", 1)[:] = 0.0                   # ... nor h_{t-1}
        set_gate_bias(m, 1, logit(leaky))                  # z_t = leaky
    return m


def run(update_bias=0.0, reset_bias=0.0, weight_scale=1.0, hidden=32, T=100, input_scale=1.0, seed=0,
        leaky=None, curves=None) -> dict:
    """Everything page 4 draws, for one setting.

    ``curves``, when given, are the four gradient curves below already computed for this setting (member ``f``
    of :func:`family`: ``{name: family(...)["curves"][name][f]}``); they are used as they are instead of
    running the comparison models and multiplying the Jacobian chains again, the costly part.

    The GRU is :func:`build_gru`, h_0 = 0, fed ``common.inputs(T, input_scale, seed)``.
    Comparison models, on the same inputs:

    - vanilla RNN: ``lstm_forget_gate.vanilla_curve``, a tanh RNN with an orthogonal W_hh whose spectral
      radius equals that of weight_scale * W_hn (the GRU's candidate block);
    - LSTM: ``lstm_forget_gate.build_lstm(hidden, seed, weight_scale, forget_bias=b_z)`` where b_z is the
      GRU's total update-gate bias (``update_bias``, or logit(leaky) in the leaky mode): f and z are both
      "the share of the old memory kept"; the input-gate bias stays at 0 (PyTorch default). Its curve is
      ||dh_T/ds_k|| for s = [h; c]: a loss that reads h_T, as for the GRU, and the gradient it sends to the
      LSTM's whole memory at step k.

    Returns
    -------
    dict with
      distance (T+1,) d = T-k
      curves dict name -> (T+1,) log10 norm by distance (0 at d = 0; -inf where a product is exactly
        zero, e.g. weight_scale = 0 for "vanilla_rnn"; never NaN or +inf):
        "gru_full" ||dh_T/dh_{T-d}||_2;  "gru_direct" ||prod_{t=T-d+1}^{T} diag(z_t)||_2, i.e.
        gru_direct[d] == log10(max_i prod(z[T-d:, i])) (exact, from ``z`` below);
        "vanilla_rnn" ||dh_T/dh_{T-d}||_2;  "lstm" ||dh_T/ds_{T-d}||_2
      z (T, H) update gates (PyTorch: share of h_{t-1} kept);  r (T, H) reset gates
      n (T, H) candidates n_t = tanh(W_in x_t + b_in + r_t (W_hn h_{t-1} + b_hn))
      n_no_reset (T, H) the candidate r_t = 1 would give from the same h_{t-1}:
        tanh(W_in x_t + b_in + W_hn h_{t-1} + b_hn)
      reset_shift (T,) mean_i |n_t,i - n_no_reset_t,i|, how much the reset gate changed the candidate
      h (T, H) states h_1..h_T
      mean_z float;  vanilla_rho float (spectral radius of weight_scale * W_hn);  lstm_forget_bias float
      horizons dict name -> memory_horizon of each curve (distance of a 1000x drop, None if never)
    """
    m = build_gru(hidden, seed, weight_scale, update_bias, reset_bias, leaky)
    xs = inputs(T, input_scale, seed)
    tr = m.forward(xs)
    g = tr.gates
    z = m.direct_path(tr)
    W_in, b_in = m.block("weight_ih", 2), m.block("bias_ih", 2)
    W_hn, b_hn = m.block("weight_hh", 2), m.block("bias_hh", 2)
    hn = tr.h_prev[:, 0] @ W_hn.T + b_hn                       # W_hn h_{t-1} + b_hn
    n_no_reset = np.tanh(xs @ W_in.T + b_in + hn)              # candidate with the reset gate open
    b_z = update_bias if leaky is None else logit(leaky)
    if curves is None:
        curves, rho = _curves(m, tr, z, xs, seed, weight_scale, b_z)
    else:
        curves, rho = given_curves(curves, CURVES, T), spectral_radius(W_hn)
    return {
        "distance": np.arange(T + 1),
        "curves": curves,
        "z": z, "r": g["r"], "n": g["n"], "n_no_reset": n_no_reset,
        "reset_shift": np.abs(g["n"] - n_no_reset).mean(axis=1),
        "h": tr.h,
        "mean_z": float(z.mean()),
        "vanilla_rho": rho,
        "lstm_forget_bias": float(b_z),
        "horizons": {name: memory_horizon(L[::-1]) for name, L in curves.items()},
    }


CURVES = ("gru_full", "gru_direct", "vanilla_rnn", "lstm")


def _curves(m, tr, z: np.ndarray, xs: np.ndarray, seed: int, weight_scale: float, b_z: float) -> tuple[dict, float]:
    """The gradient curves of :func:`run`, and the vanilla RNN's spectral radius."""
    hidden = m.hidden_size
    vanilla, rho = vanilla_curve(m.block("weight_hh", 2), xs, seed)
    lstm = build_lstm(hidden, seed, weight_scale, forget_bias=b_z)
    J_lstm = lstm.state_jacobians(lstm.forward(xs))
    return {
        "gru_full": by_distance(chain_log10_norms(m.state_jacobians(tr))),
        "gru_direct": by_distance(diag_chain_log10_norms(z)),
        "vanilla_rnn": vanilla,
        "lstm": by_distance(chain_log10_norms(J_lstm, rows=slice(0, hidden))),
    }, rho


def family(update_biases=(0.0,), reset_bias=0.0, weight_scale=1.0, hidden=32, T=100, input_scale=1.0, seed=0,
           leaky=None) -> dict:
    """The main chart of :func:`run` for every update-gate bias in ``update_biases`` (PyTorch's b_z, the
    slider's grid), in one batched pass: member f equals ``run(update_biases[f], ...)`` to float64 precision.

    The F GRUs differ only in b_iz, and the F comparison LSTMs only in their forget bias (= b_z), so each
    model's forward passes run together ((T, F, H) traces) and each step's Jacobians of all members are
    built as the chain asks for them. The vanilla RNN does not depend on b_z and is computed once; in the
    leaky mode nothing does (z is frozen at ``leaky`` and the LSTM's forget bias is logit(leaky)), and one
    member is computed and repeated.

    Returns
    -------
    dict with ``b_z`` (F,); ``distance`` (T+1,); ``curves`` name -> (F, T+1) by distance, as in :func:`run`
    ("gru_full", "gru_direct", "vanilla_rnn", "lstm"); ``horizons`` name -> (F,) float (NaN where there is
    none within T); ``mean_z`` (F,).
    """
    b = np.asarray(update_biases, dtype=np.float64)
    F, H = len(b), hidden
    xs = inputs(T, input_scale, seed)
    b_z = b if leaky is None else np.array([logit(leaky)])      # the biases that matter: one in the leaky mode
    m, tr = bias_family(build_gru(hidden, seed, weight_scale, float(b_z[0]), reset_bias, leaky), 1, b_z, xs)
    lm, ltr = lstm_family(b_z, 0.0, weight_scale, hidden, xs, seed)
    n = len(b_z)
    z = tr.gateb["z"]                                            # (T, n, H)
    curves = members({
        "gru_full": chain_log10_norms_family(lambda k: m.batch_state_jacobian(tr, k), n, T, H)[:, ::-1],
        "gru_direct": np.stack([by_distance(diag_chain_log10_norms(z[:, j])) for j in range(n)]),
        "vanilla_rnn": vanilla_curve(m.block("weight_hh", 2), xs, seed)[0][None],
        "lstm": chain_log10_norms_family(lambda k: lm.batch_state_jacobian(ltr, k), n, T, 2 * H,
                                         rows=slice(0, H))[:, ::-1],
    }, F)
    return {
        "b_z": b, "distance": np.arange(T + 1), "curves": curves,
        "horizons": {name: horizons(L) for name, L in curves.items()},
        "mean_z": members({"z": z.mean(axis=(0, 2))}, F)["z"],
    }
