"""Page 3 — LSTM forget gate: how does the forget gate keep the gradient alive?"""
import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.lstm import CELL_DERIVATIVE, EQUATIONS, LSTM
from core.scenarios import lstm_forget_gate
from ui import Number, Scrub, Slider, Toggle, charts
from ui.sweep import sweep_button

BF = Scrub("b_f", default=0.0, lo=-4.0, hi=6.0, step=0.25)  # the main control: a slider in the main chart
SPECS = [
    BF,
    Slider("b_i", default=0.0, lo=-4.0, hi=4.0, step=0.25),
    Slider("w_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Slider("H", default=32, lo=2, hi=64),
    Slider("T", default=100, lo=5, hi=300),
    Slider("x_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Number("seed", default=0, lo=0, hi=9999),
    Toggle("no_forget", default=False),
]
_GATES = {"b_i": 0.0, "w_scale": 1.0, "x_scale": 1.0}
PRESETS = {
    "pytorch": {"b_f": 0.0, "no_forget": False, **_GATES},
    "bf1": {"b_f": 1.0, "no_forget": False, **_GATES},
    "long": {"b_f": 3.0, "no_forget": False, **_GATES},
    "lstm1997": {"no_forget": True, **_GATES},
}
CURVES = lstm_forget_gate.CURVES  # the main chart's gradient curves, named as core names them
# the LSTM's three gradients in its colour, three shades; the vanilla RNN in its own; sigma(b_f)^(T-k) a power law
STYLES = {"cell_path": ("lstm", "dark"), "cell_full": ("lstm", "light"), "state_full": "lstm", "vanilla_rnn": "tanh",
          "sigmoid_bf": "power", "c_max": ("lstm", "dark"), "h_max": "lstm", "f": "lstm"}


@ui.cached
def compute(b_f, b_i, w_scale, H, T, x_scale, seed, no_forget, _curves=None):
    """Everything at this b_f; ``_curves``: its gradient curves, the family's member (not part of the key)."""
    return lstm_forget_gate.run(b_f, b_i, w_scale, H, T, x_scale, seed, no_forget_gate=no_forget, curves=_curves)


def family(b_fs, b_i, w_scale, H, T, x_scale, seed, no_forget):
    """The main curves for every b_f in ``b_fs`` (the slider's: what the chart shows while the slider moves)."""
    return lstm_forget_gate.family(b_fs, b_i, w_scale, H, T, x_scale, seed, no_forget_gate=no_forget)


ctx = ui.page_frame("lstm_forget_gate", controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
with panel.preset_row():
    sweep_button(ctx, BF, start=-2.0, stop=5.0)  # lecture extra: the memory grows as f moves towards 1
stage = ui.Stage(ctx)  # [controls | main chart], or folded: [main chart | secondary charts]
with stage.controls:
    v = panel.render()
with stage.tools:
    panel.share()
with stage.main, st.spinner(t("lstm_forget_gate.computing")):      # shown only if it takes more than 0.5 s
    members = ui.family(ctx, BF, v.b_f, family, b_i=v.b_i, w_scale=v.w_scale, H=v.H, T=v.T, x_scale=v.x_scale,
                        seed=v.seed, no_forget=v.no_forget)
    fam = members.result
r = compute(**v, _curves={k: fam["curves"][k][members.at] for k in CURVES})
d, steps = r["distance"], np.arange(1, v.T + 1)
names = {k: t(f"lstm_forget_gate.series.{k}") for k in CURVES}
colors = charts.styles({t(f"lstm_forget_gate.series.{k}"): key for k, key in STYLES.items()})
note = "lstm_forget_gate.note.no_forget" if v.no_forget else "lstm_forget_gate.note"
notes = [t(note, grad=ui.fmt_pow10(cell), full=ui.fmt_pow10(full), cell=ui.fmt_steps(hc, v.T),
           state=ui.fmt_steps(hs, v.T))
         for cell, full, hc, hs in zip(fam["curves"]["cell_path"][:, -1], fam["curves"]["state_full"][:, -1],
                                       fam["horizons"]["cell_path"], fam["horizons"]["state_full"], strict=True)]

grad = charts.series_frame(d, {names[k]: r["curves"][k] for k in CURVES}, x="distance", y="log10")  # CSV
refs = None if v.no_forget else charts.series_frame(
    d, {t("lstm_forget_gate.series.sigmoid_bf"): d * lstm_forget_gate.log10_sigmoid(v.b_f)},
    x="distance", y="log10")
with stage.main:
    ui.show_chart(charts.family_curves(
        d, {names[k]: fam["curves"][k] for k in CURVES}, scrub=ui.scrub_param(ctx, BF),
        refs=None if v.no_forget else {t("lstm_forget_gate.series.sigmoid_bf"): fam["sigmoid_bf"]},
        notes=notes, marker=fam["horizons"]["cell_path"], marker_label=t("lstm_forget_gate.metric.horizon_cell"),
        text=ct, projector=ctx.projector, height=355,
        y_title=t("lstm_forget_gate.axis.grad"), colors=colors), ctx=ctx, scrub=BF, stride=members.stride)
    ui.metric_row(ctx, {
        "mean_f": ui.fmt_num(r["mean_f"]),
        "sigmoid_bf_T": ui.fmt_pow10(r["sigmoid_bf_T"]),
        "horizon_cell": ui.fmt_steps(r["horizons"]["cell_path"], v.T),
        "horizon_state": ui.fmt_steps(r["horizons"]["state_full"], v.T),
    })
    st.caption(t("lstm_forget_gate.caption", rho=ui.fmt_num(r["vanilla_rho"], 3),
                 vanilla=ui.fmt_steps(r["horizons"]["vanilla_rnn"], v.T),
                 cell=ui.fmt_steps(r["horizons"]["cell_full"], v.T))
               + (" " + t("lstm_forget_gate.caption.no_forget") if v.no_forget else ""))

a, b, c = stage.row([1.3, 1, 1.2])
with a:
    ui.show_chart(charts.heatmap(r["f"].T, x_values=steps, x_title=ct.time, y_title=ct.unit, value_title="f_t",
                                 domain=(0.0, 1.0), text=ct, projector=ctx.projector, height=stage.size(300, 170),
                                 title=t("lstm_forget_gate.chart.f")))
with b:
    f_values = pd.DataFrame({"value": r["f"].ravel(), "series": t("lstm_forget_gate.series.f")})
    ui.show_chart(charts.histogram(f_values, domain=(0.0, 1.0), bins=40, text=ct, projector=ctx.projector,
                                   height=stage.size(300, 150), x_title=t("lstm_forget_gate.axis.f"),
                                   title=t("lstm_forget_gate.chart.f_hist"), colors=colors))
with c:
    states = charts.series_frame(steps, {t("lstm_forget_gate.series.c_max"): r["c_abs_max"],
                                         t("lstm_forget_gate.series.h_max"): np.abs(r["h"]).max(axis=1)},
                                 x="t", y="value")
    ui.show_chart(charts.time_series(states, text=ct, projector=ctx.projector, height=300,
                                     y_title=t("lstm_forget_gate.axis.state"),
                                     title=t("lstm_forget_gate.chart.cell"), colors=colors))

ui.explain(ctx, math=[*EQUATIONS, ("lstm_forget_gate.math.cell", CELL_DERIVATIVE[0]), *CELL_DERIVATIVE[1:3],
                      ("lstm_forget_gate.math.path", CELL_DERIVATIVE[3])],
           code=[lstm_forget_gate.run, lstm_forget_gate.build_lstm, LSTM.state_jacobians])
ui.download_csv(ctx, pd.concat([
    pd.concat([grad, refs], ignore_index=True).assign(quantity="log10_norm"),
    states.rename(columns={"t": "time_step"}).assign(quantity="max_abs_state"),
    pd.DataFrame({"time_step": steps, "value": r["f"].mean(axis=1), "quantity": "mean_forget_gate"}),
], ignore_index=True))
