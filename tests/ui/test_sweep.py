"""The lecture sweep (ui/sweep.py): the values it walks through, and the browser script a press sends (the
sweep itself runs in the browser: tests/e2e/test_scrub_browser.py watches it move the chart)."""
import json

import pytest

from ui.scrub import Scrub
from ui.sweep import STEP_MS, frames, script

RHO = Scrub("rho", default=0.9, lo=0.1, hi=2.0, step=0.05)
STEPS = Scrub("k", default=0, lo=0, hi=400, step=10)


def test_frames_are_grid_values_from_start_to_stop():
    assert frames(RHO, 0.5, 1.5) == pytest.approx([0.5 + 0.05 * i for i in range(21)])
    assert frames(RHO, 0.5, 1.5)[3] == 0.65 and frames(RHO, 0.5, 1.5)[-1] == 1.5
    assert frames(RHO, 0.52, 0.61) == [0.5, 0.55, 0.6]  # snapped to the grid
    assert frames(STEPS, 0, 30) == [0, 10, 20, 30] and all(isinstance(v, int) for v in frames(STEPS, 0, 30))
    assert frames(RHO, 1.0, 1.0) == [1.0]
    with pytest.raises(ValueError):
        frames(RHO, 1.0, 0.5)


def test_script_steps_the_charts_slider_and_stops_on_a_hand():
    js = script(RHO, [0.5, 0.55], token=3)
    assert js.startswith('<script data-sweep="3">') and js.endswith("</script>")
    assert "input[name=' + \"scrub_rho\" + ']" in js and json.dumps([0.5, 0.55]) in js
    assert f"every = {STEP_MS}" in js and STEP_MS < 150  # below Streamlit's selection debounce: no mid-sweep runs
    assert "'pointerdown', stop" in js and "'keydown', stop" in js and "dispatchEvent(new Event('input'" in js
    assert script(RHO, [0.5], token=4) != script(RHO, [0.5], token=3)  # a new press is a new element
