"""Page 3 (LSTM forget gate): the numbers on screen, read back from the chart data; the b_f scrub."""
import json

import numpy as np
import pytest

from core.scenarios import lstm_forget_gate
from tests.apptest_utils import (
    Drawn,
    _arrow_to_df,
    assert_page_ok,
    chart_frames,
    click_preset,
    control_value,
    release_scrub,
    run_page,
    scrub_chart,
)
from tests.core.scenarios.test_lstm_forget_gate import log10_max_prod
from ui.charts.scrub import unpack
from ui.i18n import Translator
from ui.scrub import Scrub, _params

PAGE = "lstm_forget_gate"
T_EN = Translator("en")
BF = "b_f"
BF_SPEC = Scrub(BF, default=0.0, lo=-4.0, hi=6.0, step=0.25)


def chart_data(at, title):
    """The main data frame of the chart titled ``title`` (None: the untitled main chart)."""
    for chart in chart_frames(at):
        if chart.spec.get("title") == title:
            return max(chart.frames, key=len)
    raise AssertionError(f"no chart titled {title!r}")


def member_curves(at, key, member, kind="curve"):
    """{series: its line (``Drawn``)} of the ``kind`` lines ("curve" solid, "ref" dashed) of member ``member`` of
    the family chart that holds the scrub ``key``, as the browser unpacks them."""
    frames = [_arrow_to_df(ds.data.data) for ds in scrub_chart(at, key).proto.datasets if ds.data.data]
    packed = [f for f in frames if {"i", "kind", "v"} <= set(f.columns)]
    lines = max(packed, key=lambda f: f["v"].astype(str).str.count(",").max())   # the lines, not the hover points
    df = unpack(lines, member)
    out = {}
    for name, g in df[df["kind"] == kind].groupby("series", sort=False, observed=True):
        g = g.sort_values("x")
        out[str(name)] = Drawn(g["x"].to_numpy(), g["v"].to_numpy())
    return out


def curves(at, title=None, kind="curve"):
    """{series name: y values in x order} of the solid curves of a line chart, plus the x values. The main
    (untitled) chart is the scrubbed family: the member at b_f's current value, {series name: ``Drawn``}."""
    if title is None:
        return member_curves(at, BF, BF_SPEC.index(control_value(at, PAGE, BF_SPEC)), kind)
    df = chart_data(at, title)
    out = {}
    for name, g in df[df["kind"] == kind].groupby("series", sort=False):
        g = g.sort_values("x")
        assert (g["status"] == "exact").all(), name
        out[name] = g["y"].to_numpy()
        out["x"] = g["x"].to_numpy()
    return out


def heat_grid(at, title):
    """A heat map's cells as a (columns = time, rows = unit) array, i.e. (T, H) for a units x time map."""
    df = chart_data(at, title)
    assert (df["status_text"] == "exact").all()
    return df.pivot(index="x", columns="y", values="c").sort_index().to_numpy()


def metrics(at):
    return {m.label: m.value for m in at.metric}


def name(key):
    return T_EN(f"{PAGE}.{key}")


@pytest.mark.parametrize("query", [{}, {"b_f": "3", "x_scale": "2"}, {"b_f": "-2.5", "w_scale": "2.5", "seed": "7"},
                                   {"no_forget": "true"}])
def test_cell_path_is_the_product_of_the_plotted_forget_gates(query):
    at = run_page(PAGE, query={"H": "8", "T": "40", **query})
    assert_page_ok(at)
    f = heat_grid(at, name("chart.f"))                         # the f_t the heat map shows, (T, H)
    assert f.shape == (40, 8)
    cell = curves(at)[name("series.cell_path")]                # the cell path the main chart shows (6 digits)
    cell.assert_shows(log10_max_prod(f))
    shown = float(metrics(at)[name("metric.mean_f")])
    assert shown == pytest.approx(f.mean(), abs=5e-5)


def test_default_view_shows_the_core_numbers():
    at = run_page(PAGE)
    r = lstm_forget_gate.run()                                 # the page's defaults are the scenario's
    c = curves(at)
    for key in ("cell_path", "cell_full", "state_full", "vanilla_rnn"):      # packed with 6 significant digits
        c[name(f"series.{key}")].assert_shows(r["curves"][key])
    m = metrics(at)
    assert m[name("metric.horizon_cell")] == str(r["horizons"]["cell_path"]) == "12"
    assert m[name("metric.horizon_state")] == str(r["horizons"]["state_full"])
    assert m[name("metric.sigmoid_bf_T")] == "7.89e-31"            # 0.5^100
    ref = curves(at, kind="ref")
    power = ref[name("series.sigmoid_bf")]                                     # sigma(b_f)^(T-k): a straight line
    power.assert_shows(r["distance"] * np.log10(0.5))
    cells = chart_data(at, name("chart.cell"))
    c_max = cells[cells["series"] == name("series.c_max")].sort_values("x")["y"].to_numpy()
    assert np.allclose(c_max, r["c_abs_max"])


def horizon(value, T=100):
    return T + 1 if value == f"> {T}" else int(value)


def test_presets_lengthen_the_memory():
    shown = {}
    for preset in ("pytorch", "bf1", "long"):
        m = metrics(click_preset(run_page(PAGE), preset))
        shown[preset] = (float(m[name("metric.mean_f")]), horizon(m[name("metric.horizon_cell")]),
                         horizon(m[name("metric.horizon_state")]))
    assert shown["pytorch"][0] == pytest.approx(0.5, abs=0.02)
    assert shown["bf1"][0] == pytest.approx(0.73, abs=0.03)
    assert shown["long"][0] == pytest.approx(0.95, abs=0.02)
    for i in (1, 2):
        assert shown["pytorch"][i] < shown["bf1"][i] < shown["long"][i] == 101


def test_1997_lstm_keeps_the_gradient_and_grows_the_cell():
    at = click_preset(run_page(PAGE), "lstm1997")
    assert_page_ok(at)
    assert at.toggle(key="no_forget").value is True
    c = curves(at)
    assert np.all(c[name("series.cell_path")].v == 0.0)        # prod of f = 1
    assert curves(at, kind="ref") == {}                        # no sigma(b_f) reference: f does not depend on it
    assert np.all(heat_grid(at, name("chart.f")) == 1.0)
    cells = curves(at, name("chart.cell"))
    grown, bounded = cells[name("series.c_max")], cells[name("series.h_max")]
    assert grown[-1] > 10 * grown[4] and grown[-1] > 10 and np.all(bounded <= 1.0)
    assert np.all(grown <= cells["x"])                         # |c_t| <= t
    m = metrics(at)
    assert m[name("metric.mean_f")] == "1" and m[name("metric.sigmoid_bf_T")] == "1.00e+00"
    assert m[name("metric.horizon_cell")] == "> 100"


def test_chinese_labels_follow_the_same_data():
    en, zh = run_page(PAGE), run_page(PAGE, query={"lang": "zh"})
    assert_page_ok(zh)
    t = Translator("zh")
    a, b = curves(en), curves(zh)
    assert a[name("series.cell_path")] == b[t(f"{PAGE}.series.cell_path")]



# --- the b_f scrub ------------------------------------------------------------------------------------------------
def main_spec(at):
    return json.loads(scrub_chart(at, BF).proto.spec)


def test_released_scrub_drives_tiles_and_secondary_charts_without_rebuilding_the_chart():
    at = run_page(PAGE, query={"H": "8", "T": "40"})
    spec_before = main_spec(at)
    assert [s.key for s in at.slider] == ["b_i", "w_scale", "H", "T", "x_scale"], "no second slider for b_f"
    at = release_scrub(at, BF, 3.0)
    assert_page_ok(at)
    assert control_value(at, PAGE, BF_SPEC) == 3.0 and at.query_params[BF] == "3"
    r = lstm_forget_gate.run(3.0, hidden=8, T=40)
    m = metrics(at)
    assert m[name("metric.mean_f")] == f"{r['mean_f']:.4g}"
    assert m[name("metric.horizon_cell")] == (str(r["horizons"]["cell_path"]) if r["horizons"]["cell_path"] else "> 40")
    np.testing.assert_allclose(heat_grid(at, name("chart.f")), r["f"], rtol=0, atol=1e-15)
    cells = curves(at, name("chart.cell"))
    np.testing.assert_allclose(cells[name("series.c_max")], r["c_abs_max"])
    assert main_spec(at) == spec_before, "the chart keeps its spec: the browser shows the value already"
    shown = curves(at)                                         # the member the slider now shows is b_f = 3
    shown[name("series.cell_path")].assert_shows(r["curves"]["cell_path"])


def test_the_chart_writes_each_members_numbers_and_marks_its_horizon():
    at = run_page(PAGE)
    frames = [_arrow_to_df(ds.data.data) for ds in scrub_chart(at, BF).proto.datasets if ds.data.data]
    notes = next(f for f in frames if "note" in f)["note"].tolist()
    assert len(notes) == 41
    fam = lstm_forget_gate.family(BF_SPEC.values)
    from ui.fmt import fmt_pow10

    assert fmt_pow10(fam["curves"]["cell_path"][16, -1]) in notes[16] and "cell path 12," in notes[16]   # b_f = 0
    assert "> 100" in notes[40]                                    # b_f = 6: f ~ 0.998, the cell keeps it all
    marks = next(f for f in frames if "label" in f and "i" in f)
    np.testing.assert_array_equal(marks["x"], fam["horizons"]["cell_path"][marks["i"]])
    one = run_page(PAGE, query={"no_forget": "true"})
    frames = [_arrow_to_df(ds.data.data) for ds in scrub_chart(one, BF).proto.datasets if ds.data.data]
    notes = next(f for f in frames if "note" in f)["note"].tolist()
    assert len(set(notes)) == 1 and "b_f" in notes[0]              # 1997: b_f has no effect, and the chart says so


def test_presets_and_the_sweep_set_the_scrub():
    at = click_preset(run_page(PAGE), "long")
    assert control_value(at, PAGE, BF_SPEC) == 3.0 and at.query_params[BF] == "3"
    assert _params(main_spec(at))[0]["value"] == [{BF: 3.0}]
    at = release_scrub(at, BF, -1.5)
    at = click_preset(at, "pytorch")
    assert control_value(at, PAGE, BF_SPEC) == 0.0 and BF not in at.query_params
    at = at.button(key="_sweep.b_f.start").click().run()
    scripts = [h.proto.body for h in at.get("html") if "data-sweep" in h.proto.body]
    assert len(scripts) == 1 and "scrub_b_f" in scripts[0]
    values = json.loads(scripts[0].split("const values = ")[1].split(", every")[0])
    assert values[0] == -2.0 and values[-1] == 5.0 and len(values) == 29


def test_links_between_grid_points_snap_and_out_of_range_falls_back_with_a_notice():
    at = run_page(PAGE, query={"b_f": "1.1"})
    assert_page_ok(at)
    assert control_value(at, PAGE, BF_SPEC) == 1.0 and at.query_params[BF] == "1"
    assert metrics(at)[name("metric.mean_f")] == metrics(click_preset(run_page(PAGE), "bf1"))[name("metric.mean_f")]
    for bad in ("7", "-4.5", "abc", "nan"):
        at = run_page(PAGE, query={"b_f": bad})
        assert_page_ok(at)
        assert control_value(at, PAGE, BF_SPEC) == 0.0 and BF not in at.query_params
        assert at.toast and name("b_f") in at.toast[0].value
