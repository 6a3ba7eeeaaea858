"""A page's control panel: preset buttons, the URL-bound widgets, and the link to the view.

    ctx = page_frame("vanilla_rnn", controls=SPECS, presets={"vanishing": {"rho": 0.5}, "edge": {"rho": 1.0}})
    ctx.panel.preset_row()                # reserves the row of preset buttons where it is called
    with left:
        v = ctx.panel.render()            # widgets (values from the URL), then fills the preset row
        ctx.panel.share()                 # "Link to this view"

Presets set several widgets through ``st.session_state`` in an ``on_click`` callback (before the next
run), so the widgets and the URL follow. The preset whose values match the current view is highlighted (at the
defaults: Reset, unless a named preset is the default view; see :meth:`ControlPanel.active_presets`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui.controls import (
    Control,
    Values,
    apply_url_fixes,
    check_values,
    first_load_raw,
    rejected,
    report_rejected,
    url_fixes,
    url_params,
)
from ui.share import share_box

if TYPE_CHECKING:
    from ui.frame import PageContext

RESET = "__reset__"
_REGISTRY: dict[str, tuple[tuple[Control, ...], dict[str, dict[str, Any]]]] = {}


def registered(page: str) -> tuple[tuple[Control, ...], dict[str, dict[str, Any]]] | None:
    """(specs, presets) of the last panel built for ``page`` in this process (tests read it after a run)."""
    return _REGISTRY.get(page)


def _apply_preset(values: Mapping[str, Any]) -> None:
    """Write a preset's values where each control reads them on the next run (``Control.request_key``)."""
    for k, v in values.items():
        st.session_state[k] = v


class ControlPanel:
    """Controls of one page. ``presets`` maps a preset name (i18n ``<page>.preset.<name>``) to values."""

    def __init__(self, ctx: PageContext, specs: Sequence[Control],
                 presets: Mapping[str, Mapping[str, Any]] | None = None, *, reset: bool = True,
                 raw: Mapping[str, str] | None = None):
        """``raw``: the controls' first-load URL values, already corrected by ``page_frame``. Without it (a
        panel built outside the frame) :meth:`render` corrects the URL itself, rerunning mid-page."""
        keys = [s.key for s in specs]
        if len(set(keys)) != len(keys):
            raise ValueError(f"duplicate control keys in {keys}")
        for reserved in ("lang", "projector", "embed", "embed_options"):
            if reserved in keys:
                raise ValueError(f"control key {reserved!r} is reserved (sidebar settings, Streamlit embedding)")
        self.ctx = ctx
        self.specs = tuple(specs)
        self.presets = {name: dict(vals) for name, vals in (presets or {}).items()}
        for vals in self.presets.values():
            check_values(self.specs, vals)
        if reset:  # the defaults of the reader's language (page 6's example sentence)
            self.presets[RESET] = {s.key: s.default_in(ctx.t, ctx.page) for s in self.specs}
        self._slot = None
        self._raw = None if raw is None else dict(raw)
        self.values: Values | None = None
        _REGISTRY[ctx.page] = (self.specs, {k: v for k, v in self.presets.items() if k != RESET})

    # --- drawing ----------------------------------------------------------------------------------------------------
    def preset_row(self):
        """Reserve the place of the preset buttons (filled by :meth:`render`, when the values are known)."""
        self._slot = st.container(horizontal=True, gap="small")
        self._first = self._slot.container(width="content")  # the fold button (ui.layout), before any preset
        return self._slot

    def preset_slot(self):
        """The start of the preset row reserved by :meth:`preset_row` (None if not reserved): the fold button."""
        return self._first if self._slot is not None else None

    def render(self, columns: int = 1) -> Values:
        """Draw every widget (in ``columns`` columns) and return the values; report ignored URL values."""
        t, ns = self.ctx.t, self.ctx.page
        raw = self._raw
        if raw is None:
            raw = first_load_raw(self.specs, ns)
            apply_url_fixes(url_fixes(self.specs, raw))
        cols = st.columns(columns) if columns > 1 else None
        values: dict[str, Any] = {}
        for i, spec in enumerate(self.specs):
            with cols[i % columns] if cols else nullcontext():
                values[spec.key] = spec.widget(t(f"{ns}.{spec.key}"), t.get(f"{ns}.{spec.key}.help"), t, ns)
        report_rejected(rejected(self.specs, raw, values), t, ns)
        self.values = Values(values)
        if self._slot is not None:
            with self._slot:
                self._preset_buttons()
        return self.values

    def active_presets(self) -> set[str]:
        """The buttons shown highlighted: every named preset whose values the view has; when none has them and
        the view is at the defaults, Reset (so at the defaults exactly the button that gives this view is
        highlighted on every page, whether or not a named preset equals the defaults)."""
        def matches(vals):
            return all(spec.same(self.values[spec.key], vals[spec.key]) for spec in self.specs if spec.key in vals)
        named = {name for name, vals in self.presets.items() if name != RESET and matches(vals)}
        if not named and RESET in self.presets and matches(self.presets[RESET]):
            return {RESET}
        return named

    def _preset_buttons(self) -> None:
        t, ns = self.ctx.t, self.ctx.page
        active_names = self.active_presets()
        for name, vals in self.presets.items():
            active = name in active_names
            label = t("common.reset") if name == RESET else t(f"{ns}.preset.{name}")
            help_ = t("common.reset.help") if name == RESET else t.get(f"{ns}.preset.{name}.help")
            targets = {spec.request_key(ns): vals[spec.key] for spec in self.specs if spec.key in vals}
            st.button(label, key=f"_preset.{name}", on_click=_apply_preset, args=(targets,), help=help_,
                      type="primary" if active else "secondary",
                      icon=":material/restart_alt:" if name == RESET else None)

    def url_params(self) -> dict[str, str]:
        """The query parameters of the current view: settings first, then non-default controls."""
        if self.values is None:
            raise RuntimeError("call render() first")
        start = {s.key: s.default_in(self.ctx.t, self.ctx.page) for s in self.specs}
        return {**self.ctx.settings_params(), **url_params(self.specs, self.values, start)}

    def share(self) -> str:
        """Draw the "Link to this view" popover; returns the link."""
        return share_box(self.url_params(), self.ctx.t)
