"""Page 7: which cell can learn a long-range dependency? A training race on a toy task.

Runners (``RUNNERS``, model kinds of ``core.train``): tanh RNN, IRNN, LSTM with PyTorch's default forget-gate
bias (about 0), LSTM with forget-gate bias 1, GRU. Every runner starts from the same seed and, with the same
batch size, sees the same batches; all are judged on the same test batch. A runner "beats the baseline" once
its test MSE falls below half of what the best constant answer scores (1/6 on the adding problem, 1/3 on
remember-the-marked-value).

Each runner trains with its own recipe (``RECIPES``): the gated cells and the tanh RNN with Adam, the IRNN the
way Le, Jaitly & Hinton (2015) trained it (plain SGD, learning rate 1e-2, gradient-norm clipping, batches of
16, 100 hidden units).

``python -m core.scenarios.memory_race`` writes the stored races the page shows at once (``ui/data/memory_race``,
one JSON file per task and preset length, ``STORED`` budget, seed 0) from exactly this code; ``--jobs 2``
trains two runners at a time (the result does not depend on it).

JSON schema of a stored race (``race()`` returns the same dict, without the top-level ``seconds``)::

    task        "adding" | "remember"
    T           sequence length
    seed        int, the seed of every runner
    steps       training steps per runner
    eval_every  the test MSE is measured every this many steps (and after the last step)
    test_size   sequences in the fixed test batch
    clip        bool: the recipes' gradient clipping on (true) or off (false)
    baseline    MSE of the best constant answer (1/6 adding, 1/3 remember)
    threshold   BEAT_FRACTION * baseline: the finish line
    seconds     wall time of the whole precompute of this file (precomputed files only)
    runs        {runner: run} in RUNNERS order; every run has
      settings            the recipe it trained with:
        kind              model kind of core.train.make_model
        optimizer         "adam" | "sgd"
        lr                learning rate
        clip              max gradient norm, or null (no clipping)
        hidden            hidden units
        batch             sequences per training step
      loss                [steps] training MSE of each step's batch (before that step's update)
      grad_norm           [steps] total gradient norm of each step, before clipping
      first_step_grad     [steps] ||dL/dh_0||_F over the batch: what reaches the initial state
      first_step_grad_c   [steps] ||dL/dc_0||_F, the cell part of the LSTM's state (LSTM runners), else null
      eval_step           [n_eval] steps after whose update the test MSE was measured
      test_loss           [n_eval] test MSE at those steps
      beat_at             first eval step whose test MSE < threshold, or null
      final               test MSE after the last step (null if nothing was evaluated)
      diverged_at         step whose loss or gradient was not finite (training stopped there), or null
      seconds             wall time of this run

Precomputed files round every float to 7 significant digits (``compact``).
A run's per-step arrays are a prefix-stable function of the seed: the first n steps of a long race are exactly
a race of n steps (the page's live mode, and the determinism test, rely on this).
"""
from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from ..tasks import TASKS
from ..train import train

RUNNERS = ("rnn", "irnn", "lstm0", "lstm", "gru")
LABELS = {"rnn": "tanh RNN", "irnn": "IRNN", "lstm0": "LSTM b_f≈0", "lstm": "LSTM b_f=1", "gru": "GRU"}   # CLI table
BEAT_FRACTION = 0.5
ADAM = {"optimizer": "adam", "lr": 3e-3, "clip": 1.0, "hidden": 32, "batch": 32}
LE_2015 = {"optimizer": "sgd", "lr": 1e-2, "clip": 1.0, "hidden": 100, "batch": 16}   # Le, Jaitly & Hinton 2015
RECIPES = {"rnn": ADAM, "irnn": LE_2015, "lstm0": ADAM, "lstm": ADAM, "gru": ADAM}
PRESETS = {"adding": (10, 50, 100, 200), "remember": (100,)}   # the stored races: task -> lengths
STORED = {"seed": 0, "eval_every": 20, "test_size": 256, "steps": {10: 1000, 50: 2000, 100: 3000, 200: 6000}}
LIVE_STEPS = 300   # the page's live race: shorter than the stored one


def stored_steps(T: int) -> int:
    """Training steps per runner of the stored race at length T."""
    return STORED["steps"][T]


def settings(runner: str, clip: bool = True) -> dict:
    """A runner's training recipe as stored in the JSON (clip None = no clipping)."""
    recipe = RECIPES[runner]
    return {"kind": runner, **recipe, "clip": recipe["clip"] if clip else None}


def run(runner: str, task: str, T: int, steps: int, seed: int = 0, clip: bool = True, eval_every: int = 20,
        test_size: int = 256, callback=None) -> dict:
    """Train one runner with its recipe; returns its JSON-ready run (see the module docstring)."""
    s = settings(runner, clip)
    threshold = BEAT_FRACTION * TASKS[task].baseline_mse
    start = time.perf_counter()
    h = train(s["kind"], task, T=T, hidden_size=s["hidden"], steps=steps, batch=s["batch"], lr=s["lr"],
              optimizer=s["optimizer"], clip=s["clip"], seed=seed, eval_every=eval_every, test_size=test_size,
              callback=callback)
    a = h.as_arrays()
    below = np.nonzero(a["test_loss"] < threshold)[0]
    floats = lambda k: [float(v) for v in a[k]]          # noqa: E731
    return {
        "settings": s,
        **{k: floats(k) for k in ("loss", "grad_norm", "first_step_grad")},
        "first_step_grad_c": floats("first_step_grad_c") if a["first_step_grad_c"].size else None,
        "eval_step": [int(v) for v in a["eval_step"]],
        "test_loss": floats("test_loss"),
        "beat_at": int(a["eval_step"][below[0]]) if below.size else None,
        "final": float(a["test_loss"][-1]) if a["test_loss"].size else None,
        "diverged_at": h.diverged_at,
        "seconds": time.perf_counter() - start,
        "stopped": h.stopped,
    }


def header(task: str, T: int, steps: int, seed: int, clip: bool, eval_every: int, test_size: int) -> dict:
    baseline = TASKS[task].baseline_mse
    return {"task": task, "T": T, "seed": seed, "steps": steps, "eval_every": eval_every, "test_size": test_size,
            "clip": clip, "baseline": baseline, "threshold": BEAT_FRACTION * baseline}


def race(task="adding", T=100, steps=LIVE_STEPS, seed=0, clip=True, eval_every=20, test_size=256,
         runners=RUNNERS, callback=None) -> dict:
    """Train every runner one after the other; returns the race as a JSON-ready dict (module docstring).

    ``callback(done, total)`` is called after every step of every runner; returning False stops the race
    (the runner in training keeps what it did, later runners are not trained).
    """
    total, runs = steps * len(runners), {}
    for i, name in enumerate(runners):
        cb = None if callback is None else (lambda step, hist, i=i: callback(i * steps + step + 1, total))
        runs[name] = r = run(name, task, T, steps, seed, clip, eval_every, test_size, callback=cb)
        if r.pop("stopped"):
            break
    return {**header(task, T, steps, seed, clip, eval_every, test_size), "runs": runs}


def at_steps(r: dict, steps) -> dict[str, dict[str, np.ndarray]]:
    """Where every runner of the race ``r`` stands at each of ``steps`` (the page's slider over training steps).

    For each step k (S,) and runner: ``step`` the last evaluation at or before k (-1: none yet), ``mse`` its test
    MSE (NaN: none yet; a run that diverged keeps its last evaluation), ``beaten`` whether the runner got below
    the threshold at some evaluation up to k (``beat_at <= k``).
    """
    steps = np.asarray(steps)
    out = {}
    for name, run in r["runs"].items():
        ev, mse = np.asarray(run["eval_step"], dtype=int), np.asarray(run["test_loss"], dtype=float)
        j = np.searchsorted(ev, steps, side="right") - 1               # index of the last evaluation <= k
        ev, mse = np.r_[-1, ev], np.r_[np.nan, mse]                    # row 0: "no evaluation yet"
        beat = run["beat_at"]
        out[name] = {"step": ev[j + 1], "mse": mse[j + 1],
                     "beaten": np.zeros(steps.shape, bool) if beat is None else steps >= beat}
    return out


def preset_name(task: str, T: int) -> str:
    return f"{task}_T{T}.json"


def _stored_run(args):
    runner, task, T = args
    return run(runner, task, T, stored_steps(T), STORED["seed"], True, STORED["eval_every"], STORED["test_size"])


def stored_race(task: str, T: int, jobs: int = 1) -> dict:
    """The race of a preset (task, T) with the stored budget; ``jobs`` runners train at once (processes)."""
    start = time.perf_counter()
    todo = [(name, task, T) for name in RUNNERS]
    if jobs > 1:
        # fresh processes with one BLAS thread each: the matrices are small and the processes share the cores
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(var, "1")
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(_stored_run, todo))
    else:
        done = [_stored_run(a) for a in todo]
    runs = {name: {k: v for k, v in r.items() if k != "stopped"} for name, r in zip(RUNNERS, done, strict=True)}
    return {**header(task, T, stored_steps(T), STORED["seed"], True, STORED["eval_every"], STORED["test_size"]),
            "seconds": time.perf_counter() - start, "runs": runs}


def precompute(out_dir: Path, presets=None, jobs: int = 1) -> list[Path]:
    """Write one JSON race per preset (task, T); ``presets`` defaults to every entry of PRESETS."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for task, T in presets or [(task, T) for task, lengths in PRESETS.items() for T in lengths]:
        path = out_dir / preset_name(task, T)
        result = stored_race(task, T, jobs)
        path.write_text(json.dumps(compact(result), separators=(",", ":")), encoding="utf-8")
        written.append(path)
        print(f"{path} ({result['seconds']:.0f} s): " + ", ".join(
            f"{k} {v['final']:.4g} (beat at {v['beat_at']}, {v['seconds']:.0f} s)" for k, v in result["runs"].items()),
            flush=True)
    return written


def compact(obj, digits: int = 7):
    """``obj`` with every float rounded to ``digits`` significant digits (a third smaller on disk)."""
    if isinstance(obj, float):
        return float(f"{obj:.{digits}g}")
    if isinstance(obj, dict):
        return {k: compact(v, digits) for k, v in obj.items()}
    if isinstance(obj, list):
        return [compact(v, digits) for v in obj]
    return obj


def table(out_dir: Path, presets=None) -> str:
    """The stored races as a Markdown table: task, T, cell, final test MSE, step that beat half the baseline,
    training time of the run; the file's whole precompute time on its first row."""
    rows = ["| task | T | cell | final test MSE | beat ½ baseline at step | run time | file time |",
            "|---|---|---|---|---|---|---|"]
    for task, T in presets or [(task, T) for task, lengths in PRESETS.items() for T in lengths]:
        r = json.loads((out_dir / preset_name(task, T)).read_text(encoding="utf-8"))
        for i, (name, run) in enumerate(r["runs"].items()):
            first = f"{r['seconds']:.0f} s" if i == 0 else ""
            beat = "—" if run["beat_at"] is None else run["beat_at"]
            rows.append(f"| {task} | {T} | {LABELS[name]} | {run['final']:.3g} | {beat} | "
                        f"{run['seconds']:.0f} s | {first} |")
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("ui/data/memory_race"))
    ap.add_argument("--table", action="store_true", help="print the stored results as a Markdown table, train nothing")
    ap.add_argument("--tasks", nargs="*", default=list(PRESETS), choices=list(PRESETS))
    ap.add_argument("--lengths", type=int, nargs="*", help="only these preset lengths (default: all)")
    ap.add_argument("--jobs", type=int, default=1, help="runners trained at once, in separate processes")
    a = ap.parse_args(argv)
    presets = [(task, T) for task in a.tasks for T in PRESETS[task] if not a.lengths or T in a.lengths]
    if a.table:
        print(table(a.out, presets))
    else:
        precompute(a.out, presets, a.jobs)


if __name__ == "__main__":
    main()
