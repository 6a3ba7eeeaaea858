"""AppTest helpers for page tests: run a page with query parameters, check it, inspect its charts.

    from tests.apptest_utils import run_page, assert_page_ok, page_controls, control_values, query_from

    at = run_page("vanilla_rnn", query={"rho": "1.5", "lang": "zh"})
    assert_page_ok(at)                       # no exception, no missing i18n key, charts clean (below)
    assert_translated(at)                    # lang=zh: no stray English in the visible text

    specs, presets = page_controls("vanilla_rnn")           # what the page's ControlPanel declared
    @given(control_values(specs)) ...                          # hypothesis: random valid values
    at = run_page("vanilla_rnn", query=query_from(specs, values))
    at = click_preset(run_page("vanilla_rnn"), "vanishing")  # press a preset button and rerun

How AppTest exposes charts (Streamlit 1.67): ``st.altair_chart`` / ``st.vega_lite_chart`` become elements
of type ``"vega_lite_chart"`` (``at.get("vega_lite_chart")``, an UnknownElement). Their ``.proto`` has
``spec`` (the Vega-Lite JSON, data replaced by named datasets), ``datasets`` (``name`` + Arrow IPC bytes in
``.data.data``) and ``data`` (Arrow bytes for unnamed data). :func:`chart_frames` decodes all of them
into DataFrames (plus inline ``values`` left in the spec); :func:`assert_charts_clean` checks them.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from streamlit.testing.v1 import AppTest

from ui.furniture import EXPLAINER_KEYS

ROOT = Path(__file__).resolve().parents[1]
MAIN = ROOT / "streamlit_app.py"
OPEN_EXPLAINERS = dict.fromkeys(EXPLAINER_KEYS.values(), True)  # state: all three expanders open
CHART_ROW_LIMIT = 5000  # rows per chart, all its datasets together ("a few thousand")
TIMEOUT = 60


# --- running ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Drawn:
    """One line of a scrubbed family chart as the browser gets it: the points sent (a family's lines keep only
    the points that change how they look, ``ui.charts.family``), x in increasing order."""
    x: np.ndarray
    v: np.ndarray

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Drawn) and np.array_equal(self.x, other.x) and np.array_equal(self.v, other.v)

    __hash__ = None

    def of(self, full: np.ndarray) -> np.ndarray:
        """``full`` (a curve over x = 0, 1, ..., N-1) at the points sent."""
        return np.asarray(full)[np.round(self.x).astype(int)]

    def assert_shows(self, full: np.ndarray, rtol: float = 1e-5, atol: float = 1e-9) -> None:
        """The line runs from the first to the last x of ``full`` and every point sent is ``full``'s value there
        (packed with 6 significant digits)."""
        assert self.x[0] == 0 and self.x[-1] == len(full) - 1, (self.x[0], self.x[-1], len(full))
        np.testing.assert_allclose(self.v, self.of(full), rtol=rtol, atol=atol)

    def on_grid(self, n: int) -> np.ndarray:
        """The drawn line (straight between the points sent) at x = 0, 1, ..., n-1."""
        return np.interp(np.arange(n), self.x, self.v)


def page_path(page: str | None) -> str | None:
    """``"vanilla_rnn"`` -> ``"pages/1_vanilla_rnn.py"``; None/"home" -> None (the main script)."""
    if page in (None, "home"):
        return None
    if page.endswith(".py"):
        return page
    from ui.registry import BY_ID

    return BY_ID[page].file


def run_page(page: str | None = None, query: Mapping[str, str] | None = None,
             state: Mapping[str, Any] | None = None, *, main: Path | str = MAIN,
             timeout: float = TIMEOUT) -> AppTest:
    """Run a page (id like ``"vanilla_rnn"``, a path under pages/, or None for home) as a fresh session.

    ``query``: URL query parameters (strings, as a browser sends them). ``state``: session-state values set
    before the run (e.g. widget keys). Resets the missing-translation record first.
    """
    from ui.i18n import reset_missing

    reset_missing()
    at = AppTest.from_file(str(main), default_timeout=timeout)
    path = page_path(page)
    if path is not None:
        at.switch_page(path)
    if query:
        at.query_params.update({k: v for k, v in query.items()})
    for k, v in (state or {}).items():
        at.session_state[k] = v
    return at.run()


def click_preset(at: AppTest, name: str) -> AppTest:
    """Click the preset button ``name`` (``"__reset__"`` for Reset) and rerun."""
    return at.button(key=f"_preset.{name}").click().run()


def control_value(at: AppTest, page: str, spec) -> Any:
    """The value control ``spec`` has after the last run (a scrub keeps it in its own state, not under its key)."""
    from ui.scrub import Scrub, current

    return current(at.session_state, page, spec.key) if isinstance(spec, Scrub) else at.session_state[spec.key]


def scrub_chart(at: AppTest, key: str):
    """The chart element that holds the scrub ``key`` (its widget key is ``_scrub.<page>.<key>.chart.<gen>``)."""
    found = [el for el in at.get("vega_lite_chart") if f".{key}.chart." in el.proto.id]
    assert len(found) == 1, f"expected one chart with the scrub {key!r}, found {len(found)}"
    return found[0]


def release_scrub(at: AppTest, key: str, value: float | int, run: bool = True) -> AppTest:
    """What the browser sends when the hand leaves the in-chart slider ``key`` at ``value``: the chart's selection
    (``{"selection": {"scrub": [{key: value}]}}``) with every other widget's state, and a rerun."""
    from streamlit.proto.WidgetStates_pb2 import WidgetStates

    chart = scrub_chart(at, key)
    ws = WidgetStates()
    ws.CopyFrom(at._tree.get_widget_states())
    w = ws.widgets.add()
    w.id = chart.proto.id
    w.string_value = json.dumps({"selection": {"scrub": [{key: value}]}})
    return at._run(ws) if run else at


def deferred_files(monkeypatch) -> list:
    """The callables of the deferred downloads (``ui.download_csv``) the runs after this call register, in order:
    ``make = deferred_files(monkeypatch)[-1]; csv = make()`` gives a download's bytes as a click would."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    registered = []
    original = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        registered.append(data_callable)
        return original(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return registered


_CONTROLS: dict[str, tuple[tuple, dict]] = {}


def page_controls(page: str) -> tuple[tuple, dict]:
    """(specs, presets) declared by ``page``'s ControlPanel (runs the real page once per test process and keeps what
    it declared: the panel registry itself also records test apps that borrow a page id, e.g. tests/ui/demo_app)."""
    from ui.panel import registered

    if page not in _CONTROLS:
        run_page(page)
        found = registered(page)
        assert found is not None, f"page {page!r} built no ControlPanel"
        _CONTROLS[page] = found
    return _CONTROLS[page]


# --- checks ----------------------------------------------------------------------------------------------------------
def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, "\n".join(str(e.value) for e in at.exception)


def assert_no_missing_keys() -> None:
    from ui.i18n import missing_keys

    assert not missing_keys(), f"translation keys looked up but missing: {sorted(missing_keys())}"


def assert_page_ok(at: AppTest, *, row_limit: int = CHART_ROW_LIMIT) -> None:
    """No exception, every translation key found, every chart free of NaN/inf and within the row limit."""
    assert_no_exception(at)
    assert_no_missing_keys()
    assert_charts_clean(at, row_limit=row_limit)


# --- charts ----------------------------------------------------------------------------------------------------------
@dataclass
class ChartData:
    spec: dict
    frames: list[pd.DataFrame]

    @property
    def rows(self) -> int:
        return sum(len(f) for f in self.frames)


def _arrow_to_df(raw: bytes) -> pd.DataFrame:
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    return convert_arrow_bytes_to_pandas_df(raw)


def _inline_values(spec: Any) -> Iterator[list]:
    if isinstance(spec, dict):
        data = spec.get("data")
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            yield data["values"]
        for k, v in spec.items():
            if k == "datasets" and isinstance(v, dict):
                yield from (vals for vals in v.values() if isinstance(vals, list))
            elif k != "data":
                yield from _inline_values(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from _inline_values(v)


def chart_frames(at: AppTest) -> list[ChartData]:
    """Every Vega-Lite chart of the last run: its spec and all its data as DataFrames."""
    out = []
    for el in at.get("vega_lite_chart"):
        proto = el.proto
        spec = json.loads(proto.spec) if proto.spec else {}
        frames = [_arrow_to_df(ds.data.data) for ds in proto.datasets if ds.data.data]
        if proto.data.data:
            frames.append(_arrow_to_df(proto.data.data))
        frames += [pd.DataFrame(vals) for vals in _inline_values(spec) if vals]
        out.append(ChartData(spec, frames))
    return out


def frame_problems(df: pd.DataFrame) -> list[str]:
    """NaN/inf in numeric columns, missing values (None/NaN) anywhere."""
    problems = []
    for col in df.columns:
        s = df[col]
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_numeric_dtype(s):
            bad = ~np.isfinite(s.to_numpy(dtype=float))
            if bad.any():
                problems.append(f"column {col!r}: {int(bad.sum())} NaN/inf")
        elif s.isna().any():
            problems.append(f"column {col!r}: {int(s.isna().sum())} missing")
    return problems


def assert_charts_clean(at: AppTest, *, row_limit: int = CHART_ROW_LIMIT) -> None:
    for i, chart in enumerate(chart_frames(at)):
        assert chart.rows <= row_limit, f"chart {i}: {chart.rows} rows > {row_limit}"
        for df in chart.frames:
            problems = frame_problems(df)
            assert not problems, f"chart {i}: {problems}"


# --- visible text ----------------------------------------------------------------------------------------------------
_TEXT_FIELDS = ("body", "label", "help", "placeholder")
_SKIP_TYPES = {"latex", "code", "vega_lite_chart", "html", "arrow_data_frame", "json", "exception", "empty"}


def _walk(node) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _strings(msg, depth: int = 0) -> Iterator[str]:
    """String fields named like text (and radio captions) in a proto message, recursively."""
    if depth > 3 or not hasattr(msg, "ListFields"):
        return
    for field, value in msg.ListFields():
        if isinstance(value, str):
            if field.name in _TEXT_FIELDS and value:
                yield value
        elif field.name == "captions":
            yield from (c for c in value if c)
        elif hasattr(value, "ListFields"):
            yield from _strings(value, depth + 1)


def visible_texts(at: AppTest) -> list[str]:
    """Text a person reads (titles, Markdown, captions, labels, help, toasts, expander titles...),
    without LaTeX, code blocks, chart specs or option ids."""
    texts = []
    for node in _walk(at._tree):
        if getattr(node, "type", None) in _SKIP_TYPES:
            continue
        proto = getattr(node, "proto", None)
        if proto is not None:
            texts.extend(_strings(proto))
    return texts


# Technical tokens allowed in Chinese text (names of models, functions, tools; the bilingual language label).
ALLOWED_ASCII = {
    "RNN", "RNNs", "LSTM", "GRU", "IRNN", "BPTT", "ReLU", "relu", "tanh", "sigmoid", "linear", "CSV", "PyTorch",
    "NumPy", "Adam", "SGD", "CS224n", "Language", "English", "diag", "max", "min", "sup", "exp", "log",
    "Lab", "Elman", "inf", "nan",
    # people cited in the lecture notes
    "Pascanu", "Mikolov", "Bengio", "Hochreiter", "Schmidhuber", "Gers", "Cummins", "Cho", "Chung", "Gulcehre",
    "Jaitly", "Hinton", "Graves", "Sutskever", "Vinyals", "Manning", "Werbos",
}
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$]*\$|`[^`]*`", re.S)
_WORD = re.compile(r"[A-Za-z][A-Za-z']{2,}")


def english_words(text: str, allowed: set[str] = ALLOWED_ASCII) -> list[str]:
    """ASCII words of 3+ letters outside math/code that are not allowed technical tokens."""
    return [w for w in _WORD.findall(_MATH.sub(" ", text)) if w not in allowed]


def assert_translated(at: AppTest, extra_allowed: Sequence[str] = ()) -> None:
    """For a zh run: no visible text contains English words (beyond technical tokens)."""
    allowed = ALLOWED_ASCII | set(extra_allowed)
    bad = {t: words for t in visible_texts(at) if (words := english_words(t, allowed))}
    assert not bad, f"untranslated English in zh view: {bad}"


# --- random views ----------------------------------------------------------------------------------------------------
def control_values(specs: Sequence):
    """Hypothesis strategy of valid values for every control (extremes and defaults weighted in)."""
    from hypothesis import strategies as st

    from ui.controls import Choice, Slider, Toggle
    from ui.text_control import Text

    fields = {}
    for s in specs:
        if isinstance(s, Slider):
            edges = st.sampled_from([s.lo, s.hi, s.default])
            inner = (st.integers(int(s.lo), int(s.hi)) if s.is_int
                     else st.floats(float(s.lo), float(s.hi), allow_nan=False, allow_infinity=False))
            fields[s.key] = st.one_of(edges, inner)
        elif isinstance(s, Choice):
            fields[s.key] = st.sampled_from(s.options)
        elif isinstance(s, Toggle):
            fields[s.key] = st.booleans()
        elif isinstance(s, Text):
            text = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=s.max_chars)
            fields[s.key] = st.one_of(st.sampled_from([s.default, ""]), text)
        else:
            raise TypeError(f"no strategy for {type(s).__name__}")
    return st.fixed_dictionaries(fields)


def query_from(specs: Sequence, values: Mapping[str, Any]) -> dict[str, str]:
    """The URL query (canonical strings) that asks for ``values``."""
    from ui.controls import url_params

    return url_params(specs, values)
