"""ui.charts.render.to_vega_lite: the fast walk over the builders' Altair objects gives exactly what Altair's
own (validating) ``to_dict`` gives — same marks, encodings, config and data — with DataFrames as datasets."""
import json
import re

import numpy as np
import pandas as pd
import pytest

from ui import charts
from ui.charts.family_heatmap import family_heatmap
from ui.charts.influence import focus_maps
from ui.charts.paths import surface_paths
from ui.charts.render import arrow_bytes, to_streamlit, to_vega_lite
from ui.charts.scrub import ScrubParam
from ui.charts.text import ChartText

ZH = ChartText(overflow="上溢", underflow="下溢", exact="精确值")
K = np.arange(60.0)
X, Y = np.linspace(0.0, 5.0, 6), np.linspace(-2.0, 2.0, 5)

CHARTS = {
    "gradient": lambda: charts.gradient_curves(
        charts.series_frame(K, {"tanh": -0.1 * K, "relu": np.r_[0.5 * K[:-1], np.inf]}, x="distance", y="log10"),
        refs=charts.series_frame(K, {"rho": -0.05 * K}, x="distance", y="log10"), window=12, text=ZH,
        title="t"),
    "time": lambda: charts.time_series(pd.DataFrame({"t": K, "value": np.exp(K / 5), "series": "h"}), log_y=True,
                                       projector=True),
    "heat": lambda: charts.heatmap(np.outer(K[:9], K[:7]) - 10, diverging=True, x_values=[f"w{i}" for i in range(7)]),
    "heat_fixed": lambda: charts.heatmap(np.eye(5), domain=(0.0, 1.0), title="f′"),
    "eigen": lambda: charts.eigen_plane(np.exp(2j * np.pi * K[:8] / 8) * 0.9, second_radius=4.0),
    "hist": lambda: charts.histogram(pd.DataFrame({"value": np.r_[K, K] / 60, "series": ["a"] * 60 + ["b"] * 60})),
    "hist_one": lambda: charts.histogram(pd.DataFrame({"value": K / 60, "series": "a"}), facet=False, width=200),
    "grid": lambda: charts.function_grid(pd.DataFrame({"a": [0, 1], "value": [0, 1], "curve": "f", "series": "a"})),
    "bars": lambda: charts.bar_chart(pd.DataFrame({"k": ["x", "y"], "v": [1.0, -2.0]}), x="k", y="v"),
    "influence": lambda: focus_maps({m: np.tril(np.ones((4, 4))) for m in "fb"}, ["a", "b", "a", "c"],
                                    scrub=ScrubParam("focus", 1, 4, 1, 2, "f"), titles={"f": "F", "b": "B"},
                                    notes=list("wxyz")),
    "family_heat": lambda: family_heatmap(-np.ones((3, 2, 4)), x_values=np.arange(4), y_values=[1, 2],
                                          scrub=ScrubParam("a", 0.0, 1.0, 0.5, 0.5, "a"), notes=list("xyz")),
    "family": lambda: charts.family_curves(
        K[:6], {"a": -np.outer([1.0, 2.0, 3.0], K[:6])}, refs={"r": np.zeros((3, 6))},
        scrub=ScrubParam("rho", 0.1, 0.3, 0.1, 0.2, "ρ"), notes=["x", "y", "z"], marker=np.array([1.0, np.nan, 2.0])),
    "paths": lambda: surface_paths(np.add.outer(Y, X), x_values=X, y_values=Y,
                                   paths=pd.DataFrame({"series": "p", "step": [0, 1], "x": [1.0, 9.0],
                                                       "y": [0.0, 0.5]})),
}


def _resolve(node, datasets):
    """Replace every named data reference by its rows (names differ: Altair hashes, we count)."""
    if isinstance(node, dict):
        if set(node) == {"name"} and node["name"] in datasets:
            rows = datasets[node["name"]]
            return {"values": rows.to_dict("records") if isinstance(rows, pd.DataFrame) else rows}
        return {k: _resolve(v, datasets) for k, v in node.items() if k != "datasets"}
    if isinstance(node, list):
        return [_resolve(v, datasets) for v in node]
    return node


@pytest.mark.parametrize("name", CHARTS)
def test_fast_conversion_equals_altair_to_dict(name):
    chart = CHARTS[name]()
    ours = to_vega_lite(chart)
    theirs = chart.to_dict()  # validates against the Vega-Lite schema
    theirs.pop("$schema")
    # Altair renames a named layer that a top-level selection lives in ("family_lines" -> "family_lines_2") but
    # leaves the selection's ``views`` as they were: ours keeps the two consistent (validated below)
    theirs = json.loads(re.sub(r'"family_lines_\d+"', '"family_lines"', json.dumps(theirs)))   # _1, _2: its counter
    view = theirs.get("config", {}).get("view", {})
    for key in ("continuousWidth", "continuousHeight"):  # Altair's default theme, not ours
        view.pop(key, None)
    assert all(isinstance(df, pd.DataFrame) for df in ours["datasets"].values())
    assert _resolve(ours, ours["datasets"]) == _resolve(theirs, theirs.get("datasets", {}))


@pytest.mark.parametrize("name", CHARTS)
def test_fast_conversion_is_valid_vega_lite(name):
    import jsonschema
    from altair.vegalite.v6.schema import load_schema

    ours = to_vega_lite(CHARTS[name]())
    jsonschema.validate(_resolve(ours, ours["datasets"]), load_schema())


def test_conversion_leaves_the_chart_alone():
    chart = CHARTS["gradient"]()
    before = chart.to_dict()
    to_vega_lite(chart)
    assert chart.to_dict() == before


@pytest.mark.parametrize("name", CHARTS)
def test_arrow_datasets_decode_to_the_same_rows(name):
    """What ``show_chart`` ships (our Arrow bytes) reads back, through Streamlit's own decoder, as the rows."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    ours = to_vega_lite(CHARTS[name]())
    shipped = to_streamlit(CHARTS[name]())
    assert set(shipped["datasets"]) == set(ours["datasets"])
    for key, df in ours["datasets"].items():
        assert isinstance(shipped["datasets"][key], bytes)
        back = convert_arrow_bytes_to_pandas_df(shipped["datasets"][key])
        assert list(back.columns) == [str(c) for c in df.columns]
        assert back.to_dict("records") == df.reset_index(drop=True).to_dict("records")


def test_arrow_bytes_keeps_types_and_missing_values():
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df
    df = pd.DataFrame({"f": [1.5, np.nan], "i": [1, 2], "b": [True, False], "s": ["a", None],
                       "o": pd.Series(["x", "y"], dtype=object)})
    back = convert_arrow_bytes_to_pandas_df(arrow_bytes(df))
    assert back["f"].tolist()[0] == 1.5 and np.isnan(back["f"].tolist()[1])
    assert back["i"].tolist() == [1, 2] and back["b"].tolist() == [True, False]
    assert back["s"].tolist()[0] == "a" and pd.isna(back["s"].tolist()[1]) and back["o"].tolist() == ["x", "y"]
