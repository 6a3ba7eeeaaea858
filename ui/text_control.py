"""A URL-bound free-text control (e.g. a sentence), with the interface of the specs in :mod:`ui.controls`.

    Text("text", default="the movie was terribly exciting !", max_chars=200)

The value is any string of at most ``max_chars`` characters, the empty string included. It is drawn as
``st.text_input`` bound to the URL (``bind="query-params"``); a longer URL value is not valid and is removed
by the frame before Streamlit reads it, like any invalid link value. The text is the user's: a page must
never render it as Markdown or HTML (chart data and ``st.text`` are fine).
Labels come from i18n as for the other controls, plus an optional ``<ns>.<key>.placeholder``.

An example text can be language-bound (page 6's sentence): ``<ns>.<key>.default`` in the tables is where a
reader of that language starts (:meth:`Text.default_in`). ``default`` stays the text a link without the parameter
meant so far in English; a reader whose language has its own example starts from it instead, and a link that
leaves the parameter out shows the example of the link's ``lang``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from ui.controls import MAX_URL_VALUE, Control
from ui.i18n import Translator


@dataclass(frozen=True)
class Text(Control):
    """Free text of at most ``max_chars`` characters (``default`` must fit)."""

    max_chars: int = MAX_URL_VALUE

    def __post_init__(self):
        if not self.valid(self.default):
            raise ValueError(f"{self.key}: default must be a str of at most {self.max_chars} characters")

    def parse(self, raw: str) -> str | None:
        """The URL text itself, unless it is too long (then None: the default is used)."""
        if not isinstance(raw, str) or len(raw) > self.max_chars:
            return None
        return raw

    def to_url(self, value: Any) -> str:
        return str(value)

    def valid(self, value: Any) -> bool:
        return isinstance(value, str) and len(value) <= self.max_chars

    def default_in(self, t: Translator, ns: str) -> str:
        """The example of the reader's language (``<ns>.<key>.default``), else ``default``."""
        text = t.get(f"{ns}.{self.key}.default")
        return text if text is not None and self.valid(text) else self.default

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        return st.text_input(label, value=self.default_in(t, ns), max_chars=self.max_chars, key=self.key, help=help,
                             placeholder=t.get(f"{ns}.{self.key}.placeholder"), bind="query-params")
