"""Page 7 (memory race): the stored races are shown as they are, other settings train live on request, and a
live race agrees with a fresh run of the core scenario."""
import json
from pathlib import Path

import numpy as np
import pytest

from core.scenarios import memory_race as mr
from core.train import CONTESTANTS
from tests.apptest_utils import assert_page_ok, assert_translated, chart_frames, click_preset, run_page
from ui.i18n import EN

DATA = Path(__file__).resolve().parents[2] / "ui" / "data" / "memory_race"
NAMES = {EN[f"memory_race.cell.{k}"]: k for k in CONTESTANTS}
PAGE = "memory_race"


def stored(task, T):
    return json.loads((DATA / mr.preset_name(task, T)).read_text(encoding="utf-8"))


def loss_curves(at):
    """Main chart: {cell: (steps, test MSE)} of the solid lines (exact points only)."""
    df = chart_frames(at)[0].frames[0]
    df = df[(df["kind"] == "curve") & (df["status"] == "exact")]
    return {NAMES[name]: (g["x"].to_numpy(), g["y"].to_numpy()) for name, g in df.groupby("series")}


def refs(at):
    df = chart_frames(at)[0].frames[0]
    return sorted(set(df.loc[df["kind"] == "ref", "y"].round(12)))


def assert_shows(at, r):
    """The charts, table and tiles of the page are the race ``r``."""
    curves = loss_curves(at)
    for k, run in r["runs"].items():
        steps, mse = np.asarray(run["eval_step"]), np.asarray(run["test_loss"])
        x, y = curves[k]
        keep = np.isin(steps, x)  # points beyond the chart's top (early IRNN spikes) are edge marks
        np.testing.assert_array_equal(x, steps[keep])
        np.testing.assert_allclose(y, mse[keep], rtol=1e-12)
    assert refs(at) == pytest.approx(sorted([r["threshold"], r["baseline"]]))
    table = at.dataframe[0].value
    for _, row in table.iterrows():
        run = r["runs"][NAMES[row[EN["memory_race.col.cell"]]]]
        assert float(row[EN["memory_race.col.final"]]) == pytest.approx(run["final"], rel=1e-3)
        beat = row[EN["memory_race.col.beat"]]
        assert beat == (str(run["beat_at"]) if run["beat_at"] is not None else EN["memory_race.never"])
    tiles = {m.label: m.value for m in at.metric}
    beaten = sum(run["beat_at"] is not None for run in r["runs"].values())
    assert tiles[EN["memory_race.metric.beat"]] == f"{beaten} / 4"
    line = chart_frames(at)[1].frames[0]  # the lines: exact samples, first and last step always among them
    for name, g in line[line["status"] == "exact"].groupby("series"):
        grad = np.asarray(r["runs"][NAMES[name]]["first_step_grad"])
        steps = g["x"].to_numpy().astype(int)
        assert steps[0] == 0 and steps[-1] == len(grad) - 1
        np.testing.assert_allclose(g["y"].to_numpy(), grad[steps], rtol=1e-12)


def test_default_view_is_the_stored_race_at_T_50():
    at = run_page(PAGE)
    assert_page_ok(at)
    r = stored("adding", 50)
    assert_shows(at, r)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles[EN["memory_race.metric.winner"]] == "GRU" and tiles[EN["memory_race.metric.time"]] == "stored"
    assert tiles[EN["memory_race.metric.best_mse"]] == f"{r['runs']['gru']['final']:.2g}"
    assert any("adding_T50.json" in c.value for c in at.caption)
    assert not at.button(key="_race.run").disabled  # the stored race can be re-run live


@pytest.mark.parametrize("preset", ["adding_10", "adding_100", "adding_200", "remember_100"])
def test_presets_show_their_stored_race(preset):
    at = click_preset(run_page(PAGE), preset)
    assert_page_ok(at)
    task, T = preset.split("_")
    assert_shows(at, stored(task, int(T)))


def test_stored_results_tell_the_lecture_story():
    """What the notes say about the stored races (if the files are regenerated, the notes must follow)."""
    beat = {(task, T): {k for k, run in stored(task, T)["runs"].items() if run["beat_at"] is not None}
            for task in ("adding", "remember") for T in mr.PRESET_LENGTHS}
    assert beat[("adding", 10)] == beat[("remember", 10)] == set(CONTESTANTS)
    assert beat[("adding", 50)] == beat[("adding", 100)] == beat[("adding", 200)] == {"gru"}
    assert stored("adding", 50)["runs"]["gru"]["beat_at"] == 200
    assert stored("adding", 200)["runs"]["gru"]["beat_at"] == 310
    assert stored("remember", 100)["runs"]["rnn"]["final"] == pytest.approx(0.07, abs=0.005)
    assert all(stored("remember", 100)["runs"][k]["final"] > 1 / 3 - 0.01 for k in ("irnn", "lstm", "gru"))


def test_other_settings_wait_for_the_run_button():
    at = run_page(PAGE, query={"T": "60"})
    assert_page_ok(at)
    assert not chart_frames(at) and not at.metric and len(at.info) == 1  # nothing trained without asking
    assert not at.button(key="_race.run").disabled
    zh = run_page(PAGE, query={"T": "60", "clip": "false", "lang": "zh"})
    assert_page_ok(zh)
    assert_translated(zh, ["Le", "Jaitly", "Hinton", "Jozefowicz"])


def test_live_race_agrees_with_the_scenario_and_is_kept():
    query = {"T": "10", "seed": "7", "clip": "false"}
    at = run_page(PAGE, query=query)
    at.button(key="_race.run").click().run()
    assert_page_ok(at)
    fresh = mr.race("adding", 10, clip=None, seed=7, **{k: v for k, v in mr.SETTINGS.items() if k != "clip"})
    assert_shows(at, fresh)
    assert at.metric[3].value.endswith(" s")
    assert "_race.running" not in at.session_state  # cleared when the race completed
    again = run_page(PAGE, query=query)  # a new visitor: the finished race is kept for this setting
    assert_page_ok(again)
    assert_shows(again, fresh)
    assert again.button(key="_race.run").disabled
    assert any(EN["memory_race.source.live"].split("{")[0] in c.value for c in again.caption)


def test_an_interrupted_race_is_reported_and_not_kept():
    """A Stop click reruns the page, which interrupts the training: the next run finds the flag still set."""
    at = run_page(PAGE, query={"T": "20", "seed": "5"}, state={"_race.running": True})
    assert_page_ok(at)
    assert [t.value for t in at.toast] == [EN["memory_race.stopped"]]
    assert not chart_frames(at) and len(at.info) == 1
    assert "_race.running" not in at.session_state
    at.run()
    assert not at.toast

