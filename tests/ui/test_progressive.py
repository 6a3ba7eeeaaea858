"""ui.progressive: a slow family comes coarse first (every c-th member, the slider's exact), whole from a thread."""
import json
import threading

import numpy as np
import pytest

from core.scenarios import gru_update_gate, lstm_forget_gate, relu_vs_tanh, vanilla_rnn
from tests.apptest_utils import _arrow_to_df, assert_page_ok, release_scrub, run_page, scrub_chart, visible_texts
from ui import progressive
from ui.i18n import translate


@pytest.fixture
def two_steps(monkeypatch):
    """Two-step families on (the suite turns them off), every family and learned cost forgotten around the test."""
    monkeypatch.setenv("RNNLAB_PROGRESSIVE", "1")
    progressive.clear()
    yield
    progressive.clear()


def toy(values, scale, H, T):
    """A family with the page families' layout: members first, ``distance`` shared."""
    values = np.asarray(values, dtype=float)
    return {"v": values, "distance": np.arange(T + 1),
            "curves": {"a": scale * values[:, None] * np.arange(T + 1)}, "end": scale * values * T}


@pytest.mark.parametrize("members,at,stride", [(10, 5, 4), (41, 0, 8), (41, 40, 3), (7, 3, 2), (3, 1, 8)])
def test_coarse_members_hold_the_slider_and_every_member_has_a_near_one(members, at, stride):
    idx = progressive.coarse_members(members, at, stride)
    assert at in idx and np.all(np.diff(idx) == stride) and idx[0] < stride and idx[-1] + stride >= members
    near = idx[progressive.nearest(members, idx)]
    assert np.all(np.abs(near - np.arange(members)) <= stride // 2 + (members - 1 - idx[-1] if stride > 1 else 0))
    assert np.all(near[idx] == idx), "a computed member shows itself"


def test_the_cost_model_learns_a_fixed_part_and_keeps_the_coarse_part_within_budget(two_steps, monkeypatch):
    """A family costing FIXED + PER * members (seconds, on a fake clock): after a whole and a coarse computation
    the stride is one whose coarse part fits the budget, where a cost per member alone would overshoot."""
    FIXED, PER, F = 0.08, 0.01, 33                          # whole: 0.41 s; a cost per member alone says 12 ms
    clock = [0.0]
    monkeypatch.setattr(progressive.time, "perf_counter", lambda: clock[0])

    def costly(values, H, T):
        clock[0] += FIXED + PER * len(values)
        return {"v": np.asarray(values, dtype=float), "distance": np.arange(T + 1)}

    kw = {"H": 4, "T": 10}
    values = np.arange(float(F))
    progressive.family("fixed", costly, values, 0, **kw)            # never seen: a quarter, learns the fixed part
    progressive.wait()                                              # the whole family: learns the part per member
    progressive.clear(rates=False)
    for _ in range(3):                                              # each miss learns again from its coarse part
        progressive.clear(rates=False)
        stride = progressive.family("fixed", costly, values, 5, **kw).stride
        progressive.wait()
    computed = len(progressive.coarse_members(F, 5, stride))
    assert FIXED + PER * computed <= progressive.BUDGET + 1e-9, (stride, computed)
    assert stride < progressive.MAX_STRIDE, "and no coarser than it needs to be"
    progressive._fixed["fixed"] = 2 * progressive.BUDGET / progressive._work(kw)        # even the fixed part is over
    assert progressive.stride_for("fixed", F, kw) == progressive.MAX_STRIDE


def test_a_slow_family_comes_coarse_then_whole(two_steps):
    values = np.linspace(0.0, 2.0, 21)
    progressive._rate["toy"] = 1.0                           # far over budget: the coarsest stride
    fam = progressive.family("toy", toy, values, 7, scale=2.0, H=4, T=5)
    assert fam.stride == progressive.MAX_STRIDE and fam.tag == (progressive.MAX_STRIDE, 7)
    exact = toy(values, 2.0, 4, 5)
    assert fam.result["v"].shape == (21,) and fam.result["curves"]["a"].shape == (21, 6)
    np.testing.assert_array_equal(fam.result["curves"]["a"][7], exact["curves"]["a"][7])   # the slider's: exact
    np.testing.assert_array_equal(fam.result["v"], values[[7] * 12 + [15] * 9])   # nearest; a tie goes down
    progressive.wait()
    again = progressive.family("toy", toy, values, 3, scale=2.0, H=4, T=5)
    assert again.stride == 1 and again.tag == (1, 0)
    for k in ("v", "end"):
        np.testing.assert_array_equal(again.result[k], exact[k])
    np.testing.assert_array_equal(again.result["curves"]["a"], exact["curves"]["a"])
    again.result["curves"]["a"][:] = 0                       # a page may change its copy ...
    kept = progressive.family("toy", toy, values, 3, scale=2.0, H=4, T=5).result["curves"]["a"]
    assert kept[5, 1] == exact["curves"]["a"][5, 1] != 0, "... not the family every session shares"


def test_the_background_computes_only_the_members_the_coarse_part_left_out(two_steps):
    calls = []

    def counted(values, **kw):
        calls.append(np.asarray(values).copy())
        return toy(values, **kw)

    values = np.linspace(0.0, 2.0, 21)
    progressive._rate["rest"] = 1.0                           # the coarsest stride: members 7 and 15
    progressive.family("rest", counted, values, 7, scale=3.0, H=4, T=5)
    progressive.wait()
    assert [len(c) for c in calls] == [2, 19]
    np.testing.assert_array_equal(np.sort(np.concatenate(calls)), values)
    whole = progressive.family("rest", counted, values, 0, scale=3.0, H=4, T=5)
    assert whole.stride == 1 and len(calls) == 2
    exact = toy(values, 3.0, 4, 5)
    np.testing.assert_array_equal(whole.result["curves"]["a"], exact["curves"]["a"])
    np.testing.assert_array_equal(whole.result["distance"], exact["distance"])


FAMILIES = {  # core's families of pages 1-4 at small settings: fn(grid values, **the other controls)
    "vanilla_rnn": (lambda v, **kw: vanilla_rnn.family("tanh", v, **kw), np.round(np.arange(0.1, 2.01, 0.05), 10),
                    {"hidden": 6, "T": 24, "input_scale": 0.05, "init": "orthogonal", "seed": 3}),
    "relu_vs_tanh": (lambda v, **kw: relu_vs_tanh.family(v, **kw), np.round(np.arange(0.1, 4.51, 0.05), 10),
                     {"hidden": 5, "T": 20, "input_scale": 1.0, "init": "gaussian", "seed": 1}),
    "lstm_forget_gate": (lambda v, **kw: lstm_forget_gate.family(v, **kw), np.arange(-4.0, 6.01, 0.25),
                         {"hidden": 4, "T": 18, "seed": 2}),
    "gru_update_gate": (lambda v, **kw: gru_update_gate.family(v, **kw), np.arange(-4.0, 4.01, 0.25),
                        {"hidden": 4, "T": 18, "seed": 2, "leaky": 0.3}),
}


@pytest.mark.parametrize("name", FAMILIES)
@pytest.mark.parametrize("at,stride", [(0, 8), (13, 3)])
def test_a_family_joined_from_its_coarse_part_and_the_rest_is_the_whole_family(two_steps, name, at, stride):
    """Every page family's members are independent of the others in the batch: the whole family the background
    joins (coarse members + the rest) equals the family computed in one pass, to float64 precision."""
    fn, values, kw = FAMILIES[name]
    H, T = kw["hidden"], kw["T"]

    def page_fn(v, H, T, **rest):
        return fn(v, hidden=H, T=T, **rest)

    rest_kw = {k: w for k, w in kw.items() if k not in ("hidden", "T")}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(progressive, "stride_for", lambda *a: stride)
        coarse = progressive.family(name, page_fn, values, at, H=H, T=T, **rest_kw)
    assert coarse.stride == stride
    progressive.wait()
    joined = progressive.family(name, page_fn, values, at, H=H, T=T, **rest_kw).result
    exact = fn(values, **kw)

    def compare(a, b, path=""):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                compare(a[k], b[k], f"{path}/{k}")
        else:
            np.testing.assert_allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), atol=1e-10, rtol=0,
                                       err_msg=f"{name}{path}")
    compare(joined, exact)


def test_a_cheap_family_is_computed_whole_in_the_run_and_its_cost_is_learned(two_steps):
    calls = []

    def counted(values, **kw):
        calls.append(len(values))
        return toy(values, **kw)

    values = np.linspace(0.0, 1.0, 11)
    progressive._rate["cheap"] = 0.0
    fam = progressive.family("cheap", counted, values, 2, scale=1.0, H=2, T=3)
    assert fam.stride == 1 and calls == [11] and progressive._rate["cheap"] > 0.0
    assert progressive.stride_for("never_seen", 11, {"H": 2, "T": 3}) == 4, "unknown cost: a quarter first"


def test_turned_off_every_family_is_whole(monkeypatch):
    monkeypatch.setenv("RNNLAB_PROGRESSIVE", "0")
    progressive.clear()
    progressive._rate["off"] = 1.0
    assert progressive.family("off", toy, np.arange(9.0), 4, scale=1.0, H=2, T=2).stride == 1
    progressive.clear()


def test_stale_requests_are_dropped_when_the_queue_is_full(two_steps):
    gate = threading.Event()

    values = np.arange(9.0)

    def blocked(some, **kw):
        if threading.current_thread().name.startswith("family"):   # the rest of the family, in the background
            gate.wait(30)
        return toy(some, **kw)

    for s in range(progressive.QUEUE + 4):                   # the first runs (and blocks the one worker)
        progressive._rate["queue"] = 1.0                     # slow (each call learns from its coarse part)
        progressive.family("queue", blocked, values, 0, scale=float(s), H=2, T=2)
    with progressive._lock:
        waiting = [k for k, f in progressive._pending.items() if not f.running()]
    assert len(waiting) == progressive.QUEUE
    assert [dict(k[1])["scale"] for k in waiting] == [float(s) for s in range(4, progressive.QUEUE + 4)], \
        "the newest requests wait; the oldest were dropped"
    gate.set()
    progressive.wait()
    assert progressive.family("queue", blocked, values, 0, scale=float(progressive.QUEUE + 3), H=2, T=2).stride == 1


# --- a page through AppTest ---------------------------------------------------------------------------------------
QUERY = {"H": "8", "T": "20", "rho": "1.3"}


def lines(at) -> tuple[dict, str]:
    """(member i -> its packed points, all series) of page 2's main chart, and the chart's spec without data."""
    chart = scrub_chart(at, "rho")
    frames = [_arrow_to_df(ds.data.data) for ds in chart.proto.datasets]
    packed = next(f for f in frames if {"i", "series", "v"} <= set(f.columns))
    by_member = {int(i): tuple(g.sort_values("series", kind="stable")["v"].astype(str)) for i, g in
                 packed.groupby("i", observed=True)}
    return by_member, chart.proto.spec


def test_a_page_draws_the_coarse_family_then_the_whole_one_without_rebuilding_the_chart(two_steps):
    from ui.scrub import Scrub

    rho = Scrub("rho", default=1.1, lo=0.1, hi=4.5, step=0.05)
    at_value = rho.index(1.3)
    progressive._rate["relu_vs_tanh"] = 1.0                 # as if this machine were slow: coarsest stride
    at = run_page("relu_vs_tanh", query=QUERY)
    assert_page_ok(at)
    stride = progressive.MAX_STRIDE
    note = translate("en", "common.coarse", step=f"{stride * 0.05:g}")
    assert note in visible_texts(at)
    coarse, spec = lines(at)
    assert sorted(coarse) == list(range(len(rho.values))), "every grid value has a member while dragging"
    computed = progressive.coarse_members(len(rho.values), at_value, stride)
    for m in range(len(rho.values)):
        near = computed[progressive.nearest(len(rho.values), computed)[m]]
        assert coarse[m] == coarse[near]
    key = scrub_chart(at, "rho").proto.id

    progressive.wait()
    at = at.run()
    assert_page_ok(at)
    assert note not in visible_texts(at)
    whole, spec_after = lines(at)
    assert json.loads(spec_after) == json.loads(spec) and scrub_chart(at, "rho").proto.id == key, \
        "the whole family replaces the data only: the chart is not rebuilt"
    assert whole[at_value] == coarse[at_value], "the slider's member was exact already"
    assert whole[at_value + 1] != coarse[at_value + 1]
    warm = run_page("relu_vs_tanh", query=QUERY)             # another session: the whole family at once
    assert lines(warm)[0] == whole and note not in visible_texts(warm)

    at = release_scrub(at, "rho", 2.0)                      # a released slider uses it too
    assert_page_ok(at) and lines(at)[0] == whole


# A released slider on pages 1-4 lands on a member of the family the chart already holds: the page's single run
# (tiles, secondary charts, CSV) takes that member's curves instead of multiplying the Jacobian chains again.
RELEASED = {"vanilla_rnn": ("rho", 1.5, ("vanilla_rnn",)),
            "relu_vs_tanh": ("rho", 2.0, ("relu_vs_tanh",)),
            "lstm_forget_gate": ("b_f", 2.0, ("lstm_forget_gate",)),
            "gru_update_gate": ("b_z", 2.0, ("gru_update_gate", "lstm_forget_gate"))}


@pytest.mark.parametrize("page", sorted(RELEASED))
def test_a_release_multiplies_no_chain_the_family_holds(page, monkeypatch):
    import importlib

    key, value, modules = RELEASED[page]
    at = run_page(page)
    calls = []
    for name in modules:
        mod = importlib.import_module(f"core.scenarios.{name}")
        for fn in ("chain_log10_norms", "diag_chain_log10_norms"):
            if hasattr(mod, fn):
                real = getattr(mod, fn)
                monkeypatch.setattr(mod, fn, lambda *a, _real=real, _fn=fn, **k: calls.append(_fn) or _real(*a, **k))
    at = release_scrub(at, key, value)
    assert_page_ok(at)
    assert float(at.query_params[key]) == value
    assert calls == [], f"{page}: the release multiplied {len(calls)} chains"
