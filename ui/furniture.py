"""The parts every demo page has besides its controls and charts.

- :func:`show_chart`: an Altair chart at full width (the builders in ``ui.charts`` make them).
- :func:`metric_row`: a row of ``st.metric`` tiles, labels from ``<page>.metric.<name>``.
- :func:`explain`: the three expanders "The math" (``st.latex``), "What to notice" (``<page>.notice``,
  Markdown) and "Show the code" (the source of the core functions that computed the page).
- :func:`download_csv`: the data behind the charts as a CSV file named after the page.
"""
from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from typing import TYPE_CHECKING

import altair as alt
import pandas as pd
import streamlit as st

from ui.charts.clamp import fmt_value
from ui.charts.render import to_streamlit

if TYPE_CHECKING:
    from ui.frame import PageContext
    from ui.layout import Stage
    from ui.scrub import Scrub


def show_chart(chart: alt.TopLevelMixin | dict, *, key: str | None = None, ctx: PageContext | None = None,
               scrub: Scrub | None = None, stride: int = 1) -> None:
    """Draw a chart built by ``ui.charts``: across the container's width, unless the chart fixes its own
    width (equal-axis plots such as the eigenvalue plane, small multiples). A chart built with the page's
    scrub (``scrub=SPEC``, ``ctx``) is drawn with its in-chart slider (:func:`ui.scrub.draw`). ``chart`` may also
    be a spec already converted by :func:`ui.charts.render.to_streamlit` (``ui.chart_cache``). ``stride``: the
    scrub's family is coarse so far (``ui.family``), the chart says so under it.

    Goes through :func:`ui.charts.render.to_streamlit` and ``st.vega_lite_chart`` rather than
    ``st.altair_chart``, which re-validates the spec against the JSON schema on every run and converts
    each dataset through ``pa.Table.from_pandas``.
    """
    spec = chart if isinstance(chart, dict) else to_streamlit(chart)
    fixed = "width" in spec or "facet" in spec
    if scrub is not None:
        from ui.scrub import draw

        draw(ctx, scrub, spec, width="content" if fixed else "stretch", stride=stride)
        return
    st.vega_lite_chart(spec, width="content" if fixed else "stretch", key=key)


def metric_row(ctx: PageContext, metrics: Mapping[str, str | float | int], *, border: bool = True) -> None:
    """One ``st.metric`` per entry: label ``<page>.metric.<name>``, help ``<page>.metric.<name>.help``.

    Values are shown as given when they are strings (format them with ``ui.fmt``), else with 4 digits.
    """
    t = ctx.t
    cols = st.columns(len(metrics)) if metrics else []
    for col, (name, value) in zip(cols, metrics.items(), strict=True):
        key = f"{ctx.page}.metric.{name}"
        shown = value if isinstance(value, str) else fmt_value(float(value))
        col.metric(t(key), shown, help=t.get(f"{key}.help"), border=border, height="stretch")


@lru_cache(maxsize=64)
def _source(obj) -> tuple[str, str]:
    try:
        return inspect.getsource(obj), getattr(obj, "__module__", "") or ""
    except (OSError, TypeError):
        return f"# source of {getattr(obj, '__qualname__', obj)!r} is not available", ""


EXPLAINER_KEYS = {name: f"_explain.{name}" for name in ("math", "notice", "code")}  # state: open or not


def explain(ctx: PageContext, *, math: Sequence[str | tuple[str, str]] = (), code: Sequence[object] = (),
            notice: bool = True) -> None:
    """The three lecture expanders.

    ``math``: LaTeX strings (e.g. a core module's equation constant), or ``(i18n key, latex)`` pairs to put
    a translated sentence before an equation. ``code``: functions/classes whose source to show.

    Their content is only sent while they are open (Streamlit's lazy expanders: opening one reruns the page):
    highlighted source and KaTeX re-rendered on every slider move cost the browser 60-100 ms (measured).
    """
    t = ctx.t
    if math:
        with _lazy("math", t("common.math"), ":material/functions:") as box:
            for item in math if box else ():
                if isinstance(item, tuple):
                    st.markdown(t(item[0]))
                    st.latex(item[1])
                else:
                    st.latex(item)
    if notice:
        with _lazy("notice", t("common.notice"), ":material/visibility:") as box:
            if box:
                st.markdown(t(f"{ctx.page}.notice"))
    if code:
        with _lazy("code", t("common.code"), ":material/code:") as box:
            for obj in code if box else ():
                src, module = _source(obj)
                if module:
                    st.caption(t("common.code.caption", module=module))
                st.code(src, language="python", line_numbers=False)


@contextmanager
def _lazy(name: str, label: str, icon: str) -> Iterator[bool]:
    """An expander that reruns the page when opened or closed; yields whether it is open."""
    box = st.expander(label, icon=icon, key=EXPLAINER_KEYS[name], on_change="rerun")
    with box:
        yield bool(box.open)


def csv_bytes(df: pd.DataFrame) -> bytes:
    """The CSV a download button hands out: UTF-8, header row, no index."""
    return df.to_csv(index=False).encode("utf-8")


def download_csv(ctx: PageContext, df: pd.DataFrame, name: str = "data", stage: Stage | None = None) -> None:
    """A download button for ``df`` as ``<page>_<name>.csv`` (:func:`csv_bytes`); does not rerun the page.

    Drawn in the same place on every page: the stage's tools row, next to "Link to this view" (``stage``, else
    ``ctx.stage``; where it is called when the page has no stage). The file is written when the button is clicked
    (Streamlit's deferred download), not on every slider move.
    """
    stage = stage or getattr(ctx, "stage", None)
    with stage.tools if stage is not None else nullcontext():
        _csv_button(ctx, df, name)


def _csv_button(ctx: PageContext, df: pd.DataFrame, name: str) -> None:
    st.download_button(ctx.t("common.download_csv"), data=lambda: csv_bytes(df),
                       file_name=f"{ctx.page}_{name}.csv", mime="text/csv", key=f"_csv.{name}",
                       on_click="ignore", icon=":material/download:")
