"""ui.charts.influence: influence maps and per-word bars keyed by position; words only as data; never NaN."""
import json
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ui.charts import ChartText
from ui.charts.influence import ZERO_COLOR, influence_map, word_bars

WORDS = ["the", "cat", "saw", "the", "dog"]
HOSTILE = ["a'b", 'x"y', "datum.t == 1", "<script>alert(1)</script>", "${7*7}", "\\", "电影"]


def frames(chart) -> list[pd.DataFrame]:
    spec = chart.to_dict()                               # validates against the Vega-Lite schema
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


def clean(df: pd.DataFrame) -> None:
    for col in df.columns:
        for v in df[col]:
            assert v is not None, col
            if isinstance(v, float):
                assert math.isfinite(v), (col, v)


def causal(T=5):
    return np.tril(np.arange(1, T * T + 1, dtype=float).reshape(T, T))


def test_map_cells_are_keyed_by_position_with_words_in_the_tooltip():
    z = causal()
    c = influence_map(z, WORDS, focus=3, value_title="‖∂h/∂x‖")
    assert isinstance(c, alt.LayerChart)
    cells, extent, focus = sorted(frames(c), key=len, reverse=True)
    clean(cells)
    assert len(cells) == 25 and focus["t"].tolist() == [4]
    assert np.array_equal(cells["c"].to_numpy(), z.ravel())
    assert (cells["word_t"] == [WORDS[t - 1] for t in cells["t"]]).all()
    assert (cells["word_k"] == [WORDS[k - 1] for k in cells["k"]]).all()
    assert (cells["zero"] == (cells["k"] > cells["t"])).all()              # exact zeros flagged
    enc = c.to_dict()["layer"][1]["encoding"]
    assert enc["x"]["sort"] == enc["y"]["sort"] == [1, 2, 3, 4, 5]         # positions, not words (they repeat)
    assert enc["color"]["condition"] == {"test": "datum.zero", "value": ZERO_COLOR}
    assert "domain" not in enc["color"]["scale"] and extent["c"].tolist() == [0.0, 25.0]  # the range is data


def test_shared_domain_clamps_and_marks_overflow_never_nan():
    z = np.array([[1.0, 0.0], [np.inf, 5.0]])
    zh = ChartText(overflow="上溢", exact="精确值")
    cells = max(frames(influence_map(z, ["a", "b"], domain=(0.0, 2.0), text=zh, zero_text="看不到")), key=len)
    clean(cells)
    got = {(t, k): (c, status, value) for t, k, c, status, value in
           cells[["t", "k", "c", "status_text", "value_text"]].itertuples(index=False)}
    assert got[(1, 1)] == (1.0, "精确值", "1") and got[(1, 2)] == (0.0, "看不到", "0")
    assert got[(2, 1)] == (2.0, "上溢", "+inf") and got[(2, 2)] == (2.0, "上溢", "5")


def test_nan_cells_are_dropped_and_all_zero_maps_still_draw():
    cells = max(frames(influence_map(np.array([[np.nan, 0.0], [1.0, 2.0]]), ["a", "b"])), key=len)
    clean(cells)
    assert len(cells) == 3
    zero = influence_map(np.zeros((3, 3)), ["a", "b", "c"], focus=None)
    assert [f.columns.tolist() for f in frames(zero)] == [["c"], ["t", "k", "c", "zero", "word_t", "word_k",
                                                                   "value_text", "status_text"]]
    assert frames(zero)[0]["c"].tolist() == [0.0, 1.0]                  # the colour range, drawn first


def test_focus_outside_and_legend_off():
    c = influence_map(causal(3), WORDS[:3], focus=7, legend=False)
    assert len(c.to_dict()["layer"]) == 2                                 # cells and the invisible colour range
    assert c.to_dict()["layer"][1]["encoding"]["color"]["legend"] is None


def test_bars_group_words_in_sentence_order_without_stacking():
    vals = {"forward": np.array([0.1, 0.2, 0.0, 0.0, 0.0]), "both": np.array([0.1, 0.2, 0.5, 0.3, 0.4])}
    c = word_bars(WORDS, vals, focus=1)
    band, extent, bars = sorted(frames(c), key=len)
    clean(bars)
    labels = ["1 the", "2 cat", "3 saw", "4 the", "5 dog"]
    assert band["label"].tolist() == ["2 cat"]
    assert bars.loc[bars["series"] == "both", "label"].tolist() == labels          # repeated "the" kept apart
    assert np.allclose(bars.loc[bars["series"] == "forward", "v"], vals["forward"])
    enc = c.to_dict()["layer"][1]["encoding"]
    assert enc["x"]["sort"] == labels and enc["xOffset"]["field"] == "series" and enc["y"]["stack"] is None
    assert "domain" not in enc["y"]["scale"] and extent["v"].tolist()[0] == 0.0


def test_long_sentences_tilt_their_labels_and_empty_input_draws():
    c = word_bars([f"w{i}" for i in range(20)], {"a": np.arange(20.0)})
    assert c.to_dict()["layer"][0]["encoding"]["x"]["axis"]["labelAngle"] == -40
    frames(word_bars([], {"a": np.zeros(0)}))
    frames(influence_map(np.zeros((0, 0)), []))


@pytest.mark.parametrize("builder", ["map", "bars"])
def test_words_never_reach_a_vega_expression(builder):
    z = causal(len(HOSTILE))
    c = (influence_map(z, HOSTILE, focus=2) if builder == "map"
         else word_bars(HOSTILE, {"a": np.ones(len(HOSTILE))}, focus=2))
    spec = c.to_dict()
    spec.pop("datasets")
    expressions = [v for k, v in _walk(spec) if k in ("test", "filter", "expr", "labelExpr", "calculate")]
    assert all(w not in json.dumps(expressions) for w in HOSTILE)


def _walk(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


def test_tooltip_titles_are_distinct():
    """vega-tooltip shows one entry per title: a repeated title would hide a field."""
    for c in (influence_map(causal(), WORDS), word_bars(WORDS, {"a": np.ones(5)})):
        for lay in c.to_dict()["layer"]:
            titles = [tip["title"] for tip in lay["encoding"].get("tooltip", [])]
            assert len(titles) == len(set(titles)), titles


def test_projector_mode_is_bigger():
    small, big = (influence_map(causal(), WORDS, projector=p).to_dict()["config"]["axis"]["labelFontSize"]
                  for p in (False, True))
    assert big > small


@settings(max_examples=60, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 6), st.integers(1, 6)).map(lambda s: (s[0], s[0])),
              elements=st.floats(allow_nan=True, allow_infinity=True)),
       st.lists(st.text(max_size=8), max_size=8))
@example(z=np.array([[1.7120887e308]]), words=[""])  # the bars' 5 % headroom once overflowed to inf
def test_any_values_and_words_give_clean_data(z, words):
    for df in frames(influence_map(np.abs(z), words, focus=0)):
        clean(df)
    for df in frames(word_bars(words, {"a": np.abs(z[0])[:len(words)], "b": np.ones(len(words))})):
        clean(df)
