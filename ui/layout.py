"""The first screen of a demo page (1280 x 720): the control column, the main chart, and the page's secondary charts
either below it or, with the control column folded, beside it.

    stage = ui.Stage(ctx)                     # draws the fold button at the start of the preset row
    with stage.controls:
        v = ctx.panel.render()
    with stage.tools:                         # "Link to this view"; ui.download_csv puts the CSV button here too
        ctx.panel.share()
    with stage.main:
        ui.show_chart(main_chart, ctx=ctx, scrub=SCRUB); ui.metric_row(ctx, {...})
    a, b = stage.row([1.2, 1])                # secondary charts: a row below, or stacked beside the main chart
    with a:
        ui.show_chart(charts.heatmap(..., height=stage.size(300, 200)))

Two arrangements, one click apart (the fold button; a session preference that survives page switches, like the
language):

- open (default): ``[controls | main chart]``, then the secondary charts in a row below (the layout the
  lecture notes describe);
- folded: ``[main chart | secondary charts]``: the second most important chart sits beside the main one on the
  first screen; the controls stay one click away in an expander at the foot of that column (the widgets are still
  drawn, so their values, the URL and the presets work as before).

Every page puts the link to the view and the CSV download in the same place: the ``tools`` row under the controls.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from ui.frame import PageContext

FOLDED = "_ui.folded"  # session: the control column is folded (a preference, kept across pages)
BUTTON = "_ui.fold"


def folded() -> bool:
    return bool(st.session_state.get(FOLDED, False))


def _toggle(page: str) -> None:
    """Fold or unfold; the main charts move to another column, so each scrub's chart is drawn as a new element
    at its current value (the browser's slider would otherwise restart from the value the chart was built with)."""
    from ui.scrub import renew

    st.session_state[FOLDED] = not folded()
    renew(page)


class Stage:
    """The containers of a page's first screen (see the module). ``ctx.stage`` is the last one built (tabbed pages
    build one per tab, the second with ``button=False``, and pass each to :func:`ui.furniture.download_csv`)."""

    def __init__(self, ctx: PageContext, *, button: bool = True):
        self.ctx, self.folded = ctx, folded()
        t = ctx.t
        if button:
            slot = ctx.panel.preset_slot() if ctx.panel is not None else None
            with slot if slot is not None else st.container():
                st.button(t("common.unfold" if self.folded else "common.fold"), key=BUTTON, on_click=_toggle,
                          args=(ctx.page,),
                          help=t("common.fold.help"), type="tertiary",
                          icon=":material/right_panel_open:" if self.folded else ":material/left_panel_close:")
        if self.folded:
            self.main, self.side = st.columns([5, 3], gap="medium")
            self._charts = self.side.container()
            box = self.side.expander(t("common.controls"), icon=":material/tune:")
            self.controls = box.container()
            self.tools = box.container(horizontal=True, gap="small")
        else:
            left, self.main = st.columns([1, 3], gap="medium")
            self.side = self._charts = None
            self.controls = left.container()
            self.tools = left.container(horizontal=True, gap="small")
        ctx.stage = self

    def row(self, spec: int | Sequence[float]) -> list:
        """Containers for the secondary charts: a row of columns below the stage (``spec`` as ``st.columns``
        takes it), or, folded, as many containers stacked in the column beside the main chart."""
        if self._charts is None:
            return list(st.columns(spec, gap="medium"))
        n = spec if isinstance(spec, int) else len(spec)
        return [self._charts.container() for _ in range(n)]

    def size(self, open_: int, folded_: int) -> int:
        """A secondary chart's height (or side) in the two arrangements: smaller beside the main chart."""
        return folded_ if self.folded else open_
