"""Page 7: which cell can learn a long-range dependency? A training race on a toy task.

Contestants (``core.train.CONTESTANTS``): tanh RNN, IRNN, LSTM (forget bias 1), GRU, trained from the
same seed on the same batches. A cell "beats the baseline" once its test MSE falls below half of
what the best constant predictor scores (1/6 on the adding problem, 1/3 on remember-the-first).

``python -m core.scenarios.memory_race --out DIR`` writes the precomputed results the page shows at
once (one JSON file per task and preset length), from exactly this code.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from ..tasks import TASKS
from ..train import CONTESTANTS, train

PRESET_LENGTHS = (10, 50, 100, 200)
BEAT_FRACTION = 0.5
SETTINGS = dict(hidden=32, steps=400, batch=32, lr=1e-2, clip=1.0, eval_every=10)


def race(task="adding", T=50, hidden=32, steps=300, batch=32, lr=1e-2, clip=None, seed=0, eval_every=10,
         contestants=CONTESTANTS, callback=None) -> dict:
    """Train every contestant; returns a JSON-ready dict.

    Returns
    -------
    dict with ``task``, ``T``, ``baseline``, ``threshold`` (= BEAT_FRACTION * baseline), settings, and
    ``runs``: name -> {"loss", "grad_norm", "first_step_grad" (per step), "eval_step", "test_loss",
    "diverged_at", "beat_at" (first evaluated step whose test MSE < threshold, or None), "final"}.
    ``callback(done, total)`` is called after every step (return False to stop the race).
    """
    baseline = TASKS[task].baseline_mse
    threshold = BEAT_FRACTION * baseline
    total, runs = steps * len(contestants), {}
    for i, kind in enumerate(contestants):
        cb = None if callback is None else (lambda step, hist, i=i: callback(i * steps + step + 1, total))
        h = train(kind, task, T=T, hidden_size=hidden, steps=steps, batch=batch, lr=lr, clip=clip, seed=seed,
                  eval_every=eval_every, callback=cb)
        a = h.as_arrays()
        below = np.nonzero(a["test_loss"] < threshold)[0]
        runs[kind] = {
            **{k: [float(v) for v in a[k]] for k in ("loss", "grad_norm", "first_step_grad", "test_loss")},
            "eval_step": [int(v) for v in a["eval_step"]],
            "diverged_at": h.diverged_at,
            "beat_at": int(a["eval_step"][below[0]]) if below.size else None,
            "final": float(a["test_loss"][-1]) if a["test_loss"].size else None,
        }
        if h.stopped:
            break
    return {"task": task, "T": T, "baseline": baseline, "threshold": threshold, "seed": seed, "clip": clip,
            "settings": {"hidden": hidden, "steps": steps, "batch": batch, "lr": lr}, "runs": runs}


def preset_name(task: str, T: int) -> str:
    return f"{task}_T{T}.json"


def precompute(out_dir: Path, lengths=PRESET_LENGTHS, tasks=tuple(TASKS)) -> list[Path]:
    """Write one JSON result per task and length (SETTINGS, seed 0)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for task in tasks:
        for T in lengths:
            path = out_dir / preset_name(task, T)
            result = race(task, T, **SETTINGS)
            path.write_text(json.dumps(result, separators=(",", ":")), encoding="utf-8")
            written.append(path)
            print(f"{path}: " + ", ".join(f"{k} {v['final']:.4f} (beat at {v['beat_at']})"
                                          for k, v in result["runs"].items()))
    return written


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("ui/data/memory_race"))
    ap.add_argument("--lengths", type=int, nargs="*", default=list(PRESET_LENGTHS))
    ap.add_argument("--tasks", nargs="*", default=list(TASKS))
    a = ap.parse_args(argv)
    precompute(a.out, a.lengths, a.tasks)


if __name__ == "__main__":
    main()
