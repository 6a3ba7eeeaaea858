"""One colour per model on every page (issue 17): each chart's colour scale, read from what the page sends, maps every
series that is a model (or a model's variant) to the model's colour in ``ui.charts.theme`` (a variant: a shade of
it), and every reference line to a grey or black that no model has. The test's own table says which model each
series is (by its translation key), so a page that forgets to pass the colours, or passes another model's, fails.

Also: the lines that lie exactly on another one in the issue's four cases are drawn with gaps (dash "over") in the
member the slider shows."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.apptest_utils import assert_page_ok, chart_frames, click_preset, control_value, page_controls, run_page
from ui.charts.theme import MODEL_COLORS, SHADES, shade
from ui.i18n import EN
from ui.scrub import Scrub

# translation key of a series -> the model it is (a variant counts as its model); "ref": a reference line
SERIES = {
    "relu_vs_tanh.series.tanh": "tanh", "relu_vs_tanh.series.sigmoid": "sigmoid", "relu_vs_tanh.series.relu": "relu",
    "relu_vs_tanh.series.linear": "linear", "relu_vs_tanh.series.irnn": "irnn",
    "lstm_forget_gate.series.cell_path": "lstm", "lstm_forget_gate.series.cell_full": "lstm",
    "lstm_forget_gate.series.state_full": "lstm", "lstm_forget_gate.series.vanilla_rnn": "tanh",
    "lstm_forget_gate.series.c_max": "lstm", "lstm_forget_gate.series.h_max": "lstm",
    "lstm_forget_gate.series.f": "lstm",
    "gru_update_gate.series.gru_full": "gru", "gru_update_gate.pytorch.series.direct": "gru",
    "gru_update_gate.series.vanilla_rnn": "tanh", "gru_update_gate.series.lstm": "lstm",
    "gru_update_gate.series.r_mean": "gru", "gru_update_gate.series.shift": "gru",
    "vanilla_rnn.series.rho": "ref", "vanilla_rnn.series.bound": "ref", "lstm_forget_gate.series.sigmoid_bf": "ref",
    "gradient_clipping.series.baseline": "ref", "gradient_clipping.series.threshold": "ref",
    "gradient_clipping.series.cap_norm": "ref", "gradient_clipping.series.wall": "ref",
    "memory_race.cell.rnn": "tanh", "memory_race.cell.irnn": "irnn", "memory_race.cell.lstm0": "lstm",
    "memory_race.cell.lstm": "lstm", "memory_race.cell.gru": "gru",
    "memory_race.series.baseline": "ref", "memory_race.series.threshold": "ref",
}
# pages whose series depend on a control: page 1's curves are the RNN of the chosen activation, page 6's the
# chosen cell's (directions, stacks)
BY_CONTROL = {
    "vanilla_rnn": ("act", ("vanilla_rnn.series.grad", "vanilla_rnn.series.contrib")),
    "bidirectional_stacked": ("cell", ("bidirectional_stacked.chart.forward", "bidirectional_stacked.chart.backward")),
}
CELL_MODEL = {"rnn": "tanh", "lstm": "lstm", "gru": "gru"}


def family(model: str) -> set[str]:
    """The model's colour and its shades (its variants)."""
    return {shade(MODEL_COLORS[model], a) if a else MODEL_COLORS[model] for a in SHADES.values()}


def is_grey(color: str) -> bool:
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    return r == g == b


def series_colors(spec) -> Iterator[tuple[str, str]]:
    """(series name, colour) of every colour scale over the field ``series`` in a Vega-Lite spec."""
    if isinstance(spec, dict):
        scale = spec.get("scale")
        if spec.get("field") == "series" and isinstance(scale, dict) and isinstance(scale.get("range"), list):
            yield from zip(scale["domain"], scale["range"], strict=True)
        for v in spec.values():
            yield from series_colors(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from series_colors(v)


def check(at, expected: dict[str, str]) -> int:
    """Every series of ``expected`` (English name -> model or "ref") met in a chart has its colour; returns how many
    (name, colour) pairs were checked."""
    assert_page_ok(at)
    every_model = {c for m in MODEL_COLORS for c in family(m)}
    checked = 0
    for chart in chart_frames(at):
        for name, color in series_colors(chart.spec):
            model = expected.get(name)
            if model == "ref":
                assert is_grey(color) and color not in every_model, (name, color)
            elif model is not None:
                assert color in family(model), f"{name!r} drawn {color}, not in {model}'s colours {family(model)}"
            checked += model is not None
    return checked


def english(keys) -> dict[str, str]:
    return {EN[k]: m for k, m in keys.items()}


@pytest.mark.parametrize(("pid", "query", "preset"), [
    ("vanilla_rnn", {"act": "sigmoid"}, None), ("vanilla_rnn", {"act": "linear"}, None),
    ("relu_vs_tanh", {}, None), ("lstm_forget_gate", {}, None), ("gru_update_gate", {}, None),
    ("gradient_clipping", {}, None), ("gradient_clipping", {}, "gentle"),
    ("bidirectional_stacked", {"cell": "gru"}, None), ("bidirectional_stacked", {}, "deep_lstm"),
    ("memory_race", {}, None),
])
def test_every_model_has_its_colour_on_every_page(pid, query, preset):
    at = run_page(pid, query=query)
    if preset:
        at = click_preset(at, preset)
    expected = english(SERIES)
    if pid in BY_CONTROL:
        key, names = BY_CONTROL[pid]
        cell = at.session_state[key] if key in at.session_state else query[key]
        model = CELL_MODEL.get(cell, cell)
        expected |= english(dict.fromkeys(names, model))
        if pid == "bidirectional_stacked":       # part B: the stacks of the stack's cell
            stack = CELL_MODEL[at.session_state["stack_cell"]]
            expected |= english(dict.fromkeys([f"{pid}.series.{k}" for k in ("plain", "residual", "this")], stack))
    assert check(at, expected) >= {"gradient_clipping": 1, "memory_race": 3 * 5 + 2}.get(pid, 2)


def test_reference_lines_never_take_a_model_colour_and_differ_by_dash():
    from ui.charts.theme import DASHES, REFERENCES

    every_model = {c for m in MODEL_COLORS for c in family(m)}
    for name, st in REFERENCES.items():
        assert is_grey(st.color) and st.color not in every_model and st.dash in DASHES and st.dash != "solid", name
    assert len(set(MODEL_COLORS.values())) == len(MODEL_COLORS)


def member_dashes(at, pid: str, key: str) -> dict[str, str]:
    """The dash key of every line of the member the page's scrub ``key`` shows (the family chart's packed rows)."""
    specs, _ = page_controls(pid)
    scrub = next(s for s in specs if isinstance(s, Scrub) and s.key == key)
    i = scrub.index(control_value(at, pid, scrub))
    for chart in chart_frames(at):
        for df in chart.frames:
            if {"i", "series", "dash"} <= set(df.columns):
                rows = df[df["i"] == i]
                return dict(zip(rows["series"].astype(str), rows["dash"].astype(str), strict=True))
    raise AssertionError("no family chart with dash keys")


@pytest.mark.parametrize(("pid", "key", "query", "under", "over"), [
    ("vanilla_rnn", "rho", {}, "vanilla_rnn.series.rho", "vanilla_rnn.series.bound"),
    ("relu_vs_tanh", "rho", {}, "relu_vs_tanh.series.linear", "relu_vs_tanh.series.irnn"),
    ("lstm_forget_gate", "b_f", {}, "lstm_forget_gate.series.cell_full", "lstm_forget_gate.series.state_full"),
    ("gru_update_gate", "b_z", {}, "gru_update_gate.series.gru_full", "gru_update_gate.series.lstm"),
])
def test_a_line_on_another_is_drawn_with_gaps(pid, key, query, under, over):
    dashes = member_dashes(run_page(pid, query=query), pid, key)
    assert dashes[EN[over]] == "over" and dashes[EN[under]] != "over", dashes


def test_page2_state_norms_linear_under_irnn_too():
    at = run_page("relu_vs_tanh")
    for chart in chart_frames(at):
        for df in chart.frames:
            if {"series", "dash", "x"} <= set(df.columns) and "i" not in df.columns and (df["x"] > 50).any():
                d = dict(zip(df["series"].astype(str), df["dash"].astype(str), strict=False))
                if EN["relu_vs_tanh.series.linear"] in d and d.get(EN["relu_vs_tanh.series.tanh"]) == "solid":
                    assert d[EN["relu_vs_tanh.series.irnn"]] == "over"
                    return
    raise AssertionError("no ‖h_t‖ chart with the five contenders")
