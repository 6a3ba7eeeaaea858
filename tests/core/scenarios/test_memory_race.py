import json
from pathlib import Path

import numpy as np

from core.scenarios import memory_race as mr

DATA = Path(__file__).resolve().parents[3] / "ui" / "data" / "memory_race"


def test_precomputed_file_matches_a_fresh_run_of_the_script():
    stored = json.loads((DATA / mr.preset_name("adding", 10)).read_text(encoding="utf-8"))
    fresh = mr.race("adding", 10, **mr.SETTINGS)
    assert stored["runs"].keys() == fresh["runs"].keys()
    for kind, run in fresh["runs"].items():
        np.testing.assert_allclose(stored["runs"][kind]["test_loss"], run["test_loss"], rtol=1e-6)
        assert stored["runs"][kind]["beat_at"] == run["beat_at"]


def test_every_preset_file_exists_and_is_complete():
    for task in ("adding", "remember"):
        for T in mr.PRESET_LENGTHS:
            r = json.loads((DATA / mr.preset_name(task, T)).read_text(encoding="utf-8"))
            assert r["T"] == T and set(r["runs"]) == set(mr.CONTESTANTS)
            for run in r["runs"].values():
                assert len(run["loss"]) == mr.SETTINGS["steps"] or run["diverged_at"] is not None
                assert all(np.isfinite(run["test_loss"]))


def test_race_is_deterministic_and_can_stop():
    a = mr.race("remember", 8, hidden=4, steps=6, batch=4, seed=1)
    b = mr.race("remember", 8, hidden=4, steps=6, batch=4, seed=1)
    assert a == b
    stopped = mr.race("adding", 8, hidden=4, steps=6, batch=4, callback=lambda done, total: done < 3)
    assert list(stopped["runs"]) == ["rnn"] and len(stopped["runs"]["rnn"]["loss"]) == 3


def test_short_sequences_are_learned():
    r = json.loads((DATA / mr.preset_name("adding", 10)).read_text(encoding="utf-8"))
    assert any(run["beat_at"] is not None for run in r["runs"].values())
