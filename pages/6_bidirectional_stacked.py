"""Page 6 — bidirectional and stacked RNNs: which words can a position see, and does the gradient survive depth?

Part A (tab 1) shows the influence ||dh_t/dx_k|| of every word on every position for a forward, a backward and
a bidirectional RNN over a sentence the user types; part B (tab 2) the gradient over layer x time in a stack of
RNN layers and the gradient reaching the first layer with and without residual connections. One control panel
feeds both tabs: each control is drawn in the container of its part (``SLOTS``); a preset opens its tab.
"""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.chains import influence_norms
from core.scenarios import bidirectional, depth
from core.stacked import EQUATIONS as STACKED_EQUATIONS
from ui import Choice, Number, Slider, Toggle, charts
from ui.charts.influence import influence_map, word_bars
from ui.parts import part_tabs, slotted
from ui.text_control import Text

PAGE = "bidirectional_stacked"
SLOTS: dict = {}  # part of the page -> the container its controls are drawn in (filled before render)


SText, SSlider, SChoice, SNumber, SToggle = (slotted(c, SLOTS, "bi") for c in (Text, Slider, Choice, Number, Toggle))
CELLS = ("rnn", "lstm", "gru")
SPECS = [
    # part A: the sentence and the bidirectional layer
    SText("text", default=bidirectional.DEFAULT_SENTENCE, max_chars=200),
    SNumber("focus", default=0, lo=0, hi=bidirectional.MAX_WORDS),
    SChoice("cell", default="rnn", options=CELLS),
    SSlider("H", default=16, lo=2, hi=64),
    SNumber("seed", default=0, lo=0, hi=9999),
    # part B: the stack
    SSlider("layers", default=3, lo=1, hi=depth.MAX_LAYERS, slot="stack"),
    SChoice("stack_cell", default="rnn", options=CELLS, slot="stack"),
    SSlider("stack_H", default=16, lo=2, hi=64, slot="stack"),
    SSlider("T", default=30, lo=2, hi=100, slot="stack"),
    SToggle("residual", default=False, slot="stack"),
    SNumber("stack_seed", default=0, lo=0, hi=9999, slot="stack"),
]
LONG = "the movie that my friends kept recommending for weeks was , to my great surprise , terribly exciting !"
PRESETS = {
    "long": {"text": LONG, "focus": 0, "cell": "rnn"},
    "long_lstm": {"text": LONG, "focus": 0, "cell": "lstm"},
    "deep": {"layers": 8, "stack_cell": "rnn", "residual": False},
    "deep_residual": {"layers": 8, "stack_cell": "rnn", "residual": True},
    "deep_lstm": {"layers": 8, "stack_cell": "lstm", "residual": False},
}
PARTS = ("bi", "stack")  # the two tabs; a preset opens the tab of its part
PRESET_PART = {"deep": 1, "deep_residual": 1, "deep_lstm": 1}
TAB = "_bidirectional_stacked.part"  # state of the tabs: the open tab's (translated) label
DIRECTIONS = ("forward", "backward", "bidirectional")


@ui.cached
def influence(text, cell, H, seed, focus):
    return bidirectional.run(text, cell, H, seed, None if focus == 0 else focus - 1)


@ui.cached
def stack(layers, cell, H, T, residual, seed):
    return depth.run(layers, cell, H, T, residual, seed)


def ratio_pow10(a: float, b: float) -> str:
    """a / b in scientific notation ("—" if b is 0)."""
    if not b > 0:
        return "—"
    with np.errstate(divide="ignore"):
        return pow10(float(np.log10(a) - np.log10(b)))


def pow10(log10: float) -> str:
    """10**log10 in scientific notation ("—" for NaN, e.g. a ratio of two exact zeros)."""
    return "—" if np.isnan(log10) else ui.fmt_pow10(log10)


ctx = ui.page_frame(PAGE, controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
panel.preset_row()
tab_a, tab_b = part_tabs(ctx, PARTS, PRESETS, PRESET_PART, TAB)
with tab_a:
    a_left, a_right = st.columns([1, 3], gap="medium")
    with a_left:
        SLOTS["bi"] = st.container()
        share_a = st.container()
with tab_b:
    b_left, b_right = st.columns([1, 3], gap="medium")
    with b_left:
        SLOTS["stack"] = st.container()
        share_b = st.container()
v = panel.render()
for box in (share_a, share_b):
    with box:
        panel.share()


def bidirectional_part():
    """Part A: the three influence maps, the focus word's bars, the tiles."""
    r = influence(v.text, v.cell, v.H, v.seed, v.focus)
    words = r["words"]
    with a_right:
        if r["empty"]:
            st.info(t(f"{PAGE}.empty"), icon=":material/edit_note:")
            return
        T, f = len(words), r["focus"]
        domain = (0.0, float(max(r["bidirectional"].max(), 1e-300)))
        titles = {"row_title": t(f"{PAGE}.axis.position"), "col_title": t(f"{PAGE}.axis.word"),
                  "row_word_title": t(f"{PAGE}.tip.word_t"), "col_word_title": t(f"{PAGE}.tip.word_k"),
                  "value_title": "‖∂h_t/∂x_k‖", "zero_text": t(f"{PAGE}.tip.zero")}
        for col, d in zip(st.columns([1, 1, 1.45], gap="small"), DIRECTIONS, strict=True):
            with col:
                ui.show_chart(influence_map(r[d], words, focus=f, domain=domain, legend=d == "bidirectional",
                                            text=ct, projector=ctx.projector, height=270,
                                            title=t(f"{PAGE}.chart.{d}"), **titles))
        fwd, bwd = r["forward"], r["backward"]
        ui.metric_row(ctx, {"right_share": f"{100 * r['right_share']:.0f} %", "words": str(T),
                            "fwd_span": ratio_pow10(fwd[-1, 0], fwd[-1, -1]),
                            "bwd_span": ratio_pow10(bwd[0, -1], bwd[0, 0])})
        names = {d: t(f"{PAGE}.series.{d}") for d in ("forward", "bidirectional")}
        ui.show_chart(word_bars(words, {names[d]: r["focus_bars"][d] for d in names}, focus=f,
                                word_title=t(f"{PAGE}.tip.word_k"), position_title=t(f"{PAGE}.axis.word"),
                                value_title=t(f"{PAGE}.axis.influence", position=f + 1), text=ct,
                                projector=ctx.projector, height=360 if ctx.projector else 300,
                                title=t(f"{PAGE}.chart.focus", position=f + 1, word=words[f])))
        st.caption(t(f"{PAGE}.maps.caption", position=f + 1))
    rows = [pd.DataFrame({"direction": d, "position_t": np.repeat(np.arange(1, T + 1), T),
                          "word_t": np.repeat(words, T), "position_k": np.tile(np.arange(1, T + 1), T),
                          "word_k": np.tile(words, T), "influence": r[d].ravel()}) for d in DIRECTIONS]
    with a_left:
        ui.download_csv(ctx, pd.concat(rows, ignore_index=True), name="influence")


def stacked_part():
    """Part B: gradient over layer x time, the gradient reaching the first layer vs depth, the tiles."""
    r = stack(v.layers, v.stack_cell, v.stack_H, v.T, v.residual, v.stack_seed)
    sweep = r["first_layer_vs_depth"]
    names = {"plain": t(f"{PAGE}.series.plain"), "residual": t(f"{PAGE}.series.residual")}
    reach = {"plain": sweep["reach_plain"], "residual": sweep["reach_residual"]}
    with b_right:
        heat, line = st.columns([1.15, 1], gap="medium")
        with heat:
            ui.show_chart(charts.heatmap(r["log_grad"][::-1], x_values=r["t"], y_values=r["layer"][::-1],
                                         x_title=ct.time, y_title=t(f"{PAGE}.axis.layer"),
                                         value_title=t(f"{PAGE}.axis.log_grad"), text=ct, projector=ctx.projector,
                                         height=330, title=t(f"{PAGE}.chart.depth_time")))
        with line:
            curves = charts.series_frame(sweep["depths"], {names[k]: reach[k] for k in names}, x="depth", y="log10")
            ui.show_chart(charts.gradient_curves(curves, x="depth", zones=(-3.0, np.inf), text=ct,
                                                 projector=ctx.projector, height=330,
                                                 x_title=t(f"{PAGE}.axis.layers"), y_title=t(f"{PAGE}.axis.reach"),
                                                 title=t(f"{PAGE}.chart.reach")))
        L = v.layers
        ui.metric_row(ctx, {
            "first_layer": pow10(float(reach["residual" if v.residual else "plain"][L - 1])),
            "corner": pow10(float(r["log_grad"][0, 0])),
            "skip_gain": pow10(float(reach["residual"][L - 1] - reach["plain"][L - 1])),
        })
        st.caption(t(f"{PAGE}.stack.caption"))
    grid = pd.DataFrame({"layer": np.repeat(r["layer"], len(r["t"])), "t": np.tile(r["t"], len(r["layer"])),
                         "log10_grad": r["log_grad"].ravel()})
    sweep_df = pd.DataFrame({"layers": sweep["depths"], "log10_reach_plain": reach["plain"],
                             "log10_reach_residual": reach["residual"]})
    with b_left:
        ui.download_csv(ctx, pd.concat([grid.assign(part="layer_x_time"), sweep_df.assign(part="first_layer_vs_depth")],
                                       ignore_index=True), name="stacked")


if tab_a.open is not False:
    with tab_a:
        bidirectional_part()
if tab_b.open is not False:
    with tab_b:
        stacked_part()
ui.explain(ctx, math=[(f"{PAGE}.math.bi", bidirectional.EQUATIONS[0]),
                      (f"{PAGE}.math.influence", bidirectional.EQUATIONS[1]),
                      (f"{PAGE}.math.both", bidirectional.EQUATIONS[2]),
                      (f"{PAGE}.math.stack", STACKED_EQUATIONS[1]),
                      (f"{PAGE}.math.depth", depth.EQUATIONS[1]),
                      (f"{PAGE}.math.reach", depth.EQUATIONS[2])],
           code=[bidirectional.run, influence_norms, depth.run, depth._probe_norms])
