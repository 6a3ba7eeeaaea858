"""Pages in two parts, shown as tabs: each control is drawn in its part's column, a preset opens the tab
of its part, and the open tab survives a language switch. Only the open tab's charts are computed.

    SLOTS = {}                                             # part -> container, filled before render()
    PSlider, PChoice = slotted(Slider, SLOTS, "cliff"), slotted(Choice, SLOTS, "cliff")
    SPECS = [PSlider("w0", default=6.0, lo=-10, hi=15, slot="cliff"), PChoice(..., slot="train")]
    tab_a, tab_b = part_tabs(ctx, ("cliff", "training"), PRESETS, {"lstm": 1}, key="_page.part")
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import streamlit as st

from ui.i18n import LANGS, translate


def slotted(base: type, slots: dict, default: str) -> type:
    """A subclass of control class ``base`` whose widget is drawn in ``slots[self.slot]``."""
    @dataclass(frozen=True)
    class Slotted(base):
        slot: str = default

        def widget(self, *args):
            with slots[self.slot]:
                return super().widget(*args)
    Slotted.__name__ = Slotted.__qualname__ = base.__name__
    return Slotted


def part_tabs(ctx, parts: Sequence[str], presets: Mapping, preset_part: Mapping[str, int], key: str):
    """``st.tabs`` labelled ``<page>.tab.<part>``; opens the part of a preset that was just pressed, and
    keeps the open part when the language changes (the tab state holds the translated label)."""
    labels = [ctx.t(f"{ctx.page}.tab.{p}") for p in parts]
    clicked = [name for name in presets if st.session_state.get(f"_preset.{name}")]
    if clicked:
        st.session_state[key] = labels[preset_part.get(clicked[0], 0)]
    elif key in st.session_state and st.session_state[key] not in labels:
        st.session_state[key] = next((labels[i] for lang in LANGS for i, p in enumerate(parts)
                                      if translate(lang, f"{ctx.page}.tab.{p}") == st.session_state[key]), labels[0])
    return st.tabs(labels, key=key, on_change="rerun")
