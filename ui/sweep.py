"""Lecture extra: a button that walks one slider through a range, so the page's charts move by themselves.

    ui.sweep.sweep_control(ctx, key="rho", start=0.5, stop=1.5, step=0.05)   # BEFORE the slider is drawn

How it works, with Streamlit's own means (no custom component):

- *Start* (``on_click``, before the next run) puts ``start`` into ``st.session_state[key]`` and marks the
  sweep active — the same way a preset sets a URL-bound widget, so the slider and the URL follow.
- While the sweep is active an (empty) fragment with ``run_every=interval`` is drawn. Each timed run of that
  fragment moves the value one step (``st.session_state[key] = next``: allowed, the slider belongs to the
  full script, not to the fragment run) and calls ``st.rerun()``, so the whole page redraws with the new
  value. A frame lasts about ``interval`` (more if the page's own run is slower).
- *Stop*, reaching ``stop``, or moving the slider (by hand, a preset, back/forward) ends the sweep. The slider
  keeps the last value and so does its ``bind="query-params"`` URL parameter: where the sweep ends is a link.

Stale browser values. Every request from the browser carries its widget values, and the browser updates the
slider only once it has drawn the previous frame; the timer's ticks (and Streamlit merging a tick with the
rerun a step asked for) can therefore bring back an older value. So the sweep keeps its own value: a step marks
the full run it asks for ("ours"), in which the sweep's value is put back in place, and a tick that does not
step puts it back too. Only in any other full run — one the lecturer caused — does a different slider value
mean "take over". The fragment also runs inside every full run; it only steps once half an ``interval`` has
passed since the last step.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from ui.frame import PageContext


def frames(start: float, stop: float, step: float) -> list[float]:
    """The values a sweep shows, ``start`` to ``stop`` inclusive (rounded, so 0.5 + 3 * 0.05 is 0.65); ints
    if all three are ints (for an integer slider), else floats."""
    if step <= 0 or stop < start:
        raise ValueError(f"need step > 0 and start <= stop, got {start}, {stop}, {step}")
    n = int(round((stop - start) / step))
    values = [round(start + i * step, 10) for i in range(n)] + [stop]  # ends exactly on ``stop``
    ints = all(isinstance(v, int) for v in (start, stop, step))
    return [int(v) for v in values] if ints else [float(v) for v in values]


def _state_key(ctx: PageContext, key: str) -> str:
    return f"_sweep.{ctx.page}.{key}"


def _start(skey: str, key: str, values: list[float]) -> None:
    st.session_state[key] = values[0]
    st.session_state[skey] = {"active": True, "i": 0, "value": values[0], "t": time.monotonic(), "ours": False}


def _stop(skey: str) -> None:
    st.session_state[skey] = {**st.session_state.get(skey, {}), "active": False}


def _advance(skey: str, key: str, values: list[float], interval: float) -> None:
    """One step of an active sweep (if half an interval has passed since the last), then a full rerun."""
    s = st.session_state.get(skey)
    if not s or not s["active"]:
        return
    if time.monotonic() - s["t"] < 0.5 * interval:
        st.session_state[key] = s["value"]  # undo a stale browser value sent with the timer's tick
        return
    i = min(s["i"] + 1, len(values) - 1)
    st.session_state[key] = values[i]
    st.session_state[skey] = {"active": i < len(values) - 1, "i": i, "value": values[i], "t": time.monotonic(),
                              "ours": True}
    st.rerun()


def sweep_control(ctx: PageContext, key: str = "rho", start: float = 0.5, stop: float = 1.5, step: float = 0.05,
                  interval: float = 0.25, label: str | None = None) -> bool:
    """Draw the Start/Stop button of a sweep of the control ``key`` and keep an active sweep going.

    Call it before the control's widget is drawn (e.g. inside ``panel.preset_row()``, which is filled later).
    ``interval``: seconds between steps (the browser's timer); a frame cannot be shorter than the page's run.
    Texts: ``common.sweep.*``; the help names the control by its label ``<page>.<key>``.
    Returns whether a sweep is running.
    """
    t, skey = ctx.t, _state_key(ctx, key)
    values = frames(start, stop, step)
    s = st.session_state.get(skey)
    if s and s["active"]:
        if time.monotonic() - s["t"] > max(10 * interval, 3.0):
            _stop(skey)  # no step for a long time: the page was left (or the tab slept) in the middle of a sweep
        elif s["ours"]:  # the run our step asked for: the sweep's value wins over what the browser last sent
            st.session_state[skey] = {**s, "ours": False}
            st.session_state[key] = s["value"]
        elif st.session_state.get(key) != s["value"]:
            _stop(skey)  # the slider was moved (by hand, a preset, back/forward): the lecturer took over
    active = bool(st.session_state.get(skey, {}).get("active"))
    if active:
        st.button(t("common.sweep.stop"), key=f"_sweep.{key}.stop", on_click=_stop, args=(skey,),
                  type="primary", icon=":material/stop:", help=t("common.sweep.stop.help"))
        st.fragment(run_every=interval)(_advance)(skey, key, values, interval)
    else:
        name = t(f"{ctx.page}.{key}")
        st.button(label or t("common.sweep.start", start=f"{start:g}", stop=f"{stop:g}"),
                  key=f"_sweep.{key}.start", on_click=_start, args=(skey, key, values),
                  icon=":material/play_arrow:",
                  help=t("common.sweep.help", control=name, start=f"{start:g}", stop=f"{stop:g}", step=f"{step:g}"))
    return active
