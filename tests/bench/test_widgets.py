"""Widgets read from element protobufs as the server sends them, their wire values, URL forms and moves."""
from __future__ import annotations

import json
import random

import pytest
from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider

from tests.bench.widgets import (
    chart_selection,
    grid_size,
    js_number,
    move,
    user_key,
    widget_from_block,
    widget_from_element,
)

SCRUB = {"name": "scrub", "value": [{"rho": 0.9}], "select": {"type": "point", "fields": ["rho"]},
         "bind": {"input": "range", "min": 0.1, "max": 2.0, "step": 0.05}}


def slider(**kw) -> Element:
    el = Element()
    el.slider.id = "$$ID-abc-rho"
    el.slider.data_type = Slider.FLOAT
    el.slider.min, el.slider.max, el.slider.step = 0.1, 2.0, 0.05
    el.slider.default.append(0.9)
    el.slider.query_param_key = "rho"
    for k, v in kw.items():
        if k == "value":
            el.slider.value.extend(v)
        else:
            setattr(el.slider, k, v)
    return el


def chart(spec: dict, selection: bool = True) -> Element:
    el = Element()
    el.vega_lite_chart.spec = json.dumps(spec)
    if selection:
        el.vega_lite_chart.id = "$$ID-def-scrub_chart"
        el.vega_lite_chart.selection_mode.append("scrub")
    return el


def test_names_and_numbers():
    assert user_key("$$ID-0123abcd-_preset.edge") == "_preset.edge"
    assert user_key("$$ID-0123abcd-None") == "" and user_key("plain") == ""
    assert (js_number(5.0), js_number(1.55), js_number(0.05)) == ("5", "1.55", "0.05")
    assert grid_size(0.1, 2.0, 0.05) == 39 and grid_size(5, 300, 1) == 296


def test_slider_value_default_url_and_state():
    w = widget_from_element(slider())
    assert (w.kind, w.key, w.value, w.lo, w.hi, w.step, w.param_key) == ("slider", "rho", [0.9], 0.1, 2.0, 0.05, "rho")
    assert w.url_value() is None  # at its default the browser removes the parameter
    pushed = widget_from_element(slider(value=[1.5], set_value=True))
    assert pushed.value == [1.5] and pushed.set_value and pushed.url_value() == "1.5"
    assert list(pushed.state().double_array_value.data) == [1.5]
    assert pushed.from_url("0.35") == [0.35] and pushed.from_url("7") is None and pushed.from_url("x") is None


def test_unsupported_sliders_are_left_alone():
    rng = slider()
    rng.slider.default.append(1.0)  # a range slider
    sel = slider(type=Slider.SELECT_SLIDER)
    assert widget_from_element(rng) is None and widget_from_element(sel) is None


def test_number_radio_segmented_toggle_button():
    el = Element()
    el.number_input.id, el.number_input.data_type = "$$ID-1-seed", NumberInput.INT
    el.number_input.has_min = el.number_input.has_max = True
    el.number_input.min, el.number_input.max, el.number_input.default = 0, 9999, 0
    n = widget_from_element(el)
    assert n.kind == "number" and n.is_int and n.state().WhichOneof("value") == "int_value"

    el = Element()
    el.radio.id = "$$ID-2-init"
    el.radio.options.extend(["orthogonal", "gaussian"])
    el.radio.default = 0
    r = widget_from_element(el, sidebar=True)
    assert (r.kind, r.value, r.sidebar, r.state().string_value) == ("radio", "orthogonal", True, "orthogonal")

    el = Element()
    el.button_group.id = "$$ID-3-act"
    for o in ("tanh", "sigmoid"):
        el.button_group.options.add(content=o)
    el.button_group.default.append(1)
    g = widget_from_element(el)
    assert g.kind == "segmented" and g.value == ["sigmoid"] and list(g.state().string_array_value.data) == ["sigmoid"]

    el = Element()
    el.checkbox.id, el.checkbox.default = "$$ID-4-no_forget", False
    t = widget_from_element(el)
    assert t.kind == "toggle" and t.other_value(random.Random(0)) is True

    el = Element()
    el.button.id = "$$ID-5-_preset.long"
    b = widget_from_element(el)
    assert b.kind == "button" and b.state() is None and b.trigger().trigger_value
    el.button.disabled = True
    assert widget_from_element(el) is None  # nobody presses a disabled button


def test_expander_with_a_key_is_a_widget():
    block = Block()
    block.expandable.id, block.expandable.expanded = "$$ID-6-_explain.math", False
    w = widget_from_block(block)
    assert w.kind == "expander" and w.state() is None  # the browser sends it once toggled
    w.value = w.other_value(random.Random(0))
    assert w.value is True and w.state().bool_value is True
    assert widget_from_block(Block()) is None


def test_scrub_chart_in_layers_and_its_selection_value():
    spec = {"layer": [{"mark": "line"}, {"params": [SCRUB], "mark": "point"}]}
    assert chart_selection(json.dumps(spec)) == ("scrub", "rho", 0.1, 2.0, 0.05, 0.9)
    w = widget_from_element(chart(spec))
    assert (w.kind, w.default, w.state()) == ("chart", 0.9, None)
    rng = random.Random(1)
    for _ in range(50):
        w.value = w.other_value(rng)
        value = json.loads(w.value)["selection"]["scrub"][0]["rho"]
        assert 0.1 <= value <= 2.0 and round((value - 0.1) / 0.05, 6).is_integer()
    assert w.state().string_value == w.value and w.value.startswith('{"selection":{"scrub":[{"rho":')


def test_charts_that_are_not_scrubs():
    assert widget_from_element(chart({"params": [SCRUB]}, selection=False)) is None  # a plain chart
    unbound = {**SCRUB, "bind": None}
    assert widget_from_element(chart({"params": [unbound]})) is None  # selection by clicking marks
    assert chart_selection("not json") is None


@pytest.mark.parametrize("lo,hi,step,cur,is_int,box", [(0.1, 2.0, 0.05, 0.9, False, False),
                                                        (5, 300, 1, 300, True, False),
                                                        (0, 9999, 1, 0, True, True), (0, 1, 1, 1, True, False)])
def test_moves_stay_on_the_grid_and_change_the_value(lo, hi, step, cur, is_int, box):
    rng = random.Random(0)
    for _ in range(200):
        v = move(lo, hi, step, cur, is_int, rng, box=box)
        assert lo <= v <= hi and v != cur and abs((v - lo) / step - round((v - lo) / step)) < 1e-9
        assert isinstance(v, int) == is_int
