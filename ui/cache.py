"""The cached-computation pattern: pages compute through ``st.cache_data`` keyed by the control values.

    @cached
    def compute(rho: float, T: int, act: str, seed: int) -> pd.DataFrame:   # module level, pure
        ...                                                              # core/ calls only
    data = compute(**values)     # values: the ControlPanel's Values; same values -> no recomputation

Arguments must be hashable by Streamlit (numbers, strings, tuples, arrays); return plain data
(DataFrames, arrays, dataclasses of them), never Streamlit or Altair objects.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

import streamlit as st

if TYPE_CHECKING:
    from ui.frame import PageContext

F = TypeVar("F", bound=Callable)
MAX_ENTRIES = 256  # per function: presets + slider sweeps of a lecture, a few MB at most


def cached(fn: F | None = None, *, max_entries: int = MAX_ENTRIES) -> F:
    """``st.cache_data`` with a bounded size and no spinner (a sweep must not flash a spinner)."""
    deco = st.cache_data(max_entries=max_entries, show_spinner=False)
    return deco(fn) if fn is not None else deco


def static_chart(fn: F) -> F:
    """For a chart that is the same whatever the controls say (e.g. the activation functions themselves): the
    built chart object is kept with ``st.cache_resource`` (shared, not copied) per language and projector mode,
    so it is not rebuilt on every slider move. Call it as ``fn(lang, projector, _ctx)``: parameters
    whose names start with ``_`` are not part of the key. The chart must not be modified after it is built
    (``ui.show_chart`` only reads it).
    """
    return st.cache_resource(max_entries=16, show_spinner=False)(fn)


@contextmanager
def computing(ctx: PageContext) -> Iterator[None]:
    """Around a family's computation (every value of the page's scrub): a translated spinner, which Streamlit
    shows only once the block has taken 0.5 s (a cached family comes back long before)."""
    with st.spinner(ctx.t("common.computing")):
        yield


def chart_cache(fn: F) -> F:
    """For a page's scrubbed main chart: ``fn(*args, _ctx=ctx)`` builds the chart (an Altair object); what is
    kept, per ``args`` (st.cache_resource, shared by every session), is its Vega-Lite spec with the datasets
    already as Arrow bytes (``ui.charts.render.to_streamlit``). Packing a family (every member's points as
    text) costs 5-200 ms, which the run after a released slider must not pay again: the family did not change.
    Put everything the chart depends on in ``args`` (the family's settings, language, projector mode); the
    spec must not be modified after it is built (``ui.scrub.draw`` copies what it changes).
    """
    from ui.charts.render import to_streamlit

    def build(*args, **kwargs):
        return to_streamlit(fn(*args, **kwargs))

    build.__name__, build.__qualname__, build.__module__ = fn.__name__, fn.__qualname__, fn.__module__
    return st.cache_resource(max_entries=32, show_spinner=False)(build)
