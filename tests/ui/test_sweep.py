"""The lecture sweep (ui/sweep.py): frames advance, stop at the end, Stop and a hand on the slider end it.

AppTest does not run ``run_every`` timers; the fragment body also runs inside every full run, where it steps
once half an interval has passed — so "wait an interval, run" is one frame here.
"""
import time

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_utils import assert_page_ok, run_page
from ui.sweep import frames

INTERVAL = 0.05


def sweep_app():
    from types import SimpleNamespace

    import streamlit as st

    from ui.i18n import Translator
    from ui.sweep import sweep_control

    ctx = SimpleNamespace(page="vanilla_rnn", t=Translator("en"))
    with st.container(horizontal=True):
        running = sweep_control(ctx, key="rho", start=0.5, stop=0.7, step=0.05, interval=0.05)
    st.slider("rho", min_value=0.1, max_value=2.0, value=0.9, step=0.05, key="rho", bind="query-params")
    st.text(f"running={running}")


@pytest.fixture
def at():
    return AppTest.from_function(sweep_app, default_timeout=30).run()


def frame(at):
    time.sleep(INTERVAL)
    return at.run()


def buttons(at):
    return [b.key for b in at.button]


def test_frames():
    assert frames(0.5, 1.5, 0.05) == pytest.approx([0.5 + 0.05 * i for i in range(21)])
    assert frames(0.5, 1.5, 0.05)[3] == 0.65 and frames(0.5, 1.5, 0.05)[-1] == 1.5
    assert frames(0, 1, 0.3) == [0.0, 0.3, 0.6, 1.0]  # ends exactly on stop
    assert frames(10, 50, 10) == [10, 20, 30, 40, 50] and all(isinstance(v, int) for v in frames(10, 50, 10))
    assert frames(1.0, 1.0, 0.1) == [1.0]
    with pytest.raises(ValueError):
        frames(1.0, 0.5, 0.1)


def test_sweep_runs_to_the_end_and_stops_there(at):
    assert not at.exception and buttons(at) == ["_sweep.rho.start"] and at.slider(key="rho").value == 0.9
    at.button(key="_sweep.rho.start").click().run()
    assert at.slider(key="rho").value == 0.5 and buttons(at) == ["_sweep.rho.stop"]
    assert at.query_params["rho"] == "0.5"
    at.run()  # a run right after a step does not step again
    assert at.slider(key="rho").value == 0.5
    seen = [frame(at).slider(key="rho").value for _ in range(6)]
    assert seen == pytest.approx([0.55, 0.6, 0.65, 0.7, 0.7, 0.7])
    assert buttons(at) == ["_sweep.rho.start"] and at.text[0].value == "running=False"
    assert at.query_params["rho"] == "0.7"  # the URL holds where the sweep ended: a shareable view


def test_stop_keeps_the_current_value(at):
    at.button(key="_sweep.rho.start").click().run()
    frame(at)
    assert at.slider(key="rho").value == pytest.approx(0.55)
    at.button(key="_sweep.rho.stop").click().run()
    assert buttons(at) == ["_sweep.rho.start"]
    for _ in range(3):
        frame(at)
    assert at.slider(key="rho").value == pytest.approx(0.55)


def test_moving_the_slider_takes_over(at):
    at.button(key="_sweep.rho.start").click().run()
    frame(at)
    at.slider(key="rho").set_value(1.2).run()
    assert at.slider(key="rho").value == 1.2 and buttons(at) == ["_sweep.rho.start"]
    frame(at)
    assert at.slider(key="rho").value == 1.2


def test_a_stale_browser_value_does_not_stop_the_sweep(at):
    """A browser that has not drawn the last frame yet sends the previous value with the run the step asked for."""
    at.button(key="_sweep.rho.start").click().run()
    frame(at)
    assert at.slider(key="rho").value == pytest.approx(0.55)
    state = at.session_state["_sweep.vanilla_rnn.rho"]
    at.session_state["_sweep.vanilla_rnn.rho"] = {**state, "ours": True}
    at.session_state["rho"] = 0.5  # stale: the value of the frame before
    at.run()
    assert at.slider(key="rho").value == pytest.approx(0.55) and buttons(at) == ["_sweep.rho.stop"]


def test_page_1_sweeps_rho():
    at = run_page("vanilla_rnn", query={"rho": "1.2"})
    at.button(key="_sweep.rho.start").click().run()
    assert_page_ok(at)
    assert at.slider(key="rho").value == 0.5
    assert at.metric[0].value == "0.5"  # the spectral radius tile follows the sweep
    time.sleep(0.2)
    at.run()
    assert_page_ok(at)
    assert at.slider(key="rho").value == pytest.approx(0.55) and at.metric[0].value == "0.55"
    at.button(key="_sweep.rho.stop").click().run()
    assert at.slider(key="rho").value == pytest.approx(0.55) and "_sweep.rho.start" in buttons(at)


def test_page_1_sweep_is_translated():
    at = run_page("vanilla_rnn", query={"lang": "zh"})
    assert at.button(key="_sweep.rho.start").label == "自动扫描 0.5 → 1.5"
    assert "谱半径" in at.button(key="_sweep.rho.start").help
