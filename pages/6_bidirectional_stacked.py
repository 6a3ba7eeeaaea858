"""Page 6 — bidirectional and stacked RNNs: which words can a position see, and does the gradient survive depth?

Part A (tab 1) shows the influence ||dh_t/dx_k|| of every word on every position for a forward, a backward and
a bidirectional RNN over a sentence the user types; its main control, the focus word, is a slider in the maps'
chart (the maps hold every focus word's row already). Part B (tab 2) shows the gradient over layer x time in a
stack of RNN layers; its main control, the strength a of the residual connections y = h + a x, is a slider in
that heat map (the family over a is computed in one batched pass). One control panel feeds both tabs: each
control is drawn in the container of its part (``SLOTS``); a preset opens its tab.
"""

import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.chains import influence_norms
from core.scenarios import bidirectional, depth
from core.stacked import EQUATIONS as STACKED_EQUATIONS
from ui import Choice, Number, Scrub, Slider, charts
from ui.charts.family_heatmap import family_heatmap
from ui.charts.influence import FocusText, focus_maps, integer_x
from ui.parts import part_tabs, slotted
from ui.scrub import cap
from ui.text_control import Text

PAGE = "bidirectional_stacked"
SLOTS: dict = {}  # part of the page -> the container its controls are drawn in (filled before render)


class Strength(Scrub):
    """The residual strength a in [0, 1]; links from before it was a switch (``residual=true/false``) still work."""

    def parse(self, raw: str):
        flag = {"true": self.hi, "false": self.lo}.get(raw.strip().casefold()) if len(raw) <= 10 else None
        return flag if flag is not None else super().parse(raw)


SText, SSlider, SChoice, SNumber = (slotted(c, SLOTS, "bi") for c in (Text, Slider, Choice, Number))
CELLS = ("rnn", "lstm", "gru")
# the main controls: sliders inside the charts. The focus word is a position 1..T (the range follows the sentence);
# a = 0 is a plain stack, a = 1 the usual residual connection
FOCUS = Scrub("focus", default=4, lo=1, hi=bidirectional.MAX_WORDS, step=1)
RESIDUAL = Strength("residual", default=0.0, lo=0.0, hi=1.0, step=0.05)
SPECS = [
    # part A: the sentence and the bidirectional layer
    SText("text", default=bidirectional.DEFAULT_SENTENCE, max_chars=200),
    SChoice("cell", default="rnn", options=CELLS),
    SSlider("H", default=16, lo=2, hi=64),
    SNumber("seed", default=0, lo=0, hi=9999),
    FOCUS,
    # part B: the stack
    SSlider("layers", default=3, lo=1, hi=depth.MAX_LAYERS, slot="stack"),
    SChoice("stack_cell", default="rnn", options=CELLS, slot="stack"),
    SSlider("stack_H", default=16, lo=2, hi=64, slot="stack"),
    SSlider("T", default=30, lo=2, hi=100, slot="stack"),
    RESIDUAL,
    SNumber("stack_seed", default=0, lo=0, hi=9999, slot="stack"),
]
LONG = "the movie that my friends kept recommending for weeks was , to my great surprise , terribly exciting !"
PRESETS = {
    "long": {"text": LONG, "focus": 17, "cell": "rnn"},                  # 17: "terribly"
    "long_lstm": {"text": LONG, "focus": 17, "cell": "lstm"},
    "deep": {"layers": 8, "stack_cell": "rnn", "residual": 0.0},
    "deep_residual": {"layers": 8, "stack_cell": "rnn", "residual": 1.0},
    "deep_lstm": {"layers": 8, "stack_cell": "lstm", "residual": 0.0},
}
PARTS = ("bi", "stack")  # the two tabs; a preset opens the tab of its part
PRESET_PART = {"deep": 1, "deep_residual": 1, "deep_lstm": 1}
TAB = "_bidirectional_stacked.part"  # state of the tabs: the open tab's (translated) label
DIRECTIONS = ("forward", "backward", "bidirectional")
# every curve of a part is one cell (the chosen one): its model's colour, a shade per direction or per stack
SHADES = {"forward": "base", "backward": "light", "bidirectional": "dark", "this": "base", "plain": "light",
          "residual": "dark"}


def shaded(cell: str, names: dict) -> dict:
    """Series name -> style: ``names`` key -> series name, each key's shade (``SHADES``) of the cell's colour."""
    return charts.styles({name: ("tanh" if cell == "rnn" else cell, SHADES[k]) for k, name in names.items()})


@ui.cached
def influence(text, cell, H, seed):
    """The three maps: every focus word's row is in them (the focus only picks a row)."""
    r = bidirectional.run(text, cell, H, seed)
    return {**r, "right_shares": bidirectional.right_shares(r["bidirectional"])}


@ui.cached
def stack(layers, cell, H, T, residual, seed):
    return depth.run(layers, cell, H, T, residual, seed)


@ui.cached
def stack_family(layers, cell, H, T, seed):
    """The layer x time map for every residual strength of the slider (what the chart shows while it moves)."""
    return depth.family(RESIDUAL.values, layers, cell, H, T, seed)


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
    stage_a = ui.Stage(ctx)  # one stage per tab (ui/layout.py); the fold button once, in the preset row
    SLOTS["bi"] = stage_a.controls
with tab_b:
    stage_b = ui.Stage(ctx, button=False)
    SLOTS["stack"] = stage_b.controls
v = panel.render()
for stage in (stage_a, stage_b):
    with stage.tools:
        panel.share()


def bidirectional_part():
    """Part A: the maps with the focus word's row (the slider), the tiles, influence vs distance, the CSV."""
    r = influence(v.text, v.cell, v.H, v.seed)
    words = r["words"]
    with stage_a.main:
        if r["empty"]:
            st.info(t(f"{PAGE}.empty"), icon=":material/edit_note:")
            return
        T = len(words)
        f = cap(ctx, FOCUS, T) - 1                       # positions past the sentence's end: its last word
        shares = r["right_shares"]
        notes = [t(f"{PAGE}.focus.note", position=i + 1, word=words[i], share=f"{100 * shares[i]:.0f}")
                 for i in range(T)]
        labels = FocusText(map=t(f"{PAGE}.tip.map"), row=t(f"{PAGE}.axis.position"), col=t(f"{PAGE}.axis.word"),
                           row_word=t(f"{PAGE}.tip.word_t"), col_word=t(f"{PAGE}.tip.word_k"),
                           zero=t(f"{PAGE}.tip.zero"), strip=t(f"{PAGE}.strip"))
        bars = {d: s.color for d, s in shaded(v.cell, {d: d for d in DIRECTIONS}).items()}
        ui.show_chart(focus_maps({d: r[d] for d in DIRECTIONS}, words, scrub=ui.scrub_param(ctx, FOCUS, hi=T),
                                 titles={d: t(f"{PAGE}.chart.{d}") for d in DIRECTIONS}, notes=notes,
                                 domain=(0.0, float(max(r["bidirectional"].max(), 1e-300))), labels=labels,
                                 text=ct, projector=ctx.projector, height=330 if ctx.projector else 320,
                                 colors=bars),
                      ctx=ctx, scrub=FOCUS)
        fwd, bwd = r["forward"], r["backward"]
        ui.metric_row(ctx, {"right_share": f"{100 * shares[f]:.0f} %", "words": str(T),
                            "fwd_span": ratio_pow10(fwd[-1, 0], fwd[-1, -1]),
                            "bwd_span": ratio_pow10(bwd[0, -1], bwd[0, 0])})
        st.caption(t(f"{PAGE}.maps.caption"))
    [side] = stage_a.row(1)  # influence vs distance: below the maps, or folded beside them
    with side:
        dist, far_f, far_b = bidirectional.by_distance(fwd, bwd)
        directions = {d: t(f"{PAGE}.chart.{d}") for d in ("forward", "backward")}
        fade = charts.series_frame(dist, {directions["forward"]: far_f, directions["backward"]: far_b},
                                   x="distance", y="log10")
        ui.show_chart(integer_x(charts.gradient_curves(
            fade, zones=(-3.0, np.inf), text=ct, projector=ctx.projector,
            height=stage_a.size(320 if ctx.projector else 280, 240),
            x_title=t(f"{PAGE}.axis.distance"), y_title=t(f"{PAGE}.axis.log_influence"),
            title=t(f"{PAGE}.chart.distance"), colors=shaded(v.cell, directions), plot_width=640)))
    rows = [pd.DataFrame({"direction": d, "position_t": np.repeat(np.arange(1, T + 1), T),
                          "word_t": np.repeat(words, T), "position_k": np.tile(np.arange(1, T + 1), T),
                          "word_k": np.tile(words, T), "influence": r[d].ravel(),
                          "focus": np.repeat(np.arange(T) == f, T)}) for d in DIRECTIONS]
    ui.download_csv(ctx, pd.concat(rows, ignore_index=True), name="influence", stage=stage_a)


def stacked_part():
    """Part B: the layer x time map for every residual strength (the slider), the gradient reaching the first
    layer vs depth, the tiles, the CSV."""
    with st.spinner(t(f"{PAGE}.computing")):                # shows only if it takes more than 0.5 s
        fam = stack_family(v.layers, v.stack_cell, v.stack_H, v.T, v.stack_seed)
    r = stack(v.layers, v.stack_cell, v.stack_H, v.T, v.residual, v.stack_seed)
    sweep = r["first_layer_vs_depth"]
    names = {"plain": t(f"{PAGE}.series.plain"), "residual": t(f"{PAGE}.series.residual"),
             "this": t(f"{PAGE}.series.this")}
    reach = {"plain": sweep["reach_plain"], "residual": sweep["reach_residual"], "this": sweep["reach"]}
    notes = [t(f"{PAGE}.stack.note", alpha=f"{a:.2f}", reach=pow10(g), corner=pow10(c))
             for a, g, c in zip(fam["alphas"], fam["reach"], fam["corner"], strict=True)]
    with stage_b.main:
        ui.show_chart(family_heatmap(fam["log_grad"], x_values=fam["t"], y_values=fam["layer"],
                                     scrub=ui.scrub_param(ctx, RESIDUAL), notes=notes, x_title=ct.time,
                                     y_title=t(f"{PAGE}.axis.layer"), value_title=t(f"{PAGE}.axis.log_grad"),
                                     zero_text=t(f"{PAGE}.tip.zero_grad"), text=ct, projector=ctx.projector,
                                     height=280 if ctx.projector else 260), ctx=ctx, scrub=RESIDUAL)
        L = v.layers
        ui.metric_row(ctx, {
            "first_layer": pow10(float(reach["this"][L - 1])),
            "corner": pow10(float(r["log_grad"][0, 0])),
            "skip_gain": pow10(float(reach["this"][L - 1] - reach["plain"][L - 1])),
        })
        st.caption(t(f"{PAGE}.stack.caption"))
    [side] = stage_b.row(1)  # the gradient reaching layer 1 vs depth: below the map, or folded beside it
    with side:
        curves = charts.series_frame(sweep["depths"], {names[k]: reach[k] for k in names}, x="depth", y="log10")
        ui.show_chart(integer_x(charts.gradient_curves(
            curves, x="depth", zones=(-3.0, np.inf), text=ct, projector=ctx.projector,
            height=stage_b.size(320 if ctx.projector else 280, 240), x_title=t(f"{PAGE}.axis.layers"),
            y_title=t(f"{PAGE}.axis.reach"),
            title=t(f"{PAGE}.chart.reach"), colors=shaded(v.stack_cell, names), plot_width=640)))
    grid = pd.DataFrame({"layer": np.repeat(r["layer"], len(r["t"])), "t": np.tile(r["t"], len(r["layer"])),
                         "log10_grad": r["log_grad"].ravel()})
    sweep_df = pd.DataFrame({"layers": sweep["depths"], "log10_reach_plain": reach["plain"],
                             "log10_reach_residual": reach["residual"], "log10_reach": reach["this"]})
    ui.download_csv(ctx, pd.concat([grid.assign(part="layer_x_time"), sweep_df.assign(part="first_layer_vs_depth")],
                                   ignore_index=True).assign(residual=v.residual), name="stacked", stage=stage_b)


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
           code=[bidirectional.run, influence_norms, depth.run, depth._probe_norms, depth.family])
