"""Page 7 — memory race: which cell can learn a long-range dependency?

The preset lengths (default settings) show the stored results at once (ui/data/memory_race, written by
``python -m core.scenarios.memory_race`` from the same code; every training setting is read from the file).
Any setting can also be trained live on request, for ``memory_race.LIVE_STEPS`` steps per cell (fewer than the
stored races, and the page says so), with a progress bar; Stop (or any other click) reruns the page, which
interrupts the training, and only a complete race is kept, in ``st.cache_data``, one entry per setting.

The main control is the training step (``STEP``, a slider in the race chart, ``ui.charts.replay``): every test-error
curve grows up to it in the browser, with a dot at each cell's error there and that step's numbers above the
plot. Its grid is the evaluations (every 20 steps); the race's last evaluation (step ``steps - 1``) sits on the
grid point after the one before it. Its default, the grid's top (the longest stored race), means "the end": the
page opens on the finished race, and a value at or beyond the end of the race shown is kept as "the end"
(``ui.scrub.end_at``), so the URL leaves it out: ``/memory_race?T=200`` is the finished race, ``at=1500`` the
race at step 1500. When the hand stops, the gradient chart (a rule at the step) and the error ÷ baseline bars
(at that step) follow; the table and the tiles stay the race's final record.
"""
import json
import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import ui
from core.clipping import CLIP_NORM_LATEX
from core.gru import EQUATIONS as GRU_EQUATIONS
from core.lstm import EQUATIONS as LSTM_EQUATIONS
from core.scenarios import memory_race
from core.tasks import adding_problem, remember_marked
from core.train import loss_and_grads, make_model, train
from ui import Choice, Number, Scrub, Slider, Toggle, charts
from ui.charts.replay import Panel, replay_runs
from ui.charts.theme import RUNNER_STYLES
from ui.scrub import end_at

DATA = Path(__file__).resolve().parents[1] / "ui" / "data" / "memory_race"
RUNNERS = memory_race.RUNNERS
LIVE = memory_race.LIVE_STEPS
STORED_STEPS = sorted(set(memory_race.STORED["steps"].values()))
RUNNING = "_race.running"  # set while a live race trains; still set on the next run = it was interrupted

# the main control: the training step, a slider in the race chart; its top (the default) means the end of the race
END = max(memory_race.STORED["steps"].values())
STEP = Scrub("at", default=END, lo=0, hi=END, step=memory_race.STORED["eval_every"])
SPECS = [
    Choice("task", default="adding", options=tuple(memory_race.PRESETS), kind="radio"),
    Slider("T", default=100, lo=10, hi=200, step=10),
    Toggle("clip", default=True),
    Number("seed", default=0, lo=0, hi=9999),
    STEP,
]
PRESETS = {f"{task}_{T}": {"task": task, "T": T, "clip": True, "seed": 0, "at": END}
           for task, lengths in memory_race.PRESETS.items() for T in lengths}
MATH = [
    ("memory_race.math.adding", r"y = \sum_{t=1}^{T} u_t\,m_t,\qquad \operatorname{MSE}(\hat y \equiv 1) = "
                                r"\operatorname{Var}(u_a + u_b) = \tfrac{1}{6}"),
    ("memory_race.math.remember", r"v_t \sim U[-1, 1],\quad m_t = [t = p],\quad y = v_p,\qquad "
                                  r"\operatorname{MSE}(\hat y \equiv 0) = \operatorname{Var}(v_p) = \tfrac{1}{3}"),
    ("memory_race.math.loss", r"\hat y = W_{out}\,h_T + b_{out},\qquad L = \frac{1}{B}\sum_b (\hat y_b - y_b)^2"),
    ("memory_race.math.beat", r"\text{MSE}_{\text{test}} < \tfrac{1}{2}\,\text{MSE}_{\text{baseline}}"),
    ("memory_race.math.grad", r"\Big\|\frac{\partial L}{\partial s_0}\Big\|_F = \Big\|\frac{\partial L}"
                              r"{\partial s_T}\,\frac{\partial s_T}{\partial s_{T-1}}\cdots"
                              r"\frac{\partial s_1}{\partial s_0}\Big\|_F,\qquad \Big\|\frac{\partial L}"
                              r"{\partial (h_0, c_0)}\Big\|_F = \sqrt{\Big\|\frac{\partial L}{\partial h_0}"
                              r"\Big\|_F^2 + \Big\|\frac{\partial L}{\partial c_0}\Big\|_F^2}"),
    ("memory_race.math.gates", LSTM_EQUATIONS[4]),
    GRU_EQUATIONS[3],
    ("memory_race.math.clip", CLIP_NORM_LATEX),
]
CODE = [memory_race.race, memory_race.run, train, make_model, loss_and_grads, adding_problem, remember_marked]


@ui.cached
def stored(task, T):
    """The precomputed race of a preset length (default settings)."""
    return json.loads((DATA / memory_race.preset_name(task, T)).read_text(encoding="utf-8"))


@ui.cached
def live(task, T, clip, seed, _result=None):
    """Completed live races, one per setting: a call with ``_result`` keeps it, one without returns it or
    raises LookupError (an exception is never cached, so a setting stays free until a race completes)."""
    if _result is None:
        raise LookupError((task, T, clip, seed))
    return _result


def kept(v):
    try:
        return live(v.task, v.T, v.clip, v.seed)
    except LookupError:
        return None


def complete(r):
    return list(r["runs"]) == list(RUNNERS) and all(
        len(run["loss"]) == r["steps"] or run["diverged_at"] is not None for run in r["runs"].values())


def race_live(v, slot):
    """Train the five runners with a progress bar and a Stop button in ``slot``; returns the complete race."""
    steps, shown = LIVE, [-1]
    with slot.container():
        bar = st.progress(0.0, text=t("memory_race.progress.start"))
        st.button(t("memory_race.stop"), key="_race.stop", icon=":material/stop:", help=t("memory_race.stop.help"))

    def progress(done, total):
        pct = 100 * done // total
        if pct != shown[0]:  # at most 100 updates: each is also where a Stop click interrupts the run
            shown[0] = pct
            kind = RUNNERS[min((done - 1) // steps, len(RUNNERS) - 1)]
            bar.progress(done / total, text=t("memory_race.progress", cell=names[kind], step=(done - 1) % steps + 1,
                                              steps=steps, pct=pct))

    st.session_state[RUNNING] = True
    start = time.perf_counter()
    r = memory_race.race(v.task, v.T, steps=steps, seed=v.seed, clip=v.clip, callback=progress)
    r["seconds"] = time.perf_counter() - start
    st.session_state.pop(RUNNING, None)
    slot.empty()
    return r


def recipes(r, t, names):
    """What the race ``r`` trained, from its own record: the common budget, then one sentence per recipe."""
    groups = {}
    for k, run in r["runs"].items():
        s = run["settings"]
        groups.setdefault((s["optimizer"], s["lr"], s["batch"], s["hidden"], s["clip"]), []).append(names[k])
    parts = [t("memory_race.recipe", cells=", ".join(cells), optimizer=t(f"memory_race.optimizer.{opt}"),
               lr=ui.fmt_num(lr), batch=batch, hidden=hidden,
               clip=t("memory_race.settings.clip", clip=ui.fmt_num(clip)) if clip else t("memory_race.settings.noclip"))
             for (opt, lr, batch, hidden, clip), cells in groups.items()]
    return " ".join([t("memory_race.budget", steps=r["steps"], seed=r["seed"]), *parts])


def duration(seconds, t):
    return (t("memory_race.seconds", n=f"{seconds:.0f}") if seconds < 120
            else t("memory_race.minutes", n=f"{seconds / 60:.0f}"))


def irnn_note(irnn, baseline, t):
    """Why the IRNN did not learn in this race, with its numbers."""
    s, steps = irnn["settings"], len(irnn["loss"])
    note = t("memory_race.irnn_note", lr=ui.fmt_num(s["lr"]), batch=s["batch"], steps=steps,
             seqs=f"{steps * s['batch']:,}", final=ui.fmt_num(irnn["final"], 3), baseline=ui.fmt_num(baseline, 3),
             grad=ui.fmt_num(float(np.median(irnn["first_step_grad"])), 2))
    if s["clip"] is None:
        return note
    return f"{note} {t('memory_race.irnn_note.step', clip=ui.fmt_num(s['clip']), step=ui.fmt_num(s['lr'] * s['clip']))}"


def state_grad(run):
    """||dL/ds_0|| per step: s_0 = h_0, or (h_0, c_0) for the LSTMs."""
    h = np.asarray(run["first_step_grad"])
    return h if run["first_step_grad_c"] is None else np.hypot(h, np.asarray(run["first_step_grad_c"]))


def race_end(r):
    """The slider's top for the race ``r``: the grid point at or after its last step (its last evaluation)."""
    return STEP.lo + STEP.step * math.ceil((r["steps"] - 1 - STEP.lo) / STEP.step)


def step_notes(r, top, t, projector):
    """The numbers above the race chart for every step of the slider (0, 20, ..., ``top``): how many cells are below
    the finish line by then, and each cell's test error at its last evaluation up to there (✓: below the line).
    In projector mode the cells take two lines (larger text)."""
    short = {k: t(f"memory_race.short.{k}") for k in r["runs"]}
    grid = np.arange(STEP.lo, top + STEP.step, STEP.step)
    at = memory_race.at_steps(r, grid)
    notes = []
    for f, k in enumerate(grid.tolist()):
        head = t("memory_race.note.end" if k == top else "memory_race.note.step",
                 step=max(int(a["step"][f]) for a in at.values()),
                 n=sum(bool(a["beaten"][f]) for a in at.values()), total=len(at))
        cells = [f"{short[n]} {ui.fmt_num(a['mse'][f], 3) if np.isfinite(a['mse'][f]) else '—'}"
                 + (" ✓" if a["beaten"][f] else "") for n, a in at.items()]
        rows = [cells[:3], cells[3:]] if projector else [cells]
        notes.append("\n".join([head, *("  ·  ".join(row) for row in rows)]))
    return notes


def mse_domain(r):
    """The race chart's y range, whole decades (the axis then reads 1e-4 ... 1e+0): from below half the lowest error
    (or threshold) to above 4 x the baseline (early spikes beyond it are overflow marks)."""
    every = np.concatenate([np.asarray(run["test_loss"], dtype=float) for run in r["runs"].values()] + [[np.nan]])
    positive = every[np.isfinite(every) & (every > 0)]
    lo = min(float(positive.min()) if positive.size else r["threshold"], r["threshold"]) / 2
    return 10.0 ** math.floor(math.log10(lo)), 10.0 ** math.ceil(math.log10(4 * r["baseline"]))


def runner_colors(t, runs) -> dict:
    """Series name -> style: every runner in its model's colour (``ui.charts.theme.RUNNER_STYLES``), the baseline and
    the finish line as reference lines."""
    return charts.styles({t(f"memory_race.cell.{k}"): RUNNER_STYLES[k] for k in runs}
                         | {t(f"memory_race.series.{k}"): RUNNER_STYLES[k] for k in ("baseline", "threshold")})


@ui.chart_cache
def race_chart(race_key, top, lang, projector, _r, _ctx):
    """Every cell's test error up to the slider's step, a dot at its error there, and the step's numbers. Kept per
    race (``race_key``), language and projector mode: a released slider does not rebuild it."""
    t, r = _ctx.t, _r
    names = {k: t(f"memory_race.cell.{k}") for k in r["runs"]}
    loss = Panel("", t("memory_race.axis.mse"), {names[k]: run["test_loss"] for k, run in r["runs"].items()},
                 {t("memory_race.series.baseline"): r["baseline"], t("memory_race.series.threshold"): r["threshold"]},
                 step_notes(r, top, t, projector), steps={names[k]: run["eval_step"] for k, run in r["runs"].items()},
                 domain=mse_domain(r))
    return replay_runs([loss], scrub=ui.scrub_param(_ctx, STEP, hi=top), x_title=t("memory_race.axis.step"),
                       text=_ctx.chart_text, projector=projector, height=380,
                       colors=runner_colors(t, r["runs"]))


ctx = ui.page_frame("memory_race", controls=SPECS, presets=PRESETS)
t, ct, panel = ctx.t, ctx.chart_text, ctx.panel
names = {k: t(f"memory_race.cell.{k}") for k in RUNNERS}

panel.preset_row()
stage = ui.Stage(ctx)  # [controls | race], or folded: [race | gradient chart, leaderboard]
with stage.controls:
    v = panel.render()
    r = kept(v)
    preset = v.clip and v.seed == 0 and v.T in memory_race.PRESETS[v.task]
    run = st.button(t("memory_race.run"), key="_race.run", type="primary", icon=":material/play_arrow:",
                    disabled=r is not None, help=t("memory_race.run.done" if r is not None else "memory_race.run.help"))
with stage.tools:
    panel.share()
if st.session_state.pop(RUNNING, None):
    st.toast(t("memory_race.stopped"), icon=":material/stop_circle:")
right = stage.main
with right:
    slot = st.empty()
if run and r is None:
    r = race_live(v, slot)
    if complete(r):
        r = live(v.task, v.T, v.clip, v.seed, _result=r)
source = "live" if r is not None else "stored" if preset else None
if r is None and preset:
    r = stored(v.task, v.T)

live_budget = t("memory_race.live", live=LIVE, stored="–".join(map(str, STORED_STEPS)))
if r is None:
    with right:
        st.info(t("memory_race.prompt", live=live_budget, presets=", ".join(
            f"{t(f'memory_race.task.{task}')} T = {'/'.join(map(str, lengths))}"
            for task, lengths in memory_race.PRESETS.items())), icon=":material/model_training:")
    ui.explain(ctx, math=MATH, code=CODE)
    st.stop()

runs, baseline, threshold = r["runs"], r["baseline"], r["threshold"]
top = race_end(r)
at_k = end_at(ctx, STEP, top)                            # the step the hand left the slider at (top: the end)
now = memory_race.at_steps(r, [at_k])                    # where every cell stands there
shown = max(int(a["step"][0]) for a in now.values())    # its evaluation (the end: the race's last step)
loss = pd.concat(
    [pd.DataFrame({"step": run["eval_step"], "mse": run["test_loss"], "series": names[k]}) for k, run in runs.items()],
    ignore_index=True)
finals = {n: run["final"] for n, run in runs.items() if run["final"] is not None}
best = min(finals, key=finals.get) if finals else None
beaten = [n for n, run in runs.items() if run["beat_at"] is not None]
race_key = (source, v.task, v.T, v.clip, v.seed)
with right:
    ui.show_chart(race_chart(race_key, top, ctx.lang, ctx.projector, _r=r, _ctx=ctx), ctx=ctx, scrub=STEP)
    ui.metric_row(ctx, {
        "winner": t(f"memory_race.short.{best}") if best and finals[best] < threshold else t("memory_race.nobody"),
        "best_mse": ui.fmt_num(finals[best], 2) if best else "—",
        "beat": f"{len(beaten)} / {len(runs)}",
        "time": f"{r['seconds']:.1f} s" if source == "live" else t("memory_race.stored_short"),
    })
    where = (t("memory_race.source.live", seconds=f"{r.get('seconds', 0):.1f}", live=live_budget) if source == "live"
             else t("memory_race.source.stored", file=memory_race.preset_name(v.task, v.T),
                    time=duration(r["seconds"], t)))
    st.caption(f"{where} {recipes(r, t, names)} {t('memory_race.cells')}")


grad = pd.concat([pd.DataFrame({"step": np.arange(len(run["first_step_grad"])), "norm": state_grad(run),
                                "series": names[k]}) for k, run in runs.items()], ignore_index=True)
board = pd.DataFrame({"cell": [names[n] for n in runs], "ratio": [
    (float(now[n]["mse"][0]) if np.isfinite(now[n]["mse"][0]) else np.inf) / baseline for n in runs]})
a, b = stage.row([1.5, 1])
with a:
    ui.show_chart(charts.time_series(grad, x="step", y="norm", log_y=True, text=ct, projector=ctx.projector,
                                     height=stage.size(300, 210), x_title=t("memory_race.axis.step"),
                                     y_title=t("memory_race.axis.grad"),
                                     title=t("memory_race.chart.grad"), marker=min(at_k, r["steps"] - 1),
                                     colors=runner_colors(t, runs)))
with b:
    ui.show_chart(charts.bar_chart(board, x="cell", y="ratio", y_domain=(0.0, 1.25), color="cell",
                                   colors=runner_colors(t, runs),
                                   text=ct, projector=ctx.projector, height=stage.size(300, 180), x_title=" ",
                                   y_title=t("memory_race.axis.ratio"),
                                   title=t("memory_race.chart.board") if at_k == top
                                   else t("memory_race.chart.board_at", step=shown)))
c, d = st.columns([3, 2], gap="medium", vertical_alignment="center")
with c:
    st.markdown(f"**{t('memory_race.chart.table')}**")
    table = pd.DataFrame({
        t("memory_race.col.cell"): [names[k] for k in runs],
        t("memory_race.col.final"): [ui.fmt_num(run["final"]) if run["final"] is not None else "—"
                                     for run in runs.values()],
        t("memory_race.col.best"): [ui.fmt_num(min(run["test_loss"])) if run["test_loss"] else "—"
                                    for run in runs.values()],
        t("memory_race.col.beat"): [str(run["beat_at"]) if run["beat_at"] is not None else t("memory_race.never")
                                    for run in runs.values()],
    })
    if any(run["diverged_at"] is not None for run in runs.values()):
        table[t("memory_race.col.diverged")] = [str(run["diverged_at"]) if run["diverged_at"] is not None else "—"
                                                for run in runs.values()]
    st.dataframe(table, hide_index=True, width="stretch")
with d:
    st.caption(t("memory_race.table.caption", threshold=ui.fmt_num(threshold), baseline=ui.fmt_num(baseline),
                 test=r["test_size"], every=r["eval_every"]))
    irnn = runs.get("irnn")
    if irnn is not None and irnn["beat_at"] is None and irnn["final"] is not None:
        st.caption(irnn_note(irnn, baseline, t))

ui.explain(ctx, math=MATH, code=CODE)
ui.download_csv(ctx, pd.concat([loss.assign(quantity="test_mse").rename(columns={"mse": "value"}),
                                grad.assign(quantity="norm_dL_ds0").rename(columns={"norm": "value"})],
                               ignore_index=True).rename(columns={"series": "cell"}))
