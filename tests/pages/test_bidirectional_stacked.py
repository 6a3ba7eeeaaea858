"""Page 6 (bidirectional and stacked RNNs): the chart data are the core's numbers — forward map zero above the
diagonal, backward map zero below, bidirectional both; the stack's layer x time map for every residual strength
and the depth sweep — odd sentences from the URL never crash, never give NaN and are never rendered as text/HTML;
presets open their tab. Both main controls are scrubs (a slider inside the main chart): the focus word (part A,
its range follows the sentence) and the residual strength (part B); a released slider drives the tiles, the
secondary chart and the CSV, presets and links set it, bad links fall back with a notice.
The generic checks (presets, zh, projector, hostile links, random views) are in test_pages.py; part B's charts
only run when its tab is open, so its random views are here, with random sentences for part A."""
from __future__ import annotations

import functools
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

import ui
from core.scenarios import bidirectional as bi
from core.scenarios import depth
from tests.apptest_utils import (
    assert_page_ok,
    assert_translated,
    chart_frames,
    click_preset,
    control_value,
    control_values,
    page_controls,
    query_from,
    release_scrub,
    run_page,
    scrub_chart,
    visible_texts,
)
from ui.charts.scrub import unpack
from ui.i18n import translate
from ui.scrub import Scrub, _params
from ui.text_control import Text

PAGE = "bidirectional_stacked"
TAB = "_bidirectional_stacked.part"  # session key of the page's lazy tabs (its value: the open tab's label)
DIRECTIONS = ("forward", "backward", "bidirectional")
CJK = "这部电影非常精彩"
ODD = ["", "   ", "one", " ".join(f"w{i}" for i in range(40)), "x" * 200, CJK, "<script>alert(1)</script>",
       "<b>bold</b> <img src=x onerror=alert(1)> **md** [x](javascript:1) $x$", "the the the the", "😀 👍🏽 !",
       "مرحبا بالعالم", "a\u202eb c"]
ALPHAS = np.round(np.linspace(0, 1, 21), 10)
LONG_WORDS = 19


def en(key: str, **fmt) -> str:
    return translate("en", f"{PAGE}.{key}", **fmt)


def run(query=None, stack=False, lang="en"):
    state = {TAB: translate(lang, f"{PAGE}.tab.stack")} if stack else None
    at = run_page(PAGE, query={**(query or {}), **({"lang": lang} if lang != "en" else {})}, state=state)
    assert_page_ok(at)
    return at


def spec(key: str) -> Scrub:
    specs, _ = page_controls(PAGE)
    return next(s for s in specs if s.key == key)


def value(at, key: str):
    return control_value(at, PAGE, spec(key))


def chart(at, key: str, **fmt):
    found = [c for c in chart_frames(at) if c.spec.get("title") == en(key, **fmt)]
    assert len(found) == 1, f"{len(found)} charts titled {key}"
    return found[0]


def scrubbed(at, key: str):
    """(spec, frames) of the chart that holds the scrub ``key``."""
    el = scrub_chart(at, key)
    return json.loads(el.proto.spec), next(c.frames for c in chart_frames(at)
                                           if json.dumps(c.spec, sort_keys=True) == json.dumps(
                                               json.loads(el.proto.spec), sort_keys=True))


def frame_with(frames, *cols):
    found = [f for f in frames if all(c in f.columns for c in cols)]
    assert len(found) == 1, f"{len(found)} frames with {cols}"
    return found[0]


def influence_maps(at) -> dict[str, np.ndarray]:
    """The three maps as (T, T) arrays rebuilt from the focus chart's cells (rows t, columns k, both 1-based)."""
    _, frames = scrubbed(at, "focus")
    cells = frame_with(frames, "word_k", "c")
    out = {}
    for d in DIRECTIONS:
        part = cells[cells["map"] == en(f"chart.{d}")]
        T = int(part["t"].max())
        z = np.full((T, T), np.nan)
        z[part["t"] - 1, part["k"] - 1] = part["c"]
        assert not np.isnan(z).any() and len(part) == T * T
        assert (part["zero"] == (part["c"] == 0)).all()
        out[d] = z
    return out


def focus_rows(at, member: int) -> dict[str, np.ndarray]:
    """What the browser shows as bars under each map when the slider is on position member + 1."""
    _, frames = scrubbed(at, "focus")
    bars = frame_with(frames, "o", "v", "w")
    rows = bars[bars["i"] == member]
    return {m: np.array(str(r["v"]).split(","), dtype=float) for m, (_, r) in zip(rows["map"], rows.iterrows(),
                                                                                      strict=True)}


def note(at, key: str, member: int) -> str:
    _, frames = scrubbed(at, key)
    notes = frame_with(frames, "note")
    return notes.loc[notes["i"] == member, "note"].item()


def stack_member(at, member: int) -> np.ndarray:
    """The layer x time map the browser shows for residual strength number ``member`` (rows: layer 1 first)."""
    _, frames = scrubbed(at, "residual")
    packed = frame_with(frames, "v", "x0", "y0")
    got = unpack(packed.assign(series="map", kind="curve"), member)
    rows = packed[packed["i"] == member].sort_values("y")
    return np.array([np.array(str(v).split(","), dtype=float) for v in rows["v"]]), got


@functools.cache
def all_texts() -> str:
    """Every English and Chinese text of the app, concatenated: a user's word found there may be ours."""
    from ui.i18n import TABLES

    return "\n".join(v for table in TABLES.values() for v in table.values())


def assert_not_rendered(at, words) -> None:
    """No visible text (Markdown, captions, labels, help, toasts...) contains one of the user's words."""
    shown = visible_texts(at)
    for word in words:
        if len(word) >= 3 and word not in all_texts():
            assert not any(word in s for s in shown), f"user text {word!r} rendered as text"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def text_values(spec: Text):
    """Hypothesis strategy for a Text control: odd sentences and random Unicode text a URL can carry."""
    url_text = hs.text(hs.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=spec.max_chars)
    return hs.one_of(hs.sampled_from([spec.default, *[s for s in ODD if spec.valid(s)]]), url_text,
                     hs.lists(hs.sampled_from(["the", "movie", "电影", "!", "<b>", "terribly"]), max_size=30)
                     .map(" ".join).filter(spec.valid))


def all_values(specs):
    """Random values for every control of the page (the shared strategy has no Text branch)."""
    text = [s for s in specs if isinstance(s, Text)]
    rest = control_values([s for s in specs if not isinstance(s, Text)])
    return hs.tuples(rest, hs.fixed_dictionaries({s.key: text_values(s) for s in text})).map(
        lambda p: {**p[0], **p[1]})


# --- part A: which words can a position see ----------------------------------------------------------------------
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_forward_sees_left_backward_sees_right_bidirectional_both(cell):
    at = run({"cell": cell} if cell != "rnn" else None)
    maps = influence_maps(at)
    f, b, both = maps["forward"], maps["backward"], maps["bidirectional"]
    T = 6
    assert f.shape == (T, T)
    assert np.all(np.triu(f, 1) == 0) and np.all(f[np.tril_indices(T)] > 0)     # left context only
    assert np.all(np.tril(b, -1) == 0) and np.all(b[np.triu_indices(T)] > 0)    # right context only
    assert np.all(both > 0)                                                       # both
    ref = bi.run(cell=cell)
    for d in DIRECTIONS:
        np.testing.assert_allclose(maps[d], ref[d], rtol=1e-12, atol=0)


def test_maps_tooltips_name_the_words_and_the_focus_word_is_the_slider():
    at = run()
    words = bi.DEFAULT_SENTENCE.split()
    vl, frames = scrubbed(at, "focus")
    cells = frame_with(frames, "word_k", "c")
    assert (cells["word_t"] == [words[t - 1] for t in cells["t"]]).all()
    assert (cells["word_k"] == [words[k - 1] for k in cells["k"]]).all()
    assert set(cells.loc[cells["zero"], "status_text"]) <= {en("tip.zero")}
    p = _params(vl)
    assert p[0]["value"] == [{"focus": 4}] and p[0]["bind"]["min"] == 1 and p[0]["bind"]["max"] == 6  # "terribly"
    assert p[0]["bind"]["name"] == en("focus")
    outline = frame_with(frames, "x2", "y2", "i")
    assert sorted(outline.loc[outline["i"] == 3, "y"]) == [3.0, 3.0, 3.0]            # row 4 of each map, 0-based y
    labels = frame_with(frames, "label", "y0", "i")                                   # the bold focus label per member
    assert labels["label"].tolist() == [f"{k + 1} {w}" for k, w in enumerate(words)]
    assert note(at, "focus", 3).startswith("Position 4 “terribly”") and "%" in note(at, "focus", 3)
    text = json.dumps(vl)
    for w in words:                                                                   # words are data, never code
        assert f"'{w}'" not in text and f'"{w}"' not in text


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stack", [False, True])
def test_tooltip_titles_are_distinct(lang, stack):
    """vega-tooltip shows one entry per title: a repeated title would hide a field (e.g. a word)."""
    for c in chart_frames(run(stack=stack, lang=lang)):
        for part in [c.spec, *c.spec.get("layer", [])]:
            titles = [tip["title"] for tip in part.get("encoding", {}).get("tooltip", [])]
            assert len(titles) == len(set(titles)), titles


def test_every_focus_word_is_in_the_chart_and_equals_the_core_run():
    """The family over the focus word: member f of the chart (bars, note) == bi.run(focus=f)."""
    at = run({"cell": "gru", "H": "8", "seed": "5"})
    for f in range(6):
        ref = bi.run(cell="gru", hidden=8, seed=5, focus=f)
        rows = focus_rows(at, f)
        for d in DIRECTIONS:
            np.testing.assert_allclose(rows[en(f"chart.{d}")], ref["focus_bars"][d], rtol=1e-5)
        assert f"{100 * ref['right_share']:.0f} %" in note(at, "focus", f)
    fwd = focus_rows(at, 1)[en("chart.forward")]
    assert (fwd[2:] == 0).all()                                                       # words to the right: unseen


def test_released_focus_drives_the_tiles_and_the_csv_without_rebuilding_the_chart(monkeypatch):
    spec("focus")  # the page's declared controls, read once per process by a run of their own: before the spy
    csv = {}
    real = ui.download_csv
    monkeypatch.setattr(ui, "download_csv", lambda ctx, df, name="data", **kw: (csv.__setitem__(name, df),
                                                                                  real(ctx, df, name=name, **kw)))
    at = run({"cell": "gru", "H": "8", "seed": "5"})
    vl_before, _ = scrubbed(at, "focus")
    share = bi.run(cell="gru", hidden=8, seed=5, focus=3)["right_share"]
    assert metrics(at)[en("metric.right_share")] == f"{100 * share:.0f} %"
    at = release_scrub(at, "focus", 2)
    assert_page_ok(at)
    ref = bi.run(cell="gru", hidden=8, seed=5, focus=1)
    assert value(at, "focus") == 2 and at.query_params["focus"] == "2"
    m = metrics(at)
    assert m[en("metric.words")] == "6" and m[en("metric.right_share")] == f"{100 * ref['right_share']:.0f} %"
    focus = csv["influence"].loc[csv["influence"]["focus"]]
    assert set(focus["position_t"]) == {2} and len(focus) == 3 * 6
    assert scrubbed(at, "focus")[0] == vl_before, "the chart keeps its spec: the browser shows the value already"
    assert not [s for s in at.slider if s.key == "focus"] and not [n for n in at.number_input if n.key == "focus"]


def test_presets_and_links_set_the_focus_word():
    at = click_preset(run(), "long")
    assert at.session_state[TAB] == en("tab.bi") and at.session_state["text"].endswith("terribly exciting !")
    assert value(at, "focus") == 17 and at.query_params["focus"] == "17"
    p = _params(scrubbed(at, "focus")[0])[0]
    assert p["value"] == [{"focus": 17}] and p["bind"]["max"] == LONG_WORDS
    assert note(at, "focus", 16).startswith("Position 17 “terribly”")
    at = run({"focus": "2.6"})                                                     # between grid points: nearest
    assert value(at, "focus") == 3 and at.query_params["focus"] == "3" and not at.toast


@pytest.mark.parametrize("bad", ["0", "25", "-1", "abc", "<b>1</b>", "1e999"])
def test_focus_out_of_range_falls_back_with_a_notice(bad):
    at = run({"focus": bad})
    assert value(at, "focus") == 4 and "focus" not in at.query_params
    assert at.toast and en("focus") in at.toast[0].value


def test_focus_follows_the_sentence_length():
    """The slider ends at the sentence's last word: a position past the end (a link, or a shorter sentence
    typed later) becomes the last word; the chart is rebuilt at it and the URL follows. It stays there when the
    sentence grows again."""
    at = run({"focus": "10"})                                                      # 6 words
    assert value(at, "focus") == 6 and at.query_params["focus"] == "6" and not at.toast
    at = release_scrub(run(), "focus", 5)
    key = scrub_chart(at, "focus").proto.id
    at.text_input(key="text").input("a short one").run()
    assert_page_ok(at)
    p = _params(scrubbed(at, "focus")[0])[0]
    assert value(at, "focus") == 3 and at.query_params["focus"] == "3"
    assert p["value"] == [{"focus": 3}] and p["bind"]["max"] == 3 and scrub_chart(at, "focus").proto.id != key
    at.text_input(key="text").input(bi.DEFAULT_SENTENCE).run()
    assert value(at, "focus") == 3 and _params(scrubbed(at, "focus")[0])[0]["bind"]["max"] == 6


def test_repeated_words_keep_their_positions():
    at = run({"text": "the cat saw the dog", "focus": "4"})
    _, frames = scrubbed(at, "focus")
    labels = frame_with(frames, "label", "y0", "i")["label"].tolist()
    assert labels == ["1 the", "2 cat", "3 saw", "4 the", "5 dog"]
    assert note(at, "focus", 3).startswith("Position 4 “the”")
    maps = influence_maps(at)
    assert maps["forward"].shape == (5, 5)


@pytest.mark.parametrize("text", ODD)
def test_odd_sentences_from_the_url(text):
    at = run({"text": text})
    words = bi.tokenize(text)
    assert at.text_input(key="text").value == text                        # the link's text is used as given
    assert_not_rendered(at, words)
    for bad in ("<script", "<b>", "<img", "javascript:"):
        assert not any(bad in s for s in visible_texts(at))
    for h in at.get("html"):
        assert not (text.strip() and text in h.proto.body)
    if not words:
        assert at.info and not chart_frames(at)                               # a message instead of charts
        return
    maps = influence_maps(at)
    T = len(words)
    assert maps["forward"].shape == (T, T) and T <= bi.MAX_WORDS
    assert np.all(np.triu(maps["forward"], 1) == 0) and np.all(np.tril(maps["backward"], -1) == 0)
    assert value(at, "focus") == min(4, T)


def test_cjk_without_spaces_is_one_word_per_character():
    at = run({"text": CJK})
    maps = influence_maps(at)
    assert maps["bidirectional"].shape == (8, 8)
    cells = frame_with(scrubbed(at, "focus")[1], "word_k", "c")
    assert set(cells["word_k"]) == set(CJK)


def test_too_long_link_text_falls_back_to_the_default_sentence():
    at = run({"text": "word " * 100})
    assert at.text_input(key="text").value == bi.DEFAULT_SENTENCE
    assert influence_maps(at)["forward"].shape == (6, 6)


# --- part B: depth ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("residual", ["0", "0.35", "1"])
def test_layer_by_time_map_for_every_strength_and_depth_sweep_are_the_cores(residual):
    a = float(residual)
    q = {"layers": "5", "stack_cell": "gru", "stack_H": "8", "T": "12", "residual": residual, "stack_seed": "3"}
    at = run(q, stack=True)
    assert value(at, "residual") == a
    fam = depth.family(ALPHAS, 5, "gru", 8, 12, 3)
    for f in (0, 7, int(round(a / 0.05)), 20):                            # sampled members == the single run
        ref = depth.run(5, "gru", 8, 12, ALPHAS[f], 3)["log_grad"]
        z, cells = stack_member(at, f)
        assert z.shape == (5, 12)
        assert np.array_equal(np.isfinite(z), np.isfinite(ref))
        np.testing.assert_allclose(z[np.isfinite(z)], ref[np.isfinite(ref)], atol=1e-5)  # 6 digits in the data
        np.testing.assert_allclose(z[np.isfinite(z)], fam["log_grad"][f][np.isfinite(ref)], atol=1e-5)
    assert (stack_member(at, 0)[0][4, :11] == -np.inf).all()             # the top layer's earlier outputs: zero
    vl, frames = scrubbed(at, "residual")
    y = next(lay for lay in vl["layer"] if lay.get("name") == "family_cells")["encoding"]["y"]
    assert y["type"] == "quantitative" and not y["scale"].get("reverse")  # layer 5 drawn highest: top layer on top
    r = depth.run(5, "gru", 8, 12, a, 3)
    lines = max(chart(at, "chart.reach").frames, key=len)
    sweep = r["first_layer_vs_depth"]
    for name, key in (("plain", "reach_plain"), ("residual", "reach_residual"), ("this", "reach")):
        got = lines[lines["series"] == en(f"series.{name}")].sort_values("x")
        np.testing.assert_allclose(got["x"], sweep["depths"])
        np.testing.assert_allclose(got["y"], sweep[key], atol=1e-12)
    m = metrics(at)
    assert m[en("metric.first_layer")] == ui.fmt_pow10(float(sweep["reach"][4]))
    assert m[en("metric.skip_gain")] == ui.fmt_pow10(float(sweep["reach"][4] - sweep["reach_plain"][4]))


def test_released_strength_drives_tiles_sweep_and_csv_without_rebuilding_the_chart(monkeypatch):
    csv = {}
    real = ui.download_csv
    monkeypatch.setattr(ui, "download_csv", lambda ctx, df, name="data", **kw: (csv.__setitem__(name, df),
                                                                                  real(ctx, df, name=name, **kw)))
    at = run(stack=True)
    vl_before, _ = scrubbed(at, "residual")
    before = metrics(at)
    at = release_scrub(at, "residual", 0.6000000000000001)               # as a browser may report 0.6
    assert_page_ok(at)
    assert value(at, "residual") == 0.6 and at.query_params["residual"] == "0.6"
    r = depth.run(3, "rnn", 16, 30, 0.6, 0)
    m = metrics(at)
    assert m != before and m[en("metric.first_layer")] == ui.fmt_pow10(float(r["first_layer_vs_depth"]["reach"][2]))
    assert m[en("metric.corner")] == ui.fmt_pow10(float(r["log_grad"][0, 0]))
    lines = max(chart(at, "chart.reach").frames, key=len)
    this = lines[lines["series"] == en("series.this")].sort_values("x")["y"].to_numpy()
    np.testing.assert_allclose(this, r["first_layer_vs_depth"]["reach"], atol=1e-12)
    grid = csv["stacked"][csv["stacked"]["part"] == "layer_x_time"]
    assert (csv["stacked"]["residual"] == 0.6).all()
    np.testing.assert_allclose(grid["log10_grad"].to_numpy().reshape(3, 30)[:2], r["log_grad"][:2], atol=1e-12)
    assert note(at, "residual", 12).startswith("α = 0.60")
    assert scrubbed(at, "residual")[0] == vl_before, "the chart keeps its spec: the browser shows the value already"
    assert [s.key for s in at.slider] == ["H", "layers", "stack_H", "T"], "no second control for the strength"
    assert [t.key for t in at.toggle] == ["projector"], "the residual switch became the strength slider"


def test_strength_links_snap_old_switch_links_work_and_bad_ones_fall_back():
    at = run({"residual": "0.33"}, stack=True)
    assert value(at, "residual") == 0.35 and at.query_params["residual"] == "0.35" and not at.toast
    at = run({"residual": "true"}, stack=True)                           # a link from the on/off switch
    assert value(at, "residual") == 1.0 and at.query_params["residual"] == "1" and not at.toast
    assert value(run({"residual": "false"}, stack=True), "residual") == 0.0
    for bad in ("1.5", "-0.1", "maybe", "nan", "inf"):
        at = run({"residual": bad}, stack=True)
        assert value(at, "residual") == 0.0 and "residual" not in at.query_params
        assert at.toast and en("residual") in at.toast[0].value


def test_presets_open_their_tab_set_the_strength_and_show_the_lesson():
    at = click_preset(run(), "deep")
    assert at.session_state[TAB] == en("tab.stack") and value(at, "residual") == 0.0
    titles = {c.spec.get("title") for c in chart_frames(at)}
    assert titles == {None, en("chart.reach")}                          # the heat map's numbers are its notes
    lines = max(chart(at, "chart.reach").frames, key=len)
    plain = lines[lines["series"] == en("series.plain")].sort_values("x")["y"].to_numpy()
    res = lines[lines["series"] == en("series.residual")].sort_values("x")["y"].to_numpy()
    assert plain[-1] < plain[0] - 1 and res[-1] > res[0] - 1                  # skips keep the gradient
    at = click_preset(at, "deep_residual")
    assert value(at, "residual") == 1.0 and at.query_params["residual"] == "1"
    assert _params(scrubbed(at, "residual")[0])[0]["value"] == [{"residual": 1.0}]
    at = click_preset(at, "long")
    assert at.session_state[TAB] == en("tab.bi") and at.session_state["text"].endswith("terribly exciting !")
    assert value(at, "focus") == 17


def test_tab_survives_a_language_switch():
    at = run(stack=True)
    at.radio(key="lang").set_value("zh").run()
    assert_page_ok(at)
    assert at.session_state[TAB] == translate("zh", f"{PAGE}.tab.stack")
    assert {c.spec.get("title") for c in chart_frames(at)} == {None, translate("zh", f"{PAGE}.chart.reach")}
    assert _params(scrubbed(at, "residual")[0])[0]["bind"]["name"] == translate("zh", f"{PAGE}.residual")


def test_chinese_stack_part_is_translated():
    from tests.pages.test_pages import NAMES

    assert_translated(run(stack=True, lang="zh"), NAMES)


def test_malformed_links_fall_back_to_defaults():
    specs, _ = page_controls(PAGE)
    defaults = {s.key: s.default for s in specs}
    bad = {"text": "x" * 201, "focus": "-1", "cell": "transformer", "H": "1e9", "seed": "nan", "layers": "9",
           "stack_cell": "<b>lstm</b>", "stack_H": "", "T": "0", "residual": "maybe", "stack_seed": "1.5e400"}
    at = run(bad, stack=True)
    for key in bad:
        got = value(at, key) if isinstance(spec(key), Scrub) else at.session_state[key]
        assert got == defaults[key], key


def test_chart_data_stays_small_at_the_heaviest_settings():
    """Issue 14: family data <= 3 MB per chart at the heaviest settings (the sum of the Arrow datasets)."""
    at = run({"text": " ".join(f"w{i}" for i in range(30)), "cell": "lstm", "H": "64"})
    assert sum(len(d.data.data) for d in scrub_chart(at, "focus").proto.datasets) < 1_000_000
    at = run({"layers": "8", "stack_cell": "lstm", "stack_H": "64", "T": "100"}, stack=True)
    assert sum(len(d.data.data) for d in scrub_chart(at, "residual").proto.datasets) < 1_000_000
    _, frames = scrubbed(at, "residual")
    assert len(frame_with(frames, "v", "x0", "y0")) == 21 * 8                   # one row per (strength, layer)


# --- random views -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", [False, True])
def test_random_views_with_random_sentences(stack):
    specs, _ = page_controls(PAGE)

    @settings(max_examples=40, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(values=all_values(specs))
    def check(values):
        at = run(query_from(specs, values), stack=stack)
        n = len(chart_frames(at))
        assert n == 2 if stack else n in (0, 2)
        assert_not_rendered(at, bi.tokenize(values["text"]))

    check()
