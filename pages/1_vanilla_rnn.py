"""Page 1 — vanilla RNN: why does the gradient from far away vanish or explode?"""
import numpy as np
import pandas as pd
import streamlit as st

import ui
from core import chain_log10_norms
from core.rnn import EQUATIONS, RNN
from core.scenarios import vanilla_rnn
from ui import Choice, Number, Scrub, Slider, charts
from ui.sweep import sweep_button

RHO = Scrub("rho", default=0.9, lo=0.1, hi=2.0, step=0.05)  # the main control: a slider in the main chart
SPECS = [
    Choice("act", default="tanh", options=("tanh", "sigmoid", "linear")),
    RHO,
    Slider("H", default=32, lo=2, hi=128),
    Slider("T", default=100, lo=5, hi=300),
    Slider("x_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Choice("init", default="orthogonal", options=("orthogonal", "gaussian"), kind="radio"),
    Slider("window", default=20, lo=1, hi=300),
    Number("seed", default=0, lo=0, hi=9999),
]
PRESETS = {
    "vanishing": {"act": "tanh", "rho": 0.6, "x_scale": 1.0},
    "edge": {"act": "tanh", "rho": 1.0, "x_scale": 0.1},
    "exploding": {"act": "tanh", "rho": 1.5, "x_scale": 0.05},
    "saturated": {"act": "tanh", "rho": 1.0, "x_scale": 3.0},
}


@ui.cached
def compute(act, rho, H, T, x_scale, init, window, seed, _log_norm=None):
    """Everything at this ρ; ``_log_norm``: its gradient curve, the family's member (not part of the key)."""
    return vanilla_rnn.run(act, rho, H, T, x_scale, init, window, seed, log_norm=_log_norm)


def family(rhos, act, H, T, x_scale, init, seed):
    """The main curves for every ρ in ``rhos`` (the slider's: what the chart shows while the slider moves)."""
    return vanilla_rnn.family(act, rhos, H, T, x_scale, init, seed)


@ui.chart_cache
def main_chart(act, H, T, x_scale, init, seed, window, lang, projector, members, _fam, _ctx):
    """The main chart with the family ``_fam`` (``members``: its tag; kept: a released slider does not rebuild it)."""
    t, fam = _ctx.t, _fam
    notes = [t("vanilla_rnn.note", grad=ui.fmt_pow10(g), horizon=ui.fmt_steps(None if np.isnan(h) else int(h), T))
             for g, h in zip(fam["grad_T"], fam["horizon"], strict=True)]
    colors = charts.styles({t("vanilla_rnn.series.grad"): act, t("vanilla_rnn.series.rho"): "power",
                            t("vanilla_rnn.series.bound"): "bound"})
    return charts.family_curves(
        fam["distance"], {t("vanilla_rnn.series.grad"): fam["log_norm"]}, scrub=ui.scrub_param(_ctx, RHO),
        refs={t("vanilla_rnn.series.rho"): fam["log_rho"], t("vanilla_rnn.series.bound"): fam["log_bound"]},
        notes=notes, marker=fam["horizon"], marker_label=t("vanilla_rnn.metric.horizon"), window=window,
        text=_ctx.chart_text, projector=projector, height=330, colors=colors)


ctx = ui.page_frame("vanilla_rnn", controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
with panel.preset_row():
    sweep_button(ctx, RHO, start=0.5, stop=1.5)  # lecture extra: the curve swings through the edge of chaos
stage = ui.Stage(ctx)  # [controls | main chart], or folded: [main chart | eigenvalues, saturation]
with stage.controls:
    v = panel.render()
with stage.tools:
    panel.share()
with ui.computing(ctx):
    fam = ui.family(ctx, RHO, v.rho, family, act=v.act, H=v.H, T=v.T, x_scale=v.x_scale, init=v.init, seed=v.seed)
    chart = main_chart(v.act, v.H, v.T, v.x_scale, v.init, v.seed, min(v.window, v.T), ctx.lang, ctx.projector,
                       fam.tag, _fam=fam.result, _ctx=ctx)
r = compute(**v, _log_norm=fam.result["log_norm"][fam.at])
d = r["distance"]
with stage.main:
    ui.show_chart(chart, ctx=ctx, scrub=RHO, stride=fam.stride)
    ui.metric_row(ctx, {
        "rho": ui.fmt_num(r["rho"]),
        "sigma": ui.fmt_num(r["sigma_max"]),
        "grad_T": ui.fmt_pow10(r["log_norm"][-1]),
        "horizon": ui.fmt_steps(r["horizon"], v.T),
    })
    st.caption(t("vanilla_rnn.truncated", window=min(v.window, v.T), share=f"{100 * r['truncated_share']:.1f}"))

a, b, c = stage.row(3)
with a:
    ui.show_chart(charts.eigen_plane(r["eig"], second_radius=1 / r["gamma"], text=ct, projector=ctx.projector,
                                     size=stage.size(300, 220), title=t("vanilla_rnn.chart.eig"),
                                     color=charts.model_color(v.act)))
with b:
    ui.show_chart(charts.heatmap(r["fprime"].T, x_values=np.arange(1, v.T + 1), x_title=ct.time,
                                 y_title=ct.unit, value_title="f′(a)", domain=(0.0, r["gamma"]),
                                 text=ct, projector=ctx.projector, height=stage.size(300, 170),
                                 title=t("vanilla_rnn.chart.fprime")))
with c:
    with np.errstate(divide="ignore"):
        contrib = np.log10(r["contrib"])
    steps = pd.DataFrame({"distance": np.arange(1, v.T + 1), "log10": contrib,
                          "series": t("vanilla_rnn.series.contrib")})
    ui.show_chart(charts.gradient_curves(steps, zones=None, window=min(v.window, v.T), text=ct,
                                         projector=ctx.projector, height=300, y_title=t("vanilla_rnn.axis.contrib"),
                                         title=t("vanilla_rnn.chart.contrib"),
                                         colors=charts.styles({t("vanilla_rnn.series.contrib"): v.act})))

ui.explain(ctx, math=[*EQUATIONS], code=[vanilla_rnn.run, RNN.state_jacobians, chain_log10_norms])
ui.download_csv(ctx, pd.DataFrame({"rho": v.rho, "distance": d, "log10_grad": r["log_norm"],
                                   "log10_rho_power": r["log_rho"], "log10_bound": r["log_bound"],
                                   "log10_contribution": np.concatenate([[np.nan], contrib])}))
