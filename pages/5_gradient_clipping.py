"""Page 5 — gradient clipping: what does clipping do when the gradient explodes, and what can't it do?

Part A walks gradient descent off the cliff of Pascanu et al. (2013); part B trains a small RNN with and
without norm clipping and shows that clipping leaves a vanishing gradient as small as it was. One control
panel feeds both tabs: each control is drawn in the container of its part (``SLOTS``).
"""

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.cliff import CLIFF_LATEX, RULES, cliff_loss, descend, wall_b
from core.clipping import CLIP_NORM_LATEX, CLIP_VALUE_LATEX, clip_by_norm, clip_by_value
from core.scenarios import gradient_clipping as gc
from core.tasks import ADDING_BASELINE_MSE
from ui import Choice, Number, Scrub, Slider, Toggle, charts
from ui.charts.family_paths import family_paths, pack_paths
from ui.charts.replay import Panel, replay_runs
from ui.charts.theme import CLIFF_COLORS
from ui.parts import part_tabs, slotted

SLOTS: dict = {}  # part of the page -> the container its controls are drawn in (filled before render)


SSlider, SChoice, SNumber, SToggle, SScrub = (slotted(c, SLOTS, "cliff")
                                              for c in (Slider, Choice, Number, Toggle, Scrub))
W0 = SScrub("w0", default=6.0, lo=-10.0, hi=15.0, step=0.1)  # part A's main control: a slider in the surface chart
# part B's main control: the training step the two runs are drawn up to (a slider in their chart; the end by default)
TRAIN_AT = SScrub("train_at", default=200, lo=0, hi=200, step=1, slot="train")
SPECS = [
    # part A: the start point, the descent and the two clipping rules
    W0,
    SToggle("below", default=False),
    SSlider("gap", default=-6.0, lo=-9.0, hi=1.0, step=0.5),
    SSlider("lr", default=0.1, lo=0.01, hi=1.0, step=0.01),
    SSlider("steps", default=40, lo=1, hi=100),
    SSlider("max_norm", default=1.0, lo=0.05, hi=5.0, step=0.05),
    SSlider("clip_value", default=1.0, lo=0.05, hi=5.0, step=0.05),
    # part A: the (w, b) window
    SSlider("w_mid", default=6.0, lo=-10.0, hi=15.0, step=0.1, slot="window"),
    SSlider("w_span", default=2.0, lo=0.1, hi=30.0, step=0.1, slot="window"),
    SSlider("b_mid", default=-3.25, lo=-15.0, hi=10.0, step=0.05, slot="window"),
    SSlider("b_span", default=1.5, lo=0.1, hi=30.0, step=0.1, slot="window"),
    # part B: training with and without clipping
    SChoice("cell", default="rnn", options=("rnn", "lstm"), slot="train"),
    SSlider("gain", default=2.0, lo=0.5, hi=4.0, step=0.1, slot="train"),
    SSlider("train_lr", default=0.05, lo=0.005, hi=0.3, step=0.005, fmt="%.3f", slot="train"),
    SSlider("train_steps", default=150, lo=20, hi=200, step=10, slot="train"),
    SSlider("clip", default=1.0, lo=0.1, hi=10.0, step=0.1, slot="train"),
    TRAIN_AT,
    SSlider("T", default=40, lo=10, hi=60, step=5, slot="model"),
    SSlider("H", default=32, lo=8, hi=32, step=4, slot="model"),
    SNumber("seed", default=0, lo=0, hi=9999, slot="model"),
    # part B: the vanishing panel
    SSlider("rho", default=0.6, lo=0.3, hi=1.2, step=0.05, slot="vanish"),
]
ZOOM = {"w_span": 2.0, "b_span": 1.5}  # the default window: 2 x 1.5 around the start, the wall across it
PRESETS = {
    "wall": {"w0": 6.0, "below": False, "gap": -6.0, "lr": 0.1, "w_mid": 6.0, "b_mid": -3.25, **ZOOM},
    "steep": {"w0": 6.0, "below": False, "gap": -8.0, "lr": 0.1, "w_mid": 6.0, "b_mid": -3.25, **ZOOM},
    "negative_w": {"w0": -6.0, "below": True, "gap": -6.0, "lr": 0.1, "w_mid": -6.0, "b_mid": 4.25, **ZOOM},
    "far": {"w0": 6.0, "below": False, "gap": 0.5, "lr": 0.1, "w_mid": 6.0, "b_mid": -2.0, "w_span": 6.0,
            "b_span": 5.0},
    "overview": {"w0": 6.0, "below": False, "gap": -6.0, "w_mid": 2.5, "b_mid": -1.0, "w_span": 25.0,
                 "b_span": 16.0},
    "lstm": {"cell": "lstm", "gain": 2.0, "train_lr": 0.05, "clip": 1.0},
    "gentle": {"cell": "rnn", "gain": 1.0, "train_lr": 0.05, "clip": 1.0},
}
PARTS = ("cliff", "training")  # the two tabs; a preset opens the tab of its part
PRESET_PART = {"lstm": 1, "gentle": 1}
TAB = "_gradient_clipping.part"  # state of the tabs: the open tab's (translated) label
EXPLODING, VANISHING = (-np.inf, 3.0), (-3.0, np.inf)  # shade one zone only (beyond 10^±3) on log10 charts
GRID = 50  # cells per axis of the surface (2500 cells, each a cliff_loss evaluation)


def colour_range(log_E, floor=-6.0):
    """Colours span the window's own log10 E (at most 6 decades): the wall shows at every zoom."""
    lo, hi = max(float(log_E.min()), floor), float(log_E.max())
    return (lo, hi) if hi > lo else (hi - 1.0, hi)


@ui.cached
def surface(w_mid, w_span, b_mid, b_span):
    return gc.surface(w_mid - w_span / 2, w_mid + w_span / 2, b_mid - b_span / 2, b_mid + b_span / 2, n=GRID)


@ui.cached
def cut(w, b_lo, b_hi):
    """E and |dE/db| along b at w: 200 even samples plus 120 log-spaced ones within 1 of the wall (it is
    ~10^-7 wide: even samples miss the spike of the gradient). Rows sorted by b."""
    even = gc.slice_b(w, b_lo, b_hi, n=200)
    near = float(wall_b(w)) + np.concatenate([-np.logspace(0, -12, 60), np.logspace(-12, 0, 60)])
    near = near[(near > b_lo) & (near < b_hi)]
    E, _, dE_db = cliff_loss(np.full_like(near, w), near)
    b = np.concatenate([even["b"], near])
    order = np.argsort(b, kind="stable")
    return {"b": b[order], "log_E": np.concatenate([even["log_E"], np.log10(np.maximum(E, 1e-12))])[order],
            "abs_dE_db": np.concatenate([even["abs_dE_db"], np.abs(dE_db)])[order]}


@ui.cached(max_entries=32)
def descents(gap, below, lr, steps, max_norm, clip_value):
    """The three descents from every start w0 of the slider, in one batched pass (what the chart shows while
    the slider moves; 251 starts x 3 rules x (steps + 1) points, a few MB at most), and the chart's packed rows
    of them (series: the rule ids)."""
    fam = gc.paths_family(W0.values, gap, below, lr, steps, max_norm, clip_value)
    return fam, pack_paths({r: (fam[r]["w"], fam[r]["b"]) for r in RULES})


@ui.cached(max_entries=64)
def training_run(cell, T, H, steps, lr, gain, clip, seed, _label=""):
    """One run (``clip`` None: without clipping, which then stays cached while the threshold moves); on a cache
    miss a progress bar follows it (st.cache_data replays it, ending empty)."""
    bar = st.progress(0.0, text=_label)
    every = max(1, steps // 10)

    def report(done, total):
        if done % every == 0 or done == total:
            bar.progress(done / total, text=_label)

    h = gc.training_run(cell, T, H, steps, lr, gain, clip, seed, callback=report)
    bar.empty()
    return {"loss": np.asarray(h.loss), "grad": np.asarray(h.grad_norm), "diverged": h.diverged_at}


def training(t, cell, T, H, steps, lr, gain, clip, seed):
    """Both runs of part B, as ``core.scenarios.gradient_clipping.training`` trains them (``t``: the page's
    translator, for the progress bars): a threshold above every norm of the run without clipping is that run."""
    def run(k, c):
        return training_run(cell, T, H, steps, lr, gain, c, seed, _label=t(f"gradient_clipping.training_{k}",
                                                                             clip=f"{clip:g}"))
    plain = run("plain", None)
    clipped = plain if gc.clips_nothing(plain["grad"], clip) else run("clipped", clip)
    return {"plain": plain, "clipped": clipped, "baseline": ADDING_BASELINE_MSE}


@ui.cached
def vanishing(rho, H, T, clip, seed):
    return gc.vanishing(rho, H, T, clip, seed)


ctx = ui.page_frame("gradient_clipping", controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
panel.preset_row()
tab_a, tab_b = part_tabs(ctx, PARTS, PRESETS, PRESET_PART, TAB)
with tab_a:
    stage_a = ui.Stage(ctx)  # one stage per tab (ui/layout.py); the fold button once, in the preset row
    with stage_a.controls:
        SLOTS["cliff"] = st.container()
        SLOTS["window"] = st.expander(t("gradient_clipping.window"), icon=":material/zoom_in:")
with tab_b:
    stage_b = ui.Stage(ctx, button=False)
    with stage_b.controls:
        SLOTS["train"] = st.container()
        SLOTS["model"] = st.expander(t("gradient_clipping.model"), icon=":material/tune:")
    [vanish_box] = stage_b.row(1)  # "clipping does not fix vanishing": below, or folded beside the training runs
    with vanish_box:
        if stage_b.folded:  # a narrow column: title, chart and tiles first, then its slider and caption
            st.markdown(f"##### {t('gradient_clipping.vanish.title')}")
            v_right, v_left = st.container(), st.container()
        else:
            st.subheader(t("gradient_clipping.vanish.title"), anchor=False)
            v_left, v_right = st.columns([1, 3], gap="medium")
    SLOTS["vanish"] = v_left.container()
v = panel.render()
for stage in (stage_a, stage_b):
    with stage.tools:
        panel.share()


def colors() -> dict:
    """Series name -> style: every curve here is one model, so the colour tells the clipping rule (the same in
    both tabs: the plain run and the raw gradient are "no clipping", the clipped ones "norm clipping"); reference
    lines (the wall, the baseline, the thresholds) are black or grey with their own dashes."""
    rules = {t(f"gradient_clipping.rule.{r}"): r for r in RULES} | {
        t("gradient_clipping.series.plain"): "none", t("gradient_clipping.series.raw"): "none",
        t("gradient_clipping.series.clipped"): "norm", t("gradient_clipping.series.clipped_grad"): "norm"}
    refs = {t("gradient_clipping.series.wall"): "bound", t("gradient_clipping.series.baseline"): "baseline",
            t("gradient_clipping.series.threshold"): "threshold", t("gradient_clipping.series.cap_norm"): "threshold"}
    return (charts.rule_styles(rules) | charts.styles(refs)
            | {t("gradient_clipping.series.E"): CLIFF_COLORS["loss"],
               t("gradient_clipping.series.dEdb"): CLIFF_COLORS["slope"]})


def cliff_notes(fam) -> list[str]:
    """The numbers above the surface for every start: the largest gradient met and the final losses."""
    grad = np.nanmax([fam[r]["grad_norm"] for r in RULES], axis=(0, 2))
    final = {r: fam[r]["loss"][np.arange(len(fam["w0"])), np.maximum(fam[r]["n"] - 1, 0)] for r in RULES}
    return [t("gradient_clipping.note", grad=ui.fmt_num(g, 3), **{r: ui.fmt_num(final[r][f], 3) for r in RULES})
            for f, g in enumerate(grad)]


def cliff_part():
    """Part A: the surface with the three descents from every start (the slider in it), the cut along b, the step
    lengths, the tiles."""
    names = {r: t(f"gradient_clipping.rule.{r}") for r in RULES}
    with ui.computing(ctx):                              # a spinner if a new family takes longer than 0.5 s
        fam, packed = descents(v.gap, v.below, v.lr, v.steps, v.max_norm, v.clip_value)
    f = W0.index(v.w0)
    runs = gc.member(fam, f)
    b0 = float(fam["b0"][f])
    surf = surface(v.w_mid, v.w_span, v.b_mid, v.b_span)
    steps = pd.concat([pd.DataFrame({"series": names[r], "rule": r, "step": np.arange(len(p["w"])), "x": p["w"],
                                     "y": p["b"], "loss": p["loss"], "grad_norm": p["grad_norm"],
                                     "step_norm": p["step_norm"], "cos": p["cos"]}) for r, p in runs.items()],
                      ignore_index=True)
    wall = pd.DataFrame({"x": surf["wall_w"], "y": surf["wall_b"], "series": t("gradient_clipping.series.wall")})
    with stage_a.main:
        ui.show_chart(family_paths(
            surf["log_E"], x_values=surf["w"], y_values=surf["b"],
            paths=packed.assign(series=packed["series"].cat.rename_categories(names)), scrub=ui.scrub_param(ctx, W0),
            hover=steps, hover_member=f, notes=cliff_notes(fam), lines=wall,
            path_tips={"loss": t("gradient_clipping.tip.loss"), "grad_norm": t("gradient_clipping.tip.grad"),
                       "step_norm": t("gradient_clipping.tip.step")},
            x_title="w", y_title="b", value_title="log₁₀ E", step_title=t("gradient_clipping.tip.k"),
            outside=t("gradient_clipping.outside"), domain=colour_range(surf["log_E"]), text=ct,
            projector=ctx.projector, height=520, title=t("gradient_clipping.chart.surface"), colors=colors()),
            ctx=ctx, scrub=W0)
        st.caption(t("gradient_clipping.start", w0=f"{v.w0:g}", b0=ui.fmt_num(b0, 4), gap=f"10^{v.gap:g}",
                     side=t("gradient_clipping.side." + ("below" if v.below else "above"))))
        ui.metric_row(ctx, {"grad_max": ui.fmt_num(max(float(p["grad_norm"].max()) for p in runs.values()), 3)}
                      | {f"final_{r}": ui.fmt_num(float(p["loss"][-1]), 3) for r, p in runs.items()})
    a1, a2, a3 = stage_a.row([1.2, 1.2, 0.6])
    with a1:
        sl = cut(v.w0, float(surf["b"][0]), float(surf["b"][-1]))
        with np.errstate(divide="ignore"):
            log_db = np.log10(sl["abs_dE_db"])
        cut_df = charts.series_frame(sl["b"], {t("gradient_clipping.series.E"): sl["log_E"],
                                               t("gradient_clipping.series.dEdb"): log_db}, x="b", y="log10")
        ui.show_chart(charts.gradient_curves(cut_df, x="b", zones=EXPLODING, text=ct, projector=ctx.projector,
                                             height=stage_a.size(340, 200), x_title="b",
                                             y_title=t("gradient_clipping.axis.slice"),
                                             title=t("gradient_clipping.chart.slice"), colors=colors()))
    with a2:
        moved = steps[steps["step"] < steps.groupby("rule")["step"].transform("max")]   # the last point takes no step
        with np.errstate(divide="ignore"):
            lengths = moved.assign(log10=np.log10(moved["step_norm"]))
        caps = charts.series_frame([0, max(v.steps - 1, 1)], {
            t("gradient_clipping.series.cap_norm"): [np.log10(v.lr * v.max_norm)] * 2}, x="step", y="log10")
        ui.show_chart(charts.gradient_curves(lengths, x="step", refs=caps, zones=EXPLODING, text=ct,
                                             projector=ctx.projector, height=stage_a.size(340, 200),
                                             x_title=t("gradient_clipping.tip.k"),
                                             y_title=t("gradient_clipping.axis.step"),
                                             title=t("gradient_clipping.chart.steps"), colors=colors()))
    with a3:
        ui.metric_row(ctx, {"cos_value": ui.fmt_num(float(runs["value"]["cos"].min()), 3)})
        ui.metric_row(ctx, {"cos_norm": ui.fmt_num(float(runs["norm"]["cos"].min()), 3)})
    ui.download_csv(ctx, pd.concat([
        steps.drop(columns="series").rename(columns={"x": "w", "y": "b", "step": "k"}).assign(part="path"),
        pd.DataFrame({"part": "slice", "w": v.w0, "b": sl["b"], "loss": 10.0 ** sl["log_E"],
                      "abs_dE_db": sl["abs_dE_db"]})], ignore_index=True), name="cliff", stage=stage_a)


def replay_notes(tr, q) -> list[str]:
    """Quantity ``q``'s numbers in the replay for every step of the slider: each run's value there (or where it
    stopped)."""
    def at(run, k):
        if k < len(run[q]):
            return ui.fmt_num(float(run[q][k]), 3)
        if run["diverged"] is not None:
            return t("gradient_clipping.diverged", step=run["diverged"])
        return ui.fmt_num(float(run[q][-1]), 3) if len(run[q]) else "—"
    return [t("gradient_clipping.replay_note", step=k, plain=at(tr["plain"], k), clipped=at(tr["clipped"], k))
            for k in TRAIN_AT.values.tolist()]


def training_part():
    """Part B: loss and gradient norm of the two runs, the tiles, and the vanishing panel."""
    with stage_b.main:
        tr = training(t, v.cell, v.T, v.H, v.train_steps, v.train_lr, v.gain, v.clip, v.seed)
        runs = {t(f"gradient_clipping.series.{k}"): tr[k] for k in ("plain", "clipped")}
        refs = {"loss": {t("gradient_clipping.series.baseline"): tr["baseline"]},
                "grad": {t("gradient_clipping.series.threshold"): v.clip}}
        replay = replace(ui.scrub_param(ctx, TRAIN_AT), hi=max(v.train_steps - 1, 1))   # the slider ends with the runs
        ui.show_chart(replay_runs(
            [Panel(t(f"gradient_clipping.chart.{q}"), t(f"gradient_clipping.axis.{q}"),
                   {name: run[q] for name, run in runs.items()}, refs[q], replay_notes(tr, q))
             for q in ("loss", "grad")],
            scrub=replay, x_title=t("gradient_clipping.axis.train_step"), text=ct, projector=ctx.projector,
            height=520, colors=colors()), ctx=ctx, scrub=TRAIN_AT)
        if tr["clipped"] is tr["plain"] and len(tr["plain"]["grad"]):   # the threshold is above every norm
            st.caption(t("gradient_clipping.same_run", clip=f"{v.clip:g}",
                         peak=ui.fmt_num(float(tr["plain"]["grad"].max()), 3)))

        def final(run):
            if run["diverged"] is not None or not len(run["loss"]):
                return t("gradient_clipping.diverged", step=run["diverged"] or 0)
            return ui.fmt_num(float(np.mean(run["loss"][-10:])), 3)

        g_plain, g_clip = tr["plain"]["grad"], tr["clipped"]["grad"]
        ui.metric_row(ctx, {
            "loss_plain": final(tr["plain"]),
            "loss_clipped": final(tr["clipped"]),
            "grad_plain": ui.fmt_num(float(g_plain.max()) if len(g_plain) else 0.0, 3),
            "clipped_share": f"{100 * float(np.mean(g_clip > v.clip)):.0f} %" if len(g_clip) else "—",
        })
    van = vanishing(v.rho, v.H, v.T, v.clip, v.seed)
    with v_left:
        st.caption(t("gradient_clipping.vanish.caption", T=v.T, H=v.H, clip=f"{v.clip:g}"))
    with v_right:
        curves = charts.series_frame(van["distance"], {t("gradient_clipping.series.raw"): van["raw"],
                                                       t("gradient_clipping.series.clipped_grad"): van["clipped"]},
                                     x="distance", y="log10")
        ui.show_chart(charts.gradient_curves(curves, zones=VANISHING, text=ct, projector=ctx.projector,
                                             height=stage_b.size(320, 260),
                                             y_title=t("gradient_clipping.axis.vanish"),
                                             title=t("gradient_clipping.chart.vanish"), colors=colors(),
                                             plot_width=640))
        ui.metric_row(ctx, {"share_raw": ui.fmt_num(van["share_first_raw"], 3),
                            "share_clipped": ui.fmt_num(van["share_first_clipped"], 3),
                            "factor": ui.fmt_num(van["factor"], 3)})
    ui.download_csv(ctx, pd.concat([
        *(pd.DataFrame({"part": "training", "run": k, "step": np.arange(len(tr[k]["loss"])),
                        "loss": tr[k]["loss"], "grad_norm": tr[k]["grad"]}) for k in ("plain", "clipped")),
        pd.DataFrame({"part": "vanishing", "distance": van["distance"], "log10_grad_raw": van["raw"],
                      "log10_grad_clipped": van["clipped"]})], ignore_index=True), name="training", stage=stage_b)


if tab_a.open is not False:
    with tab_a:
        cliff_part()
if tab_b.open is not False:
    with tab_b:
        training_part()
ui.explain(ctx, math=[CLIFF_LATEX, ("gradient_clipping.math.norm", CLIP_NORM_LATEX),
                      ("gradient_clipping.math.value", CLIP_VALUE_LATEX),
                      ("gradient_clipping.math.vanish",
                       r"\frac{\lVert c\,\partial L/\partial h_{T-k}\rVert}{\lVert c\,\partial L/\partial h_T\rVert}"
                       r" = \frac{\lVert \partial L/\partial h_{T-k}\rVert}{\lVert \partial L/\partial h_T\rVert},"
                       r"\qquad c = \min\!\Big(1,\ \frac{\text{max\_norm}}{\lVert g \rVert}\Big)")],
           code=[descend, cliff_loss, clip_by_norm, clip_by_value, gc.training, gc.vanishing])
