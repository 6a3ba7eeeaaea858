"""Page 2 — ReLU vs tanh: would ReLU fix it?"""
import numpy as np
import pandas as pd

import core.activations
import ui
from core.rnn import EQUATIONS
from core.scenarios import relu_vs_tanh
from ui import Choice, Number, Scrub, Slider, charts

RHO = Scrub("rho", default=1.1, lo=0.1, hi=4.5, step=0.05)  # the main control: a slider in the main chart
SPECS = [
    RHO,
    Slider("H", default=32, lo=2, hi=64),
    Slider("T", default=100, lo=5, hi=300),
    Slider("x_scale", default=1.0, lo=0.0, hi=3.0, step=0.05),
    Choice("init", default="orthogonal", options=("orthogonal", "gaussian"), kind="radio"),
    Number("seed", default=0, lo=0, hi=9999),
]
PRESETS = {
    "above_one": {"rho": 1.1, "x_scale": 1.0},
    "irnn": {"rho": 1.0, "x_scale": 1.0},
    "relu_explodes": {"rho": 2.0, "init": "gaussian"},
    "sigmoid_bound": {"rho": 4.0, "x_scale": 1.0},
}


@ui.cached
def compute(rho, H, T, x_scale, init, seed, _log_norms=None):
    """Everything at this ρ; ``_log_norms``: its gradient curves, the family's member (not part of the key)."""
    return relu_vs_tanh.run(rho, H, T, x_scale, init, seed, log_norms=_log_norms)


def family(rhos, H, T, x_scale, init, seed):
    """The gradient curves of every contender for every ρ in ``rhos`` (the slider's)."""
    return relu_vs_tanh.family(rhos, H, T, x_scale, init, seed)


def model_colors(t) -> dict:
    """Each contender's series name -> its model's style (``ui.charts.theme``)."""
    return charts.styles({t(f"relu_vs_tanh.series.{k}"): k for k in relu_vs_tanh.CONTENDERS})


@ui.static_chart
def function_panel(lang: str, projector: bool, _ctx: ui.PageContext):
    """The activation functions and their derivatives: the same for every control value."""
    t = _ctx.t
    a, functions = relu_vs_tanh.activation_grid()
    fn = pd.concat([pd.DataFrame({"a": a, "value": vals, "curve": t(f"relu_vs_tanh.fn.{j}"),
                                  "series": t(f"relu_vs_tanh.series.{k}")})
                    for k, pair in functions.items() for j, vals in zip(("f", "df"), pair, strict=True)],
                   ignore_index=True)
    return charts.function_grid(fn, text=_ctx.chart_text, projector=projector, title=t("relu_vs_tanh.chart.fn"),
                                columns=4, width=200 if projector else 215, height=150, colors=model_colors(t))


@ui.chart_cache
def main_chart(H, T, x_scale, init, seed, lang, projector, members, _fam, _ctx):
    """The main chart with every contender for every ρ of ``_fam`` (``members``: its tag; kept: a released slider
    does not rebuild it)."""
    t, fam = _ctx.t, _fam
    notes = [t("relu_vs_tanh.note", tanh=ui.fmt_pow10(a), relu=ui.fmt_pow10(b), irnn=ui.fmt_pow10(c))
             for a, b, c in zip(*(fam[k]["grad_T"] for k in ("tanh", "relu", "irnn")), strict=True)]
    series = {t(f"relu_vs_tanh.series.{k}"): fam[k]["log_norm"] for k in relu_vs_tanh.CONTENDERS}
    return charts.family_curves(fam["distance"], series, scrub=ui.scrub_param(_ctx, RHO), notes=notes,
                                text=_ctx.chart_text, projector=projector, height=390, colors=model_colors(t))


ctx = ui.page_frame("relu_vs_tanh", controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
panel.preset_row()
stage = ui.Stage(ctx)  # [controls | main chart], or folded: [main chart | secondary charts]
with stage.controls:
    v = panel.render()
with stage.tools:
    panel.share()
with ui.computing(ctx):
    fam = ui.family(ctx, RHO, v.rho, family, H=v.H, T=v.T, x_scale=v.x_scale, init=v.init, seed=v.seed)
    chart = main_chart(v.H, v.T, v.x_scale, v.init, v.seed, ctx.lang, ctx.projector, fam.tag, _fam=fam.result,
                       _ctx=ctx)
r = compute(**v, _log_norms={k: fam.result[k]["log_norm"][fam.at] for k in relu_vs_tanh.CONTENDERS})
names = {k: t(f"relu_vs_tanh.series.{k}") for k in relu_vs_tanh.CONTENDERS}
curves = r["curves"]

grad = charts.series_frame(r["distance"], {names[k]: c["log_norm"] for k, c in curves.items()},
                           x="distance", y="log10")
with stage.main:
    ui.show_chart(chart, ctx=ctx, scrub=RHO, stride=fam.stride)
    ui.metric_row(ctx, {
        f"grad_{k}": ui.fmt_pow10(curves[k]["log_norm"][-1]) for k in ("tanh", "relu", "irnn")
    } | {"h_irnn": ui.fmt_pow10(float(np.max(curves["irnn"]["log_h"])))})

a, b = stage.row([1.3, 1])
with a:
    hn = charts.series_frame(r["t"], {names[k]: c["log_h"] for k, c in curves.items()}, x="distance", y="log10")
    ui.show_chart(charts.gradient_curves(hn, zones=None, text=ct, projector=ctx.projector,
                                         height=stage.size(290, 200), x_title=ct.time,
                                         y_title=t("relu_vs_tanh.axis.h"), title=t("relu_vs_tanh.chart.h"),
                                         colors=model_colors(t), plot_width=480))
with b:
    fp = pd.concat([pd.DataFrame({"value": curves[k]["fprime"], "series": names[k]})
                    for k in ("tanh", "sigmoid", "relu")], ignore_index=True)
    ui.show_chart(charts.histogram(fp, domain=(0.0, 1.0), facet=False, text=ct, projector=ctx.projector,
                                   height=stage.size(290, 170), title=t("relu_vs_tanh.chart.fprime"),
                                   colors=model_colors(t)))
ui.show_chart(function_panel(ctx.lang, ctx.projector, ctx))  # four panels side by side: a row of its own

ui.explain(ctx, math=[*EQUATIONS[:3], ("relu_vs_tanh.math.relu", r"\frac{\partial h_T}{\partial h_k} = "
                                       r"\prod_{t=k+1}^{T}\operatorname{diag}\big(\mathbb{1}[a_t>0]\big)\,W_{hh}")],
           code=[relu_vs_tanh.run, core.activations])
ui.download_csv(ctx, pd.concat([grad.assign(quantity="log10_grad", rho=v.rho),
                                hn.assign(quantity="log10_h_norm")],
                               ignore_index=True))
