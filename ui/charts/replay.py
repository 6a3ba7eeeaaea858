"""The replay: training runs drawn up to the step the page's slider shows, in panels stacked over one step axis.

    replay_runs([Panel("Training loss", "loss", {"plain": loss_a, "clipped": loss_b}, refs={"baseline": 1 / 6}),
                 Panel("Gradient norm", "‖g‖", {...}, refs={"max_norm": 1.0})], scrub=param, notes=texts, ...)

The slider (see ``ui.charts.scrub``) grows every run's curve up to its value in the browser, puts a dot where each
run is at that step (where it stopped, for a run that diverged earlier) and a rule across the panels, and writes
that step's numbers above the first panel. The family is the runs themselves: a drag step filters their rows
(a few hundred per run), no script runs. The axes are fixed for the whole runs (the ranges live in the data), so
the eye follows the curves, not the axes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.clamp import EXACT, LOG10_LIMIT, OVERFLOW, UNDERFLOW, auto_domain, clamp, fmt_values, status_texts
from ui.charts.notes import line_height, member_notes, note_lines
from ui.charts.scrub import ScrubParam, js
from ui.charts.text import ENGLISH, ChartText
from ui.charts.theme import (
    DASHES,
    OVERFLOW_SHAPE,
    UNDERFLOW_SHAPE,
    Style,
    dash_legend,
    finish,
    legend_row,
    log_axis,
    series_styles,
    sizes,
    style_scale,
)
from ui.charts.vl import FREE, chart, extent_layer, layer, n, q, tip
from ui.charts.zones import PLOT_WIDTH

VIEW = "replay_lines"  # name of the layer the scrub's selection lives in (the first panel's curves)
LEGEND_ROWS = 3  # legend rows a replay's height allows for (page 7's seven runs in three columns at the normal size)


@dataclass(frozen=True)
class Panel:
    """One quantity of the runs: ``curves`` run name -> value per step (a run that stopped early is shorter),
    ``refs`` name -> a constant drawn dashed across the panel (a baseline, a threshold), ``notes`` one text per
    value of the slider's grid (lo = 0: step k's numbers), written at the panel's top right while it is there (from
    its left edge when ``title`` is empty).

    ``steps`` run name -> the step of each value, increasing (default 0, 1, 2, ...): runs measured every few
    steps, e.g. a test error evaluated every 20 steps. ``domain`` the y range, fixed in the spec (a drag step is
    then much cheaper for many rows; a chart with another domain is a new chart); default: the runs' own extent,
    carried by the data. Values beyond it sit on its edge as overflow/underflow marks."""

    title: str
    y_title: str
    curves: Mapping[str, np.ndarray]
    refs: Mapping[str, float] = field(default_factory=dict)
    notes: Sequence[str] | None = None
    steps: Mapping[str, np.ndarray] | None = None
    domain: tuple[float, float] | None = None


def _rows(p: Panel, lo: float, hi: float, text: ChartText) -> pd.DataFrame:
    """One row per (run, step): step t, raw value v, y clamped to [lo, hi], status, tooltip texts, the step of
    the run's next row and its last step (its dot sits on the row whose step is the slider's, or the last before
    it; on the last row once the slider is beyond it)."""
    parts = []
    for name, vals in p.curves.items():
        v = np.asarray(vals, dtype=float)
        y, status, keep = clamp(v, lo, hi)
        at = np.arange(len(v)) if p.steps is None else np.asarray(p.steps[name])
        t = at[keep]
        last = t.max() if len(t) else 0
        parts.append(pd.DataFrame({"t": t, "series": name, "y": y[keep], "status": status[keep],
                                   "value_text": fmt_values(v[keep]), "status_text": status_texts(status[keep], text),
                                   "next": np.r_[t[1:], last] if len(t) else t, "last": last}))
    cols = ["t", "series", "y", "status", "value_text", "status_text", "next", "last"]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)


def _band(k: int, count: int, title_px: int, gap_px: int) -> tuple[str, str]:
    """Vega expressions of panel k's vertical extent (bottom, top) in a plot ``height`` pixels high: ``count``
    bands, each below its title's ``title_px`` and ``gap_px`` apart."""
    size = f"((height - {count * title_px + (count - 1) * gap_px}) / {count})"
    top = f"({k} * ({size} + {title_px + gap_px}) + {title_px})"
    return f"{top} + {size}", top


def _panel(p: Panel, k: int, count: int, *, scrub: ScrubParam, x_enc: dict, log_y: bool, color: dict,
           found: Mapping[str, Style], text: ChartText, s: dict, title_px: int, gap_px: int,
           pad: int) -> alt.LayerChart:
    """Panel k of ``count``: its curves up to the slider, overflow marks, tooltips, the runs' dots at the slider's
    step and a title, on its own y scale over its band of the plot."""
    every = np.concatenate([np.asarray(v, dtype=float).ravel() for v in p.curves.values()] +
                           [np.asarray(list(p.refs.values()), dtype=float)])
    limit = (10.0 ** -LOG10_LIMIT, 10.0 ** LOG10_LIMIT) if log_y else (-1e300, 1e300)
    lo, hi = p.domain or auto_domain(every, limit=limit, positive=log_y)
    rows = _rows(p, lo, hi, text)
    bottom, top = _band(k, count, title_px, gap_px)
    # a given domain is fixed in the spec: a domain from the data is computed again on every drag step (the rows
    # the slider filters take part in it), and every point and axis label is then encoded again
    y_enc = q("y", p.y_title, scale={"type": "log" if log_y else "linear", "range": [{"expr": bottom}, {"expr": top}],
                                     "padding": pad, **FREE, **({"domain": [lo, hi]} if p.domain else {})},
              axis={"orient": "left", **(log_axis(f"layer_{k}_y") if log_y else {})})
    tooltip = [tip("series", text.series), tip("t", x_enc["title"], "quantitative"), tip("value_text", p.y_title),
               tip("status_text", text.status)]
    shape = n("status", scale={"domain": [OVERFLOW, UNDERFLOW], "range": [OVERFLOW_SHAPE, UNDERFLOW_SHAPE]},
              legend=None)
    line = chart(None, "line", {"x": x_enc, "y": y_enc, "color": color})
    if k == 0:
        line.name = VIEW
    layers = [extent_layer(x=(x_enc, (0.0, float(scrub.hi))), y=(y_enc, (lo, hi)))]   # the ranges live in the data
    if p.refs:
        refs = pd.DataFrame({"t": np.tile([0.0, float(scrub.hi)], len(p.refs)),
                             "y": np.repeat(np.clip(list(p.refs.values()), lo, hi), 2),
                             "series": np.repeat(list(p.refs), 2),
                             "dash": np.repeat([found[name].dash for name in p.refs], 2)})
        dash = n("dash", scale={"domain": list(DASHES), "range": list(DASHES.values())}, legend=None)
        layers.append(chart(refs, "line", {"x": x_enc, "y": y_enc, "color": color, "strokeDash": dash,
                                           "tooltip": [tip("series", text.series)]}))
    layers.append(layer(
        line,
        chart(None, {"type": "point", "filled": True, "opacity": 1, "size": s["flag"], "stroke": "black",
                     "strokeWidth": 1}, {"x": x_enc, "y": y_enc, "color": color, "shape": shape, "tooltip": tooltip},
              where=f"datum.status != {js(EXACT)}"),
        chart(None, {"type": "point", "filled": True, "opacity": 0, "size": s["point"] * 2},
              {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip}),
        data=rows, transform=[scrub.upto_filter("t")]))
    # where each run is at the slider's step: its row at that step or the last before it (its last row once the
    # slider is beyond it)
    at = scrub.signal
    layers.append(chart(rows, {"type": "point", "filled": True, "opacity": 1, "size": s["flag"] * 0.8,
                               "stroke": "white", "strokeWidth": 1.5},
                        {"x": x_enc, "y": y_enc, "color": color, "tooltip": tooltip},
                        where=f"datum.t <= {at} && ({at} < datum.next || datum.t == datum.last)"))
    layers.append(chart(pd.DataFrame({"title": [p.title]}),
                        {"type": "text", "align": "left", "baseline": "bottom", "dy": -4, "fontSize": s["title"],
                         "fontWeight": "bold", "color": "#222222"},
                        {"x": {"value": 0}, "y": {"value": {"expr": top}}, "text": n("title")}))
    if p.notes is not None:        # this step's numbers, at the band's top right (from the left if it has no title)
        left = not p.title         # then in the title's row, clear of a triangle on the band's top edge
        up = pad if left else 0                                           # member_notes lifts the extra lines
        layers.append(member_notes(scrub, p.notes, s, x=0 if left else "width",
                                   y={"expr": f"{top} - {up}"} if up else {"expr": top},
                                   align="left" if left else "right", bold=False))
    return layer(*layers)


def replay_runs(panels: Sequence[Panel], *, scrub: ScrubParam, log_y: bool = True, x_title: str | None = None,
                text: ChartText = ENGLISH, projector: bool = False, height: int = 460,
                colors: Mapping[str, str | Style] | None = None) -> alt.LayerChart:
    """The ``panels`` stacked in one plot over a shared step axis, every run drawn up to the slider's step.

    One view, not a concat of charts: it stretches across its column like every other chart, and the slider
    moves all panels at once. Each panel has its own y scale over its band of the plot, its axis on the left.

    Parameters
    ----------
    panels : the quantities, each with its runs (same run names in every panel: one colour each)
    scrub : the slider over training steps (``lo`` = 0, ``step`` = 1); its ``hi`` is the last step drawn (the
        panels' notes cover every value its URL form allows, also beyond the runs' end)
    height : of the whole chart
    colors : run and reference name -> colour or ``Style`` (``ui.charts.theme``); references without a style of
        their own are dashed; log axes are labelled as on every page (``ui.charts.theme.log_axis``)
    """
    s = sizes(projector)
    names = list(dict.fromkeys([name for p in panels for name in (*p.curves, *p.refs)])) or ["-"]
    refs = {name for p in panels for name in p.refs}
    found = series_styles(names, colors, refs)
    legend = dash_legend(names, found, PLOT_WIDTH, s["label"])
    color = n("series", None, scale=style_scale(names, found), sort=names, legend=legend)
    # the legend sits inside the chart's height: rows beyond the ones the height was chosen for come on top of it,
    # or they take the plot's place (page 7's seven runs in projector mode: one column, the plot ~20 px high)
    rows = -(-len(names) // legend.get("columns", 1))
    height += max(0, rows - LEGEND_ROWS) * legend_row(s)
    pad = int(np.sqrt(s["flag"]) / 2) + 3               # a dot or triangle on the plot's edge stays inside it
    # the steps' domain is fixed in the spec (the slider's end is there anyway): one taken from the data would be
    # computed again on every drag step, and every point encoded again (page 7's race at T = 200: ~70 ms a step)
    x_enc = q("t", x_title or text.time, scale={**FREE, "padding": pad, "domain": [0.0, float(scrub.hi)]})
    title_px, gap_px = int(s["title"] * 1.8), int(s["label"] * 2)
    layers = [_panel(p, k, len(panels), scrub=scrub, x_enc=x_enc, log_y=log_y, color=color, found=found, text=text, s=s,
                     title_px=title_px, gap_px=gap_px, pad=pad) for k, p in enumerate(panels)]
    layers.append(chart(pd.DataFrame({"end": [float(scrub.hi)]}), {"type": "rule", "color": "#444444",
                                                                    "strokeDash": [2, 3]}, {"x": q("t")},
                        transform=[{"calculate": f"min({scrub.signal}, datum.end)", "as": "t"}]))
    out = finish(layer(*layers, height=height, resolve={"scale": {"y": "independent"}}), projector, None)
    out.params = [alt.TopLevelSelectionParameter(**scrub.param(), views=[VIEW])]
    first = panels[0] if panels else None
    if first is not None and first.notes:              # room above the plot for notes of more than one line
        extra = (note_lines(first.notes) - 1) * line_height(s) + (0 if first.title else pad)
        if extra > 0:
            out.padding = {"top": extra + 5, "left": 5, "right": 5, "bottom": 5}
    return out
