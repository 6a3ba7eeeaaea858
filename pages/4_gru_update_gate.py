"""Page 4 — GRU update gate: how does the update gate decide what to keep?"""
import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.gru import EQUATIONS, EQUATIONS_CS224N, GRU, JACOBIAN
from core.lstm import LSTM
from core.scenarios import gru_update_gate
from core.scenarios.common import INPUT_SIZE
from ui import Choice, Number, Scrub, Slider, charts
from ui.i18n import Translator

PAGE = "gru_update_gate"
CONV = Choice("conv", default="pytorch", options=("pytorch", "cs224n"), kind="radio")


def convention() -> str:
    """The convention of this run, known before the widgets are drawn (their labels depend on it)."""
    raw = st.session_state.get(CONV.key, st.query_params.get(CONV.key, CONV.default))
    return CONV.parse(str(raw)) or CONV.default


# The main control, a slider in the main chart. Its value (URL, presets, the network) is always PyTorch's b_z;
# in the CS224n convention the slider shows b_u = -b_z over the same grid (the convention changes no number).
BZ = Scrub("b_z", default=0.0, lo=-4.0, hi=4.0, step=0.25, mirror=lambda: convention() == "cs224n")
SPECS = [
    CONV,
    BZ,
    Slider("b_r", default=0.0, lo=-4.0, hi=4.0, step=0.25),
    Slider("leak", default=0.0, lo=0.0, hi=0.99, step=0.01),
    Slider("w_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Slider("H", default=32, lo=2, hi=64),
    Slider("T", default=100, lo=5, hi=300),
    Slider("x_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Number("seed", default=0, lo=0, hi=9999),
]
PRESETS = {
    "keep": {"b_z": 3.0, "b_r": 0.0, "leak": 0.0},
    "replace": {"b_z": -3.0, "b_r": 0.0, "leak": 0.0},
    "reset_closed": {"b_z": 0.0, "b_r": -4.0, "leak": 0.0},
    "leaky": {"b_r": 0.0, "leak": 0.9},
}
CURVES = gru_update_gate.CURVES  # the main chart's gradient curves, named as core names them
# each model in its colour; the GRU's direct path and its gate statistics in darker shades of the GRU's
STYLES = {"gru_full": "gru", "gru_direct": ("gru", "dark"), "vanilla_rnn": "tanh", "lstm": "lstm", "r_mean": "gru",
          "shift": ("gru", "dark")}
FOLLOW = ("b_z", "b_z.help", "leak", "leak.help")  # control texts that follow the convention


class ConventionText(Translator):
    """The page's translator: in the CS224n convention the texts in FOLLOW come from ``<page>.cs224n.*``."""

    def __init__(self, lang: str, conv: str):
        super().__init__(lang)
        self.remap = {f"{PAGE}.{k}": f"{PAGE}.cs224n.{k}" for k in FOLLOW} if conv == "cs224n" else {}

    def __call__(self, key: str, /, **fmt) -> str:
        return super().__call__(self.remap.get(key, key), **fmt)

    def has(self, key: str) -> bool:
        return super().has(self.remap.get(key, key))

    def get(self, key: str, default: str | None = None, /, **fmt) -> str | None:
        return super().get(self.remap.get(key, key), default, **fmt)


def n_params(cell, hidden: int) -> int:
    """weight_ih, weight_hh, bias_ih, bias_hh of one layer: G blocks of H (I + H + 2)."""
    return cell.GATES * hidden * (INPUT_SIZE + hidden + 2)


@ui.cached
def compute(b_z, b_r, w_scale, H, T, x_scale, seed, leak, _curves=None):
    """Everything at this b_z; ``_curves``: its gradient curves, the family's member (not part of the key)."""
    return gru_update_gate.run(b_z, b_r, w_scale, H, T, x_scale, seed, leaky=leak if leak > 0 else None,
                               curves=_curves)


def family(b_zs, b_r, w_scale, H, T, x_scale, seed, leak):
    """The main curves for every b_z in ``b_zs`` (the slider's: what the chart shows while the slider moves)."""
    return gru_update_gate.family(b_zs, b_r, w_scale, H, T, x_scale, seed, leaky=leak if leak > 0 else None)


ctx = ui.page_frame(PAGE, controls=SPECS, presets=PRESETS)
ctx.t = ConventionText(ctx.lang, convention())
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
panel.preset_row()
stage = ui.Stage(ctx)  # [controls | main chart], or folded: [main chart | secondary charts]
with stage.controls:
    v = panel.render()
with stage.tools:
    panel.share()
conv = v.conv


def tc(key: str, **fmt) -> str:
    """Text of the shown convention: ``<page>.<conv>.<key>``."""
    return t(f"{PAGE}.{conv}.{key}", **fmt)


with stage.main, st.spinner(t(f"{PAGE}.computing")):              # shown only if it takes more than 0.5 s
    members = ui.family(ctx, BZ, v.b_z, family, b_r=v.b_r, w_scale=v.w_scale, H=v.H, T=v.T, x_scale=v.x_scale,
                        seed=v.seed, leak=v.leak)
    fam = members.result
r = compute(v.b_z, v.b_r, v.w_scale, v.H, v.T, v.x_scale, v.seed, v.leak,
            _curves={k: fam["curves"][k][members.at] for k in CURVES})
d, steps = r["distance"], np.arange(1, v.T + 1)
names = {k: tc("series.direct") if k == "gru_direct" else t(f"{PAGE}.series.{k}") for k in STYLES}
colors = charts.styles({names[k]: key for k, key in STYLES.items()})
gate = r["z"] if conv == "pytorch" else 1.0 - r["z"]
horizon = {k: [ui.fmt_steps(h, v.T) for h in fam["horizons"][k]] for k in ("gru_full", "gru_direct", "lstm")}
note = f"{PAGE}.{conv}.note.leaky" if v.leak > 0 else f"{PAGE}.note"      # leaky: b_z has no effect
notes = [t(note, grad=ui.fmt_pow10(g), gru=a, direct=b, lstm=c)
         for g, a, b, c in zip(fam["curves"]["gru_full"][:, -1], horizon["gru_full"], horizon["gru_direct"],
                               horizon["lstm"], strict=True)]

grad = charts.series_frame(d, {names[k]: r["curves"][k] for k in CURVES}, x="distance", y="log10")  # CSV
with stage.main:
    ui.show_chart(charts.family_curves(
        d, {names[k]: BZ.shown_order(fam["curves"][k]) for k in CURVES}, scrub=ui.scrub_param(ctx, BZ),
        notes=BZ.shown_order(notes), marker=BZ.shown_order(fam["horizons"]["gru_full"]),
        marker_label=t(f"{PAGE}.metric.horizon_gru"), text=ct, projector=ctx.projector,
        height=355, colors=colors),
        ctx=ctx, scrub=BZ, stride=members.stride)
    ui.metric_row(ctx, {
        f"mean_{'z' if conv == 'pytorch' else 'u'}": ui.fmt_num(float(gate.mean())),
        "horizon_gru": ui.fmt_steps(r["horizons"]["gru_full"], v.T),
        "horizon_direct": ui.fmt_steps(r["horizons"]["gru_direct"], v.T),
        "horizon_lstm": ui.fmt_steps(r["horizons"]["lstm"], v.T),
    })
    caption = t(f"{PAGE}.caption", rho=ui.fmt_num(r["vanilla_rho"], 3),
                vanilla=ui.fmt_steps(r["horizons"]["vanilla_rnn"], v.T), b=ui.fmt_num(r["lstm_forget_bias"], 3),
                gru=f"{n_params(GRU, v.H):,}", lstm=f"{n_params(LSTM, v.H):,}")
    st.caption(caption + (" " + tc("caption.leaky", z=ui.fmt_num(v.leak), u=ui.fmt_num(1 - v.leak))
                          if v.leak > 0 else ""))

a, b, c = stage.row([1.1, 1.1, 1])
with a:
    ui.show_chart(charts.heatmap(gate.T, x_values=steps, x_title=ct.time, y_title=ct.unit,
                                 value_title="z_t" if conv == "pytorch" else "u_t", domain=(0.0, 1.0), text=ct,
                                 projector=ctx.projector, height=stage.size(300, 170), title=tc("chart.gate")))
with b:
    ui.show_chart(charts.heatmap((r["n"] - r["n_no_reset"]).T, x_values=steps, x_title=ct.time, y_title=ct.unit,
                                 value_title="Δn_t", diverging=True, text=ct, projector=ctx.projector,
                                 height=stage.size(300, 170),
                                 title=t(f"{PAGE}.chart.reset")))
    st.caption(t(f"{PAGE}.chart.reset.caption"))
with c:
    reset = charts.series_frame(steps, {names["r_mean"]: r["r"].mean(axis=1), names["shift"]: r["reset_shift"]},
                                x="t", y="value")
    top = max(1.0, float(r["reset_shift"].max()))              # |Δn| can exceed 1 (tanh spans 2)
    ui.show_chart(charts.time_series(reset, y_domain=(0.0, top), text=ct, projector=ctx.projector, height=300,
                                     y_title=t(f"{PAGE}.axis.mean"), title=t(f"{PAGE}.chart.reset_t"),
                                     colors=colors))

math = ([*EQUATIONS] if conv == "pytorch" else
        [*EQUATIONS_CS224N, (f"{PAGE}.math.cs224n", r"u_t = 1 - z_t = \sigma(-a^z_t)\;\Rightarrow\; "
                                                    r"W_u = -W_{hz},\; U_u = -W_{iz},\; b_u = -(b_{iz} + b_{hz})")])
ui.explain(ctx, math=[*math, (f"{PAGE}.math.jacobian", JACOBIAN[0]), (f"{PAGE}.math.direct", JACOBIAN[1])],
           code=[gru_update_gate.run, gru_update_gate.build_gru, GRU.state_jacobians])
ui.download_csv(ctx, pd.concat([
    grad.assign(quantity="log10_norm"),
    reset.rename(columns={"t": "time_step"}).assign(quantity="reset_gate"),
    pd.DataFrame({"time_step": steps, "value": gate.mean(axis=1),
                  "quantity": "mean_z" if conv == "pytorch" else "mean_u"}),
], ignore_index=True))
