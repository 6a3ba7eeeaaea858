"""Page 5 (gradient clipping): the numbers on the charts are the core's, the clipping rules hold on the paths as
drawn, part B trains with and without clipping (cached, progress bar gone afterwards), clipping leaves the
vanishing ratio unchanged. Each part's main control is a scrub (ui/scrub.py): part A's start w0 (the surface chart
holds the descents from every start), part B's training step (a replay of both runs). The generic checks (presets,
zh, projector, hostile links, random views) are in test_pages.py; part B's charts only run when its tab is open,
so its random views are here."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from core import cliff_loss
from core.cliff import wall_b
from core.scenarios import gradient_clipping as gc
from tests.apptest_utils import (
    assert_page_ok,
    assert_translated,
    chart_frames,
    click_preset,
    control_value,
    control_values,
    deferred_files,
    page_controls,
    query_from,
    release_scrub,
    run_page,
    scrub_chart,
)
from ui.fmt import fmt_num
from ui.i18n import translate

PAGE = "gradient_clipping"
TAB = "_gradient_clipping.part"  # session key of the page's lazy tabs (its value: the open tab's label)


def en(key: str, **fmt) -> str:
    return translate("en", f"{PAGE}.{key}", **fmt)


def run(query=None, training=False, lang="en"):
    state = {TAB: translate(lang, f"{PAGE}.tab.training")} if training else None
    at = run_page(PAGE, query={**(query or {}), **({"lang": lang} if lang != "en" else {})}, state=state)
    assert_page_ok(at)
    return at


def frame_with(at, *cols) -> pd.DataFrame:
    """The one dataset of the page's charts that has all ``cols``."""
    found = [f for c in chart_frames(at) for f in c.frames if set(cols) <= set(f.columns)]
    assert len(found) == 1, f"{len(found)} datasets with {cols}"
    return found[0]


def title_of(spec: dict):
    title = spec.get("title")
    return title.get("text") if isinstance(title, dict) else title


def frame_by_title(at, key: str, **fmt) -> pd.DataFrame:
    """The largest dataset of the chart titled ``<page>.<key>`` (its curves; the small one holds zones)."""
    chart = next(c for c in chart_frames(at) if title_of(c.spec) == en(key, **fmt))
    return max(chart.frames, key=len)


def wall(at) -> pd.DataFrame:
    found = [f for c in chart_frames(at) for f in c.frames if set(f.columns) == {"x", "y", "series", "i"}]
    assert len(found) == 1
    return found[0]


def replay(at) -> dict[str, pd.DataFrame]:
    """The replay's rows of each panel (loss, grad): one per (run, step)."""
    chart = next(c for c in chart_frames(at) if "train_at" in json.dumps(c.spec.get("params", [])))
    loss, grad = [f for f in chart.frames if "last" in f.columns]
    return {"loss": loss, "grad": grad}


def path(at, rule: str) -> pd.DataFrame:
    pts = frame_with(at, "shape", "px", "step")
    return pts[pts["series"] == en(f"rule.{rule}")].sort_values("step").reset_index(drop=True)


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


# --- part A: the cliff ------------------------------------------------------------------------------------------------
def test_heat_map_is_core_cliff_loss():
    at = run({"w_mid": "5", "w_span": "14", "b_mid": "-2", "b_span": "8"})
    cells = frame_with(at, "x0", "x1", "y0", "y1", "value")
    E, _, _ = cliff_loss(cells["x"].to_numpy(), cells["y"].to_numpy())
    assert len(cells) == 2500
    assert np.allclose(cells["value"], np.log10(np.maximum(E, 1e-12)), rtol=0, atol=1e-12)
    assert cells["x"].min() == -2 and cells["x"].max() == 12 and cells["y"].min() == -6 and cells["y"].max() == 2
    line = wall(at)
    assert np.allclose(line["y"], wall_b(line["x"]))


def test_default_start_is_next_to_the_wall_and_paths_match_core():
    at = run()
    for rule in ("none", "norm", "value"):
        p = path(at, rule)
        ref = gc.paths(w0=6.0, lr=0.1, steps=40, norm_threshold=1.0, value_limit=1.0)[rule]
        assert p.loc[0, "x"] == 6.0 and 0 < p.loc[0, "y"] - wall_b(6.0) < 2e-6
        assert np.allclose(p["x"], ref["w"]) and np.allclose(p["y"], ref["b"])
        assert [float(v) for v in p["loss_text"]] == pytest.approx(ref["loss"], rel=1e-3)
        assert [float(v) for v in p["grad_norm_text"]] == pytest.approx(ref["grad_norm"], rel=1e-3)
    m = metrics(at)
    assert m[en("metric.grad_max")] == "209" and m[en("metric.final_none")] == "0.49"
    assert m[en("metric.cos_norm")] == "1" and float(m[en("metric.cos_value")]) < 1


@pytest.mark.parametrize("query", [
    {},                                                                      # at the wall
    {"gap": "-8", "lr": "0.3", "max_norm": "0.5", "clip_value": "0.2"},      # steeper: gradient ~1e6
    {"w0": "-6", "below": "true", "w_mid": "-6", "b_mid": "4.25", "lr": "1", "steps": "100", "max_norm": "2",
     "clip_value": "3"},
    {"w0": "9.3", "gap": "-2.5", "lr": "0.77", "max_norm": "0.05", "clip_value": "5"},
])
def test_clipping_rules_hold_on_the_drawn_paths(query):
    at = run(query)
    lr = float(query.get("lr", 0.1))
    for rule, limit in (("norm", float(query.get("max_norm", 1.0))), ("value", float(query.get("clip_value", 1.0)))):
        p = path(at, rule)
        dw, db = np.diff(p["x"]), np.diff(p["y"])
        assert len(dw) > 0
        if rule == "norm":       # a norm-clipped step is never longer than lr * threshold
            assert np.all(np.hypot(dw, db) <= lr * limit * (1 + 1e-9))
        else:                    # a value-clipped step never moves a coordinate more than lr * limit
            assert np.all(np.abs(dw) <= lr * limit * (1 + 1e-9)) and np.all(np.abs(db) <= lr * limit * (1 + 1e-9))
    lengths = frame_by_title(at, "chart.steps")
    norm_steps = lengths[lengths["series"] == en("rule.norm")]
    assert (norm_steps["status"] == "exact").all()


def test_paths_leaving_the_window_are_clamped_and_marked():
    at = run()
    p = path(at, "none")
    out = p[p["shape"] != "circle"]
    assert len(out) == len(p) - 1                          # thrown out by the first step, none dropped
    assert (out["px"] == 5.0).all() and (out["py"] == -4.0).all()          # the window's corner
    assert (out["x"] < 5.0).all() and (out["y"] < -4.0).all()              # the true position is kept
    assert set(out["status_text"]) == {en("outside")}
    assert set(path(at, "norm")["shape"]) == {"circle"}


def test_slice_along_b_is_core_cliff_loss_and_finds_the_spike():
    at = run()
    cut = frame_by_title(at, "chart.slice")          # at the default start w0 = 6
    grad = cut[cut["series"] == en("series.dEdb")]
    loss = cut[cut["series"] == en("series.E")]
    assert grad["x"].between(-4.0, -2.5).all()
    E, _, dE_db = cliff_loss(np.full(len(loss), 6.0), loss["x"].to_numpy())
    assert np.allclose([float(v) for v in loss["log10_text"]], np.log10(np.maximum(E, 1e-12)), atol=1e-3)
    assert max(float(v) for v in grad["log10_text"]) > 6                  # |dE/db| > 1e6 at the wall


def test_far_from_the_wall_clipping_does_nothing():
    at = click_preset(run_page(PAGE), "far")
    assert_page_ok(at)
    p = {r: path(at, r) for r in ("none", "norm", "value")}
    assert np.allclose(p["none"]["x"], p["norm"]["x"]) and np.allclose(p["none"]["y"], p["value"]["y"])


# --- part A's main control: the start w0, a slider in the surface chart ---------------------------------------------
def scrub_spec(key: str):
    specs, _ = page_controls(PAGE)
    return next(s for s in specs if s.key == key)


def packed_paths(at) -> pd.DataFrame:
    return frame_with(at, "i", "series", "x", "y", "k")


def member_path(packed: pd.DataFrame, f: int, rule: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    row = packed[(packed["i"] == f) & (packed["series"] == en(f"rule.{rule}"))]
    assert len(row) == 1
    return tuple(np.array(str(row.iloc[0][c]).split(","), dtype=float) for c in ("x", "y", "k"))


def chart_bytes(el) -> int:
    return sum(len(d.data.data) for d in el.proto.datasets)


def test_the_surface_chart_holds_the_descents_from_every_start():
    w0 = scrub_spec("w0")
    at = run()
    packed = packed_paths(at)
    assert len(packed) == 3 * len(w0.values) == 3 * 251
    fam = gc.paths_family(w0.values, -6.0, False, 0.1, 40, 1.0, 1.0)
    for f in (0, 37, 100, 160, 213, 250):                      # every member is the core's path (6 digits)
        for rule in ("none", "norm", "value"):
            x, y, k = member_path(packed, f, rule)
            np.testing.assert_allclose(x, fam[rule]["w"][f], rtol=1e-5)
            np.testing.assert_allclose(y, fam[rule]["b"][f], rtol=1e-5)
            assert list(k) == list(range(41))
    notes = frame_with(at, "i", "note")
    assert len(notes) == 251 and notes.loc[160, "note"] == en("note", grad="209", none="0.49", norm="0.0353",
                                                              value="0.0341")
    hover = frame_with(at, "shape", "px", "step")
    assert set(hover["i"]) == {160}                             # tooltips: the member the script knows
    spec = json.loads(scrub_chart(at, "w0").proto.spec)
    assert spec["params"][0]["value"] == [{"w0": 6.0}]
    assert spec["params"][0]["bind"] == {"input": "range", "min": -10.0, "max": 15.0, "step": 0.1,
                                         "name": en("w0")}
    assert chart_bytes(scrub_chart(at, "w0")) < 1_000_000     # the family's data at defaults
    assert "w0" not in [sl.key for sl in at.slider], "no second slider for w0"


def test_released_start_drives_tiles_secondary_charts_and_csv(monkeypatch):
    csvs = deferred_files(monkeypatch)
    at = run()
    spec_before = json.loads(scrub_chart(at, "w0").proto.spec)
    at = release_scrub(at, "w0", 5.0)
    assert_page_ok(at)
    assert control_value(at, PAGE, scrub_spec("w0")) == 5.0 and at.query_params["w0"] == "5"
    ref = gc.paths(w0=5.0, lr=0.1, steps=40, norm_threshold=1.0, value_limit=1.0)
    m = metrics(at)
    assert m[en("metric.grad_max")] == "716"
    for rule in ("none", "norm", "value"):
        assert m[en(f"metric.final_{rule}")] == f"{ref[rule]['loss'][-1]:.3g}"
        p = path(at, rule)                                      # the hover points: the released start's paths
        assert p.loc[0, "x"] == 5.0 and np.allclose(p["x"], ref[rule]["w"]) and np.allclose(p["y"], ref[rule]["b"])
    cut = frame_by_title(at, "chart.slice")                     # the cut along b goes through w = 5 now
    loss = cut[cut["series"] == en("series.E")]
    E, _, _ = cliff_loss(np.full(len(loss), 5.0), loss["x"].to_numpy())
    assert np.allclose([float(v) for v in loss["log10_text"]], np.log10(np.maximum(E, 1e-12)), atol=1e-3)
    lengths = frame_by_title(at, "chart.steps")
    norm = lengths[lengths["series"] == en("rule.norm")].sort_values("x")
    assert np.allclose([float(v) for v in norm["log10_text"]], np.log10(ref["norm"]["step_norm"][:-1]), atol=1e-3)
    csv = pd.read_csv(io.BytesIO(csvs[-1]()))
    paths_rows = csv[csv["part"] == "path"]
    assert (paths_rows[paths_rows["k"] == 0]["w"] == 5.0).all() and (csv[csv["part"] == "slice"]["w"] == 5.0).all()
    assert json.loads(scrub_chart(at, "w0").proto.spec) == spec_before, "the chart keeps its spec after a release"


def test_presets_and_links_set_the_start():
    w0 = scrub_spec("w0")
    at = click_preset(run_page(PAGE), "negative_w")
    assert control_value(at, PAGE, w0) == -6.0 and at.query_params["w0"] == "-6"
    assert json.loads(scrub_chart(at, "w0").proto.spec)["params"][0]["value"] == [{"w0": -6.0}]
    at = click_preset(release_scrub(at, "w0", 7.5), "__reset__")
    assert control_value(at, PAGE, w0) == 6.0 and "w0" not in at.query_params
    at = run({"w0": "5.04"})                                    # between grid points: the nearest one
    assert control_value(at, PAGE, w0) == 5.0 and at.query_params["w0"] == "5"
    assert path(at, "none").loc[0, "x"] == 5.0
    for bad in ("15.5", "-11", "nan", "abc"):                   # out of range: the default, with a notice
        at = run({"w0": bad})
        assert control_value(at, PAGE, w0) == 6.0 and "w0" not in at.query_params
        assert at.toast and en("w0") in at.toast[0].value


def test_heaviest_family_fits_its_budget():
    at = run({"steps": "100", "lr": "1", "gap": "-9"})
    assert chart_bytes(scrub_chart(at, "w0")) < 3_000_000
    assert len(packed_paths(at)) == 3 * 251 and member_path(packed_paths(at), 160, "norm")[2][-1] == 100


# --- part B: training and the vanishing panel -------------------------------------------------------------------------
def assert_runs_shown(at, ref):
    """The replay shows both runs of ``ref`` (``gc.training``'s result): every step's loss and gradient norm."""
    rows = replay(at)
    for key, hist in (("plain", ref["plain"]), ("clipped", ref["clipped"])):
        for q, want in (("loss", hist.loss), ("grad", hist.grad_norm)):
            got = rows[q][rows[q]["series"] == en(f"series.{key}")].sort_values("t")
            assert list(got["t"]) == list(range(len(want)))
            assert [float(v) for v in got["value_text"]] == pytest.approx(want, rel=1e-3)


def test_training_with_and_without_clipping_matches_core():
    at = run(training=True)
    assert len(chart_frames(at)) == 2                          # the replay of both runs, the vanishing panel
    assert_runs_shown(at, gc.training("rnn", 40, 32, 150, 0.05, 2.0, 1.0, 0))
    m = metrics(at)
    assert float(m[en("metric.grad_plain")]) > 1e10            # the plain run explodes ...
    assert float(m[en("metric.loss_clipped")]) < 1.0            # ... the clipped one does not
    assert not at.get("progress"), "the progress bar is removed once training is done"


def test_huge_losses_are_marked_not_nan():
    at = run({"train_lr": "0.3", "gain": "3"}, training=True)
    loss = replay(at)["loss"]                                   # the plain run passes 1e300, then inf
    assert (loss["status"] == "overflow").any() and loss["y"].max() <= 1e300
    assert metrics(at)[en("metric.loss_plain")] == en("diverged", step=122)


def test_vanishing_is_not_fixed_by_clipping():
    at = run({"rho": "0.5", "T": "60"}, training=True)
    van = frame_by_title(at, "chart.vanish")
    raw = van[van["series"] == en("series.raw")].sort_values("x")
    clipped = van[van["series"] == en("series.clipped_grad")].sort_values("x")
    assert (raw["status"] == "exact").all() and (clipped["status"] == "exact").all()
    ref = gc.vanishing(0.5, 32, 60, 1.0, 0)
    assert np.allclose(raw["y"], ref["raw"]) and np.allclose(clipped["y"], ref["clipped"])
    shift = clipped["y"].to_numpy() - raw["y"].to_numpy()
    assert ref["factor"] < 1 and np.allclose(shift, np.log10(ref["factor"]))             # parallel curves
    m = metrics(at)
    assert m[en("metric.share_raw")] == m[en("metric.share_clipped")]
    assert float(m[en("metric.share_raw")]) < 1e-10


def test_training_is_cached(monkeypatch):
    calls = []
    real = gc.training_run

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(gc, "training_run", counting)
    query = {"seed": "4321", "train_steps": "30", "T": "20"}
    run(query, training=True)
    assert [a[6] for a in calls] == [None, 1.0]                 # the run without clipping, then the clipped one
    at = run(query, training=True)                             # a new session, same values: from the cache
    assert len(calls) == 2 and len(chart_frames(at)) == 2
    run(query, training=True, lang="zh")                       # the language is not part of the cache key
    assert len(calls) == 2
    at = run(query | {"clip": "2.5"}, training=True)           # a new threshold: only the clipped run is trained
    assert [a[6] for a in calls[2:]] == [2.5]
    assert_runs_shown(at, gc.training("rnn", 20, 32, 30, 0.05, 2.0, 2.5, 4321))   # as training() trains both



def test_a_threshold_above_every_norm_trains_only_the_run_without_clipping(monkeypatch):
    calls = []
    real = gc.training_run

    def counting(*args, **kwargs):                              # the page passes clip as the 7th argument
        calls.append(args[6] if len(args) > 6 else kwargs["clip"])
        return real(*args, **kwargs)

    monkeypatch.setattr(gc, "training_run", counting)
    query = {"seed": "97", "train_steps": "30", "T": "20", "cell": "lstm", "gain": "1"}
    top = max(gc.training_run("lstm", 20, 32, 30, 0.05, 1.0, None, 97).grad_norm)
    calls.clear()
    clip = round(top + 0.15, 1)                                 # on the slider's grid, above every norm
    at = run(query | {"clip": f"{clip:g}"}, training=True)
    assert calls == [None], "the clipped run is the run without clipping: not trained"
    ref = gc.training("lstm", 20, 32, 30, 0.05, 1.0, clip, 97)
    assert_runs_shown(at, ref)
    assert ref["clipped"].loss == ref["plain"].loss
    # and the page says so: one run, its largest norm, below the threshold
    same = [c.value for c in at.caption if c.value == en("same_run", clip=f"{clip:g}", peak=fmt_num(top, 3))]
    assert len(same) == 1 and float(fmt_num(top, 3)) < clip
    calls.clear()
    at = run(query | {"clip": "0.1"}, training=True)            # below: trained
    assert calls == [0.1], "the run without clipping comes from the cache"
    assert_runs_shown(at, gc.training("lstm", 20, 32, 30, 0.05, 1.0, 0.1, 97))
    opening = en("same_run", clip="0.1", peak="").split("(")[0]            # "The threshold 0.1 is above every ..."
    assert not [c for c in at.caption if c.value.startswith(opening)]      # clipping acts: no "same run" caption

def test_the_replay_shows_the_runs_up_to_the_released_step():
    train_at = scrub_spec("train_at")
    at = run(training=True)
    el = scrub_chart(at, "train_at")
    spec = json.loads(el.proto.spec)
    assert spec["params"][0]["bind"]["max"] == 149 and spec["params"][0]["value"] == [{"train_at": 149}]
    notes = [f for f in chart_frames(at) for f in f.frames if "note" in f.columns]
    assert len(notes) == 2 and all(len(n) == 201 for n in notes)   # every step of the URL's range, per panel
    ref = gc.training("rnn", 40, 32, 150, 0.05, 2.0, 1.0, 0)
    plain, clipped = ref["plain"], ref["clipped"]
    assert notes[0].loc[60, "note"] == en("replay_note", step=60, plain=f"{plain.loss[60]:.3g}",
                                          clipped=f"{clipped.loss[60]:.3g}")
    assert notes[1].loc[180, "note"] == en("replay_note", step=180, plain=f"{plain.grad_norm[-1]:.3g}",
                                           clipped=f"{clipped.grad_norm[-1]:.3g}")   # beyond the end: the last
    m_before = metrics(at)
    at = release_scrub(at, "train_at", 60)
    assert_page_ok(at)
    assert control_value(at, PAGE, train_at) == 60 and at.query_params["train_at"] == "60"
    assert json.loads(scrub_chart(at, "train_at").proto.spec) == spec, "the chart keeps its spec after a release"
    assert metrics(at) == m_before                              # the tiles sum up the whole runs
    at.session_state[TAB] = translate("en", f"{PAGE}.tab.cliff")   # away and back: the chart is drawn anew,
    at.run()
    at.session_state[TAB] = translate("en", f"{PAGE}.tab.training")
    at.run()                                                    # ... at the released step
    assert json.loads(scrub_chart(at, "train_at").proto.spec)["params"][0]["value"] == [{"train_at": 60}]


def test_replay_links_snap_and_fall_back():
    train_at = scrub_spec("train_at")
    at = run({"train_at": "60.4", "train_steps": "50"}, training=True)
    assert control_value(at, PAGE, train_at) == 60 and at.query_params["train_at"] == "60"
    spec = json.loads(scrub_chart(at, "train_at").proto.spec)
    assert spec["params"][0]["bind"]["max"] == 49 and spec["params"][0]["value"] == [{"train_at": 49}]
    for bad in ("250", "-1", "x"):
        at = run({"train_at": bad}, training=True)
        assert control_value(at, PAGE, train_at) == 200 and "train_at" not in at.query_params
        assert at.toast and en("train_at") in at.toast[0].value


def test_presets_open_their_part():
    at = click_preset(run_page(PAGE), "lstm")
    assert_page_ok(at)
    assert scrub_chart(at, "train_at") and at.session_state["cell"] == "lstm"
    at = click_preset(at, "steep")
    assert_page_ok(at)
    assert en("chart.surface") in {title_of(c.spec) for c in chart_frames(at)} and scrub_chart(at, "w0")


def test_chinese_training_part_is_translated():
    from tests.pages.test_pages import NAMES

    assert_translated(run(training=True, lang="zh"), NAMES)


def test_malformed_links_fall_back_to_defaults():
    specs, _ = page_controls(PAGE)
    defaults = {s.key: s.default for s in specs}
    bad = {"w0": "abc", "train_at": "-3", "below": "maybe", "gap": "nan", "lr": "-1", "steps": "1e9", "cell": "gru",
           "gain": "inf", "T": "12.5", "H": "<b>8</b>", "seed": "99999999999999999999", "rho": ""}
    at = run(bad, training=True)
    for spec in specs:
        if spec.key in bad:
            assert control_value(at, PAGE, spec) == defaults[spec.key], spec.key


def test_random_training_views():
    specs, _ = page_controls(PAGE)
    train_keys = {"cell", "gain", "train_lr", "train_steps", "clip", "T", "H", "seed", "rho"}
    part_b = [s for s in specs if s.key in train_keys]

    @settings(max_examples=8, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(values=control_values(part_b))
    def check(values):
        at = run(query_from(part_b, values), training=True)
        assert len(chart_frames(at)) == 2

    check()
