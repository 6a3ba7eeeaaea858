"""Page 4 (GRU update gate): the numbers on screen, read back from the chart data, in both conventions; the
b_z scrub, shown as b_u = -b_z in CS224n's convention."""
import json

import numpy as np
import pytest

from core.gru import EQUATIONS, EQUATIONS_CS224N
from core.scenarios import gru_update_gate
from tests.apptest_utils import (
    OPEN_EXPLAINERS,
    assert_page_ok,
    click_preset,
    control_value,
    page_controls,
    query_from,
    release_scrub,
    run_page,
    scrub_chart,
)
from tests.core.scenarios.test_lstm_forget_gate import log10_max_prod
from tests.pages.test_lstm_forget_gate import chart_data, curves, heat_grid, horizon, member_curves, metrics
from ui.i18n import Translator
from ui.scrub import Scrub, _params

PAGE = "gru_update_gate"
T_EN = Translator("en")
BZ = Scrub("b_z", default=0.0, lo=-4.0, hi=4.0, step=0.25)


def name(key, conv=None):
    return T_EN(f"{PAGE}.{conv}.{key}" if conv else f"{PAGE}.{key}")


def main_curves(at, kind="curve"):
    """The member of the main chart the slider shows: b_z's grid index, counted from the other end when the
    slider shows b_u = -b_z (CS224n)."""
    i = BZ.index(control_value(at, PAGE, BZ))
    if at.radio(key="conv").value == "cs224n":
        i = len(BZ.values) - 1 - i
    return member_curves(at, "b_z", i, kind)


def main_param(at):
    p = _params(json.loads(scrub_chart(at, "b_z").proto.spec))
    assert len(p) == 1
    return p[0]


@pytest.mark.parametrize("query", [{}, {"b_z": "2.5", "b_r": "-3"}, {"b_z": "-3", "w_scale": "2", "seed": "4"},
                                   {"leak": "0.8"}])
def test_direct_path_is_the_product_of_the_plotted_update_gates(query):
    at = run_page(PAGE, query={"H": "8", "T": "40", **query})
    assert_page_ok(at)
    z = heat_grid(at, name("chart.gate", "pytorch"))           # (T, H)
    assert z.shape == (40, 8)
    direct = main_curves(at)[name("series.direct", "pytorch")]
    direct.assert_shows(log10_max_prod(z))


def test_cs224n_convention_shows_u_with_the_same_gradients():
    q = {"H": "8", "T": "40", "b_z": "1.5"}
    pt, cs = (run_page(PAGE, query=qq, state=OPEN_EXPLAINERS) for qq in (q, {**q, "conv": "cs224n"}))
    assert_page_ok(cs)
    z, u = heat_grid(pt, name("chart.gate", "pytorch")), heat_grid(cs, name("chart.gate", "cs224n"))
    assert np.allclose(u, 1.0 - z, rtol=0, atol=1e-15)
    a, b = main_curves(pt), main_curves(cs)
    assert a[name("series.direct", "pytorch")] == b[name("series.direct", "cs224n")]
    assert a[name("series.gru_full")] == b[name("series.gru_full")]
    # labels, help, tiles and equations follow the convention; the slider in the chart shows b_u = -b_z
    assert main_param(cs)["bind"] == {"input": "range", "min": -4.0, "max": 4.0, "step": 0.25,
                                      "name": name("b_z", "cs224n")}
    assert main_param(cs)["value"] == [{"b_z": -1.5}] and main_param(pt)["value"] == [{"b_z": 1.5}]
    assert main_param(pt)["bind"]["name"] == name("b_z") and "b_u = −b_z" in name("b_z", "cs224n")
    assert cs.query_params["b_z"] == "1.5", "the link keeps PyTorch's b_z"
    label = {s.key: s for s in cs.slider}
    assert "b_z" not in label, "no second slider for b_z"
    assert label["leak"].label == name("leak", "cs224n")
    m_pt, m_cs = metrics(pt), metrics(cs)
    assert float(m_pt[name("metric.mean_z")]) + float(m_cs[name("metric.mean_u")]) == pytest.approx(1.0, abs=1e-4)
    latex = {el.value.strip("$\n") for el in cs.get("latex")}          # st.latex wraps in $$ ... $$
    assert set(EQUATIONS_CS224N) <= latex and not set(EQUATIONS) & latex
    assert set(EQUATIONS) <= {el.value.strip("$\n") for el in pt.get("latex")}


def test_switching_the_convention_keeps_the_values():
    at = release_scrub(run_page(PAGE), "b_z", 2.0)
    assert control_value(at, PAGE, BZ) == 2.0 and at.query_params["b_z"] == "2"
    first = scrub_chart(at, "b_z").proto.id
    at.radio(key="conv").set_value("cs224n").run()
    assert_page_ok(at)
    assert control_value(at, PAGE, BZ) == 2.0 and at.query_params["b_z"] == "2", "the network is the same"
    assert main_param(at)["value"] == [{"b_z": -2.0}] and main_param(at)["bind"]["name"] == name("b_z", "cs224n")
    assert scrub_chart(at, "b_z").proto.id != first, "a new chart: the old selection (in b_z) is not read as b_u"
    assert float(metrics(at)[name("metric.mean_u")]) < 0.5       # z ~ sigma(2) ~ 0.88 kept, u small
    # the hand leaves the slider at b_u = 1.5 (CS224n): b_z = -1.5
    at = release_scrub(at, "b_z", 1.5)
    assert control_value(at, PAGE, BZ) == -1.5 and at.query_params["b_z"] == "-1.5"
    r = gru_update_gate.run(-1.5)
    assert float(metrics(at)[name("metric.mean_u")]) == pytest.approx(1 - r["mean_z"], abs=1e-4)
    main_curves(at)[name("series.gru_full")].assert_shows(r["curves"]["gru_full"])
    at.radio(key="conv").set_value("pytorch").run()
    assert control_value(at, PAGE, BZ) == -1.5 and main_param(at)["value"] == [{"b_z": -1.5}]
    # a link in CS224n's convention means the same b_z
    link = run_page(PAGE, query={"conv": "cs224n", "b_z": "3"})
    assert control_value(link, PAGE, BZ) == 3.0 and main_param(link)["value"] == [{"b_z": -3.0}]


def test_default_view_shows_the_core_numbers():
    at = run_page(PAGE)
    r = gru_update_gate.run()
    c = main_curves(at)
    for key in ("gru_full", "vanilla_rnn", "lstm"):                      # packed with 6 significant digits
        c[name(f"series.{key}")].assert_shows(r["curves"][key])
    c[name("series.direct", "pytorch")].assert_shows(r["curves"]["gru_direct"])
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
    c = main_curves(replace)                                # rewriting the state every step: like a vanilla RNN
    assert horizon(mr[name("metric.horizon_gru")]) < 10
    assert c[name("series.gru_full")].v[-1] < -30 and c[name("series.vanilla_rnn")].v[-1] < -30


def test_closed_reset_gate_leaves_only_the_direct_path():
    at = click_preset(run_page(PAGE), "reset_closed")
    assert_page_ok(at)
    c = main_curves(at)
    full, direct = c[name("series.gru_full")].on_grid(101), c[name("series.direct", "pytorch")].on_grid(101)
    assert np.abs(full - direct).max() < 0.2
    r_mean = curves(at, name("chart.reset_t"))[name("series.r_mean")]
    assert r_mean.max() < 0.05


def test_leaky_preset_is_a_constant_gate_and_keeps_the_url_clean():
    at = click_preset(run_page(PAGE), "leaky")
    assert_page_ok(at)
    z = heat_grid(at, name("chart.gate", "pytorch"))
    assert np.allclose(z, 0.9, rtol=0, atol=1e-12)
    c = main_curves(at)
    c[name("series.direct", "pytorch")].assert_shows(np.arange(101) * np.log10(0.9), atol=1e-10)
    assert metrics(at)[name("metric.horizon_direct")] == "66"          # 0.9^66 < 1e-3 < 0.9^65
    specs, presets = page_controls(PAGE)
    assert query_from(specs, {s.key: s.default for s in specs}) == {}
    assert query_from(specs, {**{s.key: s.default for s in specs}, **presets["leaky"]}) == {"leak": "0.9"}


def test_released_scrub_drives_tiles_and_secondary_charts():
    at = run_page(PAGE, query={"H": "8", "T": "40"})
    at = release_scrub(at, "b_z", -2.5)
    assert_page_ok(at)
    r = gru_update_gate.run(-2.5, hidden=8, T=40)
    np.testing.assert_allclose(heat_grid(at, name("chart.gate", "pytorch")), r["z"], rtol=0, atol=1e-15)
    shift = curves(at, name("chart.reset_t"))[name("series.shift")]
    np.testing.assert_allclose(shift, r["reset_shift"])
    assert metrics(at)[name("metric.horizon_gru")] == str(r["horizons"]["gru_full"])
    assert [s.key for s in at.slider] == ["b_r", "leak", "w_scale", "H", "T", "x_scale"]


def test_presets_links_and_bad_values():
    at = click_preset(run_page(PAGE, query={"conv": "cs224n"}), "keep")
    assert control_value(at, PAGE, BZ) == 3.0 and main_param(at)["value"] == [{"b_z": -3.0}]
    at = run_page(PAGE, query={"b_z": "1.1"})
    assert_page_ok(at)
    assert control_value(at, PAGE, BZ) == 1.0 and at.query_params["b_z"] == "1"
    for bad in ("5", "-4.2", "x", "inf"):
        at = run_page(PAGE, query={"b_z": bad, "conv": "cs224n"})
        assert_page_ok(at)
        assert control_value(at, PAGE, BZ) == 0.0 and "b_z" not in at.query_params
        assert at.toast and name("b_z") in at.toast[0].value          # the link holds b_z in both conventions


def test_in_the_leaky_mode_every_member_is_the_same_and_the_chart_says_why():
    at = run_page(PAGE, query={"leak": "0.9", "conv": "cs224n"})
    assert_page_ok(at)
    from tests.apptest_utils import _arrow_to_df

    frames = [_arrow_to_df(ds.data.data) for ds in scrub_chart(at, "b_z").proto.datasets if ds.data.data]
    notes = next(f for f in frames if "note" in f)["note"].tolist()
    assert len(notes) == 33 and len(set(notes)) == 1 and notes[0].startswith(name("note.leaky", "cs224n")[:20])
    a, b = member_curves(at, "b_z", 0), member_curves(at, "b_z", 32)
    assert a == b
