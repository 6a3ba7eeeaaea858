"""Page 5's scrubbed charts: ui.charts.family_paths (the surface with every start's descents) and ui.charts.replay
(training runs up to a step). Valid Vega-Lite, equal to Altair's own output, the packed paths round-trip, the
member's numbers stay within the plot, and the spec does not change when only the data do (no re-embed)."""
import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
from altair.vegalite.v6.schema import load_schema

from tests.ui.test_render import _resolve
from ui.charts.family_paths import family_paths, pack_paths
from ui.charts.render import to_vega_lite
from ui.charts.replay import Panel, replay_runs
from ui.charts.scrub import PARAM, ScrubParam

X, Y = np.linspace(0.0, 5.0, 6), np.linspace(-2.0, 2.0, 5)
SCRUB = ScrubParam("w0", 0.0, 0.2, 0.1, 0.1, "w₀")
STEP = ScrubParam("k", 0, 9, 1, 9, "k")


def paths(shift=0.0):
    """Three members, two series; member 2 of "b" ended after 2 points (NaN after)."""
    a = (np.array([[1.0, 2.0, 9.0], [1.5, 2.5, 3.5], [0.5, 0.5, 0.5]]) + shift, np.zeros((3, 3)) + shift)
    bx = np.array([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 4.0, np.nan]])
    return {"a": a, "b": (bx, -bx)}


def surface_chart(shift=0.0, member=1, projector=False):
    """The paths shifted by ``shift`` (the surface stays: it depends on the window only)."""
    hover = pd.DataFrame({"series": "a", "step": [0, 1, 2], "x": paths(shift)["a"][0][member],
                          "y": paths(shift)["a"][1][member], "loss": [0.1, 0.2, 0.3]})
    return family_paths(np.add.outer(Y, X), x_values=X, y_values=Y, paths=paths(shift), scrub=SCRUB,
                        hover=hover, hover_member=member, path_tips={"loss": "E"}, notes=["m0", "m1\nline 2", "m2"],
                        lines=pd.DataFrame({"x": [0.0, 5.0], "y": [0.0, 1.0], "series": "wall"}), title="t",
                        projector=projector)


def replay_chart(scale=1.0, projector=False):
    k = np.arange(10.0)
    return replay_runs([Panel("loss", "L", {"p": scale * np.exp(k), "c": np.ones(6)}, {"base": 0.5},
                              [f"{i}" for i in range(12)]),
                        Panel("grad", "g", {"p": np.r_[scale * k[:9], np.inf], "c": k + 1}, {"max": 1.0})],
                       scrub=STEP, x_title="step", projector=projector)


CHARTS = {"surface": surface_chart, "replay": replay_chart}


def shell(spec: dict) -> str:
    return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)


@pytest.mark.parametrize("name", CHARTS)
def test_valid_vega_lite_equal_to_altairs_own(name):
    chart = CHARTS[name]()
    ours = to_vega_lite(chart)
    jsonschema.validate(_resolve(ours, ours["datasets"]), load_schema())
    theirs = chart.to_dict()
    theirs.pop("$schema")
    for view in ("family_paths", "replay_lines"):          # Altair renames the view a selection lives in
        theirs = json.loads(json.dumps(theirs).replace(f'"{view}_2"', f'"{view}"'))
    for key in ("continuousWidth", "continuousHeight"):
        theirs.get("config", {}).get("view", {}).pop(key, None)
    assert _resolve(ours, ours["datasets"]) == _resolve(theirs, theirs.get("datasets", {}))
    text = json.dumps(ours, default=str)
    assert text.count(f'"name": "{PARAM}"') == 1


def test_packed_paths_round_trip_and_end_early():
    packed = pack_paths(paths())
    assert len(packed) == 6 and list(packed["series"].cat.categories) == ["a", "b"]
    row = packed[(packed["i"] == 2) & (packed["series"] == "b")].iloc[0]
    assert row["x"] == "3,4" and row["y"] == "-3,-4" and row["k"] == "0,1"
    row = packed[(packed["i"] == 0) & (packed["series"] == "a")].iloc[0]
    assert row["x"] == "1,2,9" and row["k"] == "0,1,2"
    assert pack_paths({"a": (np.full((2, 3), np.nan), np.full((2, 3), np.nan))}).empty   # nothing to draw


def test_surface_chart_draws_the_slider_member_and_tooltips_of_the_released_one():
    spec = to_vega_lite(surface_chart())
    frames = list(spec["datasets"].values())
    hover = next(f for f in frames if "status_text" in f and "step" in f)
    assert set(hover["i"]) == {1} and set(hover["loss_text"]) == {"0.1", "0.2", "0.3"}
    notes = next(f for f in frames if "note" in f)
    assert notes["note"].tolist() == ["m0", "m1\nline 2", "m2"]
    text = json.dumps(spec, default=str)
    assert '"limit": {"expr": "width"}' in text, "a note never grows the chart"
    assert "round((scrub_w0 - 0.0) / 0.1)" in text and '"flatten": ["x", "y", "k"]' in text
    assert spec["title"] == "t" and "\n" in notes["note"][1]
    with pytest.raises(ValueError):
        family_paths(np.zeros((5, 6)), x_values=X, y_values=Y, paths=paths(),
                     scrub=ScrubParam("w0", 0.0, 0.1, 0.1, 0.1, "w₀"))                 # 3 members, 2 values


def test_specs_stay_when_only_the_data_change():
    assert shell(to_vega_lite(surface_chart())) == shell(to_vega_lite(surface_chart(shift=0.01, member=2)))
    assert shell(to_vega_lite(replay_chart())) == shell(to_vega_lite(replay_chart(scale=7.0)))
    assert shell(to_vega_lite(surface_chart())) != shell(to_vega_lite(surface_chart(projector=True)))


DOT = "datum.t <= scrub_k && (scrub_k < datum.next || datum.t == datum.last)"  # the run's dot: at the step or before


def test_replay_rows_grow_with_the_slider_and_mark_overflow():
    spec = to_vega_lite(replay_chart())
    rows = [f for f in spec["datasets"].values() if "last" in f]
    loss, grad = rows
    assert sorted(set(loss["last"])) == [5, 9] and len(loss) == 16
    assert (grad["status"] == "overflow").sum() == 1 and np.isfinite(grad["y"]).all()
    text = json.dumps(spec, default=str)
    assert '"filter": "datum.t <= scrub_k"' in text and DOT in text
    notes = next(f for f in spec["datasets"].values() if "note" in f)
    assert len(notes) == 12                                 # every value of the URL's range, beyond the runs too
    assert spec["resolve"] == {"scale": {"y": "independent"}}
