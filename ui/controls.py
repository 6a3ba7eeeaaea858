"""Declarative, URL-bound controls: a page declares each control once and gets its value.

Each spec (:class:`Slider`, :class:`Choice`, :class:`Toggle`, :class:`Number`) knows its key (= the URL
query parameter), default, range or options, how to draw its widget with ``bind="query-params"``, and how
to read and write its URL form. Labels come from i18n: ``<ns>.<key>`` (label), ``<ns>.<key>.help``
(optional tooltip) and ``<ns>.<key>.<option>`` (optional caption of a radio option), where ``ns`` is the
page id. Choice options are shown as their ids on purpose: Streamlit puts the *displayed* option text in
the URL, so translated option labels would make links language-dependent (translations go in captions).

URL handling, on the first run that shows a control:

- Streamlit silently drops a bound value it cannot use (wrong type, out of range, unknown option, empty).
  :func:`first_load_raw` reads ``st.query_params`` before the widget exists and :func:`rejected` compares it
  with the widget's value afterwards, so the page can say which link values were ignored.
- Lenient spellings Streamlit does not accept (``projector=1``, ``act=TANH``, ``T=50.0``) are rewritten to
  the canonical form, and invalid values are removed before Streamlit parses them, by :func:`url_fixes` +
  :func:`apply_url_fixes` (one rerun); the removed keys are then reported.
Nothing read from the URL is ever rendered: messages name the control, never echo the value.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass
from typing import Any, Literal

import streamlit as st
from streamlit.errors import StreamlitAPIException

from ui.i18n import DEFAULT_LANG, Translator

MAX_URL_VALUE = 200  # longer query values are rejected without parsing
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off"})
_PENDING = "_ui.rejected"  # keys reported in this run (re-shown if a URL fix-up reruns the page)
_REFIX = "_ui.refixed"  # set just before a fix-up rerun
_DEPTH = "_ui.fix_depth"  # fix-up reruns in a row
MAX_FIX_RERUNS = 2  # the frame's, then (for a panel declared after the frame) the panel's


def _num_to_url(v: float | int) -> str:
    """Streamlit's URL spelling of a number: 5.0 -> "5", 0.25 -> "0.25"."""
    if isinstance(v, float) and math.isfinite(v) and v == int(v):
        return str(int(v))
    return str(v)


@dataclass(frozen=True)
class Control:
    """Base spec. ``key`` is the widget key and the URL parameter name."""

    key: str
    _: KW_ONLY
    default: Any

    # --- URL form (pure: used by links, presets, tests) -------------------------------------------------
    def parse(self, raw: str) -> Any | None:
        """The value a URL string means (lenient), or None if it is not a valid value."""
        raise NotImplementedError

    def to_url(self, value: Any) -> str:
        """The canonical URL string of a value (what Streamlit writes)."""
        raise NotImplementedError

    def valid(self, value: Any) -> bool:
        """Whether ``value`` is a value this control can take (presets are checked with it)."""
        raise NotImplementedError

    def same(self, a: Any, b: Any) -> bool:
        return a == b

    def default_in(self, t: Translator, ns: str) -> Any:
        """The default a reader of ``t``'s language starts from; the same in every language except for
        language-bound examples (:class:`ui.text_control.Text`). A link omits a control at this value."""
        return self.default

    def has_state(self, ns: str) -> bool:
        """Whether this session already holds the control's value (then the URL is not read as a link)."""
        return self.key in st.session_state

    def request_key(self, ns: str) -> str:
        """The session-state key a preset writes to set this control before the next run."""
        return self.key

    # --- widget ---------------------------------------------------------------------------------------------
    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Slider(Control):
    """A numeric slider; integer-valued when ``lo``, ``hi``, ``default`` (and ``step``) are all ints.

    ``fmt`` is a printf-style display format (e.g. ``"%.2f"``), as ``st.slider`` takes it.
    """

    lo: float | int = 0
    hi: float | int = 1
    step: float | int | None = None
    fmt: str | None = None

    def __post_init__(self):
        if not (self.lo <= self.default <= self.hi):
            raise ValueError(f"{self.key}: default {self.default} outside [{self.lo}, {self.hi}]")

    @property
    def is_int(self) -> bool:
        return all(isinstance(v, int) and not isinstance(v, bool)
                   for v in (self.lo, self.hi, self.default, self.step if self.step is not None else 1))

    def parse(self, raw: str) -> float | int | None:
        if len(raw) > MAX_URL_VALUE:
            return None
        try:
            x = float(raw)
        except ValueError:
            return None
        if not math.isfinite(x) or not (self.lo <= x <= self.hi):
            return None
        if self.is_int:
            return int(x) if x == int(x) else None
        return x

    def to_url(self, value: Any) -> str:
        return _num_to_url(int(value) if self.is_int else float(value))

    def valid(self, value: Any) -> bool:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.is_int and not (isinstance(value, int) or float(value).is_integer()):
            return False
        return math.isfinite(value) and self.lo <= value <= self.hi

    def same(self, a: Any, b: Any) -> bool:
        return a is not None and b is not None and math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-12)

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        kw = {} if self.fmt is None else {"format": self.fmt}
        return st.slider(label, min_value=self.lo, max_value=self.hi, value=self.default, step=self.step,
                         key=self.key, help=help, bind="query-params", **kw)


@dataclass(frozen=True)
class Number(Slider):
    """An integer box (e.g. a random seed): same range rules as :class:`Slider`, drawn as ``st.number_input``."""

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        return st.number_input(label, min_value=self.lo, max_value=self.hi, value=self.default,
                               step=self.step or 1, key=self.key, help=help, bind="query-params")


@dataclass(frozen=True)
class Choice(Control):
    """One of a few option ids (ASCII, shown as they are, e.g. ``"tanh"``).

    ``kind``: ``"segmented"`` (a row of buttons, default), ``"radio"`` (shows translated captions
    ``<ns>.<key>.<option>`` under each option when they exist) or ``"select"`` (a drop-down). Segmented controls
    and drop-downs show the same texts, outside English, in one caption under the widget (:meth:`glosses`).
    """

    options: tuple[str, ...] = ()
    kind: Literal["segmented", "radio", "select"] = "segmented"

    def __post_init__(self):
        if self.default not in self.options:
            raise ValueError(f"{self.key}: default {self.default!r} not in {self.options}")

    def parse(self, raw: str) -> str | None:
        if len(raw) > MAX_URL_VALUE:
            return None
        if raw in self.options:
            return raw
        folded = {o.casefold(): o for o in self.options}
        return folded.get(raw.strip().casefold())

    def to_url(self, value: Any) -> str:
        return str(value)

    def valid(self, value: Any) -> bool:
        return value in self.options

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        common = dict(key=self.key, help=help, bind="query-params")
        if self.kind == "radio":
            caps = [t.get(f"{ns}.{self.key}.{o}", "") for o in self.options]
            return st.radio(label, self.options, index=self.options.index(self.default), horizontal=True,
                            captions=caps if any(caps) else None, **common)
        if self.kind == "select":
            value = st.selectbox(label, self.options, index=self.options.index(self.default), **common)
        else:
            value = st.segmented_control(label, self.options, default=self.default, required=True, **common)
        glosses = self.glosses(t, ns)
        if glosses:
            st.caption(" · ".join(glosses))
        return value

    def glosses(self, t: Translator, ns: str) -> list[str]:
        """What the option ids of a segmented control or drop-down mean, for a reader of another language than
        the ids' English (``<ns>.<key>.<option>``): the buttons must show the ids (the URL holds the displayed
        text), so the translation goes in a caption under them, e.g. "`linear`：线性（恒等）" (the id as code)."""
        if t.lang == DEFAULT_LANG:
            return []
        return [f"`{o}`：{gloss}" for o in self.options if (gloss := t.get(f"{ns}.{self.key}.{o}"))]


@dataclass(frozen=True)
class Toggle(Control):
    """An on/off switch. The URL says ``true``/``false``; ``1``/``0``, ``yes``/``no``, ``on``/``off`` are accepted."""

    default: bool = False

    def parse(self, raw: str) -> bool | None:
        s = raw.strip().casefold() if len(raw) <= MAX_URL_VALUE else ""
        return True if s in _TRUE else False if s in _FALSE else None

    def to_url(self, value: Any) -> str:
        return "true" if value else "false"

    def valid(self, value: Any) -> bool:
        return isinstance(value, bool)

    def widget(self, label: str, help: str | None, t: Translator, ns: str) -> Any:
        return st.toggle(label, value=self.default, key=self.key, help=help, bind="query-params")


# --- values -------------------------------------------------------------------------------------------------------
class Values(Mapping[str, Any]):
    """The controls' current values: ``v["rho"]``, ``v.rho``, ``dict(v)``, ``compute(**v)``."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = dict(data)

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._data[key]
        except KeyError:
            raise AttributeError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Values({self._data!r})"


def defaults(specs: Sequence[Control]) -> dict[str, Any]:
    return {s.key: s.default for s in specs}


def check_values(specs: Sequence[Control], values: Mapping[str, Any]) -> None:
    """Raise ValueError if ``values`` names an unknown control or holds an invalid value (presets)."""
    by_key = {s.key: s for s in specs}
    for k, v in values.items():
        if k not in by_key:
            raise ValueError(f"unknown control {k!r}")
        if not by_key[k].valid(v):
            raise ValueError(f"invalid value {v!r} for control {k!r}")


def url_params(specs: Sequence[Control], values: Mapping[str, Any],
               start: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Query parameters of the non-default values (the canonical link of a view). ``start``: the defaults of the
    reader's language where they differ (:meth:`Control.default_in`), as the widgets leave them out of the URL."""
    start = start or {}
    return {s.key: s.to_url(values[s.key]) for s in specs
            if s.key in values and not s.same(values[s.key], start.get(s.key, s.default))}


# --- first-load URL handling (reads st.query_params / st.session_state) -----------------------------------------------
def first_load_raw(specs: Sequence[Control], ns: str = "") -> dict[str, str]:
    """URL strings of the controls that have no state yet on page ``ns`` (their value will come from the URL)."""
    raw: dict[str, str] = {}
    for s in specs:
        if not s.has_state(ns) and s.key in st.query_params:
            raw[s.key] = st.query_params.get(s.key, "")
    return raw


def url_fixes(specs: Sequence[Control], raw: Mapping[str, str]) -> dict[str, str | None]:
    """URL corrections: the canonical spelling of a lenient value, or None (remove) for an invalid one.

    Invalid values are removed before Streamlit parses them: its parsers are not all robust (e.g. an
    integer ``st.number_input`` given ``?seed=999...9`` raises OverflowError in Streamlit 1.67).
    """
    by_key = {s.key: s for s in specs}
    fixes: dict[str, str | None] = {}
    for k, r in raw.items():
        value = by_key[k].parse(r)
        if value is None:
            fixes[k] = None
        elif by_key[k].to_url(value) != r:
            fixes[k] = by_key[k].to_url(value)
    return fixes


def apply_url_fixes(fixes: Mapping[str, str | None], fallback: Mapping[str, Any] | None = None) -> None:
    """Write ``fixes`` into the URL (None: delete the parameter) and rerun, before any widget reads the
    URL (no-op if empty). Deleted keys are reported as ignored link values after the rerun.

    A parameter already bound to a widget (of the main script) cannot be written: its value from
    ``fallback``, if any, is put in ``st.session_state`` instead, which the widget then adopts.
    At most :data:`MAX_FIX_RERUNS` fix-up reruns follow each other, so a fix that does not take cannot loop.
    """
    depth = st.session_state.get(_DEPTH, 0)
    if not fixes or depth >= MAX_FIX_RERUNS:
        return
    changed, dropped = False, []
    for k, v in fixes.items():
        try:
            if v is None:
                del st.query_params[k]
                dropped.append(k)
            else:
                st.query_params[k] = v
            changed = True
        except (StreamlitAPIException, KeyError):
            if v is not None and fallback is not None and k in fallback:
                st.session_state[k] = fallback[k]
    if changed:
        st.session_state[_PENDING] = [*st.session_state.get(_PENDING, []), *dropped]
        st.session_state[_REFIX] = True
        st.session_state[_DEPTH] = depth + 1
        st.rerun()


def rejected(specs: Sequence[Control], raw: Mapping[str, str], values: Mapping[str, Any]) -> list[str]:
    """Keys whose URL value was not used: the control fell back to its default although the URL asked
    for something else (Streamlit dropped it, or it is not a valid value). A value Streamlit coerced into
    a non-default one (e.g. ``seed=1.5`` -> 1, with the URL corrected) counts as used.
    """
    out = []
    for s in specs:
        if s.key in raw and s.same(values[s.key], s.default):
            parsed = s.parse(raw[s.key])
            if parsed is None or not s.same(parsed, s.default):
                out.append(s.key)
    return out


def begin_run() -> list[str]:
    """Call once per run, before anything else: returns the keys reported by a run that a URL fix-up cut
    short (their toast was lost), and counts consecutive fix-up reruns."""
    refixed = st.session_state.pop(_REFIX, False)
    pending = st.session_state.pop(_PENDING, [])
    if not refixed:
        st.session_state[_DEPTH] = 0
    return list(pending) if refixed else []


def report_rejected(keys: Sequence[str], t: Translator, ns: str = "common") -> None:
    """A short translated toast naming the ignored URL parameters by their label and key, e.g.
    "spectral radius ρ (`rho`)". Labels come from i18n (``<ns>.<key>``, or ``common.<key>`` for the
    settings) and keys from our specs: nothing of the URL's text is ever shown.
    """
    if keys:
        st.session_state[_PENDING] = list(dict.fromkeys([*st.session_state.get(_PENDING, []), *keys]))
        unique = list(dict.fromkeys(keys))
        names = ", ".join(f"{_label(k, t, ns)} (`{k}`)" for k in unique)
        key = "common.invalid_link" if len(unique) == 1 else "common.invalid_links"
        st.toast(t(key, names=names), icon=":material/warning:", duration="long")


def _label(key: str, t: Translator, ns: str) -> str:
    for candidate in (f"{ns}.{key}", f"common.{key}"):
        if t.has(candidate):
            return t(candidate)
    return key
