"""The widgets a page draws, as Streamlit's browser frontend sees them in the protocol, and how a student moves them.

    w = widget_from_element(delta.new_element, sidebar=False)   # Slider, radio, ..., a selection chart, or None
    w.value                       # the value in its wire form (a slider: [0.9]; a segmented control: ["tanh"])
    w.state()                     # the ``WidgetState`` protobuf the browser sends with every rerun
    w.url_value()                 # what the browser writes into the URL for a ``bind="query-params"`` widget
    w.value = w.other_value(rng)  # a different valid value (a student's move), seeded

Supported: ``st.slider`` (single value), ``st.number_input``, ``st.radio``, ``st.selectbox``,
``st.segmented_control``/``st.pills`` (single select), ``st.toggle``/``st.checkbox``, ``st.button``
(a trigger), an expander with a key, and a Vega-Lite chart with ``on_select="rerun"`` whose spec binds a
point selection to a range input (the in-chart "scrub": ``params[i].bind = {"input": "range", min, max, step}``
and ``params[i].select.fields``). Its value is the JSON string the frontend sends,
``{"selection": {"<param>": [{"<field>": value}]}}``. Other widgets are left alone (``None``).
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from streamlit.proto.Block_pb2 import Block
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

CHART_TYPES = ("vega_lite_chart", "arrow_vega_lite_chart")  # the element's name before/after Streamlit 1.4x


def user_key(widget_id: str) -> str:
    """The ``key=`` a script gave the widget (``$$ID-<hash>-<key>``), or "" for an unkeyed one."""
    parts = widget_id.split("-", 2)
    return parts[2] if len(parts) == 3 and parts[2] != "None" else ""


def js_number(x: float) -> str:
    """A number as the browser's ``String(x)`` writes it into the URL: ``5`` for 5.0, ``1.55`` for 1.55."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def grid_value(lo: float, hi: float, step: float, k: int, is_int: bool) -> float | int:
    """The k-th point of the grid lo, lo + step, ... <= hi (rounded, so 0.1 + 2 * 0.05 is 0.2)."""
    v = min(hi, lo + k * step)
    return int(round(v)) if is_int else round(v, 10)


def grid_size(lo: float, hi: float, step: float) -> int:
    return int(math.floor((hi - lo) / step + 1e-9)) + 1 if step > 0 else 1


@dataclass
class Widget:
    """One widget of the last drawn page. ``value`` is in wire form (see the module doc); None = not sent."""

    id: str
    kind: str  # slider number radio select segmented toggle button expander chart
    value: Any
    default: Any = None
    options: tuple[str, ...] = ()
    lo: float = 0.0
    hi: float = 1.0
    step: float = 1.0
    is_int: bool = False
    param_key: str = ""  # the URL parameter of a bind="query-params" widget
    sidebar: bool = False
    selection: tuple[str, str] = ("", "")  # chart: (param name, field)
    set_value: bool = field(default=False, repr=False)  # the server pushed this value in this run

    @property
    def key(self) -> str:
        return user_key(self.id)

    @property
    def changeable(self) -> bool:
        """Whether a student can give it another value (a button is pressed, not changed)."""
        if self.kind in ("radio", "select", "segmented"):
            return len(self.options) > 1
        if self.kind in ("slider", "number", "chart"):
            return self.hi > self.lo
        return self.kind in ("toggle", "expander")

    def state(self) -> WidgetState | None:
        """The WidgetState the browser sends for this widget (None when it sends none: a button not pressed,
        an expander never toggled, a chart never selected)."""
        ws = WidgetState(id=self.id)
        v = self.value
        if v is None or self.kind == "button":
            return None
        if self.kind == "slider":
            ws.double_array_value.data.extend(float(x) for x in v)
        elif self.kind == "number":
            if self.is_int:
                ws.int_value = int(v)
            else:
                ws.double_value = float(v)
        elif self.kind in ("radio", "select"):
            ws.string_value = v
        elif self.kind == "segmented":
            ws.string_array_value.data.extend(v)
        elif self.kind in ("toggle", "expander"):
            ws.bool_value = bool(v)
        elif self.kind == "chart":
            ws.string_value = v
        else:
            return None
        return ws

    def trigger(self) -> WidgetState:
        """A button press."""
        return WidgetState(id=self.id, trigger_value=True)

    def url_value(self) -> str | None:
        """The URL form the browser writes for a bound widget, or None when the value is the default (the
        browser then removes the parameter)."""
        v = self.value
        if v is None or v == self.default:
            return None
        if self.kind == "slider":
            return ",".join(js_number(x) for x in v)
        if self.kind == "number":
            return js_number(v)
        if self.kind == "segmented":
            return ",".join(v)
        if self.kind in ("toggle", "expander"):
            return "true" if v else "false"
        return str(v)

    def from_url(self, raw: str) -> Any:
        """The value the frontend seeds a bound widget with from the URL (None if it cannot use it)."""
        try:
            if self.kind == "slider":
                x = float(raw)
                return [x] if self.lo <= x <= self.hi else None
            if self.kind == "number":
                x = float(raw)
                return (int(x) if self.is_int else x) if self.lo <= x <= self.hi else None
        except ValueError:
            return None
        if self.kind in ("radio", "select"):
            return raw if raw in self.options else None
        if self.kind == "segmented":
            return [raw] if raw in self.options else None
        if self.kind == "toggle":
            return {"true": True, "false": False}.get(raw.lower())
        return None

    def other_value(self, rng) -> Any:
        """A different valid value, as a student's move: another option, the other state of a switch, or for a
        number a hand's move on its grid (see :func:`move`)."""
        if self.kind in ("radio", "select"):
            return rng.choice([o for o in self.options if o != self.value] or list(self.options))
        if self.kind == "segmented":
            cur = self.value[0] if self.value else None
            return [rng.choice([o for o in self.options if o != cur] or list(self.options))]
        if self.kind in ("toggle", "expander"):
            return not (self.default if self.value is None else self.value)
        if self.kind == "chart":
            name, fld = self.selection
            cur = json.loads(self.value)["selection"][name][0][fld] if self.value else self.default
            new = move(self.lo, self.hi, self.step, cur, self.is_int, rng)
            return json.dumps({"selection": {name: [{fld: new}]}}, separators=(",", ":"))
        cur = self.value[0] if self.kind == "slider" else self.value
        new = move(self.lo, self.hi, self.step, cur, self.is_int, rng, box=self.kind == "number")
        return [float(new)] if self.kind == "slider" else new


NUDGE = 0.7  # share of moves that are a short drag (else a jump anywhere on the grid)
SPAN = 0.1  # a short drag goes up to this share of the range; a number box's stepper moves 1-3 steps


def move(lo: float, hi: float, step: float, cur: float | None, is_int: bool, rng, *, box: bool = False):
    """A grid value other than ``cur`` (when the grid has two points or more): mostly a short drag from ``cur``
    (+-1 step up to :data:`SPAN` of the range; a number box: its stepper, 1-3 clicks), else a jump anywhere."""
    n = grid_size(lo, hi, step)
    if n < 2:
        return grid_value(lo, hi, step, 0, is_int)
    i = min(max(round((cur - lo) / step), 0), n - 1) if cur is not None else rng.randrange(n)
    if rng.random() < NUDGE:
        reach = 3 if box else max(1, round(SPAN * (n - 1)))
        k = rng.randint(1, reach) * rng.choice((-1, 1))
        j = i + k if 0 <= i + k < n else i - k
        j = min(max(j, 0), n - 1)
    else:
        j = rng.randrange(n - 1)
        j += j >= i  # any point but the current one
    return grid_value(lo, hi, step, j, is_int)


def _slider(el: Slider, wid: str) -> Widget | None:
    if el.type == Slider.SELECT_SLIDER or el.data_type not in (Slider.INT, Slider.FLOAT) or len(el.default) != 1:
        return None  # select sliders, date/time sliders and range sliders: not used by the app
    is_int = el.data_type == Slider.INT
    default = [float(x) for x in el.default]
    value = [float(x) for x in el.value] if el.set_value else default
    return Widget(wid, "slider", value, default, lo=el.min, hi=el.max, step=el.step or (1 if is_int else 0.01),
                  is_int=is_int, param_key=el.query_param_key, set_value=el.set_value)


def _number(el: NumberInput, wid: str) -> Widget | None:
    is_int = el.data_type == NumberInput.INT
    cast = int if is_int else float
    default = cast(el.default)
    value = cast(el.value) if el.set_value else default
    lo = el.min if el.has_min else (0 if is_int else -1e3)
    hi = el.max if el.has_max else lo + (1000 if is_int else 1e3)
    return Widget(wid, "number", value, default, lo=lo, hi=hi, step=el.step or 1, is_int=is_int,
                  param_key=el.query_param_key, set_value=el.set_value)


def _choice(el, wid: str, kind: str) -> Widget | None:
    options = tuple(el.options)
    if not options:
        return None
    default = options[el.default] if el.HasField("default") and 0 <= el.default < len(options) else None
    value = el.raw_value if el.set_value and el.HasField("raw_value") else default
    return Widget(wid, kind, value, default, options=options, param_key=el.query_param_key, set_value=el.set_value)


def _button_group(el, wid: str) -> Widget | None:
    if el.click_mode != el.SINGLE_SELECT or not el.options:
        return None
    options = tuple(o.content for o in el.options)
    default = [options[i] for i in el.default]
    value = list(el.raw_values) if el.set_value else default
    return Widget(wid, "segmented", value, default, options=options, param_key=el.query_param_key,
                  set_value=el.set_value)


def chart_selection(spec: str) -> tuple[str, str, float, float, float, float | None] | None:
    """``(param, field, min, max, step, initial value)`` of the first point selection bound to a range input in a
    Vega-Lite spec (top level or any layer / concat / facet child), or None."""
    try:
        root = json.loads(spec)
    except ValueError:
        return None
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(reversed(node))
            continue
        if not isinstance(node, dict):
            continue
        for p in node.get("params") or ():
            bind, select = p.get("bind"), p.get("select")
            if not (isinstance(bind, dict) and bind.get("input") == "range" and isinstance(select, dict)):
                continue
            fields = select.get("fields") or ()
            if p.get("name") and fields:
                lo, hi = float(bind.get("min", 0)), float(bind.get("max", 100))
                init = p.get("value")
                init = init[0] if isinstance(init, list) and init else init
                init = init.get(fields[0]) if isinstance(init, dict) else None
                return (p["name"], fields[0], lo, hi, float(bind.get("step") or (hi - lo) / 100),
                        float(init) if isinstance(init, (int, float)) else None)
        for k in ("layer", "concat", "hconcat", "vconcat", "spec"):
            if k in node:
                stack.append(node[k])
    return None


def _chart(el, wid: str) -> Widget | None:
    if not wid or not list(el.selection_mode):
        return None  # a plain chart, not a widget
    sel = chart_selection(el.spec)
    if sel is None:
        return None  # selections by clicking marks: not emulated
    name, fld, lo, hi, step, init = sel
    is_int = all(float(x).is_integer() for x in (lo, hi, step))
    return Widget(wid, "chart", None, init, lo=lo, hi=hi, step=step, is_int=is_int, selection=(name, fld))


def widget_from_element(el: Element, sidebar: bool = False) -> Widget | None:
    """The widget an element draws (values as the server sent them), or None for a non-widget / unsupported."""
    kind = el.WhichOneof("type")
    w = None
    if kind == "slider":
        w = _slider(el.slider, el.slider.id)
    elif kind == "number_input":
        w = _number(el.number_input, el.number_input.id)
    elif kind in ("radio", "selectbox"):
        w = _choice(getattr(el, kind), getattr(el, kind).id, "radio" if kind == "radio" else "select")
    elif kind == "button_group":
        w = _button_group(el.button_group, el.button_group.id)
    elif kind == "checkbox":
        c = el.checkbox
        w = Widget(c.id, "toggle", c.value if c.set_value else c.default, c.default, param_key=c.query_param_key,
                   set_value=c.set_value)
    elif kind == "button" and el.button.id and not el.button.disabled:
        w = Widget(el.button.id, "button", None)
    elif kind in CHART_TYPES:
        c = getattr(el, kind)
        w = _chart(c, c.id)
    if w is not None:
        w.sidebar = sidebar
    return w


def widget_from_block(block: Block, sidebar: bool = False) -> Widget | None:
    """An expander with a key (a widget: its open state reruns the page), or None."""
    if block.WhichOneof("type") != "expandable" or not block.expandable.id:
        return None
    e = block.expandable
    return Widget(e.id, "expander", None, e.expanded, param_key=e.query_param_key, sidebar=sidebar)
