"""ui.charts.replay for runs measured every few steps (page 7's race: a test error every 20 steps, the last one at the
final step), with its own y range and a title-less panel whose notes take several lines; and the rule
``time_series`` draws at a marked step. Valid Vega-Lite equal to Altair's own output, the dot of every run at the
last measurement up to the slider, and specs that stay the same when only the data change (no re-embed)."""
import json

import jsonschema
import numpy as np
import pandas as pd
import pytest
from altair.vegalite.v6.schema import load_schema

from tests.ui.test_render import _resolve
from ui.charts import time_series
from ui.charts.notes import GAP, line_height
from ui.charts.render import to_vega_lite
from ui.charts.replay import Panel, replay_runs
from ui.charts.scrub import ScrubParam
from ui.charts.theme import legend_row, sizes
from ui.scrub import Scrub

STEP = ScrubParam("at", 0, 100, 20, 100, "step")
STEPS = {"a": np.array([0, 20, 40, 60, 80, 99]), "b": np.array([0, 20, 40])}     # b stopped (diverged) after 40


def race(scale=1.0, projector=False, lines=2):
    curves = {"a": scale * np.array([1.0, 0.5, 0.2, 0.1, 0.05, 0.01]), "b": scale * np.array([1.0, 9.0, 0.3])}
    notes = ["\n".join(f"k {k} line {j}" for j in range(lines)) for k in range(6)]
    return replay_runs([Panel("", "MSE", curves, {"base": 0.5, "line": 0.25}, notes, steps=STEPS,
                              domain=(0.005, 2.0))], scrub=STEP, x_title="step", projector=projector)


def rows(spec):
    return next(f for f in spec["datasets"].values() if "next" in f)


def test_valid_vega_lite_equal_to_altairs_own():
    chart = race()
    ours = to_vega_lite(chart)
    jsonschema.validate(_resolve(ours, ours["datasets"]), load_schema())
    theirs = chart.to_dict()
    theirs.pop("$schema")
    theirs = json.loads(json.dumps(theirs).replace('"replay_lines_2"', '"replay_lines"'))
    for key in ("continuousWidth", "continuousHeight"):
        theirs.get("config", {}).get("view", {}).pop(key, None)
    assert _resolve(ours, ours["datasets"]) == _resolve(theirs, theirs.get("datasets", {}))


def test_rows_sit_at_their_measured_steps_within_the_given_range():
    df = rows(to_vega_lite(race()))
    a, b = df[df["series"] == "a"], df[df["series"] == "b"]
    assert a["t"].tolist() == STEPS["a"].tolist() and b["t"].tolist() == STEPS["b"].tolist()
    assert a["next"].tolist() == [20, 40, 60, 80, 99, 99] and set(a["last"]) == {99} and set(b["last"]) == {40}
    assert b["status"].tolist() == ["exact", "overflow", "exact"] and b["y"].max() == pytest.approx(2.0)


def test_each_runs_dot_is_its_last_measurement_up_to_the_slider():
    """The dot layer's filter, evaluated here for every value of the slider: one dot per run, at the last
    measurement at or before the step (a run that stopped keeps its last one)."""
    spec = to_vega_lite(race())
    text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    assert "datum.t <= scrub_at && (scrub_at < datum.next || datum.t == datum.last)" in text
    df = rows(spec)
    for k in range(0, 101, 20):
        dots = df[(df["t"] <= k) & ((k < df["next"]) | (df["t"] == df["last"]))]
        expect = {name: steps[steps <= k].max() for name, steps in STEPS.items()}
        assert dict(zip(dots["series"], dots["t"], strict=True)) == expect, k


def test_notes_of_a_title_less_panel_start_left_and_get_room_above_the_plot():
    for projector, lines in ((False, 2), (True, 3), (False, 1)):
        spec = to_vega_lite(race(projector=projector, lines=lines))
        text = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
        s = sizes(projector)
        pad = int(np.sqrt(s["flag"]) / 2) + 3
        up = pad + (lines - 1) * line_height(s)
        assert f' - {pad}"' in text and '"align": "left"' in text
        assert f'"dy": -{GAP + (lines - 1) * line_height(s)}' in text   # the extra lines go up, not into the band
        assert spec["padding"]["top"] == up + 5                 # the lines above the first one's, and the shift


def test_specs_stay_when_only_the_data_change():
    def shell(spec):
        return json.dumps({k: v for k, v in spec.items() if k != "datasets"}, sort_keys=True)

    assert shell(to_vega_lite(race())) == shell(to_vega_lite(race(scale=0.3)))
    assert shell(to_vega_lite(race())) != shell(to_vega_lite(race(projector=True)))
    df = pd.DataFrame({"step": np.arange(50), "norm": np.logspace(-5, 0, 50), "series": "a"})

    def grad(k):
        return to_vega_lite(time_series(df, x="step", y="norm", log_y=True, marker=k))

    assert shell(grad(10)) == shell(grad(40))                  # the rule's position is data
    rule = next(f for f in grad(40)["datasets"].values() if list(f.columns) == ["x"])
    assert rule["x"].tolist() == [40.0]


def test_a_scrub_key_cannot_be_a_binding_property():
    """Vega-Lite reads ``bind`` as a map per field when a field has a binding property's name: the browser then
    draws a bare text box (seen with page 7's first key, "step")."""
    with pytest.raises(ValueError):
        ScrubParam("step", 0, 100, 20, 100, "step")
    with pytest.raises(ValueError):
        Scrub("max", default=1, lo=0, hi=1, step=1)


def test_the_scales_do_not_follow_the_rows_the_slider_filters():
    """A scale domain taken from the data is computed again on every drag step (the filtered rows are part of it)
    and every point and axis label is then encoded again: ~70 ms a step for page 7's race at T = 200. The step
    axis ends with the slider; a panel's given y range is in the spec too."""
    spec = to_vega_lite(race())
    domains = [enc["scale"]["domain"] for enc in _encodings(spec) if "domain" in enc.get("scale", {})]
    assert [0.0, 100.0] in domains and [0.005, 2.0] in domains


def _encodings(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("x", "y") and isinstance(value, dict) and "field" in value:
                yield value
            elif key != "datasets":
                yield from _encodings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _encodings(value)


def test_legend_rows_beyond_three_add_to_the_height_not_take_the_plots():
    """Page 7's seven runs in projector mode: one legend column of seven rows. Inside a fixed height they squeezed
    the plot to ~20 px (seen at 1280x720); each row beyond three now adds its own height."""
    names = [f"runner number {k} with a long name" for k in range(7)]
    panel = Panel("", "MSE", {n: np.array([1.0, 0.5]) for n in names}, steps={n: np.array([0, 20]) for n in names})
    for projector in (False, True):
        chart = replay_runs([panel], scrub=STEP, projector=projector, height=380)
        spec = to_vega_lite(chart)
        cols = next(e["color"]["legend"]["columns"] for e in _encoding_blocks(spec) if "legend" in e.get("color", {}))
        rows = -(-7 // cols)
        base = 380 * (1.3 if projector else 1)
        grown = (380 + max(0, rows - 3) * legend_row(sizes(projector))) * (1.3 if projector else 1)
        assert spec["height"] == int(grown)
        assert (spec["height"] > base) == (rows > 3)
    two = replay_runs([Panel("", "MSE", {"a": np.array([1.0]), "b": np.array([2.0])})], scrub=STEP, height=380)
    assert to_vega_lite(two)["height"] == 380                       # a short legend changes nothing


def _encoding_blocks(spec):
    """Every encoding in a (layered) spec."""
    stack = [spec]
    while stack:
        s = stack.pop()
        if "encoding" in s:
            yield s["encoding"]
        stack.extend(s.get("layer", []))
