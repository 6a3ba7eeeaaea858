"""Page 3 (LSTM forget gate): the numbers on screen, read back from the chart data."""
import numpy as np
import pytest

from core.scenarios import lstm_forget_gate
from tests.apptest_utils import assert_page_ok, chart_frames, click_preset, run_page
from tests.core.scenarios.test_lstm_forget_gate import log10_max_prod
from ui.i18n import Translator

PAGE = "lstm_forget_gate"
T_EN = Translator("en")


def chart_data(at, title):
    """The main data frame of the chart titled ``title`` (None: the untitled main chart)."""
    for chart in chart_frames(at):
        if chart.spec.get("title") == title:
            return max(chart.frames, key=len)
    raise AssertionError(f"no chart titled {title!r}")


def curves(at, title=None):
    """{series name: y values in x order} of the solid curves of a line chart, plus the x values."""
    df = chart_data(at, title)
    out = {}
    for name, g in df[df["kind"] == "curve"].groupby("series", sort=False):
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
    cell = curves(at)[name("series.cell_path")]                # the cell path the main chart shows
    assert np.allclose(cell, log10_max_prod(f), rtol=0, atol=1e-9)
    shown = float(metrics(at)[name("metric.mean_f")])
    assert shown == pytest.approx(f.mean(), abs=5e-5)


def test_default_view_shows_the_core_numbers():
    at = run_page(PAGE)
    r = lstm_forget_gate.run()                                 # the page's defaults are the scenario's
    c = curves(at)
    assert np.array_equal(c["x"], r["distance"])
    for key in ("cell_path", "cell_full", "state_full", "vanilla_rnn"):
        assert np.allclose(c[name(f"series.{key}")], r["curves"][key], rtol=0, atol=1e-12), key
    m = metrics(at)
    assert m[name("metric.horizon_cell")] == str(r["horizons"]["cell_path"]) == "12"
    assert m[name("metric.horizon_state")] == str(r["horizons"]["state_full"])
    assert m[name("metric.sigmoid_bf_T")] == "7.89e-31"            # 0.5^100
    ref = chart_data(at, None)
    ref = ref[ref["series"] == name("series.sigmoid_bf")].sort_values("x")
    assert np.allclose(ref["y"], ref["x"] * np.log10(0.5))        # dashed sigma(b_f)^(T-k)
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
    assert np.all(c[name("series.cell_path")] == 0.0)          # prod of f = 1
    assert name("series.sigmoid_bf") not in set(chart_data(at, None)["series"])
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
    assert np.array_equal(a[name("series.cell_path")], b[t(f"{PAGE}.series.cell_path")])
