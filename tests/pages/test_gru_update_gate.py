"""Page 4 (GRU update gate): the numbers on screen, read back from the chart data, in both conventions."""
import numpy as np
import pytest

from core.gru import EQUATIONS, EQUATIONS_CS224N
from core.scenarios import gru_update_gate
from tests.apptest_utils import (
    OPEN_EXPLAINERS,
    assert_page_ok,
    click_preset,
    page_controls,
    query_from,
    run_page,
)
from tests.core.scenarios.test_lstm_forget_gate import log10_max_prod
from tests.pages.test_lstm_forget_gate import chart_data, curves, heat_grid, horizon, metrics
from ui.i18n import Translator

PAGE = "gru_update_gate"
T_EN = Translator("en")


def name(key, conv=None):
    return T_EN(f"{PAGE}.{conv}.{key}" if conv else f"{PAGE}.{key}")


@pytest.mark.parametrize("query", [{}, {"b_z": "2.5", "b_r": "-3"}, {"b_z": "-3", "w_scale": "2", "seed": "4"},
                                   {"leak": "0.8"}])
def test_direct_path_is_the_product_of_the_plotted_update_gates(query):
    at = run_page(PAGE, query={"H": "8", "T": "40", **query})
    assert_page_ok(at)
    z = heat_grid(at, name("chart.gate", "pytorch"))           # (T, H)
    assert z.shape == (40, 8)
    direct = curves(at)[name("series.direct", "pytorch")]
    assert np.allclose(direct, log10_max_prod(z), rtol=0, atol=1e-9)


def test_cs224n_convention_shows_u_with_the_same_gradients():
    q = {"H": "8", "T": "40", "b_z": "1.5"}
    pt, cs = (run_page(PAGE, query=qq, state=OPEN_EXPLAINERS) for qq in (q, {**q, "conv": "cs224n"}))
    assert_page_ok(cs)
    z, u = heat_grid(pt, name("chart.gate", "pytorch")), heat_grid(cs, name("chart.gate", "cs224n"))
    assert np.allclose(u, 1.0 - z, rtol=0, atol=1e-15)
    a, b = curves(pt), curves(cs)
    assert np.array_equal(a[name("series.direct", "pytorch")], b[name("series.direct", "cs224n")])
    assert np.array_equal(a[name("series.gru_full")], b[name("series.gru_full")])
    # labels, help, tiles and equations follow the convention
    label = {s.key: s for s in cs.slider}
    assert label["b_z"].label == name("b_z", "cs224n") != name("b_z")
    assert "b_u = −b_z" in label["b_z"].help and "**small** u" in label["b_z"].help
    assert label["leak"].label == name("leak", "cs224n")
    assert {s.key: s.label for s in pt.slider}["b_z"] == name("b_z")
    m_pt, m_cs = metrics(pt), metrics(cs)
    assert float(m_pt[name("metric.mean_z")]) + float(m_cs[name("metric.mean_u")]) == pytest.approx(1.0, abs=1e-4)
    latex = {el.value.strip("$\n") for el in cs.get("latex")}          # st.latex wraps in $$ ... $$
    assert set(EQUATIONS_CS224N) <= latex and not set(EQUATIONS) & latex
    assert set(EQUATIONS) <= {el.value.strip("$\n") for el in pt.get("latex")}


def test_switching_the_convention_keeps_the_values():
    at = run_page(PAGE)
    at.slider(key="b_z").set_value(2.0).run()
    at.radio(key="conv").set_value("cs224n").run()
    assert at.slider(key="b_z").value == 2.0
    assert at.slider(key="b_z").label == name("b_z", "cs224n")


def test_default_view_shows_the_core_numbers():
    at = run_page(PAGE)
    r = gru_update_gate.run()
    c = curves(at)
    assert np.array_equal(c["x"], r["distance"])
    for key in ("gru_full", "vanilla_rnn", "lstm"):
        assert np.allclose(c[name(f"series.{key}")], r["curves"][key], rtol=0, atol=1e-12), key
    assert np.allclose(c[name("series.direct", "pytorch")], r["curves"]["gru_direct"], rtol=0, atol=1e-12)
    m = metrics(at)
    assert m[name("metric.horizon_gru")] == str(r["horizons"]["gru_full"])
    assert m[name("metric.horizon_lstm")] == str(r["horizons"]["lstm"])
    shift = curves(at, name("chart.reset_t"))[name("series.shift")]
    assert np.allclose(shift, r["reset_shift"])
    cells = chart_data(at, name("chart.reset"))                # 32 x 100 > 1100 cells: every 3rd step drawn
    assert len(cells) == 32 * 34 and sorted(set(cells["x"])) == list(range(1, 101, 3))
    ref = r["n"] - r["n_no_reset"]                             # (T, H); x is the 1-based step, y the unit
    assert np.allclose(cells["c"], ref[cells["x"].to_numpy() - 1, cells["y"].to_numpy()])


def test_keep_and_replace_presets():
    keep, replace = (click_preset(run_page(PAGE), p) for p in ("keep", "replace"))
    mk, mr = metrics(keep), metrics(replace)
    assert float(mk[name("metric.mean_z")]) > 0.9 > 0.1 > float(mr[name("metric.mean_z")])
    assert mk[name("metric.horizon_gru")] == "> 100"
    c = curves(replace)                                     # rewriting the state every step: like a vanilla RNN
    assert horizon(mr[name("metric.horizon_gru")]) < 10
    assert c[name("series.gru_full")][-1] < -30 and c[name("series.vanilla_rnn")][-1] < -30


def test_closed_reset_gate_leaves_only_the_direct_path():
    at = click_preset(run_page(PAGE), "reset_closed")
    assert_page_ok(at)
    c = curves(at)
    assert np.abs(c[name("series.gru_full")] - c[name("series.direct", "pytorch")]).max() < 0.2
    r_mean = curves(at, name("chart.reset_t"))[name("series.r_mean")]
    assert r_mean.max() < 0.05


def test_leaky_preset_is_a_constant_gate_and_keeps_the_url_clean():
    at = click_preset(run_page(PAGE), "leaky")
    assert_page_ok(at)
    z = heat_grid(at, name("chart.gate", "pytorch"))
    assert np.allclose(z, 0.9, rtol=0, atol=1e-12)
    c = curves(at)
    assert np.allclose(c[name("series.direct", "pytorch")], c["x"] * np.log10(0.9), rtol=0, atol=1e-10)
    assert metrics(at)[name("metric.horizon_direct")] == "66"          # 0.9^66 < 1e-3 < 0.9^65
    specs, presets = page_controls(PAGE)
    assert query_from(specs, {s.key: s.default for s in specs}) == {}
    assert query_from(specs, {**{s.key: s.default for s in specs}, **presets["leaky"]}) == {"leak": "0.9"}
