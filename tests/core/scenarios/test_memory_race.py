"""core.scenarios.memory_race: the stored races are what this code computes, complete, and documented."""
import json
import re
from pathlib import Path

import numpy as np
import pytest

from core.scenarios import memory_race as mr

DATA = Path(__file__).resolve().parents[3] / "ui" / "data" / "memory_race"
PER_STEP = ("loss", "grad_norm", "first_step_grad")
ALL_PRESETS = [(task, T) for task, lengths in mr.PRESETS.items() for T in lengths]


def stored(task, T):
    return json.loads((DATA / mr.preset_name(task, T)).read_text(encoding="utf-8"))


@pytest.mark.parametrize("task, T, steps", [("adding", 200, 12), ("remember", 100, 25)])
def test_a_stored_race_starts_exactly_like_a_fresh_run_of_this_code(task, T, steps):
    """Rerun the first steps of every runner with the stored settings: same numbers as the file (7 digits)."""
    r = stored(task, T)
    fresh = mr.race(task, T, steps=steps, seed=r["seed"], clip=r["clip"], eval_every=r["eval_every"],
                    test_size=r["test_size"])
    assert list(fresh["runs"]) == list(r["runs"]) == list(mr.RUNNERS)
    for name, run in fresh["runs"].items():
        old = r["runs"][name]
        assert old["settings"] == run["settings"] == mr.settings(name)
        for k in PER_STEP:
            np.testing.assert_allclose(old[k][:steps], run[k], rtol=6e-7, err_msg=f"{name} {k}")
        if name.startswith("lstm"):
            np.testing.assert_allclose(old["first_step_grad_c"][:steps], run["first_step_grad_c"], rtol=6e-7)
        else:
            assert old["first_step_grad_c"] is run["first_step_grad_c"] is None
        common = [i for i, s in enumerate(old["eval_step"]) if s in run["eval_step"]]
        assert len(common) >= 1
        np.testing.assert_allclose([old["test_loss"][i] for i in common],
                                   [run["test_loss"][run["eval_step"].index(old["eval_step"][i])] for i in common],
                                   rtol=6e-7, err_msg=name)


@pytest.mark.parametrize("task, T", ALL_PRESETS)
def test_every_preset_file_is_complete_and_records_its_settings(task, T):
    r = stored(task, T)
    assert (r["task"], r["T"], r["seed"], r["clip"]) == (task, T, mr.STORED["seed"], True)
    assert r["steps"] == mr.stored_steps(T) and r["eval_every"] == mr.STORED["eval_every"]
    assert r["test_size"] == mr.STORED["test_size"] and r["seconds"] > 0
    assert r["baseline"] == pytest.approx({"adding": 1 / 6, "remember": 1 / 3}[task])
    assert r["threshold"] == pytest.approx(mr.BEAT_FRACTION * r["baseline"])
    evals = sorted({*range(0, r["steps"], r["eval_every"]), r["steps"] - 1})
    for name, run in r["runs"].items():
        assert run["settings"] == mr.settings(name)
        assert run["diverged_at"] is None
        assert all(len(run[k]) == r["steps"] for k in PER_STEP)
        assert (run["first_step_grad_c"] is not None) == name.startswith("lstm")
        assert run["eval_step"] == evals and len(run["test_loss"]) == len(evals)
        assert np.isfinite(run["test_loss"]).all() and run["final"] == run["test_loss"][-1]
        below = [s for s, m in zip(run["eval_step"], run["test_loss"], strict=True) if m < r["threshold"]]
        assert run["beat_at"] == (below[0] if below else None)
        assert run["seconds"] > 0


def test_the_docstring_documents_every_field_of_the_stored_json():
    r = stored("adding", 100)
    documented = set(re.findall(r"^ {4,8}(\w+) ", mr.__doc__, re.M))
    fields = set(r) | set(r["runs"]["lstm"]) | set(r["runs"]["lstm"]["settings"])
    assert fields <= documented, fields - documented


def test_race_is_deterministic_and_can_stop():
    a = mr.race("remember", 8, steps=6, seed=1)
    b = mr.race("remember", 8, steps=6, seed=1)
    for run in (*a["runs"].values(), *b["runs"].values()):
        run.pop("seconds")
    assert a == b
    assert list(a["runs"]) == list(mr.RUNNERS) and not mr.race("remember", 8, steps=6, seed=2) == a
    stopped = mr.race("adding", 8, steps=6, callback=lambda done, total: done < 3)
    assert list(stopped["runs"]) == ["rnn"] and len(stopped["runs"]["rnn"]["loss"]) == 3


def test_clipping_off_reaches_every_recipe():
    r = mr.race("adding", 6, steps=2, clip=False)
    assert r["clip"] is False and all(run["settings"]["clip"] is None for run in r["runs"].values())
    assert {run["settings"]["optimizer"] for run in r["runs"].values()} == {"adam", "sgd"}


def test_the_irnn_follows_le_jaitly_hinton():
    """Plain SGD at learning rate 1e-2 with clipped gradients, batches of 16, 100 hidden units."""
    assert mr.settings("irnn") == {"kind": "irnn", "optimizer": "sgd", "lr": 1e-2, "clip": 1.0, "hidden": 100,
                                   "batch": 16}


def test_compact_keeps_seven_significant_digits():
    out = mr.compact({"a": [1.234567891, 1e-300, -2.5e7 / 3], "b": 3, "c": None, "d": {"e": 0.1 + 0.2}})
    assert out == {"a": [1.234568, 1e-300, -8333333.0], "b": 3, "c": None, "d": {"e": 0.3}}


def test_at_steps_is_where_every_runner_stands_at_a_step():
    """The last evaluation at or before each step, its error, and whether the runner has crossed by then."""
    r = {"runs": {"a": {"eval_step": [0, 20, 40, 59], "test_loss": [1.0, 0.5, 0.1, 0.05], "beat_at": 40},
                  "b": {"eval_step": [0, 20], "test_loss": [2.0, np.inf], "beat_at": None},      # diverged after 20
                  "c": {"eval_step": [], "test_loss": [], "beat_at": None}}}
    at = mr.at_steps(r, [0, 19, 20, 39, 40, 59, 60])
    assert at["a"]["step"].tolist() == [0, 0, 20, 20, 40, 59, 59]
    assert at["a"]["mse"].tolist() == [1.0, 1.0, 0.5, 0.5, 0.1, 0.05, 0.05]
    assert at["a"]["beaten"].tolist() == [False, False, False, False, True, True, True]
    assert at["b"]["step"].tolist() == [0, 0, 20, 20, 20, 20, 20] and not at["b"]["beaten"].any()
    assert at["c"]["step"].tolist() == [-1] * 7 and np.isnan(at["c"]["mse"]).all()


@pytest.mark.parametrize("task, T", ALL_PRESETS)
def test_at_the_end_every_runner_stands_at_its_final_error(task, T):
    r = stored(task, T)
    end = mr.at_steps(r, [r["steps"] - 1, r["steps"] + 19])
    for name, run in r["runs"].items():
        assert end[name]["mse"].tolist() == [run["final"]] * 2
        assert end[name]["beaten"].tolist() == [run["beat_at"] is not None] * 2
