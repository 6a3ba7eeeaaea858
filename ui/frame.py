"""The frame every page starts with: ``ctx = page_frame("vanilla_rnn", controls=SPECS, presets=PRESETS)``.

It sets the page config (wide, translated title), draws the sidebar — the translated lecture-route
navigation (``st.page_link``; Streamlit's own nav is hidden by ``client.showSidebarNavigation = false``),
the language (``lang=en|zh``) and projector mode (``projector=true``, ``1`` also accepted), both bound to
the URL — and the page header (title, question, previous/next links). It returns a :class:`PageContext`
whose ``panel`` (a :class:`ui.panel.ControlPanel`) draws the page's controls where the page wants them.

The page's controls are declared here, not later, because every URL correction (canonical spelling,
removal of invalid values, restoring the settings) is written into the URL with one ``st.rerun()``
*before anything is drawn*: rerunning after elements were sent can leave the browser with a blank page
(Streamlit 1.67 frontend: "Bad delta path index") when the reruns follow each other quickly.

Keeping ``lang``/``projector`` across page switches: every page has its own sidebar widgets (Streamlit
gives widgets on different pages different ids), and on a page switch Streamlit drops query parameters
bound to a widget of the page being left unless it is the main script, so ``st.page_link(...,
query_params=...)`` alone only works from the home page. The frame therefore also remembers the two
settings in the session, and when a page is entered without them in the URL it writes them back into
the URL and reruns once (also when back/forward enters another page: the settings are preferences, not
history; within a page, back/forward shows what the URL says).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.charts.text import ChartText
from ui.controls import (
    Choice,
    Toggle,
    apply_url_fixes,
    begin_run,
    first_load_raw,
    rejected,
    report_rejected,
    url_fixes,
)
from ui.i18n import DEFAULT_LANG, LANGS, Translator
from ui.registry import BY_ID, HOME, MAIN_SCRIPT, PAGES, ROOT, PageInfo, available, neighbours
from ui.style import interface_css

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from ui.controls import Control
    from ui.panel import ControlPanel

LANG = Choice("lang", default=DEFAULT_LANG, options=LANGS, kind="radio")
PROJECTOR = Toggle("projector", default=False)
SETTINGS = (LANG, PROJECTOR)

# Projector screens are 720 px high: trim Streamlit's 6rem top padding (style only, no content).
_CSS = "<style>[data-testid='stMainBlockContainer']{padding-top:3rem;padding-bottom:2rem}</style>"
# The scrub's slider (Vega's range input under the main chart, styled by Streamlit): wide like the page's other
# sliders, above the chart (so it stays on the first screen), its value in the theme colour; in projector mode
# larger, like the rest of the page.
_SCRUB_CSS = """<style>
[data-testid='stVegaLiteChart']:has(.vega-bind){display:flex !important;flex-direction:column-reverse}
[data-testid='stVegaLiteChart'] form.vega-bindings{padding-top:0 !important;padding-bottom:0.2rem;width:100%}
[data-testid='stVegaLiteChart'] .vega-bind label{flex-wrap:nowrap !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']{width:30rem !important;flex:0 1 30rem;min-width:8rem}
[data-testid='stVegaLiteChart'] .vega-bind-name{font-size:1rem !important;min-width:auto !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']+span{color:PRIMARY !important;font-weight:600;
  font-size:1rem !important;min-width:3.5em;font-variant-numeric:tabular-nums}
</style>"""
_SCRUB_PROJECTOR_CSS = """<style>
[data-testid='stVegaLiteChart'] .vega-bind-name{font-size:1.35rem !important;font-weight:600 !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']+span{font-size:1.5rem !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']{height:1.6rem !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']::-webkit-slider-thumb{width:1.6rem !important;
  height:1.6rem !important;margin-top:calc((0.25rem - 1.6rem) / 2) !important}
[data-testid='stVegaLiteChart'] .vega-bind input[type='range']::-webkit-slider-runnable-track{height:0.25rem !important}
</style>"""
_STORE = "_ui.settings"  # last lang/projector of this session, for page switches
_PAGE = "_ui.page"  # page of the previous run, to detect entering a page


@dataclass
class PageContext:
    """What a page needs from the frame: ``t(key, **fmt)``, ``lang``, ``projector``, ``panel`` and helpers."""

    page: str
    lang: str
    projector: bool
    root: Path = field(default=ROOT, compare=False)  # folder of the running main script (pages/ is in it)
    panel: ControlPanel | None = field(default=None, compare=False, repr=False)  # the page's controls
    stage: Any = field(default=None, compare=False, repr=False)  # the page's ui.layout.Stage, once built

    @cached_property
    def t(self) -> Translator:
        return Translator(self.lang)

    @property
    def info(self) -> PageInfo | None:
        return BY_ID.get(self.page)

    @property
    def pages(self) -> list[PageInfo]:
        """The demo pages whose file exists, in lecture order."""
        return available(self.root)

    @cached_property
    def chart_text(self) -> ChartText:
        """Translated words for the chart builders (``text=ctx.chart_text``)."""
        return ChartText.from_translator(self.t)

    def controls(self, specs: Sequence[Control], presets: Mapping[str, Mapping[str, Any]] | None = None,
                 *, reset: bool = True) -> ControlPanel:
        """The page's :class:`ui.panel.ControlPanel`. Prefer ``page_frame(page, controls=..., presets=...)``
        and ``ctx.panel``: a panel first declared here has to correct the URL in the middle of the page
        (an extra rerun after elements were drawn, which Streamlit's frontend does not always survive)."""
        from ui.panel import ControlPanel

        if self.panel is not None and [s.key for s in self.panel.specs] == [s.key for s in specs]:
            return self.panel
        self.panel = ControlPanel(self, specs, presets, reset=reset)
        return self.panel

    def settings_params(self) -> dict[str, str]:
        """Query parameters that carry the settings to another page (empty when at their defaults)."""
        out = {}
        if self.lang != LANG.default:
            out["lang"] = self.lang
        if self.projector:
            out["projector"] = PROJECTOR.to_url(True)
        return out


def app_root() -> Path:
    """Folder of the running main script (pages/ lives there); the repository root outside Streamlit."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    path = getattr(get_script_run_ctx(), "main_script_path", None)
    return Path(path).resolve().parent if path else ROOT


def _settings_fixes(page: str, raw: Mapping[str, str]) -> tuple[dict[str, str | None], dict[str, Any]]:
    """URL corrections for the settings, and on entering a page the session's settings if the URL lacks them."""
    store = st.session_state.setdefault(_STORE, {s.key: s.default for s in SETTINGS})
    entered = st.session_state.get(_PAGE) != page
    st.session_state[_PAGE] = page
    fixes = url_fixes(SETTINGS, raw)
    if entered:
        for spec in SETTINGS:
            if spec.key not in st.query_params and not spec.same(store[spec.key], spec.default):
                fixes[spec.key] = spec.to_url(store[spec.key])
    return fixes, store


def _drop_foreign_values(page: str, controls: Sequence[Control]) -> None:
    """On entering a page, forget what another page's control of the same key left in the session if this page's
    control cannot take it (page 1's ``H`` = 100 on page 4, whose ``H`` stops at 64; page 1's Reset puts ``T`` =
    100 there for page 5, whose ``T`` stops at 60): Streamlit would hand the value to the new widget, which raises
    on every run of the page. A value this page's control can take carries over, as before."""
    if st.session_state.get(_PAGE) == page:
        return
    for spec in controls:
        if spec.key in st.session_state and not spec.valid(st.session_state[spec.key]):
            del st.session_state[spec.key]


def _nav(ctx: PageContext) -> None:
    t, qp = ctx.t, ctx.settings_params() or None
    st.page_link(MAIN_SCRIPT, label=t("common.home"), icon=":material/home:", query_params=qp)
    for p in ctx.pages:
        st.page_link(p.file, label=t("common.nav_label", number=p.number, title=t(f"{p.id}.nav")),
                     query_params=qp)


def _header(ctx: PageContext) -> None:
    t, info = ctx.t, ctx.info
    st.header(t(f"{ctx.page}.title"), anchor=False)
    # one row that never wraps: the step and the ← previous, next → links take the width they need (on one line,
    # in any language and in projector mode), the question the rest (it wraps instead)
    with st.container(horizontal=True, wrap=False, vertical_alignment="center", gap="medium", key="_ui.header"):
        st.markdown(f"##### {t(f'{ctx.page}.question')}", width="stretch")
        prev, nxt = neighbours(ctx.page, ctx.root)
        qp = ctx.settings_params() or None
        with st.container(horizontal=True, wrap=False, horizontal_alignment="right", vertical_alignment="center",
                          gap="small", width="content"):
            if info is not None:
                st.caption(t("common.step", number=info.number, total=len(PAGES)), width="content")
            if prev is not None:
                st.page_link(prev.file, label=t("common.prev", title=t(f"{prev.id}.nav")), query_params=qp)
            if nxt is not None:
                st.page_link(nxt.file, label=t("common.next", title=t(f"{nxt.id}.nav")), query_params=qp)


def page_frame(page: str, *, controls: Sequence[Control] = (),
               presets: Mapping[str, Mapping[str, Any]] | None = None, reset: bool = True,
               header: bool = True) -> PageContext:
    """Call first on every page. ``page`` is a page id from :mod:`ui.registry` or ``"home"``.

    ``controls``/``presets``/``reset`` declare the page's controls (see :class:`ui.panel.ControlPanel`,
    available as ``ctx.panel``). Draws page config, sidebar (navigation, language, projector mode) and,
    for demo pages with ``header=True``, the title/question header. Returns the :class:`PageContext`.
    """
    from ui.panel import ControlPanel

    if page != HOME and page not in BY_ID:
        raise ValueError(f"unknown page id {page!r}")
    st.set_page_config(layout="wide", page_icon="📉",
                       initial_sidebar_state="expanded" if page == HOME else "collapsed")
    carried = begin_run()
    _drop_foreign_values(page, controls)
    raw = first_load_raw(SETTINGS)
    raw_controls = first_load_raw(controls, page)
    fixes, store = _settings_fixes(page, raw)
    apply_url_fixes({**fixes, **url_fixes(controls, raw_controls)}, fallback=store)
    st.html(_CSS)

    with st.sidebar:
        nav = st.container()
        st.divider()
        lang = LANG.widget(Translator(DEFAULT_LANG)("common.lang"), None, Translator(DEFAULT_LANG), "common")
        t = Translator(lang)
        projector = PROJECTOR.widget(t("common.projector"), t("common.projector.help"), t, "common")
    ctx = PageContext(page=page, lang=lang, projector=bool(projector), root=app_root())
    primary = st.get_option("theme.primaryColor") or "#0b5fa5"
    st.html(_SCRUB_CSS.replace("PRIMARY", primary) + (_SCRUB_PROJECTOR_CSS if ctx.projector else "")
            + interface_css(ctx.projector))  # projector mode: the whole interface larger (ui/style.py)
    st.session_state[_STORE] = {"lang": ctx.lang, "projector": ctx.projector}
    with nav:
        st.markdown(f"**{t('common.nav')}**")
        _nav(ctx)
    title = t("common.app_name") if page == HOME else f"{t(f'{page}.nav')} · {t('common.app_name')}"
    st.set_page_config(page_title=title)  # additive: only the (translated) title changes
    report_rejected(carried + rejected(SETTINGS, raw, {"lang": ctx.lang, "projector": ctx.projector}), t, page)
    if controls:
        ctx.panel = ControlPanel(ctx, controls, presets, reset=reset, raw=raw_controls)
    if header and page != HOME:
        _header(ctx)
    return ctx
