"""Lecture extra: a button that walks the page's scrub through a range, so the main chart moves by itself.

    ui.sweep.sweep_button(ctx, RHO, start=0.5, stop=1.5)     # RHO: the page's ui.scrub.Scrub

The sweep runs in the browser, like a drag: the button's run sends a small script (``st.html`` with
``unsafe_allow_javascript``) that steps the chart's slider (the range input Vega draws for the scrub) every
``STEP_MS``, firing the same ``input`` events a hand does. No script run happens while it moves; Streamlit
reports the last value when the sweep stops (its selection debounce), and the URL, tiles and other charts
follow it then. A hand on the slider (pointer or key) stops the sweep where it is.

Each press gets a new token, so the script element is new and runs once; later runs of the page send the
same element again, which the browser keeps (it does not run again).
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING

import streamlit as st

from ui.charts.scrub import PARAM

if TYPE_CHECKING:
    from ui.frame import PageContext
    from ui.scrub import Scrub

STEP_MS = 110  # between two steps: below Streamlit's 150 ms selection debounce, so nothing reruns mid-sweep


def frames(spec: Scrub, start: float, stop: float) -> list[float | int]:
    """The grid values a sweep shows, ``start`` to ``stop`` inclusive (both snapped to the grid)."""
    a, b = spec.index(spec.snap(start)), spec.index(spec.snap(stop))
    if b < a:
        raise ValueError(f"need start <= stop, got {start}, {stop}")
    return [v.item() for v in spec.values[a:b + 1]]


def script(spec: Scrub, values: list, token: int, step_ms: int = STEP_MS) -> str:
    """The browser side: step the slider ``<PARAM>_<key>`` through ``values``; stop on a hand or a new page."""
    name = json.dumps(f"{PARAM}_{spec.key}")
    return f"""<script data-sweep="{token}">(() => {{
  const values = {json.dumps(values)}, every = {int(step_ms)};
  let tries = 0, i = 0, stopped = false;
  const find = () => document.querySelector('.vega-bindings input[name=' + {name} + ']');
  const tick = (input) => {{
    if (stopped || !document.contains(input) || i >= values.length) return;
    input.value = String(values[i++]);
    input.dispatchEvent(new Event('input', {{bubbles: true}}));
    setTimeout(() => tick(input), every);
  }};
  const start = () => {{
    const input = find();
    if (!input) {{ if (tries++ < 100) setTimeout(start, 100); return; }}
    const stop = () => {{ stopped = true; }};
    input.addEventListener('pointerdown', stop, {{once: true}});
    input.addEventListener('keydown', stop, {{once: true}});
    tick(input);
  }};
  start();
}})();</script>"""


def _press(key: str) -> None:
    st.session_state[key] = st.session_state.get(key, 0) + 1


def sweep_button(ctx: PageContext, spec: Scrub, start: float, stop: float, label: str | None = None) -> list:
    """Draw the sweep button of the scrub ``spec`` (texts ``common.sweep.*``) and, once pressed, its script.

    Returns the values the sweep walks through.
    """
    t, key = ctx.t, f"_sweep.{ctx.page}.{spec.key}"
    values = frames(spec, start, stop)
    name = t(f"{ctx.page}.{spec.key}")
    st.button(label or t("common.sweep.start", start=f"{values[0]:g}", stop=f"{values[-1]:g}"),
              key=f"_sweep.{spec.key}.start", on_click=_press, args=(key,), icon=":material/play_arrow:",
              help=t("common.sweep.help", control=name, start=f"{values[0]:g}", stop=f"{values[-1]:g}",
                     step=f"{spec.step:g}"))
    token = st.session_state.get(key)
    if token:
        st.html(script(spec, values, token), width="content", unsafe_allow_javascript=True)
    return values
