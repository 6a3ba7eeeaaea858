"""Chart builders: pure, serialisable, never NaN, overflow marked, rows capped, projector mode, palette."""
import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ui import charts
from ui.charts import ChartText
from ui.charts.clamp import auto_domain, clamp, first_codes, fmt_pow10, fmt_pow10s, fmt_value, fmt_values, thin
from ui.charts.theme import HEATMAP_CELLS, MAX_ROWS, PALETTE

ZH = ChartText(overflow="上溢", underflow="下溢", exact="精确值")


def rows_of(chart) -> list[dict]:
    """All data rows of a chart (every dataset of its Vega-Lite dict)."""
    spec = chart.to_dict()
    out = [r for rows in spec.get("datasets", {}).values() for r in rows]
    assert out, "chart has no data"
    return out


def assert_clean(chart) -> list[dict]:
    rows = rows_of(chart)
    for r in rows:
        for k, v in r.items():
            assert v is not None, f"{k} is null in {r}"
            if isinstance(v, float):
                assert math.isfinite(v), f"{k}={v} in {r}"
    return rows


def config(chart) -> dict:
    return chart.to_dict()["config"]


def k_frame(values: dict[str, np.ndarray]) -> pd.DataFrame:
    n = len(next(iter(values.values())))
    return charts.series_frame(np.arange(n), values, x="distance", y="log10")


# --- gradient curves ----------------------------------------------------------------------------------------
def test_gradient_curves_basic():
    k = np.arange(101)
    c = charts.gradient_curves(k_frame({"tanh": -0.05 * k, "relu": 0.02 * k}),
                               refs=k_frame({"rho^k": -0.04 * k}), window=20)
    assert isinstance(c, alt.LayerChart)
    rows = assert_clean(c)
    curve_rows = [r for r in rows if "series" in r]
    assert {r["series"] for r in curve_rows} == {"tanh", "relu", "rho^k"}
    assert {r["kind"] for r in curve_rows} == {"curve", "ref"}
    r = next(r for r in curve_rows if r["series"] == "tanh" and r["x"] == 100 and "log10_text" in r)  # hover point
    assert r["log10_text"] == "-5" and r["norm_text"] == "1.00e-05" and r["status"] == "exact"


def test_gradient_curves_tooltip_has_log10_and_norm():
    spec = charts.gradient_curves(k_frame({"a": -np.arange(5.0)})).to_dict()
    fields = {t["field"] for layer in spec["layer"] for t in layer.get("encoding", {}).get("tooltip", [])}
    assert {"log10_text", "norm_text", "status_text", "x", "series"} <= fields


def test_infinite_and_huge_values_become_marked_edge_points():
    L = np.array([0.0, -2.0, -500.0, -np.inf, 400.0, np.inf, np.nan])
    c = charts.gradient_curves(k_frame({"s": L}), y_domain=(-10, 10), text=ZH)
    assert_clean(c)
    rows = _layer_rows(c, "point", opacity=0)[0].to_dict("records")  # the hover points (all: there are few)
    assert len(rows) == 6  # NaN dropped, everything else kept
    by_x = {r["x"]: r for r in rows}
    assert by_x[2]["status"] == by_x[3]["status"] == "underflow" and by_x[2]["y"] == -10
    assert by_x[4]["status"] == by_x[5]["status"] == "overflow" and by_x[5]["y"] == 10
    assert by_x[5]["status_text"] == "上溢" and by_x[3]["norm_text"] == "0" and by_x[5]["norm_text"] == "inf"
    assert by_x[2]["norm_text"] == "1.00e-500"
    flag_layers = [lyr for lyr in c.to_dict()["layer"] if "shape" in lyr.get("encoding", {})]
    assert flag_layers, "no overflow/underflow mark layer"


def test_all_infinite_still_draws_a_chart():
    c = charts.gradient_curves(k_frame({"s": np.full(10, -np.inf)}))
    assert_clean(c)
    rows = _layer_rows(c, "point", opacity=0)[0].to_dict("records")
    assert len(rows) == 10 and {r["status"] for r in rows} == {"underflow"}


def test_auto_domain_never_beyond_float_range():
    c = charts.gradient_curves(k_frame({"s": np.linspace(0, -1000, 50)}))
    ys = [r["y"] for r in rows_of(c) if "series" in r]
    assert min(ys) >= -300


def test_zones_and_window_optional():
    k = np.arange(30)
    plain = charts.gradient_curves(k_frame({"s": -0.1 * k}), zones=None, window=None)
    full = charts.gradient_curves(k_frame({"s": -0.3 * k}), zones=(-3, 3), window=(5, 10))
    assert len(full.to_dict()["layer"]) > len(plain.to_dict()["layer"])
    assert_clean(plain)
    assert_clean(full)


def test_row_cap_per_chart():
    k = np.arange(20001)
    c = charts.gradient_curves(k_frame({"a": -1e-3 * k, "b": 1e-3 * k, "c": np.where(k > 19000, np.inf, 0.0)}))
    rows = [r for r in rows_of(c) if "series" in r]
    assert len(rows) <= MAX_ROWS
    assert any(r["status"] == "overflow" for r in rows), "flagged rows must survive thinning"


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(1, 400), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_gradient_curves_any_floats(values):
    c = charts.gradient_curves(k_frame({"s": values}))
    rows = [r for r in rows_of(c) if "series" in r] if not np.isnan(values).all() else []
    for r in rows:
        assert math.isfinite(r["y"]) and r["status"] in {"exact", "overflow", "underflow"}
    c.to_dict()


def _layer_rows(chart, mark: str, *, opacity: float | None = None) -> list[pd.DataFrame]:
    """The DataFrames of the layers with this mark type (and opacity)."""
    return [lyr.data for lyr in chart.layer if lyr.mark["type"] == mark
            and (opacity is None or lyr.mark.get("opacity") == opacity)
            and lyr.encoding._kwds.get("tooltip", alt.Undefined) is not alt.Undefined]  # not the range layer


def test_gradient_curves_layers_get_only_their_rows():
    """Straight log-norm lines are drawn from their end points; every point keeps a tooltip up to HOVER_ROWS;
    the triangles get exactly the flagged rows; no layer filters rows in the browser."""
    k = np.arange(101)
    c = charts.gradient_curves(k_frame({"tanh": -0.05 * k, "relu": np.where(k < 50, 0.0, -3.0)}),
                               refs=k_frame({"rho^k": -0.04 * k}), y_domain=(-4, 1))
    (lines,) = [lyr.data for lyr in c.layer if lyr.mark["type"] == "line"]
    assert set(lines.groupby("series").size().items()) == {("tanh", 3), ("rho^k", 2), ("relu", 4)}  # tanh: kink at -4
    assert set(lines.loc[lines.series == "rho^k", "kind"]) == {"ref"}
    hover, flags = _layer_rows(c, "point", opacity=0)[0], _layer_rows(c, "point", opacity=1)[0]
    assert len(hover) == 303 and (hover.groupby("series").size() == 101).all()
    assert list(flags["x"]) == list(k[81:]) and set(flags["status"]) == {"underflow"}  # tanh below -4
    assert not any("transform" in lyr for lyr in c.to_dict()["layer"])


def test_gradient_curves_hover_points_are_capped_per_chart():
    from ui.charts.theme import HOVER_ROWS

    k = np.arange(301)
    c = charts.gradient_curves(k_frame({f"s{i}": np.sin(k / (i + 3)) for i in range(5)}))
    (hover,) = _layer_rows(c, "point", opacity=0)
    assert HOVER_ROWS - 5 <= len(hover) <= HOVER_ROWS and set(hover.groupby("series").size()) == {HOVER_ROWS // 5}
    (lines,) = [lyr.data for lyr in c.layer if lyr.mark["type"] == "line"]
    assert len(lines) > len(hover)  # wiggly curves keep (nearly) every point of their lines


@settings(max_examples=80, deadline=None)
@given(arrays(np.float64, st.integers(0, 300), elements=st.floats(-1e6, 1e6)), st.floats(0.01, 50.0))
def test_simplify_keeps_every_point_within_tolerance(y, y_scale):
    """Linear interpolation through the kept points passes within tol pixels of every dropped point."""
    from ui.charts.clamp import simplify

    x = np.arange(len(y), dtype=float)
    df = pd.DataFrame({"x": x, "y": y, "series": "s"})
    kept = simplify(df, (3.0, y_scale), tol=0.25)
    assert len(kept) <= len(df) and (len(df) < 1 or {0.0, x[-1]} <= set(kept["x"]))
    if len(df) > 2:
        xs, ys = kept["x"].to_numpy(), kept["y"].to_numpy()
        assert np.all(np.diff(xs) > 0)
        # vertical distance bounds the perpendicular one from above only in pixels-per-unit terms; check
        # the perpendicular distance to the kept segment that spans each dropped point
        seg = np.clip(np.searchsorted(xs, x, side="right") - 1, 0, len(xs) - 2)
        ax, ay, bx, by = xs[seg] * 3, ys[seg] * y_scale, xs[seg + 1] * 3, ys[seg + 1] * y_scale
        px, py = x * 3, y * y_scale
        dist = np.abs((by - ay) * (px - ax) - (bx - ax) * (py - ay)) / np.hypot(bx - ax, by - ay)
        assert dist.max() <= 0.25 + 1e-9 * max(1.0, np.abs(py).max())


# --- time series --------------------------------------------------------------------------------------------
def test_time_series_log_scale_handles_zero_and_overflow():
    t = np.arange(50)
    with np.errstate(over="ignore"):
        v = np.exp(t * 20.0)  # overflows to inf
    v[0] = 0.0
    c = charts.time_series(pd.DataFrame({"t": t, "value": v, "series": "relu"}), log_y=True)
    assert isinstance(c, alt.LayerChart)
    rows = [r for r in assert_clean(c) if "series" in r]
    assert all(r["y"] > 0 for r in rows)  # log scale: nothing at or below 0
    assert {"overflow", "underflow"} <= {r["status"] for r in rows}


# --- heat map -----------------------------------------------------------------------------------------------
def test_heatmap_caps_cells_and_marks_overflow():
    z = np.random.default_rng(0).normal(size=(128, 300))
    z[0, 0] = np.inf
    c = charts.heatmap(z, x_title="t", y_title="unit", value_title="h", diverging=True, domain=(-2, 2))
    assert isinstance(c, alt.Chart)
    rows = assert_clean(c)
    assert len(rows) <= MAX_ROWS
    assert rows[0]["c"] == 2 and rows[0]["status_text"] == ChartText().overflow
    enc = c.to_dict()["encoding"]
    assert enc["color"]["legend"] is not None and "tooltip" in enc


def test_heatmap_with_word_labels():
    c = charts.heatmap(np.eye(3), x_values=["the", "cat", "sat"], y_values=[1, 2, 3])
    assert {r["x"] for r in assert_clean(c)} == {"the", "cat", "sat"}


def test_heatmap_cells_tile_the_axes_with_a_stride():
    """Numeric axes are quantitative with cell edges: with a stride, each drawn cell covers the skipped
    steps too, the cells tile the axis without gaps or overlap, and each cell's x is the step it shows."""
    z = np.arange(40 * 100, dtype=float).reshape(40, 100)  # 4000 cells > HEATMAP_CELLS: strided
    c = charts.heatmap(z, x_values=np.arange(1, 101), domain=(0.0, 4000.0))
    df = c.data
    assert len(df) <= HEATMAP_CELLS and len(df) < z.size
    for name in ("x", "y"):
        cells = df.drop_duplicates(name).sort_values(name)
        lo, hi = cells[f"{name}0"].to_numpy(), cells[f"{name}1"].to_numpy()
        size = hi[:-1] - lo[:-1]
        np.testing.assert_allclose(hi[:-1] - lo[1:], 0.3 * size / 1.3)  # no gaps; reaching 30 % under the next
        assert np.all((lo < cells[name]) & (cells[name] < hi))
    assert df["x0"].min() == 0.5 and df["x1"].max() >= 100.5
    # the colour is the value at the cell's own step
    np.testing.assert_array_equal(df["c"], z[df["y"].astype(int), df["x"].astype(int) - 1])
    enc = c.to_dict()["encoding"]
    assert enc["x"]["type"] == "quantitative" and enc["y"]["scale"]["reverse"] is True  # unit 0 on top


def test_heatmap_spec_does_not_change_with_its_shape():
    """Moving H or T changes the data only (no tick lists or category lists in the spec)."""
    a = charts.heatmap(np.ones((8, 30)), x_values=np.arange(1, 31), domain=(0.0, 1.0))
    b = charts.heatmap(np.zeros((64, 300)), x_values=np.arange(1, 301), domain=(0.0, 1.0))
    assert _spec_without_data(a) == _spec_without_data(b)


# --- eigenvalues --------------------------------------------------------------------------------------------
def test_eigen_plane_circles_and_outliers():
    lam = np.array([0.5 + 0.5j, -0.9, 1e6 + 0j, complex(np.inf, 0), complex(np.nan, 1)])
    c = charts.eigen_plane(lam, second_radius=4.0)
    assert isinstance(c, alt.LayerChart)
    rows = assert_clean(c)
    pts = [r for r in rows if "mod_text" in r]
    assert len(pts) == 4  # NaN eigenvalue dropped
    assert sum(r["status"] == "overflow" for r in pts) == 2
    r = max(abs(r["re"]) for r in pts)
    assert r <= 16.0 + 1e-9  # view is at most 4x the largest circle
    names = {row.get("name") for row in rows}
    assert ChartText().unit_circle in names and ChartText().second_circle in names
    d = c.to_dict()
    assert d["width"] == d["height"]  # equal axes


# --- histogram, small multiples, bars ----------------------------------------------------------------------
def test_histogram_bins_not_samples():
    vals = np.concatenate([np.random.default_rng(0).random(10000), [np.inf, -5.0, np.nan]])
    df = pd.DataFrame({"value": vals, "series": ["tanh'"] * 5000 + ["relu'"] * 5003})
    c = charts.histogram(df, bins=20, domain=(0, 1))
    assert isinstance(c, alt.FacetChart)
    rows = assert_clean(c)
    assert len(rows) == 40
    relu = [r for r in rows if r["series"] == "relu'"]
    assert sum(r["count"] for r in relu) == 5002 and sum(r["clamped"] for r in relu) == 2
    single = charts.histogram(df[df.series == "tanh'"], facet=True)
    assert isinstance(single, alt.Chart)


def test_function_grid_is_facetted_and_clamped():
    a = np.linspace(-5, 5, 101)
    df = pd.concat([pd.DataFrame({"a": a, "value": f(a), "curve": c, "series": n})
                    for n, f in (("relu", lambda x: np.maximum(x, 0)), ("exp", np.exp)) for c in ("f",)])
    c = charts.function_grid(df, y_domain=(-1, 3))
    assert isinstance(c, alt.FacetChart)
    rows = assert_clean(c)
    assert any(r["status"] == "overflow" for r in rows)


def test_bar_chart_numeric_and_categorical():
    c = charts.bar_chart(pd.DataFrame({"k": np.arange(300), "v": np.r_[np.inf, -np.arange(299.0)]}), x="k", y="v",
                         y_domain=(-100, 10))
    assert isinstance(c, alt.LayerChart)
    rows = [r for r in assert_clean(c) if "status" in r]  # without the two invisible extent points
    assert len(rows) == 300 and sum(r["status"] != "exact" for r in rows) == 1 + 198
    cat = charts.bar_chart(pd.DataFrame({"name": ["RNN", "LSTM"], "v": [1.0, 2.0]}), x="name", y="v", color="name")
    assert_clean(cat)


# --- look -------------------------------------------------------------------------------------------------
BUILDERS = {
    "gradient": lambda p: charts.gradient_curves(k_frame({"s": -np.arange(10.0)}), projector=p),
    "time": lambda p: charts.time_series(pd.DataFrame({"t": [0, 1], "value": [1.0, 2.0], "series": "a"}),
                                         projector=p),
    "heat": lambda p: charts.heatmap(np.eye(4), projector=p),
    "eigen": lambda p: charts.eigen_plane(np.array([0.5j]), projector=p),
    "hist": lambda p: charts.histogram(pd.DataFrame({"value": [0.1, 0.2], "series": "a"}), projector=p),
    "grid": lambda p: charts.function_grid(pd.DataFrame({"a": [0, 1], "value": [0, 1], "curve": "f",
                                                         "series": "a"}), projector=p),
    "bars": lambda p: charts.bar_chart(pd.DataFrame({"k": [0, 1], "v": [1.0, 2.0]}), x="k", y="v", projector=p),
}


@pytest.mark.parametrize("name", BUILDERS)
def test_projector_mode_is_bigger_and_bolder(name):
    normal, big = config(BUILDERS[name](False)), config(BUILDERS[name](True))
    assert big["axis"]["labelFontSize"] > normal["axis"]["labelFontSize"]
    assert big["line"]["strokeWidth"] > normal["line"]["strokeWidth"]
    assert big["axis"]["labelColor"] == "#000000"


@pytest.mark.parametrize("name", BUILDERS)
def test_builders_serialise_and_translate(name):
    chart = BUILDERS[name](False)
    assert isinstance(chart, (alt.Chart, alt.LayerChart, alt.FacetChart))
    chart.to_json()


def test_translated_words_reach_the_chart():
    c = charts.gradient_curves(k_frame({"s": -np.arange(10.0)}), text=ChartText(distance="距离", log10_grad="梯度"))
    titles = {lyr["encoding"]["x"].get("title") for lyr in c.to_dict()["layer"] if "x" in lyr.get("encoding", {})}
    assert "距离" in titles


def test_palette_is_okabe_ito_and_colours_are_stable():
    assert PALETTE[:3] == ("#0072B2", "#D55E00", "#009E73") and len(set(PALETTE)) == 8
    spec = charts.gradient_curves(k_frame({"b": np.zeros(3), "a": np.zeros(3)})).to_dict()
    scales = [lyr["encoding"]["color"]["scale"] for lyr in spec["layer"]
              if "scale" in lyr.get("encoding", {}).get("color", {})]
    assert scales and scales[0]["domain"] == ["b", "a"] and scales[0]["range"] == list(PALETTE[:2])


# --- helpers ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("log10, text", [(0.0, "1.00e+00"), (-5, "1.00e-05"), (2.5, "3.16e+02"),
                                         (-400.5, "3.16e-401"), (0.99999, "1.00e+01"), (np.inf, "inf")])
def test_fmt_pow10(log10, text):
    assert fmt_pow10(log10) == text


@given(arrays(np.float64, st.integers(0, 50), elements=st.floats(allow_nan=True, allow_infinity=True)))
def test_fmt_pow10s_is_fmt_pow10_of_each(log10):
    assert list(fmt_pow10s(log10)) == [fmt_pow10(v) for v in log10]
    assert list(fmt_values(log10)) == [fmt_value(v) for v in log10]


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from(["curve", "ref"])), max_size=40))
def test_first_codes_number_groups_like_pandas(rows):
    df = pd.DataFrame(rows, columns=["series", "kind"])
    expected = df.groupby(["series", "kind"], sort=False).ngroup().to_numpy() if rows else []
    assert list(first_codes(df["series"].to_numpy(), df["kind"].to_numpy())) == list(expected)


def test_series_frame_is_long_and_ordered():
    df = charts.series_frame([0, 1, 2], {"a": [1, 2, 3], "b": np.array([4.0, 5.0, 6.0])}, x="d", y="v")
    assert list(df.columns) == ["d", "v", "series"]
    assert df["d"].tolist() == [0, 1, 2, 0, 1, 2] and df["v"].tolist() == [1, 2, 3, 4, 5, 6]
    assert df["series"].tolist() == ["a"] * 3 + ["b"] * 3


def test_clamp_and_domain():
    y, status, keep = clamp(np.array([np.nan, -np.inf, 0.5, 9.0]), 0.0, 1.0)
    assert list(keep) == [False, True, True, True] and list(y[1:]) == [0.0, 0.5, 1.0]
    assert list(status[1:]) == ["underflow", "exact", "overflow"]
    lo, hi = auto_domain(np.array([np.nan, np.inf]))  # nothing finite: a small default range
    assert -2 < lo < 0 < hi < 2
    lo, hi = auto_domain(np.array([1e-3, 1e3, 0.0, -1.0]), positive=True)
    assert 0 < lo < 1e-3 and hi > 1e3


def test_thin_keeps_endpoints_and_flags():
    df = pd.DataFrame({"x": np.arange(10000), "series": "a", "status": "exact"})
    df.loc[5000, "status"] = "overflow"
    out = thin(df, 100, by="series")
    assert len(out) <= 100 and {0, 9999, 5000} <= set(out["x"])


def test_series_legend_and_facet_headers_have_no_redundant_title():
    spec = charts.gradient_curves(k_frame({"a": np.zeros(3)})).to_dict()
    colors = [lyr["encoding"]["color"] for lyr in spec["layer"] if "color" in lyr.get("encoding", {})]
    assert colors and all(c["title"] is None for c in colors)
    grid = charts.function_grid(pd.DataFrame({"a": [0, 1], "value": [0, 1], "curve": "f", "series": "s"})).to_dict()
    assert grid["facet"]["title"] is None


# --- specs that do not change with the data ------------------------------------------------------------------
def frames_of(chart) -> list[pd.DataFrame]:
    from ui.charts.render import to_vega_lite

    return list(to_vega_lite(chart)["datasets"].values())


def _spec_without_data(chart) -> str:
    from ui.charts.render import to_vega_lite

    spec = to_vega_lite(chart)
    spec.pop("datasets")
    return json.dumps(spec, sort_keys=True)


@pytest.mark.parametrize("build", [
    lambda L: charts.gradient_curves(k_frame({"tanh": L, "relu": L / 2}), refs=k_frame({"rho": L * 1.1}), window=20),
    lambda L: charts.time_series(pd.DataFrame({"t": np.arange(len(L)), "value": 10.0 ** L, "series": "h"}), log_y=True),
    lambda L: charts.bar_chart(pd.DataFrame({"k": np.arange(len(L)), "v": L}), x="k", y="v"),
    lambda L: charts.heatmap(np.outer(L, L[:7]), diverging=True),
])
def test_spec_stays_identical_when_only_the_data_changes(build):
    """A moving slider changes data, not the spec: Streamlit then updates the chart's data in the browser
    instead of rebuilding the Vega view (which costs ~100 ms per chart)."""
    k = np.arange(80.0)
    a, b = build(-0.05 * k), build(-0.3 * k + 2)
    assert _spec_without_data(a) == _spec_without_data(b)
    assert rows_of(a) != rows_of(b)


def test_gradient_curves_range_lives_in_the_data():
    k = np.arange(51.0)
    c = charts.gradient_curves(k_frame({"s": -0.5 * k}), y_domain=(-30.0, 4.0), window=10)
    extent = [f for f in frames_of(c) if set(f.columns) == {"x", "y"}]
    assert len(extent) == 1 and extent[0]["y"].tolist() == [-30.0, 4.0] and extent[0]["x"].tolist() == [0.0, 50.0]
    scales = [lay["encoding"]["y"].get("scale", {}) for lay in c.to_dict()["layer"] if "y" in lay.get("encoding", {})]
    assert all("domain" not in sc for sc in scales)
