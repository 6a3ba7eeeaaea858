"""Page 3: how does the forget gate keep the gradient alive?

An LSTM with PyTorch's default init, its gate biases set from the sliders, run on the shared seeded
inputs. The gradient paths compared, all by distance d = T-k:

    cell path    ||prod_{t=k+1}^{T} diag(f_t)||   (the additive cell update alone)
    cell full    ||dc_T/dc_k||   (diag(f_t) plus the terms that go through h_{t-1})
    state full   ||ds_T/ds_k||,  s = [h; c]
    vanilla RNN  ||dh_T/dh_k||   of a tanh RNN as strong as the LSTM's candidate path (see run)
"""
from __future__ import annotations

import numpy as np

from ..chains import chain_log10_norms, diag_chain_log10_norms, memory_horizon
from ..family import bias_family, chain_log10_norms_family, horizons
from ..init import spectral_radius
from ..lstm import LSTM
from .common import INPUT_SIZE, by_distance, given_curves, inputs, vanilla_rnn


def set_gate_bias(m, gate: int, value: float) -> None:
    """Make gate ``gate``'s total bias b_i* + b_h* equal ``value``: all of it in bias_ih, bias_hh zeroed."""
    m.block("bias_ih", gate)[:] = value
    m.block("bias_hh", gate)[:] = 0.0


def build_lstm(hidden: int, seed: int, weight_scale: float = 1.0, forget_bias: float = 0.0,
               input_bias: float = 0.0, no_forget_gate: bool = False) -> LSTM:
    """LSTM(INPUT_SIZE, hidden) with PyTorch's default init from ``seed``, then
    W_hh <- weight_scale * W_hh, b_if + b_hf = forget_bias, b_ii + b_hi = input_bias (gate order i, f, g, o).
    ``no_forget_gate`` gives the 1997 LSTM (f_t = 1; the forget bias is then unused)."""
    m = LSTM(INPUT_SIZE, hidden, seed=seed, forget_gate=not no_forget_gate)
    m.params["weight_hh"] *= weight_scale
    set_gate_bias(m, 0, input_bias)                        # i
    set_gate_bias(m, 1, forget_bias)                       # f
    return m


def vanilla_curve(W_candidate: np.ndarray, xs: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    """The comparison vanilla tanh RNN: ``common.vanilla_rnn`` with an orthogonal W_hh whose spectral
    radius rho equals that of the gated model's candidate block ``W_candidate`` (LSTM: W_hg, GRU: W_hn,
    already multiplied by the weight scale), run on the same inputs ``xs``.

    Returns (log10 ||dh_T/dh_{T-d}|| by distance, (T+1,); rho). rho = 0 (weight scale 0) gives
    -inf for every d >= 1.
    """
    rho = spectral_radius(W_candidate)
    m = vanilla_rnn("tanh", W_candidate.shape[0], rho, "orthogonal", seed)
    return by_distance(chain_log10_norms(m.state_jacobians(m.forward(xs)))), rho


def log10_sigmoid(b):
    """log10 sigmoid(b) without underflow: -log10(1 + e^{-b}) (a float, or an array for an array b)."""
    out = -np.logaddexp(0.0, -np.asarray(b, dtype=np.float64)) / np.log(10.0)
    return float(out) if out.ndim == 0 else out


def run(forget_bias=0.0, input_bias=0.0, weight_scale=1.0, hidden=32, T=100, input_scale=1.0, seed=0,
        no_forget_gate=False, curves=None) -> dict:
    """Everything page 3 draws, for one setting.

    ``curves``, when given, are the four gradient curves below already computed for this setting (member ``f``
    of :func:`family`: ``{name: family(...)["curves"][name][f]}``); they are used as they are instead of
    multiplying the Jacobian chains again, the costly part.

    The LSTM is :func:`build_lstm` (PyTorch init from ``seed``, W_hh times ``weight_scale``, total
    forget/input-gate biases from the sliders, c_0 = h_0 = 0), fed ``common.inputs(T, input_scale, seed)``.
    ``no_forget_gate=True`` is the 1997 LSTM: f_t = 1, the constant error carousel, whose cell grows
    without bound (|c_t| <= t since |i g| <= 1, so it stays finite).

    Returns
    -------
    dict with
      distance (T+1,) d = T-k
      curves dict name -> (T+1,) log10 norm by distance (0 at d = 0; -inf where a product is
        exactly zero, e.g. weight_scale = 0 for "vanilla_rnn"; never NaN or +inf):
        "cell_path"   ||prod_{t=T-d+1}^{T} diag(f_t)||_2 = max_i prod f_t,i, i.e.
                      cell_path[d] == log10(max_i prod(f[T-d:, i])) (exact, from ``f`` below)
        "cell_full"   ||dc_T/dc_{T-d}||_2, the c block of the full chain
        "state_full"  ||ds_T/ds_{T-d}||_2, s = [h; c]
        "vanilla_rnn" ||dh_T/dh_{T-d}||_2 of a tanh RNN of the same size on the same inputs,
                      orthogonal W_hh with spectral radius ``vanilla_rho`` (see :func:`vanilla_curve`)
      f (T, H) forget gates f_1..f_T (all 1 in the 1997 mode);  i (T, H) input gates
      c (T, H) cell states c_1..c_T;  h (T, H) hidden states
      mean_f float;  c_abs_max (T,) max_i |c_t,i|
      sigmoid_bf_T float, log10(sigmoid(forget_bias)^T) = T log10 sigmoid(b_f) (0 in the 1997 mode, f = 1);
        the cell path of a model whose f sat exactly at sigmoid(b_f)
      vanilla_rho float, spectral radius of weight_scale * W_hg (the LSTM's candidate block)
      horizons dict name -> memory_horizon of each curve (distance of a 1000x drop, None if never)
    """
    m = build_lstm(hidden, seed, weight_scale, forget_bias, input_bias, no_forget_gate)
    xs = inputs(T, input_scale, seed)
    tr = m.forward(xs)
    f = m.cell_path(tr)
    if curves is None:
        curves, rho = _curves(m, tr, f, xs, seed)
    else:
        curves = given_curves(curves, CURVES, T)
        rho = spectral_radius(m.block("weight_hh", 2))
    return {
        "distance": np.arange(T + 1),
        "curves": curves,
        "f": f, "i": tr.gates["i"], "c": tr.c, "h": tr.h,
        "mean_f": float(f.mean()),
        "c_abs_max": np.abs(tr.c).max(axis=1),
        "sigmoid_bf_T": 0.0 if no_forget_gate else T * log10_sigmoid(forget_bias),
        "vanilla_rho": rho,
        "horizons": {name: memory_horizon(L[::-1]) for name, L in curves.items()},
    }


CURVES = ("cell_path", "cell_full", "state_full", "vanilla_rnn")


def _curves(m: LSTM, tr, f: np.ndarray, xs: np.ndarray, seed: int) -> tuple[dict, float]:
    """The gradient curves of :func:`run`, and the vanilla RNN's spectral radius."""
    H = m.hidden_size
    J = m.state_jacobians(tr)                                  # (T, 2H, 2H), s = [h; c]
    c_rows = slice(H, 2 * H)
    vanilla, rho = vanilla_curve(m.block("weight_hh", 2), xs, seed)
    return {
        "cell_path": by_distance(diag_chain_log10_norms(f)),
        "cell_full": by_distance(chain_log10_norms(J, rows=c_rows, cols=c_rows)),
        "state_full": by_distance(chain_log10_norms(J)),
        "vanilla_rnn": vanilla,
    }, rho


def lstm_family(forget_biases, input_bias: float, weight_scale: float, hidden: int, xs: np.ndarray, seed: int,
                no_forget_gate: bool = False):
    """:func:`build_lstm` for every forget bias in ``forget_biases``, run on ``xs`` in one batched pass
    (``core.family.bias_family``): (family model, trace (T, F, ...)); member f is the model at forget_biases[f]."""
    b = np.asarray(forget_biases, dtype=np.float64)
    m = build_lstm(hidden, seed, weight_scale, float(b[0]), input_bias, no_forget_gate)
    return bias_family(m, 1, b, xs)


def members(values: dict, F: int) -> dict:
    """Curves computed once (one member: they do not depend on the scrubbed bias) repeated for F members."""
    return {k: np.repeat(v, F, axis=0) if len(v) == 1 else v for k, v in values.items()}


def family(forget_biases=(0.0,), input_bias=0.0, weight_scale=1.0, hidden=32, T=100, input_scale=1.0, seed=0,
           no_forget_gate=False) -> dict:
    """The main chart of :func:`run` for every forget bias in ``forget_biases`` (the slider's grid), in one
    batched pass: member f equals ``run(forget_biases[f], ...)`` to float64 precision.

    The F LSTMs differ only in b_if, so their forward passes run together ((T, F, H) traces) and each
    step's Jacobians of all members are built as the chain asks for them. The vanilla RNN does not depend on
    b_f and is computed once; in the 1997 mode (``no_forget_gate``) nothing does, and one member is
    computed and repeated.

    Returns
    -------
    dict with ``b_f`` (F,); ``distance`` (T+1,); ``curves`` name -> (F, T+1) by distance, as in :func:`run`
    ("cell_path", "cell_full", "state_full", "vanilla_rnn"); ``sigmoid_bf`` (F, T+1) the dashed reference
    d log10 sigma(b_f) (0 in the 1997 mode); ``horizons`` name -> (F,) float (NaN where there is none within
    T); ``mean_f`` (F,).
    """
    b = np.asarray(forget_biases, dtype=np.float64)
    F, H = len(b), hidden
    xs = inputs(T, input_scale, seed)
    m, tr = lstm_family(b[:1] if no_forget_gate else b, input_bias, weight_scale, hidden, xs, seed, no_forget_gate)
    n = tr.hb.shape[1]
    jac = lambda k: m.batch_state_jacobian(tr, k)                # noqa: E731  every member's J[k], (n, 2H, 2H)
    f = tr.gateb["f"]                                            # (T, n, H)
    c_rows = slice(H, 2 * H)
    cell_full, state_full = chain_log10_norms_family(jac, n, T, 2 * H, blocks=[(c_rows, c_rows), (None, None)])
    curves = members({
        "cell_path": np.stack([by_distance(diag_chain_log10_norms(f[:, j])) for j in range(n)]),
        "cell_full": cell_full[:, ::-1],                         # both blocks of the same products, one sweep
        "state_full": state_full[:, ::-1],
        "vanilla_rnn": vanilla_curve(m.block("weight_hh", 2), xs, seed)[0][None],
    }, F)
    d = np.arange(T + 1)
    sigmoid_bf = np.zeros((F, T + 1)) if no_forget_gate else d * log10_sigmoid(b)[:, None]
    return {
        "b_f": b, "distance": d, "curves": curves, "sigmoid_bf": sigmoid_bf,
        "horizons": {name: horizons(L) for name, L in curves.items()},
        "mean_f": members({"f": f.mean(axis=(0, 2))}, F)["f"],
    }
