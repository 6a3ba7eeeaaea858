"""The scrub (ui/scrub.py, ui/charts/scrub.py, ui/charts/family.py): the control's grid and URL form, the
packed family data and the chart's in-browser parts, and on page 1 (AppTest) how a released slider, presets,
links and the language drive the page without rebuilding the chart."""
import json

import numpy as np
import pandas as pd
import pytest

from tests.apptest_utils import (
    assert_page_ok,
    chart_frames,
    click_preset,
    control_value,
    release_scrub,
    run_page,
    scrub_chart,
)
from ui import charts
from ui.charts.scrub import PARAM, ScrubParam, pack, unpack
from ui.scrub import Scrub, _params, selected

RHO = Scrub("rho", default=0.9, lo=0.1, hi=2.0, step=0.05)
LAYERS = Scrub("layers", default=4, lo=1, hi=12, step=1)


def test_grid_snapping_and_url_form():
    assert len(RHO.values) == 39 and RHO.values[0] == 0.1 and RHO.values[-1] == 2.0
    assert RHO.snap(1.23) == 1.25 and RHO.snap(-5) == 0.1 and RHO.snap(7) == 2.0
    assert RHO.parse("1.23") == 1.25 and RHO.parse("1.5") == 1.5 and RHO.to_url(RHO.parse("1.23")) == "1.25"
    for bad in ("abc", "", "nan", "inf", "2.5", "0.05", "1e999", "x" * 500):
        assert RHO.parse(bad) is None, bad
    assert RHO.valid(1.25) and not RHO.valid(1.23) and not RHO.valid(True) and not RHO.valid(2.05)
    assert LAYERS.values.dtype.kind == "i" and LAYERS.parse("3") == 3 and LAYERS.parse("3.4") == 3
    assert isinstance(LAYERS.snap(4.6), int) and LAYERS.to_url(5) == "5"
    with pytest.raises(ValueError):
        Scrub("x", default=0.33, lo=0.0, hi=1.0, step=0.25)   # default off the grid


def test_selection_state_is_read_safely():
    assert selected(RHO, {"selection": {PARAM: [{"rho": 1.2}]}}) == 1.2
    assert selected(RHO, {"selection": {PARAM: [{"rho": 1.2000000000000002}]}}) == 1.2
    for junk in (None, {}, {"selection": {}}, {"selection": {PARAM: {}}}, {"selection": {PARAM: [{"x": 1}]}},
                 {"selection": {PARAM: [{"rho": "1.2"}]}}, {"selection": {PARAM: [{"rho": float("nan")}]}},
                 {"selection": {PARAM: [{"rho": 9.0}]}}, {"selection": {PARAM: [{"rho": True}]}}):
        assert selected(RHO, junk) is None, junk


def test_param_is_a_bound_point_selection_that_clicks_cannot_clear():
    p = ScrubParam("rho", 0.1, 2.0, 0.05, 0.9, "ρ").param()
    assert p["name"] == PARAM and p["value"] == [{"rho": 0.9}] and p["select"]["fields"] == ["rho"]
    assert p["select"]["clear"] is False and p["select"]["on"] == "click[false]"
    assert p["bind"] == {"input": "range", "min": 0.1, "max": 2.0, "step": 0.05, "name": "ρ"}
    s = ScrubParam("rho", 0.1, 2.0, 0.05, 0.9, "ρ")
    assert s.size == 39 and s.member_filter() == {"filter": "datum.i == round((scrub_rho - 0.1) / 0.05)"}


def test_pack_round_trips_every_member_with_inf_and_nan():
    x = np.arange(6.0)
    a = np.array([[0, -1, -2, -np.inf, -4, -5], [0, 1, 2, 3, np.inf, 5.0]])
    b = np.array([[0, 0.5, np.nan, 1.5, 2, 2.5], [0, 1e-7, 2e300, 3, 4, 5]])
    df = pack(x, {"a": a, "b": b}, {"b": "ref"})
    assert len(df) == 4 and df["x"].dtype == "category" and df["series"].tolist() == ["a", "a", "b", "b"]
    for f in range(2):
        got = unpack(df, f)
        for name, vals in (("a", a[f]), ("b", b[f])):
            rows = got[got["series"] == name]
            keep = ~np.isnan(vals)
            np.testing.assert_array_equal(rows["x"], x[keep])
            np.testing.assert_allclose(rows["v"], vals[keep], rtol=1e-5)
        assert set(got[got["series"] == "b"]["kind"]) == {"ref"}


@pytest.mark.parametrize("seed", range(20))
def test_rdp_rows_keeps_the_points_rdp_keeps_row_by_row(seed):
    from ui.charts.clamp import _rdp, rdp_rows

    rng = np.random.default_rng(seed)
    N, R = int(rng.integers(1, 80)), int(rng.integers(1, 6))
    px = np.arange(N) * rng.uniform(0.1, 20)
    py = rng.normal(size=(R, N)).cumsum(axis=1) * rng.choice([0.1, 1, 10])
    if seed % 3 == 0:
        py = np.round(py)                                       # ties: the first farthest point, as argmax
    got = rdp_rows(px, py, 0.25)
    for r in range(R):
        assert np.flatnonzero(got[r]).tolist() == _rdp(px, py[r], 0.25).tolist()


def test_family_lines_send_only_what_changes_the_drawing():
    """Each member's line is sent as the points Ramer-Douglas-Peucker keeps at the chart's widest (a quarter
    pixel): the line through them stays within that of the clamped curve everywhere, its ends are sent, and so are
    points beyond the axes, a row of triangles along the edge (at most about FLAGS, the first and last included);
    hover points are not thinned by it."""
    from ui.charts.family import FLAGS, HOVER_POINTS
    from ui.charts.render import to_vega_lite
    from ui.charts.theme import LINE_WIDTH_PX

    rng = np.random.default_rng(3)
    T, F = 300, 3
    d = np.arange(T + 1.0)
    L = -np.outer([0.05, 0.08, 0.1], d) + 2 * np.sin(d / 15) + rng.normal(0, 0.01, size=(F, T + 1))
    L[1, 200:] = -np.inf                                     # underflow to zero: flagged points
    L[2, 150:] = 80.0                                        # beyond the axes (at most 60 decades): flagged
    height = 360
    scrub = ScrubParam("rho", 0.1, 0.3, 0.1, 0.2, "ρ")
    spec = to_vega_lite(charts.family_curves(np.arange(T + 1), {"grad": L}, scrub=scrub, height=height))
    frames = list(spec["datasets"].values())
    lines = next(f for f in frames if "v" in f and "kind" in f and "dash" in f)
    lo, hi = float(lines["lo"].iloc[0]), float(lines["hi"].iloc[0])
    px_per = (LINE_WIDTH_PX / T, height / (hi - lo))
    sent = []
    for f in range(F):
        got = unpack(lines, f).sort_values("x")
        x, v = got["x"].to_numpy(), got["v"].to_numpy()
        assert x[0] == 0 and x[-1] == T
        np.testing.assert_allclose(v, L[f, x.astype(int)], rtol=1e-5, atol=1e-9)
        # every point of the curve lies within a quarter pixel of the drawn segment it falls on
        k = np.searchsorted(x, np.arange(T + 1), side="right").clip(1, len(x) - 1)
        ax, bx = x[k - 1] * px_per[0], x[k] * px_per[0]
        ay, by = np.clip(v[k - 1], lo, hi) * px_per[1], np.clip(v[k], lo, hi) * px_per[1]
        qx, qy = np.arange(T + 1) * px_per[0], np.clip(L[f], lo, hi) * px_per[1]
        off = np.abs((by - ay) * (qx - ax) - (bx - ax) * (qy - ay)) / np.hypot(bx - ax, by - ay)
        assert off.max() <= 0.25 + 1e-6, f"member {f}: the drawn line is {off.max():.2f} px off"
        beyond = np.flatnonzero((L[f] < lo) | (L[f] > hi))
        flagged = np.intersect1d(beyond, x.astype(int))         # sent points beyond the axes: each a triangle
        if len(beyond):
            assert {beyond[0], beyond[-1]} <= set(flagged) and 3 <= len(flagged) <= FLAGS + 1
            assert np.diff(flagged).max() <= 2 * np.diff(flagged).min() + 1, "spread evenly along the edge"
        sent.append(len(x) - len(flagged))
    assert max(sent) < 0.4 * (T + 1), sent
    hover = next(f for f in frames if "log10_text" in f)
    assert all(len(t.split("|")) == min(T + 1, HOVER_POINTS) for t in hover["log10_text"])


def _family_chart(L, notes=True):
    scrub = ScrubParam("rho", 0.1, 0.3, 0.1, 0.2, "ρ")
    x = np.arange(L.shape[1])
    return charts.family_curves(x, {"grad": L}, refs={"ref": L / 2}, scrub=scrub,
                                notes=[f"m{i}" for i in range(3)] if notes else None,
                                marker=np.array([2.0, np.nan, 4.0]), marker_label="horizon", window=3)


def test_family_chart_spec_stays_the_same_when_the_family_changes():
    from ui.charts.render import to_streamlit

    def shell(chart):
        spec = to_streamlit(chart)
        spec.pop("datasets")
        return json.dumps(spec, sort_keys=True)
    L = -np.outer(np.arange(1, 4), np.arange(8.0))
    assert shell(_family_chart(L)) == shell(_family_chart(3 * L + 1))


def test_family_chart_holds_every_member_and_its_note():
    from ui.charts.render import to_vega_lite

    L = -np.outer(np.arange(1, 4), np.arange(8.0))
    spec = to_vega_lite(_family_chart(L))
    frames = list(spec["datasets"].values())
    lines = next(f for f in frames if "v" in f and "kind" in f and len(f) == 6)
    for f in range(3):
        got = unpack(lines, f)
        grad = got[got["series"] == "grad"]
        assert grad["x"].tolist() == [0, 7], "a straight line is sent as its two ends"
        np.testing.assert_allclose(grad["v"], L[f, [0, 7]])
    notes = next(f for f in frames if "note" in f)
    assert notes["note"].tolist() == ["m0", "m1", "m2"] and notes["i"].tolist() == [0, 1, 2]
    marks = next(f for f in frames if "label" in f and "i" in f)
    assert marks["i"].tolist() == [0, 2] and marks["x"].tolist() == [2.0, 4.0]
    text = json.dumps(spec, default=str)
    assert text.count('"name": "scrub"') == 1 and "scrub_rho" in text


# --- page 1 through AppTest ---------------------------------------------------------------------------------------
def metrics(at):
    return {m.label: m.value for m in at.metric}


def main_spec(at):
    return json.loads(scrub_chart(at, "rho").proto.spec)


def test_released_slider_drives_the_page_without_rebuilding_the_chart():
    at = run_page("vanilla_rnn")
    assert control_value(at, "vanilla_rnn", RHO) == 0.9 and "rho" not in at.query_params
    spec_before, m_before = main_spec(at), metrics(at)
    at = release_scrub(at, "rho", 1.5)
    assert_page_ok(at)
    assert control_value(at, "vanilla_rnn", RHO) == 1.5 and at.query_params["rho"] == "1.5"
    m = metrics(at)
    assert m["spectral radius ρ"] == "1.5" and m != m_before
    from core.scenarios import vanilla_rnn
    r = vanilla_rnn.run("tanh", 1.5, 32, 100, 1.0, "orthogonal", 20, 0)
    from ui.fmt import fmt_pow10
    assert m["gradient from T steps back"] == fmt_pow10(r["log_norm"][-1])
    assert main_spec(at) == spec_before, "the chart keeps its spec: the browser shows the value already"
    assert [s.key for s in at.slider] == ["H", "T", "x_scale", "window"], "no second slider for rho"


def test_preset_link_and_language_set_the_value_and_rebuild_the_chart_at_it():
    at = click_preset(run_page("vanilla_rnn"), "exploding")
    assert control_value(at, "vanilla_rnn", RHO) == 1.5
    p = _params(main_spec(at))
    assert len(p) == 1 and p[0]["value"] == [{"rho": 1.5}] and at.query_params["rho"] == "1.5"
    first_key = scrub_chart(at, "rho").proto.id
    at = release_scrub(at, "rho", 0.6)
    at = click_preset(at, "exploding")
    assert control_value(at, "vanilla_rnn", RHO) == 1.5 and scrub_chart(at, "rho").proto.id != first_key
    at.query_params["lang"] = "zh"
    at = release_scrub(at, "rho", 1.2)
    at.run()
    assert control_value(at, "vanilla_rnn", RHO) == 1.2


def test_links_between_grid_points_snap_and_out_of_range_falls_back_with_a_notice():
    at = run_page("vanilla_rnn", query={"rho": "1.23"})
    assert_page_ok(at)
    assert control_value(at, "vanilla_rnn", RHO) == 1.25 and at.query_params["rho"] == "1.25"
    for bad in ("5", "-1", "abc", "<script>", "1e999"):
        at = run_page("vanilla_rnn", query={"rho": bad})
        assert_page_ok(at)
        assert control_value(at, "vanilla_rnn", RHO) == 0.9 and "rho" not in at.query_params
        assert at.toast and "ρ" in at.toast[0].value


def test_a_url_change_in_the_session_is_followed():
    """Back/forward in the browser changes the URL under the running session: the scrub follows it."""
    at = release_scrub(run_page("vanilla_rnn"), "rho", 1.5)
    at.query_params["rho"] = "0.6"
    at.run()
    assert control_value(at, "vanilla_rnn", RHO) == 0.6
    del at.query_params["rho"]
    at.run()
    assert control_value(at, "vanilla_rnn", RHO) == 0.9


def test_the_sweep_sends_its_script_once_pressed():
    at = run_page("vanilla_rnn")
    assert not at.get("html") or all("data-sweep" not in h.proto.body for h in at.get("html"))
    at = at.button(key="_sweep.rho.start").click().run()
    scripts = [h.proto.body for h in at.get("html") if "data-sweep" in h.proto.body]
    assert len(scripts) == 1 and "scrub_rho" in scripts[0]
    values = json.loads(scripts[0].split("const values = ")[1].split(",\n")[0].split(", every")[0])
    assert values[0] == 0.5 and values[-1] == 1.5 and len(values) == 21
    assert all(h.proto.unsafe_allow_javascript for h in at.get("html") if "data-sweep" in h.proto.body)


def test_family_rows_stay_few_per_member():
    at = run_page("vanilla_rnn", query={"T": "300", "H": "8"})
    assert_page_ok(at)
    spec = chart_frames(at)[0]
    packed = [f for f in spec.frames if "v" in f.columns and "kind" in f.columns]
    assert packed and max(len(f) for f in packed) <= 3 * len(RHO.values)
    assert pd.concat(packed)["v"].str.count(",").max() <= 300     # at most T + 1 points a line (simplified)


def test_copied_members_are_packed_once_and_sent_as_copies():
    """A coarse family (ui.progressive) repeats computed members: their rows are formatted once and repeated, and
    the frames are the ones packing every member would give."""
    from ui.charts import family as fc
    from ui.charts.text import ENGLISH

    x = np.arange(40.0)
    L = -np.outer([0.5, 1.0, 2.0], x) + np.sin(x)[None] * np.array([[1.0], [2.0], [3.0]])
    L[2, 30:] = -np.inf
    idx = [0, 0, 1, 1, 1, 2, 2]
    series = {"grad": L[idx], "ref": L[idx] / 2}
    kinds = {"ref": "ref"}
    for build in (lambda ss: fc.pack(x, ss, kinds),
                  lambda ss: fc._hover_rows(x, ss, kinds, np.arange(0, 40, 3), -60.0, 5.0, ENGLISH)):
        sizes = []
        got = fc._per_member(series, lambda ss, b=build: sizes.append(len(ss["grad"])) or b(ss))
        assert sizes == [3]
        pd.testing.assert_frame_equal(got, build(series))
