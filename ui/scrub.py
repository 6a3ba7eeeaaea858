"""The page's main control as a scrub: a slider inside the main chart that redraws it in the browser.

    SPECS = [Scrub("rho", default=0.9, lo=0.1, hi=2.0, step=0.05), Slider("T", ...), ...]
    ctx = ui.page_frame("vanilla_rnn", controls=SPECS)
    v = ctx.panel.render()                                 # v.rho: the value the hand left the slider at
    chart = charts.family_curves(..., scrub=ui.scrub_param(ctx, SPECS[0]))
    ui.show_chart(chart)                                   # draws it with the slider; URL follows

Where the value comes from, on every run (:func:`resolve`): a preset or a sweep (a request written into the
session by their ``on_click``), the URL (a deep link, a reload, back/forward), or the slider in the chart
(Streamlit's ``on_select="rerun"`` selection, reported when the hand stops). The last value is kept per page.

Keeping the chart still. The chart's spec holds the slider's start value. After a drag the browser shows the
new value already; if the next run put that value into the spec, Streamlit would rebuild the chart (and the
slider jump). So the spec keeps the value it was built with (``embed``) for as long as nothing else changes
it; the chart is rebuilt from the current value only when its spec changes anyway (language, projector mode,
other controls that change its structure) or when the value is set from outside (preset, URL, sweep). Set
from outside, the chart also gets a new key (``gen``): a new element, so Streamlit does not restore the old
selection into it.

Mirrored display (``mirror``): a control whose page can show it with the opposite sign (page 4's b_z is b_u =
−b_z in CS224n's convention). The value, its URL, presets and the family keep their sign; the slider shows −value
over the mirrored grid and its family members in reverse order (:meth:`Scrub.shown_order`). Switching the
display is a new chart (new ``gen``) at the same value.
"""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from core.family import grid
from ui.charts.scrub import BINDING_KEYS, PARAM, ScrubParam
from ui.controls import Slider
from ui.i18n import Translator

if TYPE_CHECKING:
    from ui.frame import PageContext


@dataclass(frozen=True)
class Scrub(Slider):
    """A slider drawn in the page's main chart (see the module). Values snap to the grid ``lo + k * step``.

    ``mirror``: called on every run; true when the page shows the control with the opposite sign (see the module).
    """

    mirror: Callable[[], bool] | None = None

    def __post_init__(self):
        super().__post_init__()
        if self.step is None:
            raise ValueError(f"{self.key}: a scrub needs a step")
        if self.key in BINDING_KEYS:                     # e.g. "step": the browser would draw a bare text box
            raise ValueError(f"{self.key}: a scrub's key cannot be the name of a binding property")
        if not self.on_grid(self.default):
            raise ValueError(f"{self.key}: default {self.default} is not on the grid")

    @property
    def values(self) -> np.ndarray:
        """The grid, as the browser's range input reports it."""
        g = grid(self.lo, self.hi, self.step)
        return g.astype(int) if self.is_int else g

    def snap(self, x: float) -> float | int:
        """The grid value nearest to ``x`` (inside the range)."""
        k = min(max(int(round((float(x) - self.lo) / self.step)), 0), len(self.values) - 1)
        return self.values[k].item()

    def index(self, x: float) -> int:
        return int(round((float(x) - self.lo) / self.step))

    def on_grid(self, x: float) -> bool:
        return math.isclose(float(x), float(self.snap(x)), rel_tol=0, abs_tol=1e-9 * max(1.0, abs(self.step)))

    def parse(self, raw: str) -> float | int | None:
        """A number in range, snapped to the nearest grid value (``rho=1.23`` means 1.25)."""
        if len(raw) > 200:
            return None
        try:
            x = float(raw)
        except ValueError:
            return None
        if not math.isfinite(x) or not (self.lo <= x <= self.hi):
            return None
        return self.snap(x)

    def valid(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        return math.isfinite(value) and self.lo <= value <= self.hi and self.on_grid(value)

    def mirrored(self) -> bool:
        return bool(self.mirror is not None and self.mirror())

    def shown_order(self, members: Any) -> Any:
        """A family's members (first axis, in grid order of the value) in the order the slider shows them."""
        return members[::-1] if self.mirrored() else members

    def request_key(self, ns: str) -> str:
        """Where presets and sweeps write a value for the next run (read once by :func:`resolve`)."""
        return f"_scrub.{ns}.{self.key}.set"

    def has_state(self, ns: str) -> bool:
        return _meta_key(ns, self.key) in st.session_state

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        """Nothing is drawn here (the slider is in the chart): the value of this run (:func:`resolve`)."""
        return resolve(self, ns)


def _meta_key(ns: str, key: str) -> str:
    return f"_scrub.{ns}.{key}"


def chart_key(ns: str, key: str, gen: int) -> str:
    """The main chart's widget key in generation ``gen`` (a new key is a new element: no stale selection)."""
    return f"_scrub.{ns}.{key}.chart.{gen}"


def current(state, ns: str, key: str) -> Any:
    """The scrub's current value in a session's state (tests read it after a run), or None."""
    meta = state[_meta_key(ns, key)] if _meta_key(ns, key) in state else None
    return None if meta is None else meta["value"]


def _neg(x: float | int) -> float | int:
    return 0 - x                                              # -x, without a -0.0 in the spec


def selected(spec: Scrub, state_value: Any, flip: bool = False) -> float | int | None:
    """The value a chart's selection state reports (``{"selection": {"scrub": [{key: v}]}}``), snapped; None
    when there is none or it is not a number in range. ``flip``: the slider shows -value."""
    try:
        points = state_value["selection"][PARAM]
        raw = points[0][spec.key] if isinstance(points, list) and points else None
    except (KeyError, TypeError, IndexError):
        return None
    if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
        return None
    raw = _neg(raw) if flip else raw
    return spec.snap(raw) if spec.lo - spec.step / 2 <= raw <= spec.hi + spec.step / 2 else None


def resolve(spec: Scrub, ns: str) -> float | int:
    """This run's value of the scrub ``spec`` on page ``ns`` (see the module for the order of sources)."""
    mkey = _meta_key(ns, spec.key)
    meta = st.session_state.get(mkey)
    flip = spec.mirrored()
    request = st.session_state.pop(spec.request_key(ns), None)
    raw = st.query_params.get(spec.key)
    url_value = spec.parse(raw) if raw is not None else None
    if meta is None:
        value = url_value if url_value is not None else spec.default
        if request is not None and spec.valid(request):
            value = spec.snap(request)
        meta = {"gen": 0, "embed": value, "value": value, "sel": None, "url": raw, "sig": None}
    else:
        sel = selected(spec, st.session_state.get(chart_key(ns, spec.key, meta["gen"])), meta.get("flip", False))
        outside = None
        if request is not None and spec.valid(request) and not spec.same(request, meta["value"]):
            outside = spec.snap(request)
        elif raw != meta["url"]:                             # the URL changed under us: back/forward, a link
            outside = url_value if url_value is not None else spec.default
        elif flip != meta.get("flip", False):                 # shown the other way round now: a new chart
            outside = meta["value"]
        if outside is not None:
            meta = {**meta, "gen": meta["gen"] + 1, "embed": outside, "value": outside, "sel": None}
        elif sel is not None and not spec.same(sel, meta["sel"]):
            meta = {**meta, "value": sel, "sel": sel}      # the hand moved the slider in the chart
    st.session_state[mkey] = {**meta, "flip": flip}
    return meta["value"]


def renew(ns: str) -> None:
    """Draw every scrub chart of page ``ns`` as a new element at its current value on the next run (the charts
    move to another place on the page, e.g. when the control column folds: see :mod:`ui.layout`)."""
    prefix = _meta_key(ns, "")
    for k in [k for k in st.session_state if isinstance(k, str) and k.startswith(prefix) and k.count(".") == 2]:
        meta = st.session_state[k]
        if isinstance(meta, dict) and "gen" in meta:
            st.session_state[k] = {**meta, "gen": meta["gen"] + 1, "embed": meta["value"], "sel": None}


def scrub_param(ctx: PageContext, spec: Scrub, hi: float | None = None) -> ScrubParam:
    """The slider for the chart builders: range, translated label, and the value the chart starts from.
    ``hi``: this run's end of the range when it depends on other controls (see :func:`cap`)."""
    meta = st.session_state[_meta_key(ctx.page, spec.key)]
    label = ctx.t(f"{ctx.page}.{spec.key}")
    top = spec.hi if hi is None else spec.snap(min(hi, spec.hi))
    if meta.get("flip"):                                     # the mirrored display (e.g. b_u = -b_z)
        return ScrubParam(spec.key, _neg(top), _neg(spec.lo), spec.step, _neg(min(meta["embed"], top)), label)
    return ScrubParam(spec.key, spec.lo, top, spec.step, min(meta["embed"], top), label)


def cap(ctx: PageContext, spec: Scrub, hi: float) -> float | int:
    """This run's value of the scrub when its range ends at ``hi`` (<= ``spec.hi``) in this run: a grid that
    depends on other controls, e.g. the focus word's position in a sentence of T words. A value beyond ``hi``
    becomes ``hi``: the chart is rebuilt at it as a new element (the browser's slider held the old value) and
    the URL follows; the value stays there when the range grows again."""
    mkey = _meta_key(ctx.page, spec.key)
    meta = st.session_state[mkey]
    top = spec.snap(min(hi, spec.hi))
    if meta["value"] > top:
        meta = {**meta, "gen": meta["gen"] + 1, "embed": top, "value": top, "sel": None}
        st.session_state[mkey] = meta
    return meta["value"]


def end_at(ctx: PageContext, spec: Scrub, hi: float) -> float | int:
    """This run's value of a scrub whose default means "the end" (``spec.default == spec.hi``, e.g. the last
    step of a training run whose length depends on other controls) when this run's range ends at ``hi``.

    A value at or beyond ``hi`` *is* the end: it is kept as the default, so the URL leaves it out (a link to the
    finished run stays short) and it stays the end when the range changes (another run, longer or shorter).
    A value below ``hi`` stays. Returns the value within the range (``hi`` for the end). The browser's slider
    already shows ``hi`` in every case (its start value is clamped to the range): no new element is needed."""
    if not spec.same(spec.default, spec.hi):
        raise ValueError(f"{spec.key}: end_at needs a scrub whose default is its end ({spec.hi})")
    mkey = _meta_key(ctx.page, spec.key)
    meta = st.session_state[mkey]
    top = spec.snap(min(hi, spec.hi))
    if meta["value"] >= top and not spec.same(meta["value"], spec.default):
        st.session_state[mkey] = {**meta, "value": spec.default}
    return min(st.session_state[mkey]["value"], top)


def _params(node: Any) -> list[dict]:
    """Every Vega-Lite parameter named ``PARAM`` in a spec."""
    found = []
    if isinstance(node, dict):
        for p in node.get("params", []):
            if isinstance(p, dict) and p.get("name") == PARAM:
                found.append(p)
        for k, v in node.items():
            if k not in ("params", "datasets"):
                found += _params(v)
    elif isinstance(node, list):
        for v in node:
            found += _params(v)
    return found


def _signature(spec: dict) -> str:
    """The spec without its data and without the slider's start value: what makes Streamlit rebuild the chart."""
    shell = {k: v for k, v in spec.items() if k != "datasets"}
    text = json.dumps(shell, sort_keys=True, default=str)
    for p in _params(shell):
        text = text.replace(json.dumps(p["value"], sort_keys=True), "null")
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _start(param: dict, key: str, value: float | int) -> list[dict]:
    """The selection's start value: ``value``, within the range the chart's input offers (a chart may show part
    of the grid, e.g. the steps of a run)."""
    bind = param.get("bind", {})
    return [{key: min(max(value, bind.get("min", value)), bind.get("max", value))}]


def draw(ctx: PageContext, spec: Scrub, vl: dict, *, width: str = "stretch", stride: int = 1) -> None:
    """Draw the scrubbed chart ``vl`` (a Vega-Lite dict from ``ui.charts.render.to_streamlit``, not modified: it may
    be cached) and put the value into the URL. Rebuilds the chart from the current value only when its spec
    changed anyway. The scrub's parameter is a top-level one (``params``), as the chart builders make it.
    ``stride`` > 1: only every stride-th member of the family is computed yet (``ui.progressive``): a line under
    the chart says so."""
    mkey = _meta_key(ctx.page, spec.key)
    meta = dict(st.session_state[mkey])
    sig = _signature(vl)
    key = chart_key(ctx.page, spec.key, meta["gen"])
    # a new element has no slider state in the browser: also when it was not drawn in the last run (a closed tab)
    if sig != meta["sig"] or key not in st.session_state:
        meta["embed"], meta["sig"] = meta["value"], sig
    embed = _neg(meta["embed"]) if meta.get("flip") else meta["embed"]
    vl = {**vl, "params": [{**p, "value": _start(p, spec.key, embed)} if p.get("name") == PARAM else p
                           for p in vl.get("params", [])]}
    st.vega_lite_chart(vl, on_select="rerun", selection_mode=[PARAM], key=key, width=width)
    slot = st.empty()                                         # the same elements whether or not it is shown
    if stride > 1:
        slot.caption(ctx.t("common.coarse", step=f"{round(stride * spec.step, 10):g}"))
    url = None if spec.same(meta["value"], spec.default) else spec.to_url(meta["value"])
    if st.query_params.get(spec.key) != url:
        if url is None:
            del st.query_params[spec.key]
        else:
            st.query_params[spec.key] = url
    meta["url"] = url
    st.session_state[mkey] = meta
