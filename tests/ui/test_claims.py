"""What pages 1–4 tell students matches the numbers core computes at the settings the text names (issue 18).

Each test computes a claim with the page's own settings (its defaults plus the preset the text describes, read from
the page's ControlPanel) and checks the number the English and the Chinese text state: change a preset, the core or
a number in either language without the others and the test fails. Qualitative claims ("tanh does not vanish at
large ρ") are checked against the computed curves. Page 5 is in test_claims_clipping.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from core.activations import ACTIVATIONS
from core.gru import GRU
from core.init import max_singular_value
from core.lstm import LSTM
from core.scenarios import gru_update_gate, lstm_forget_gate, relu_vs_tanh, vanilla_rnn
from core.scenarios.common import inputs
from core.scenarios.common import vanilla_rnn as rnn_model
from tests.ui.claims import (
    FPRIME,
    NUM,
    PERCENT,
    POW10,
    STEPS,
    T_IS,
    TIMES,
    agrees,
    assert_mentions,
    assert_states,
    settings,
    stated,
    text,
)
from ui.i18n import LANGS

RHO = rf"ρ = ({NUM})"
VANISHED, EXPLODED = -3.0, 3.0  # the pages' zones: below 10^-3 "vanishing", above 10^3 "exploding"


def page1(v):
    return vanilla_rnn.run(v["act"], v["rho"], v["H"], v["T"], v["x_scale"], v["init"], v["window"], v["seed"])


def page2(v):
    return relu_vs_tanh.run(v["rho"], v["H"], v["T"], v["x_scale"], v["init"], v["seed"])


def page3(v):
    return lstm_forget_gate.run(v["b_f"], v["b_i"], v["w_scale"], v["H"], v["T"], v["x_scale"], v["seed"],
                                no_forget_gate=v["no_forget"])


def page4(v):
    return gru_update_gate.run(v["b_z"], v["b_r"], v["w_scale"], v["H"], v["T"], v["x_scale"], v["seed"],
                               leaky=v["leak"] if v["leak"] > 0 else None)


def sigmoid(b: float) -> float:
    return float(ACTIVATIONS["sigmoid"].f(np.float64(b)))


# --- the helpers themselves must be able to fail -----------------------------------------------------------------
def test_agreement_is_rounding_to_the_written_decimals():
    assert agrees("−2.15", -2.1502) and agrees("1.1", 1.1007) and agrees("12", 12)
    assert not agrees("−2.15", -2.16) and not agrees("1.5", 1.1007) and not agrees("12", 13)
    assert stated("vanilla_rnn.preset.edge.help", POW10, "zh") == ["−2.15"]
    with pytest.raises(AssertionError):
        assert_states("vanilla_rnn.preset.edge.help", POW10, [-2.25])


# --- page 1: vanilla RNN ----------------------------------------------------------------------------------------------
def test_vanishing_preset():
    key, v = "vanilla_rnn.preset.vanishing.help", settings("vanilla_rnn", "vanishing")
    r = page1(v)
    L_T, per_step = r["log_norm"][-1], 10 ** (r["log_norm"][-1] / v["T"])
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, T_IS, [v["T"]])
    assert_states(key, STEPS, [r["horizon"]])                     # 1000x within 9 steps
    assert_states(key, POW10, [L_T])
    assert_states(key, TIMES, [per_step])
    assert per_step < v["rho"]                                     # rho times slopes below 1


def test_edge_preset_decays_slowly_but_steadily():
    key, v = "vanilla_rnn.preset.edge.help", settings("vanilla_rnn", "edge")
    r, long = page1(v), page1({**v, "T": 300})
    L = r["log_norm"]
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, T_IS, [v["T"], 300])
    assert_states(key, FPRIME, [r["fprime"].mean()])
    assert_states(key, TIMES, [10 ** (L[-1] / v["T"])])
    assert_states(key, POW10, [L[-1]])
    assert_states(key, STEPS, [long["horizon"]])                  # 1000x after 122 steps
    assert r["horizon"] is None and long["horizon"] > v["T"]       # that is why T = 300 is needed to see it
    assert np.all(np.diff(long["log_norm"][::10]) < 0)             # steadily down, not "barely"


def test_exploding_preset_grows_by_1_5_only_at_first():
    key, v = "vanilla_rnn.preset.exploding.help", settings("vanilla_rnn", "exploding")
    r = page1(v)
    L, T = r["log_norm"], v["T"]
    first, per_step = 10 ** L[1], 10 ** (L[-1] / T)
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, TIMES, [first, per_step])                   # x1.5 for the first step, x1.1 on average
    assert_states(key, r"max \|h\| (\d\.\d+)", [np.abs(r["h"]).max()])
    assert_states(key, FPRIME, [r["fprime"].mean()])
    assert_states(key, T_IS, [T])
    assert_states(key, POW10, [L[-1]])
    assert per_step < first and L[-1] > EXPLODED                   # it still explodes, just slower


def test_saturated_preset():
    key, v = "vanilla_rnn.preset.saturated.help", settings("vanilla_rnn", "saturated")
    r = page1(v)
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, FPRIME, [r["fprime"].mean()])
    assert_states(key, POW10, [r["log_norm"][-1]])
    assert_states(key, T_IS, [v["T"]])
    assert_mentions(key, "0.1")
    assert np.mean(r["fprime"] < 0.1) > 0.5                        # over half of the slopes below 0.1


def test_notice_truncation_drops_nothing_only_while_the_gradient_vanishes():
    key = "vanilla_rnn.notice"
    default, exploding = page1(settings("vanilla_rnn")), page1(settings("vanilla_rnn", "exploding"))
    assert default["log_norm"][-1] < VANISHED
    assert_states(key, STEPS, [settings("vanilla_rnn")["window"]])
    assert_states(key, PERCENT, [100 * default["truncated_share"], 100 * exploding["truncated_share"]])


def test_notice_sigmoid_bound_falls_log10_4_more_per_step():
    tanh, sig = (page1(settings("vanilla_rnn", act=a)) for a in ("tanh", "sigmoid"))
    assert tanh["gamma"] / sig["gamma"] == 4                       # the factor per step is 4x smaller ...
    extra = tanh["log_bound"][1] - sig["log_bound"][1]             # ... so the line falls log10 4 more per step
    assert_states("vanilla_rnn.notice", r"≈ (\d\.\d+)", [extra])
    slopes = sig["log_bound"][1] / tanh["log_bound"][1]
    assert slopes > 4 * 2                                           # and that is not "4x steeper"


@pytest.mark.parametrize("preset", ["vanishing", "edge", "exploding", "saturated"])
@pytest.mark.parametrize("act", ["tanh", "sigmoid"])
def test_notice_the_bound_is_never_crossed(preset, act):
    r = page1(settings("vanilla_rnn", preset, act=act))
    assert np.all(r["log_norm"] <= r["log_bound"] + 1e-9)


# --- page 2: ReLU vs tanh ------------------------------------------------------------------------------------------
def test_above_one_preset():
    key, v = "relu_vs_tanh.preset.above_one.help", settings("relu_vs_tanh", "above_one")
    c = page2(v)["curves"]
    irnn, linear, tanh = (c[k]["log_norm"][-1] for k in ("irnn", "linear", "tanh"))
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, POW10, [irnn, tanh])
    assert agrees(stated(key, POW10, "en")[0], linear)             # "IRNN and linear": the same 10^4.1
    assert_states(key, FPRIME, [c["tanh"]["fprime"].mean()])
    assert_states(key, T_IS, [v["T"]])
    for init in ("orthogonal", "gaussian"):                        # the preset leaves the initialisation alone
        c = page2({**v, "init": init})["curves"]
        assert min(c["irnn"]["log_norm"][-1], c["linear"]["log_norm"][-1]) > EXPLODED
        assert c["tanh"]["log_norm"][-1] < VANISHED


def test_irnn_preset_exactly_one_then_exactly_zero():
    key, v = "relu_vs_tanh.preset.irnn.help", settings("relu_vs_tanh", "irnn")
    L = page2(v)["curves"]["irnn"]["log_norm"]
    alive = int(np.flatnonzero(np.isfinite(L))[-1])               # farthest distance with a unit on all the way
    assert np.all(L[:alive + 1] == 0.0) and np.all(np.isneginf(L[alive + 1:]))
    assert alive < v["T"]                                          # h_0: every unit was off at some step
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, STEPS, [alive, v["T"]])


def test_relu_explodes_preset():
    key, v = "relu_vs_tanh.preset.relu_explodes.help", settings("relu_vs_tanh", "relu_explodes")
    c = page2(v)["curves"]
    assert v["init"] == "gaussian"
    assert_states(key, RHO, [v["rho"]])
    assert_states(key, POW10, [c["relu"]["log_h"].max(), c["relu"]["log_norm"][-1], c["tanh"]["log_norm"][-1]])
    assert_states(key, T_IS, [v["T"]])
    assert c["tanh"]["log_h"].max() <= 0.5 * np.log10(v["H"])      # tanh's state: |h_i| < 1


def test_sigmoid_preset_still_vanishes_at_rho_4():
    key, v = "relu_vs_tanh.preset.sigmoid_bound.help", settings("relu_vs_tanh", "sigmoid_bound")
    gamma = ACTIVATIONS["sigmoid"].bound
    c = page2(v)["curves"]
    assert_states(key, RHO, [v["rho"]])
    assert v["rho"] == 1 / gamma
    assert_states(key, POW10, [c["sigmoid"]["log_norm"][-1]])
    assert_states(key, FPRIME, [c["sigmoid"]["fprime"].mean()])
    assert c["sigmoid"]["fprime"].mean() < 0.6 * gamma             # well below 1/4
    for init in ("orthogonal", "gaussian"):
        W = rnn_model("sigmoid", v["H"], v["rho"], init, v["seed"]).params["weight_hh"]
        assert gamma * max_singular_value(W) >= 1 - 1e-12          # the bound no longer forces a shrink ...
        c = page2({**v, "init": init})["curves"]
        assert c["sigmoid"]["log_norm"][-1] < VANISHED             # ... and it still vanishes
        assert min(c[k]["log_norm"][-1] for k in ("tanh", "relu", "linear", "irnn")) > EXPLODED


def test_relu_math_product_of_masked_copies_not_powers():
    v = settings("relu_vs_tanh")
    m = rnn_model("relu", v["H"], v["rho"], v["init"], v["seed"])
    tr = m.forward(inputs(v["T"], v["x_scale"], v["seed"]))
    J, on, W = m.state_jacobians(tr), m.derivatives(tr), m.params["weight_hh"]
    assert set(np.unique(on)) == {0.0, 1.0}
    np.testing.assert_array_equal(J, on[:, :, None] * W)           # each step: W_hh with off rows zeroed
    P = np.linalg.multi_dot(J[::-1][:10])                          # 10 steps of the chain ...
    assert np.linalg.norm(P - np.linalg.matrix_power(W, 10)) > 0.5 * np.linalg.norm(np.linalg.matrix_power(W, 10))
    assert_mentions("relu_vs_tanh.math.relu", "W_hh")


def test_notice_tanh_gradient_grows_with_rho_sigmoid_still_vanishes():
    key, v = "relu_vs_tanh.notice", settings("relu_vs_tanh", init="orthogonal")
    at = {rho: page2({**v, "rho": rho})["curves"] for rho in (1.1, 2.0, 4.0)}
    tanh = [at[rho]["tanh"]["log_norm"][-1] for rho in (1.1, 2.0, 4.0)]
    assert tanh[0] < VANISHED < 0 < tanh[1] < tanh[2]               # vanishes at 1.1, grows at 2 and 4
    assert_states(key, POW10, [*tanh, at[4.0]["sigmoid"]["log_norm"][-1]])
    slopes = [at[rho]["tanh"]["fprime"].mean() for rho in (1.1, 4.0)]
    assert_states(key, r"(?<![\d.^−])(0\.\d+)", slopes)            # mean tanh' 0.53 and 0.21: saturation
    assert all(at[rho]["tanh"]["log_h"].max() <= 0.5 * np.log10(v["H"]) for rho in at)   # the state stays bounded


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_notice_relu_claims(init):
    v = settings("relu_vs_tanh", init=init)
    small, big = (page2({**v, "rho": rho})["curves"] for rho in (0.5, 2.0))
    assert small["relu"]["log_norm"][-1] < VANISHED and big["relu"]["log_norm"][-1] > EXPLODED
    c = page2(v)["curves"]
    assert 0.4 < np.mean(c["relu"]["fprime"] == 0) < 0.6           # about half of the units off each step
    for rho in (1.1, 1.5, 2.0):                                    # so ReLU's gain is below rho's
        c = page2({**v, "rho": rho})["curves"]
        assert c["relu"]["log_norm"][-1] < c["linear"]["log_norm"][-1]


def test_notice_irnn_and_linear_follow_rho_power():
    v = settings("relu_vs_tanh", init="orthogonal")
    r = page2(v)
    L, d = r["curves"]["irnn"]["log_norm"], r["distance"]
    ok = np.isfinite(L)
    np.testing.assert_allclose(L[ok], d[ok] * np.log10(v["rho"]), atol=1e-9)
    np.testing.assert_allclose(r["curves"]["linear"]["log_norm"], d * np.log10(v["rho"]), atol=1e-9)


# --- page 3: LSTM forget gate -------------------------------------------------------------------------------------
F_IS = r"f ≈ (\d\.\d+)"
DISTANCE = {"en": r"distance (\d+)", "zh": r"距离 (\d+)"}


def test_forget_bias_help():
    pairs = {lang: stated("lstm_forget_gate.b_f.help", rf"({NUM}) → (\d\.\d+)", lang) for lang in LANGS}
    assert pairs["en"] == pairs["zh"] and len(pairs["en"]) == 3
    for b, f in pairs["en"]:
        assert agrees(f, sigmoid(float(b)))


def test_pytorch_preset_horizon():
    key, v = "lstm_forget_gate.preset.pytorch.help", settings("lstm_forget_gate", "pytorch")
    r = page3(v)
    ideal = int(np.ceil(3 / np.log10(1 / sigmoid(v["b_f"]))))     # if every f_t were sigma(b_f)
    assert_states(key, F_IS, [r["mean_f"]])
    assert_states(key, STEPS, [r["horizons"]["cell_path"], ideal])
    assert_mentions(key, f"b_f = {v['b_f']:g}")


def test_bias_1_preset_doubles_the_memory_and_still_vanishes():
    key = "lstm_forget_gate.preset.bf1.help"
    v, v0 = settings("lstm_forget_gate", "bf1"), settings("lstm_forget_gate", "pytorch")
    r, r0 = page3(v), page3(v0)
    h, h0 = r["horizons"]["cell_path"], r0["horizons"]["cell_path"]
    assert_states(key, F_IS, [r["mean_f"]])
    assert_states(key, STEPS, [h, h0])
    assert 1.5 < h / h0 < 2.5                                      # about twice
    assert_states(key, DISTANCE, [100])
    assert_states(key, POW10, [r["curves"]["cell_path"][100]])
    assert r["curves"]["cell_path"][100] < VANISHED


def test_bias_3_preset_reaches_the_start():
    key, v = "lstm_forget_gate.preset.long.help", settings("lstm_forget_gate", "long")
    r = page3(v)
    assert_states(key, F_IS, [r["mean_f"]])
    assert r["horizons"]["cell_path"] is None and v["T"] == 100
    assert_states(key, STEPS, [v["T"]])
    assert_states(key, DISTANCE, [v["T"]])
    assert_states(key, POW10, [r["curves"]["cell_path"][v["T"]]])


def test_1997_preset():
    r = page3(settings("lstm_forget_gate", "lstm1997"))
    assert np.all(r["curves"]["cell_path"] == 0.0)                 # never shrinks along the cell
    c = r["c_abs_max"]
    assert c[-1] > 10 * c[0] and c[-1] > c[len(c) // 2] > c[len(c) // 10]   # the cell keeps growing


def test_notice_bias_1_and_3():
    key = "lstm_forget_gate.notice"
    r1, r3 = (page3(settings("lstm_forget_gate", p)) for p in ("bf1", "long"))
    assert_states(key, POW10, [r1["curves"]["cell_path"][100], r3["curves"]["cell_path"][100]])
    assert_states(key, STEPS, [100])
    assert_states(key, DISTANCE, [100])
    assert r3["curves"]["cell_full"].max() > 0                      # the terms through h lift it above 1
    for p in ("pytorch", "bf1", "long"):                            # [h; c] lies on top of dc_T/dc_k
        r = page3(settings("lstm_forget_gate", p))
        assert abs(r["curves"]["state_full"][-1] - r["curves"]["cell_full"][-1]) < 0.2


def test_weight_scale_0_full_cell_chain_is_the_cell_path():
    r = page3(settings("lstm_forget_gate", w_scale=0.0))
    np.testing.assert_allclose(r["curves"]["cell_full"], r["curves"]["cell_path"], atol=1e-9)


# --- page 4: GRU update gate ----------------------------------------------------------------------------------------
def test_update_and_reset_bias_help():
    for lang in LANGS:
        pairs = stated("gru_update_gate.b_z.help", r"([+−-]?\d+) → (\d\.\d+)", lang)
        assert len(pairs) == 2 and all(agrees(z, sigmoid(float(b.replace("−", "-")))) for b, z in pairs)
    assert_states("gru_update_gate.b_r.help", r"r ≈ (\d\.\d+)", [sigmoid(-4.0)])
    assert_mentions("gru_update_gate.b_r.help", "−4")


def test_keep_preset():
    key, v = "gru_update_gate.preset.keep.help", settings("gru_update_gate", "keep")
    r = page4(v)
    assert_states(key, r"z ≈ (\d\.\d+)", [r["mean_z"]])
    assert_states(key, r"u ≈ (\d\.\d+)", [1 - r["mean_z"]])
    assert r["horizons"]["gru_full"] is None                        # survives the whole sequence
    assert_states(key, POW10, [r["curves"]["gru_full"][-1]])
    assert_states(key, T_IS, [v["T"]])


def test_replace_preset_forgets_faster_than_the_vanilla_rnn():
    key, v = "gru_update_gate.preset.replace.help", settings("gru_update_gate", "replace")
    r = page4(v)
    gru, vanilla = r["curves"]["gru_full"][-1], r["curves"]["vanilla_rnn"][-1]
    assert gru < vanilla
    assert_states(key, r"z ≈ (\d\.\d+)", [r["mean_z"]])
    assert_states(key, POW10, [gru, vanilla])
    assert_states(key, T_IS, [v["T"]])


def test_reset_closed_preset_lies_on_the_direct_path():
    key, v = "gru_update_gate.preset.reset_closed.help", settings("gru_update_gate", "reset_closed")
    r = page4(v)
    full, direct = r["curves"]["gru_full"], r["curves"]["gru_direct"]
    assert_states(key, r"r ≈ (\d\.\d+)", [r["r"].mean()])
    assert_states(key, POW10, [full[-1]])
    assert agrees(stated(key, POW10, "en")[0], direct[-1])          # "both"
    assert np.max(np.abs(full - direct)) < 0.15                      # on top of it all the way
    assert_states(key, T_IS, [v["T"]])


def test_leaky_preset_and_notice():
    v = settings("gru_update_gate", "leaky")
    r = page4(v)
    alpha, d = v["leak"], r["distance"]
    np.testing.assert_allclose(r["curves"]["gru_direct"], d * np.log10(alpha), atol=1e-9)   # exactly alpha^(T-k)
    horizon = r["horizons"]["gru_direct"]
    assert_states("gru_update_gate.preset.leaky.help", STEPS, [horizon])
    scale = 1 / (1 - alpha)                                          # the time scale 1/(1 - alpha) ...
    assert np.exp(-1.2) < alpha ** scale < np.exp(-0.9)              # ... over which it falls about e-fold
    assert_states("gru_update_gate.notice", STEPS, [scale, horizon])
    assert_mentions("gru_update_gate.notice", f"α = {alpha:g}")


def test_cs224n_relabels_the_gate_but_computes_another_candidate():
    v = settings("gru_update_gate")
    m = gru_update_gate.build_gru(v["H"], v["seed"], v["w_scale"], v["b_z"], v["b_r"])
    xs = inputs(v["T"], v["x_scale"], v["seed"])
    tr = m.forward(xs)
    (r, z, n), h = (tr.gates[k] for k in ("r", "z", "n")), tr.h
    h_prev = np.vstack([np.zeros(v["H"]), h[:-1]])
    W_iz, W_hz, b_z = m.block("weight_ih", 1), m.block("weight_hh", 1), m.block("bias_ih", 1) + m.block("bias_hh", 1)
    u = ACTIVATIONS["sigmoid"].f(-(xs @ W_iz.T + h_prev @ W_hz.T + b_z))       # u = sigma(-a^z)
    np.testing.assert_allclose(u, 1 - z, atol=1e-15)                             # a relabelling ...
    np.testing.assert_allclose((1 - u) * h_prev + u * n, h, atol=1e-14)         # ... that changes no number
    W_in, b_in = m.block("weight_ih", 2), m.block("bias_ih", 2)
    W_hn, b_hn = m.block("weight_hh", 2), m.block("bias_hh", 2)
    after = np.tanh(xs @ W_in.T + b_in + r * (h_prev @ W_hn.T + b_hn))          # PyTorch: reset after the matrix
    before = np.tanh(xs @ W_in.T + b_in + (r * h_prev) @ W_hn.T + b_hn)         # CS224n: reset before it
    np.testing.assert_allclose(after, n, atol=1e-14)
    assert np.abs(before - after).max() > 0.05                                   # two different functions
    for key in ("gru_update_gate.math.cs224n", "gru_update_gate.notice"):
        assert_mentions(key, "CS224n", "W_h")


def test_notice_gru_has_three_weight_blocks_lstm_four():
    assert (GRU.GATES, LSTM.GATES) == (3, 4)
    for lang, words in (("en", ("three", "four")), ("zh", ("三组", "四组"))):
        assert all(w in text("gru_update_gate.notice", lang) for w in words)
