"""The shared look of issue 17: log-scaled axes labelled by one rule, lines lying on another drawn with gaps (per
family member, in the data), zone labels of plain gradient charts where no line runs, legends that fit."""
import math

import numpy as np
import pandas as pd
import pytest

from tests.apptest_utils import chart_frames, click_preset, run_page
from ui import charts
from ui.charts.family import family_curves
from ui.charts.overlap import over_members
from ui.charts.replay import Panel, replay_runs
from ui.charts.scrub import ScrubParam
from ui.charts.text import ENGLISH
from ui.charts.theme import DASHES, LOG_LABELS, LOG_TICKS, legend_columns, log_label, sizes, text_px


def log_axes(spec):
    """The axis of every log-scaled position encoding in a spec."""
    if isinstance(spec, dict):
        if isinstance(spec.get("scale"), dict) and spec["scale"].get("type") == "log":
            yield spec.get("axis", {})
        for v in spec.values():
            yield from log_axes(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from log_axes(v)


@pytest.mark.parametrize(("value", "text"), [(1e20, "1e20"), (2.5e-7, "2.5e-7"), (0.001, "0.001"), (0.5, "0.5"),
                                             (9999, "9999"), (1e4, "1e4"), (1e-4, "1e-4"), (1, "1")])
def test_one_log_label_rule(value, text):
    assert log_label(value) == text


def log_decades(lo: float, hi: float) -> list[float] | None:
    """The decades d3 ticks over ``[lo, hi]`` with ``log_tick_count``'s count (None: Vega's own 1..9 ticks): the
    rule in Python, the oracle the rendered axis is compared with."""
    if not (0 < lo < hi and math.isfinite(hi)):
        return None
    a, b = math.ceil(math.log10(lo) - 1e-9), math.floor(math.log10(hi) + 1e-9)
    if b - a < 2:
        return None
    every = next(e for k in range(6) for e in (10 ** k, 2 * 10 ** k, 5 * 10 ** k) if (b - a) // e + 1 <= LOG_TICKS)
    first = -(-a // every) * every                       # decades on multiples of the stride: 1e0, 1e-5, 1e-10 ...
    return [10.0 ** k for k in range(first, b + 1, every)]


@pytest.mark.parametrize(("lo", "hi", "ticks"), [
    (1e-5, 1.0, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]), (3e-6, 2.0, [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0]),
    (1e-20, 1e88, [1e-20, 1.0, 1e20, 1e40, 1e60, 1e80]), (0.5, 30.0, None)])
def test_log_axes_tick_whole_decades(lo, hi, ticks):
    """Vega draws the decades the Python rule names (rendered by vl-convert, Vega's own engine)."""
    import re

    import vl_convert


    assert log_decades(lo, hi) == ticks
    assert ticks is None or len(ticks) <= LOG_TICKS
    chart = charts.time_series(pd.DataFrame({"t": [0, 1], "value": [lo, hi], "series": "a"}), log_y=True,
                               y_domain=(lo, hi), x_title="X", y_title="Y")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", vl_convert.vegalite_to_svg(chart.to_dict()))
    labels = texts[texts.index("X") + 1:texts.index("Y")]
    if ticks is None:
        assert len(labels) > 3                     # Vega's own 1..9 ticks
    else:
        assert labels == [log_label(v) for v in ticks]


def test_log_axes_name_their_own_scale():
    """The tick-count expression reads the domain of the scale the axis draws (a replay panel has its own)."""
    import re

    import vl_convert

    scrub = ScrubParam("k", 0, 2, 1, 2, "k")
    rp = replay_runs([Panel(n, n, {"a": np.array([1e-5, 1.0, 1e20])}) for n in ("loss", "grad")], scrub=scrub)
    vega = vl_convert.vegalite_to_vega(rp.to_dict())
    scales = {s["name"] for s in vega["scales"]}
    named = {m for a in log_axes(rp.to_dict()) for m in re.findall(r"domain\('([^']+)'\)", a["tickCount"]["expr"])}
    assert named == {"layer_0_y", "layer_1_y"} <= scales


def test_every_log_axis_uses_the_rule():
    ts = charts.time_series(pd.DataFrame({"t": [0, 1, 2], "value": [1e-5, 1.0, 1e20], "series": "a"}), log_y=True)
    scrub = ScrubParam("k", 0, 2, 1, 2, "k")
    rp = replay_runs([Panel("loss", "loss", {"a": np.array([1e-5, 1.0, 1e20])})], scrub=scrub)
    axes = [a for c in (ts, rp) for a in log_axes(c.to_dict())]
    assert axes and all(a.get("labelExpr") == LOG_LABELS for a in axes)


@pytest.mark.parametrize(("pid", "preset"), [("gradient_clipping", "gentle"), ("memory_race", None)])
def test_pages_label_log_axes_by_the_rule(pid, preset):
    at = run_page(pid)
    if preset:
        at = click_preset(at, preset)
    axes = [a for c in chart_frames(at) for a in log_axes(c.spec)]
    assert axes and all(a.get("labelExpr") == LOG_LABELS for a in axes)


def test_a_line_on_an_earlier_one_is_flagged_per_member():
    x = np.arange(50.0)
    a = np.stack([-0.1 * x, -0.2 * x])                 # two members
    b = np.stack([-0.1 * x + 1e-3, -0.5 * x])           # on a in member 0 only
    c = np.stack([-0.3 * x, -0.3 * x])
    over = over_members(np.stack([a, b, c]), (-30.0, 0.0))
    assert over.tolist() == [[False, False], [True, False], [False, False]]
    # the family chart carries it as a dash key per (member, line): no per-point work in the browser
    chart = family_curves(x, {"a": a, "b": b, "c": c}, scrub=ScrubParam("m", 0, 1, 1, 0, "m"), zones=None)
    rows = next(df for df in chart.to_dict()["datasets"].values() if df and "dash" in df[0])
    dash = {(r["i"], r["series"]): r["dash"] for r in rows}
    assert dash[(0, "b")] == "over" and dash[(1, "b")] == "solid" and dash[(0, "a")] == "solid"


def test_plain_gradient_chart_puts_zone_labels_where_no_line_runs():
    d = np.arange(101.0)
    lines = {"a": np.full(101, -31.5), "b": np.linspace(0, -60, 101)}   # "a": through the vanishing band's middle
    chart = charts.gradient_curves(charts.series_frame(d, lines, x="distance", y="log10"), zones=(-3, 3),
                                   y_domain=(-60, 8), height=300)
    spots = [r for df in chart.to_dict()["datasets"].values() for r in df if "zone" in r and "x" in r]
    label = next(r for r in spots if r["zone"] == ENGLISH.vanishing)
    s = sizes(False)
    half_h = s["label"] * 0.65 * 68 / 150                  # about the label's half height in log10 units
    half_w = text_px(ENGLISH.vanishing, s["label"]) / 2 * 100 / 340
    cols = (d >= label["x"] - half_w) & (d <= label["x"] + half_w)
    for v in lines.values():
        assert v[cols].max() < label["y"] - half_h or v[cols].min() > label["y"] + half_h


def test_legend_columns_fit_the_chart():
    names = ["no clipping", "norm clipping", "value clipping", "η·max_norm"]
    assert legend_columns(names, 2000, 13) == 4
    for width, size in ((340, 13), (340, 18), (600, 18)):
        cols = legend_columns(names, width, size)
        assert cols == 1 or sum(max(text_px(n, size) + 38 for n in names[c::cols]) for c in range(cols)) <= width
    assert legend_columns(names, 340, 18) < 4


def line_layers(spec):
    """Every line layer of a spec (a dict with a line mark)."""
    if isinstance(spec, dict):
        mark = spec.get("mark")
        if mark == "line" or isinstance(mark, dict) and mark.get("type") == "line":
            yield spec
        for v in spec.values():
            yield from line_layers(v)
    elif isinstance(spec, list):
        for v in spec:
            yield from line_layers(v)


def test_lines_are_grouped_by_series_only_so_their_draw_order_never_depends_on_the_chart_history():
    """Vega-Lite draws one path group per value of every field channel of a line but x and y, and Vega keeps the
    groups in the order they first appeared: a dash key as a field made a line whose key turned "over" (a rerun's
    data, the scrub's next member) jump on top of the others, unlike a fresh chart with the same data."""
    x = np.arange(50.0)
    a = np.stack([-0.1 * x, -0.2 * x])
    b = np.stack([-0.1 * x + 1e-3, -0.5 * x])          # on a in member 0 only: its dash key changes with the member
    family = family_curves(x, {"a": a, "b": b}, scrub=ScrubParam("m", 0, 1, 1, 0, "m"), zones=None)
    plain = charts.gradient_curves(charts.series_frame(x, {"a": a[0], "b": b[0]}, x="distance", y="log10"))
    ts = charts.time_series(pd.DataFrame({"t": [0, 1, 2] * 2, "value": [1.0, 2.0, 3.0] * 2,
                                          "series": ["a"] * 3 + ["b"] * 3}))
    for chart in (family, plain, ts):
        layers = list(line_layers(chart.to_dict()))
        assert layers
        for lay in layers:
            grouped = {ch: enc["field"] for ch, enc in lay["encoding"].items() if ch not in ("x", "y")
                       and isinstance(enc, dict) and "field" in enc}
            assert grouped == {"color": "series"}
            dash = lay["encoding"].get("strokeDash")
            if dash is not None:                          # the pattern by tests on the row's key
                assert [c["value"] for c in dash["condition"]] + [dash["value"]] == list(DASHES.values())


def test_charts_refit_their_layout_when_the_data_change():
    """Vega fits a chart to its container once unless ``autosize.resize``: a chart whose data Streamlit swapped
    would keep the plot size of its first data, a pixel off a fresh chart of the same data."""
    chart = charts.gradient_curves(charts.series_frame(np.arange(5.0), {"a": -np.arange(5.0)}, x="distance",
                                                       y="log10"))
    assert chart.to_dict()["autosize"] == {"type": "fit", "contains": "padding", "resize": True}
