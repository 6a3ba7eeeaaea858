"""A slow family arrives in two steps: a coarse one in this run, the whole one from a background thread.

A page's main chart holds a family: one member per value of its scrub's grid (``core.family``). On a cache
miss at heavy settings (H = 64, T = 300) the whole family costs seconds. Rather than keep the page waiting,
:func:`family` then computes every c-th member now, counted from the member the slider is at (so that one is
exact), and fills the members in between with their nearest computed neighbour: the slider still moves the
curve in the browser, in steps of c grid values. One background thread computes the members left out (not the
computed ones again: members are independent, as the unit tests of every family check) and joins them with the
coarse ones into the whole family, kept for every session; the session's next run (the slider's release, any other
control) draws it.

How coarse: a family of this page costs a part per member and a part that does not depend on how many members
there are (models that do not change with the slider, the loop over T steps), both per unit of work (T * H^2.5).
Both are learned from every computation (the per-member part from the background's computations, the rest from
coarse ones), so the coarse part fits :data:`BUDGET` on this machine, under this load. A family whose whole cost
fits the budget is computed in the run, as before.

    def family_of(b_fs, b_i, H, T, ...):            # the page's family: its grid values first, then keywords
        return lstm_forget_gate.family(b_fs, b_i, ..., H, T, ...)
    fam = ui.family(ctx, BF, v.b_f, family_of, b_i=v.b_i, H=v.H, T=v.T, ...)
    fam.result      # what the chart draws: every grid value has a member (coarse: a neighbour's copy)
    fam.stride      # 1: all exact; c: every c-th member computed so far
    fam.tag         # what to key a cached chart of it by
    fam.at          # the slider's member (always exact): hand it to the page's single run, which then need
                    # not multiply the same Jacobian chains again

The environment variable ``RNNLAB_PROGRESSIVE=0`` turns the two steps off (every family is computed whole,
in the run): the test suite does this, so that a test sees the same chart on a cold cache as on a warm one.
"""
from __future__ import annotations

import copy
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from core.family import join_members, take_members

if TYPE_CHECKING:
    from ui.frame import PageContext
    from ui.scrub import Scrub

BUDGET = 0.15        # s: what a family may cost the run that needs it (the rest of a run at a miss: ~0.1-0.2 s)
MAX_STRIDE = 8       # coarsest: every 8th grid value (ρ in steps of 0.4 on page 2)
KEEP = 96            # whole families kept, for every session (0.1-1.6 MB each: at most ~100 MB)
QUEUE = 4            # background families waiting at most: older requests are dropped (their pages moved on)

_lock = threading.Lock()
_whole: OrderedDict[tuple, Any] = OrderedDict()     # key -> whole family
_coarse: OrderedDict[tuple, Any] = OrderedDict()    # (key, stride, phase) -> coarse family (computed members)
_pending: OrderedDict[tuple, Future] = OrderedDict()
_rate: dict[str, float] = {}                         # family name -> seconds per member per unit of work
_fixed: dict[str, float] = {}                        # family name -> seconds per unit of work, whatever the members
_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="family")


def enabled() -> bool:
    return os.environ.get("RNNLAB_PROGRESSIVE", "1") != "0"


@dataclass(frozen=True)
class Family:
    result: Any      # the family over the whole grid (members in grid order)
    stride: int      # 1 when every member is exact; c when only every c-th is (the rest are copies)
    first: int = 0   # the first computed member (coarse)
    at: int = 0      # the member the slider is at: exact in every case

    @property
    def tag(self) -> tuple[int, int]:
        """Which members are exact: (stride, first)."""
        return self.stride, self.first


def _work(kwargs: dict) -> float:
    """The families of pages 1-4 cost about T * H^2.5 per member (T products of (S, S) matrices, S ~ H)."""
    return float(kwargs["T"]) * float(kwargs["H"]) ** 2.5


def _remember(store: OrderedDict, key: tuple, value: Any, size: int) -> None:
    with _lock:
        store[key] = value
        store.move_to_end(key)
        while len(store) > size:
            store.popitem(last=False)


def _timed(name: str, fn: Callable, values: np.ndarray, kwargs: dict, whole: bool) -> Any:
    """``fn(values, **kwargs)``, learning this family's cost: from a whole family its part per member (what is
    left after the fixed part learned so far), from a coarse one its fixed part (what is left after the members'
    part), both per unit of work."""
    t0 = time.perf_counter()
    out = fn(values, **kwargs)
    seconds, work, n = time.perf_counter() - t0, _work(kwargs), len(values)
    if whole or name not in _rate:
        _rate[name] = max(seconds - _fixed.get(name, 0.0) * work, 0.5 * seconds) / (n * work)
    else:
        _fixed[name] = max(seconds - n * work * _rate[name], 0.0) / work
    return out


def _compute_whole(name: str, key: tuple, fn: Callable, values: np.ndarray, kwargs: dict, part: Any,
                   idx: np.ndarray) -> None:
    """The whole family: the members the coarse ``part`` (members ``idx``) left out, joined with it."""
    try:
        rest = np.setdiff1d(np.arange(len(values)), idx)
        whole = join_members(part, _timed(name, fn, values[rest], kwargs, whole=True)) if len(rest) else part
        _remember(_whole, key, take_members(whole, np.argsort(np.concatenate([idx, rest]))), KEEP)
    finally:
        with _lock:
            _pending.pop(key, None)


def _request(name: str, key: tuple, fn: Callable, values: np.ndarray, kwargs: dict, part: Any,
             idx: np.ndarray) -> None:
    """Queue the whole family (once); drop the oldest requests that have not started beyond :data:`QUEUE`."""
    with _lock:
        if key in _pending:
            return
        _pending[key] = _pool.submit(_compute_whole, name, key, fn, values, kwargs, part, idx)
        waiting = [k for k, f in _pending.items() if not f.running() and not f.done()]
        for k in waiting[:-QUEUE] if len(waiting) > QUEUE else []:
            if _pending[k].cancel():
                del _pending[k]


def stride_for(name: str, members: int, kwargs: dict) -> int:
    """1 if the whole family fits the budget (by what it cost before), else the stride whose part fits it (the
    coarsest, if even the fixed part does not)."""
    rate = _rate.get(name)
    if rate is None:
        return 4                                     # never measured: a quarter, and learn from it
    work = _work(kwargs)
    fits = (BUDGET / work - _fixed.get(name, 0.0)) / rate if rate > 0 else math.inf   # members within the budget
    if fits >= members:
        return 1
    return MAX_STRIDE if fits < 1 else min(MAX_STRIDE, math.ceil(members / fits))


def coarse_members(members: int, at: int, stride: int) -> np.ndarray:
    """Every ``stride``-th member index, counted from ``at`` (which is among them)."""
    return np.arange(at % stride, members, stride)


def nearest(members: int, computed: np.ndarray) -> np.ndarray:
    """For every member index, the position in ``computed`` (sorted indices) of its nearest computed member
    (ties go to the lower one: ``argmin`` takes the first)."""
    return np.argmin(np.abs(np.arange(members)[:, None] - np.asarray(computed)[None, :]), axis=1)


def family(name: str, fn: Callable, values: np.ndarray, at: int, **kwargs) -> Family:
    """Family ``fn(values, **kwargs)`` over the grid ``values`` (a scrub's), for a slider at index ``at``.

    ``name`` identifies the family (its learned cost); ``kwargs`` are the other controls (hashable values,
    including ``H`` and ``T``). See the module for when the result is coarse.
    """
    key = (name, tuple(sorted(kwargs.items())))
    with _lock:
        whole = _whole.get(key)
    if whole is not None:
        return Family(copy.deepcopy(whole), 1, at=at)
    F = len(values)
    stride = stride_for(name, F, kwargs) if enabled() else 1
    if stride == 1:
        whole = _timed(name, fn, values, kwargs, whole=True)
        _remember(_whole, key, whole, KEEP)
        return Family(copy.deepcopy(whole), 1, at=at)
    idx = coarse_members(F, at, stride)
    ckey = (key, stride, int(idx[0]))
    with _lock:
        part = _coarse.get(ckey)
    if part is None:
        part = _timed(name, fn, values[idx], kwargs, whole=False)
        _remember(_coarse, ckey, part, KEEP)
    _request(name, key, fn, values, kwargs, part, idx)
    return Family(take_members(part, nearest(F, idx)), stride, int(idx[0]), at)


def page_family(ctx: PageContext, spec: Scrub, value: float, fn: Callable, **kwargs) -> Family:
    """The family of page ``ctx.page`` over scrub ``spec``'s grid, its slider at ``value`` (see the module)."""
    return family(ctx.page, fn, spec.values, spec.index(value), **kwargs)


def wait(timeout: float = 60.0) -> None:
    """Block until every queued whole family is computed (tests, benchmarks)."""
    deadline = time.monotonic() + timeout
    while True:
        with _lock:
            futures = list(_pending.values())
        if not futures:
            return
        for f in futures:
            f.result(timeout=max(0.0, deadline - time.monotonic()))


def clear(rates: bool = True) -> None:
    """Forget every family and (``rates``) every learned cost (tests, benchmarks)."""
    wait()
    with _lock:
        _whole.clear()
        _coarse.clear()
        if rates:
            _rate.clear()
            _fixed.clear()
