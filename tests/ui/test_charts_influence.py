"""ui.charts.influence (page 6, part A) and ui.charts.family_heatmap (part B): the scrubbed charts hold every
member, keep one spec for every member, draw the member the slider picks, and never put a word in a Vega
expression; their data are clean (no NaN/inf) whatever the values and words."""
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ui.charts.family_heatmap import MAX_CELLS, family_heatmap
from ui.charts.influence import SEP, ZERO_COLOR, FocusText, focus_maps
from ui.charts.render import to_vega_lite
from ui.charts.scrub import PARAM, ScrubParam, js, unpack

WORDS = ["the", "cat", "saw", "the", "dog"]
HOSTILE = ["a'b", 'x"y', "datum.t == 1", "<script>alert(1)</script>", "${7*7}", "\\", "电影", "a,b"]
NAMES = ("forward", "backward", "bidirectional")


def frames(chart) -> list[pd.DataFrame]:
    spec = chart.to_dict()                               # validates against the Vega-Lite schema
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


def clean(df: pd.DataFrame) -> None:
    for col in df.columns:
        for v in df[col]:
            assert v is not None, col
            if isinstance(v, float):
                assert math.isfinite(v), (col, v)


def maps(T=5):
    f = np.tril(np.arange(1, T * T + 1, dtype=float).reshape(T, T))
    return {"forward": f, "backward": f.T.copy(), "bidirectional": np.sqrt(f ** 2 + f.T ** 2)}


def focus_chart(words=WORDS, z=None, projector=False, value=2):
    z = z or maps(len(words))
    T = len(words)
    return focus_maps(z, words, scrub=ScrubParam("focus", 1, T, 1, min(value, T), "focus"),
                      titles={m: m.upper() for m in z}, notes=[f"note {i}" for i in range(T)],
                      labels=FocusText(), projector=projector)


def heat_chart(z=None, notes=True):
    z = np.arange(3 * 2 * 4, dtype=float).reshape(3, 2, 4) - 5 if z is None else z
    F, R, C = z.shape
    return family_heatmap(z, x_values=np.arange(1, C + 1), y_values=np.arange(1, R + 1),
                          scrub=ScrubParam("residual", 0.0, 0.1 * (F - 1), 0.1, 0.1, "a"),
                          notes=[f"n{i}" for i in range(F)] if notes else None, zero_text="zero")


def shell(chart) -> str:
    spec = to_vega_lite(chart)
    spec.pop("datasets")
    for p in spec.get("params", []):
        p.pop("value")
    return json.dumps(spec, sort_keys=True, default=str)


def _walk(node, key=None):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _walk(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v, key)
    else:
        yield key, node


# --- part A: the focus maps -----------------------------------------------------------------------------------------
def test_cells_hold_every_map_keyed_by_position_with_words_in_the_tooltip():
    z = maps()
    spec = to_vega_lite(focus_chart(z=z))
    cells = next(f for f in spec["datasets"].values() if "word_k" in f)
    for m in NAMES:
        part = cells[cells["map"] == m.upper()]
        got = np.zeros((5, 5))
        got[part["t"] - 1, part["k"] - 1] = part["c"]
        np.testing.assert_array_equal(got, z[m])
        assert (part["word_t"] == [WORDS[t - 1] for t in part["t"]]).all()
    assert (cells["zero"] == (cells["c"] == 0)).all()
    layer = next(lay for lay in spec["layer"] if lay.get("name") == "focus_maps")
    assert layer["encoding"]["color"]["condition"] == {"test": "datum.zero", "value": ZERO_COLOR}
    assert "transform" not in layer, "the cells never follow the slider (no re-encode per drag step)"


def test_every_focus_row_is_a_member_the_slider_filters():
    z = maps()
    spec = to_vega_lite(focus_chart(z=z))
    bars = next(f for f in spec["datasets"].values() if "w" in f)
    assert len(bars) == 5 * 3 and set(bars["w"]) == {SEP.join(WORDS)}
    for f in range(5):
        rows = bars[bars["i"] == f]
        for m, v in zip(rows["map"], rows["v"], strict=True):
            np.testing.assert_allclose(np.array(v.split(","), dtype=float), z[m.lower()][f], rtol=5e-6)  # 6 digits
    followers = [lay for lay in spec["layer"] if any("filter" in t for t in lay.get("transform", []))]
    assert len(followers) == 5                            # outlines, bars, the label's card, the label, the note
    assert all(lay["transform"][0] == {"filter": "datum.i == round((scrub_focus - 1) / 1)"} for lay in followers)
    p = spec["params"]
    assert len(p) == 1 and p[0]["name"] == PARAM and p[0]["views"] == ["focus_maps"]
    assert p[0]["bind"]["min"] == 1 and p[0]["bind"]["max"] == 5 and p[0]["value"] == [{"focus": 2}]


def test_spec_is_the_same_for_every_member_and_other_values_of_the_same_length():
    a, b = maps(), {m: 3 * v + 1 for m, v in maps().items()}
    assert shell(focus_chart(z=a, value=1)) == shell(focus_chart(z=b, value=4))
    assert shell(focus_chart(["x", "y", "z", "u", "v"])) == shell(focus_chart())


def test_words_never_reach_a_vega_expression():
    spec = focus_chart(HOSTILE).to_dict()
    spec.pop("datasets")
    expressions = [v for k, v in _walk(spec) if k in ("test", "filter", "expr", "labelExpr", "calculate")]
    text = " ".join(map(str, expressions)).replace(js(SEP), "")  # the words' separator, written as an escape
    assert all(w not in text for w in HOSTILE)
    bars = next(f for f in to_vega_lite(focus_chart(HOSTILE))["datasets"].values() if "w" in f)
    assert bars["w"].iloc[0].split(SEP) == HOSTILE                   # a comma in a word survives the packing


def test_tooltip_titles_are_distinct_and_projector_is_bigger():
    for c in (focus_chart(), heat_chart()):
        for lay in c.to_dict()["layer"]:
            titles = [tip["title"] for tip in lay["encoding"].get("tooltip", [])]
            assert len(titles) == len(set(titles)), titles
    small, big = (focus_chart(projector=p).to_dict()["config"]["axis"]["labelFontSize"] for p in (False, True))
    assert big > small


def test_one_word_and_a_wrong_number_of_notes():
    frames(focus_chart(["solo"]))
    with pytest.raises(ValueError):
        focus_maps(maps(), WORDS, scrub=ScrubParam("focus", 1, 5, 1, 1, "f"), titles={m: m for m in NAMES},
                   notes=["one"])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6).flatmap(lambda T: st.tuples(
           arrays(float, (3, T, T), elements=st.floats(allow_nan=True, allow_infinity=True)),
           st.lists(st.text(max_size=8), min_size=T, max_size=T))))
def test_any_values_and_words_give_clean_data(case):
    z, words = case
    for df in frames(focus_chart(words, z={m: np.abs(z[i]) for i, m in enumerate(NAMES)})):
        clean(df)


# --- part B: the family heat map ------------------------------------------------------------------------------------
def test_heat_map_holds_every_member_packed_per_row():
    z = np.arange(3 * 2 * 4, dtype=float).reshape(3, 2, 4) - 5
    z[1, 1, :3] = -np.inf
    spec = to_vega_lite(heat_chart(z))
    packed = next(f for f in spec["datasets"].values() if "x0" in f and "v" in f)
    assert len(packed) == 3 * 2
    for f in range(3):
        got = unpack(packed.assign(series="m", kind="curve"), f)
        np.testing.assert_array_equal(got["v"].to_numpy().reshape(2, 4), z[f])
    cells = next(lay for lay in spec["layer"] if lay.get("name") == "family_cells")
    assert cells["transform"][0]["filter"] == "datum.i == round((scrub_residual - 0.0) / 0.1)"
    assert "Infinity" not in json.dumps([t for t in cells["transform"] if "calculate" in t]), \
        "Vega's expressions have no Infinity constant"
    assert spec["params"][0]["views"] == ["family_cells"]


def test_heat_map_spec_is_the_same_for_other_data_and_caps_its_cells():
    z = np.zeros((3, 2, 4))
    assert shell(heat_chart(z)) == shell(heat_chart(z - 7))
    big = np.zeros((2, 8, 300))
    packed = next(f for f in to_vega_lite(heat_chart(big))["datasets"].values() if "x0" in f and "v" in f)
    assert packed["v"].str.count(",").add(1).max() * 8 <= MAX_CELLS


@settings(max_examples=30, deadline=None)
@given(arrays(float, st.tuples(st.integers(1, 3), st.integers(1, 4), st.integers(1, 6)),
              elements=st.floats(allow_nan=False, allow_infinity=True)))
@example(z=np.array([[[1.79769313e308, -9.97920155e291]]]))  # a span beyond float: the range was once NaN
def test_heat_map_any_values_give_clean_data(z):
    for df in frames(heat_chart(z)):
        clean(df)
