"""Page 6 (bidirectional and stacked RNNs): the chart data are the core's numbers — forward map zero above the
diagonal, backward map zero below, bidirectional both; the stack's layer x time map and the depth sweep — odd
sentences from the URL never crash, never give NaN and are never rendered as text/HTML; presets open their tab.
The generic checks (presets, zh, projector, hostile links, random views) are in test_pages.py; part B's charts
only run when its tab is open, so its random views are here, with random sentences for part A."""
from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from core.scenarios import bidirectional as bi
from core.scenarios import depth
from tests.apptest_utils import (
    assert_page_ok,
    assert_translated,
    chart_frames,
    click_preset,
    control_values,
    page_controls,
    query_from,
    run_page,
    visible_texts,
)
from ui.i18n import translate
from ui.text_control import Text

PAGE = "bidirectional_stacked"
TAB = "_bidirectional_stacked.part"  # session key of the page's lazy tabs (its value: the open tab's label)
DIRECTIONS = ("forward", "backward", "bidirectional")
CJK = "这部电影非常精彩"
ODD = ["", "   ", "one", " ".join(f"w{i}" for i in range(40)), "x" * 200, CJK, "<script>alert(1)</script>",
       "<b>bold</b> <img src=x onerror=alert(1)> **md** [x](javascript:1) $x$", "the the the the", "😀 👍🏽 !",
       "مرحبا بالعالم", "a\u202eb c"]


def en(key: str, **fmt) -> str:
    return translate("en", f"{PAGE}.{key}", **fmt)


def run(query=None, stack=False, lang="en"):
    state = {TAB: translate(lang, f"{PAGE}.tab.stack")} if stack else None
    at = run_page(PAGE, query={**(query or {}), **({"lang": lang} if lang != "en" else {})}, state=state)
    assert_page_ok(at)
    return at


def chart(at, key: str, **fmt):
    found = [c for c in chart_frames(at) if c.spec.get("title") == en(key, **fmt)]
    assert len(found) == 1, f"{len(found)} charts titled {key}"
    return found[0]


def influence_maps(at) -> dict[str, np.ndarray]:
    """The three maps as (T, T) arrays rebuilt from the chart data (rows t, columns k, both 1-based)."""
    out = {}
    for d in DIRECTIONS:
        cells = max((f for f in chart(at, f"chart.{d}").frames if "k" in f), key=len)  # not the colour range
        T = int(cells["t"].max())
        z = np.full((T, T), np.nan)
        z[cells["t"] - 1, cells["k"] - 1] = cells["c"]
        assert not np.isnan(z).any() and len(cells) == T * T
        assert (cells["zero"] == (cells["c"] == 0)).all()
        out[d] = z
    return out


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


def test_maps_tooltips_name_the_words_and_the_focus_row_is_outlined():
    at = run()
    words = bi.DEFAULT_SENTENCE.split()
    for d in DIRECTIONS:
        c = chart(at, f"chart.{d}")
        cells = max(c.frames, key=len)
        assert (cells["word_t"] == [words[t - 1] for t in cells["t"]]).all()
        assert (cells["word_k"] == [words[k - 1] for k in cells["k"]]).all()
        focus = min(c.frames, key=len)
        assert focus["t"].tolist() == [4]                                         # "terribly"
        assert set(cells.loc[cells["zero"], "status_text"]) <= {en("tip.zero")}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("stack", [False, True])
def test_tooltip_titles_are_distinct(lang, stack):
    """vega-tooltip shows one entry per title: a repeated title would hide a field (e.g. a word)."""
    for c in chart_frames(run(stack=stack, lang=lang)):
        for part in [c.spec, *c.spec.get("layer", [])]:
            titles = [tip["title"] for tip in part.get("encoding", {}).get("tooltip", [])]
            assert len(titles) == len(set(titles)), titles


def test_focus_bars_are_the_focus_row_forward_vs_bidirectional():
    at = run({"focus": "2", "cell": "gru", "H": "8", "seed": "5"})
    ref = bi.run(cell="gru", hidden=8, seed=5, focus=1)
    bars = max(chart(at, "chart.focus", position=2, word="movie").frames, key=len)
    for d in ("forward", "bidirectional"):
        got = bars[bars["series"] == en(f"series.{d}")].sort_values("k")
        np.testing.assert_allclose(got["v"], ref["focus_bars"][d], rtol=1e-12)
        assert got["label"].tolist() == [f"{k + 1} {w}" for k, w in enumerate(ref["words"])]
    fwd = bars[bars["series"] == en("series.forward")]
    assert (fwd.loc[fwd["k"] > 2, "v"] == 0).all()                               # words to the right: unseen
    m = metrics(at)
    assert m[en("metric.words")] == "6" and m[en("metric.right_share")] == f"{100 * ref['right_share']:.0f} %"


def test_default_focus_is_terribly_wherever_it_is():
    at = run({"text": "I found it terribly boring"})
    assert chart(at, "chart.focus", position=4, word="terribly")
    assert metrics(at)[en("metric.right_share")] != "0 %"


def test_repeated_words_keep_their_positions():
    at = run({"text": "the cat saw the dog", "focus": "4"})
    bars = max(chart(at, "chart.focus", position=4, word="the").frames, key=len)
    labels = bars.drop_duplicates("k").sort_values("k")["label"].tolist()
    assert labels == ["1 the", "2 cat", "3 saw", "4 the", "5 dog"]
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


def test_cjk_without_spaces_is_one_word_per_character():
    at = run({"text": CJK})
    maps = influence_maps(at)
    assert maps["bidirectional"].shape == (8, 8)
    cells = max((f for f in chart_frames(at)[0].frames if "k" in f), key=len)
    assert set(cells["word_k"]) == set(CJK)


def test_too_long_link_text_falls_back_to_the_default_sentence():
    at = run({"text": "word " * 100})
    assert at.text_input(key="text").value == bi.DEFAULT_SENTENCE
    assert influence_maps(at)["forward"].shape == (6, 6)


# --- part B: depth ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("residual", [False, True])
def test_layer_by_time_map_and_depth_sweep_are_the_cores(residual):
    q = {"layers": "5", "stack_cell": "gru", "stack_H": "8", "T": "12", "residual": str(residual).lower(),
         "stack_seed": "3"}
    at = run(q, stack=True)
    ref = depth.run(5, "gru", 8, 12, residual, 3)
    cells = max(chart(at, "chart.depth_time").frames, key=len)
    assert len(cells) == 5 * 12
    z = np.full((5, 12), np.nan)
    z[cells["y"] - 1, cells["x"] - 1] = cells["c"]
    finite = np.isfinite(ref["log_grad"])
    np.testing.assert_allclose(z[finite], ref["log_grad"][finite], atol=1e-12)
    assert (cells.set_index(["y", "x"]).loc[[(5, t) for t in range(1, 12)], "value_text"] == "-inf").all()
    y = chart(at, "chart.depth_time").spec["encoding"]["y"]
    assert y["type"] == "quantitative" and not y["scale"].get("reverse")  # layer 5 drawn highest: top layer on top
    assert cells.loc[cells["y"] == 5, "y0"].min() > cells.loc[cells["y"] == 4, "y0"].max()
    lines = max(chart(at, "chart.reach").frames, key=len)
    sweep = ref["first_layer_vs_depth"]
    for name, key in (("plain", "reach_plain"), ("residual", "reach_residual")):
        got = lines[lines["series"] == en(f"series.{name}")].sort_values("x")
        np.testing.assert_allclose(got["x"], sweep["depths"])
        np.testing.assert_allclose(got["y"], sweep[key], atol=1e-12)
    m = metrics(at)
    mode = "reach_residual" if residual else "reach_plain"
    assert m[en("metric.first_layer")] == ui_pow10(sweep[mode][4])


def ui_pow10(x):
    from ui import fmt_pow10

    return fmt_pow10(float(x))


def test_presets_open_their_tab_and_show_the_lesson():
    at = click_preset(run(), "deep")
    assert at.session_state[TAB] == en("tab.stack")
    titles = {c.spec.get("title") for c in chart_frames(at)}
    assert titles == {en("chart.depth_time"), en("chart.reach")}
    lines = max(chart(at, "chart.reach").frames, key=len)
    plain = lines[lines["series"] == en("series.plain")].sort_values("x")["y"].to_numpy()
    res = lines[lines["series"] == en("series.residual")].sort_values("x")["y"].to_numpy()
    assert plain[-1] < plain[0] - 1 and res[-1] > res[0] - 1                  # skips keep the gradient
    at = click_preset(at, "long")
    assert at.session_state[TAB] == en("tab.bi") and at.session_state["text"].endswith("terribly exciting !")
    assert chart(at, "chart.focus", position=17, word="terribly")


def test_tab_survives_a_language_switch():
    at = run(stack=True)
    at.radio(key="lang").set_value("zh").run()
    assert_page_ok(at)
    assert at.session_state[TAB] == translate("zh", f"{PAGE}.tab.stack")
    assert {c.spec.get("title") for c in chart_frames(at)} == {translate("zh", f"{PAGE}.chart.depth_time"),
                                                                  translate("zh", f"{PAGE}.chart.reach")}


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
        assert at.session_state[key] == defaults[key], key


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
        assert n == 2 if stack else n in (0, 4)
        assert_not_rendered(at, bi.tokenize(values["text"]))

    check()
