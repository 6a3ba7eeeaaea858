"""Issue 17, the frame half (AppTest, no browser): projector CSS, the stage and its fold, the link and CSV in one
place, preset highlighting, the 中文 wording that the frame and controls own, page 6's language-bound example."""
from __future__ import annotations

import pytest

from tests.apptest_utils import assert_page_ok, click_preset, run_page
from ui.i18n import EN, ZH
from ui.layout import BUTTON, FOLDED
from ui.style import BASE_CSS, PROJECTOR_CSS

STAGED = ["vanilla_rnn", "relu_vs_tanh", "lstm_forget_gate", "gru_update_gate", "gradient_clipping",
          "bidirectional_stacked"]


def walk(node, path=()):
    for k, child in getattr(node, "children", {}).items():
        yield path + (k,), child
        yield from walk(child, path + (k,))


def where(at, kind: str) -> list[tuple]:
    """Tree paths of the elements of one type (``"download_button"``, ``"popover"``, ...), in page order."""
    return [p for p, n in walk(at._tree) if getattr(n, "type", None) == kind]


def css(at) -> str:
    return "".join(h.proto.body for h in at.get("html"))


def test_projector_css_only_in_projector_mode():
    normal, big = run_page("vanilla_rnn"), run_page("vanilla_rnn", query={"projector": "true"})
    assert PROJECTOR_CSS not in css(normal) and BASE_CSS in css(normal)
    assert PROJECTOR_CSS in css(big) and BASE_CSS in css(big)
    for selector in ("stWidgetLabel", "stMetricLabel", "stBaseButton", "stCaptionContainer", "stExpander",
                     "stPageLink-NavLink", "stSliderThumbValue", "stTab"):
        assert selector in PROJECTOR_CSS, selector
    assert "<script" not in PROJECTOR_CSS + BASE_CSS


@pytest.mark.parametrize("pid", STAGED)
def test_link_and_csv_sit_together_under_the_controls(pid):
    """The CSV button is in the row of "Link to this view", in the control column, on every page."""
    at = run_page(pid)
    assert_page_ok(at)
    csv, link = where(at, "download_button"), where(at, "popover")
    assert len(csv) == 1 and link
    assert any(csv[0][:-1] == p[:-1] for p in link), (csv, link)
    widgets = where(at, "slider") + where(at, "number_input")
    assert any(csv[0][:-2] == w[:len(csv[0]) - 2] for w in widgets), "the row is in the control column"


@pytest.mark.parametrize("pid", STAGED)
def test_folding_keeps_every_value_and_chart(pid):
    at = run_page(pid)
    before = {k: at.session_state[k] for k in ("H", "T", "seed") if k in at.session_state}
    charts, query = len(at.get("vega_lite_chart")), dict(at.query_params)
    at.button(key=BUTTON).click().run()
    assert_page_ok(at)
    assert at.session_state[FOLDED] is True
    assert at.button(key=BUTTON).label == EN["common.unfold"]
    assert EN["common.controls"] in [e.label for e in at.expander]
    assert {k: at.session_state[k] for k in before} == before and dict(at.query_params) == query
    assert len(at.get("vega_lite_chart")) == charts and len(at.get("download_button")) == 1
    at.button(key=BUTTON).click().run()
    assert at.session_state[FOLDED] is False and EN["common.controls"] not in [e.label for e in at.expander]


def test_folded_page_1_puts_the_eigenvalues_beside_the_main_chart():
    at = run_page("vanilla_rnn")
    at.button(key=BUTTON).click().run()
    charts = where(at, "vega_lite_chart")
    main_col, side_col = charts[0][:3], charts[1][:3]
    assert main_col[:2] == side_col[:2] and main_col != side_col, "one row: main chart and eigenvalues side by side"
    assert all(c[:3] == side_col for c in charts[1:])


def test_folding_redraws_the_scrub_chart_at_its_value():
    from ui.scrub import current

    at = run_page("vanilla_rnn", query={"rho": "1.5"})
    gen = at.session_state["_scrub.vanilla_rnn.rho"]["gen"]
    at.button(key=BUTTON).click().run()
    meta = at.session_state["_scrub.vanilla_rnn.rho"]
    assert meta["gen"] == gen + 1 and meta["embed"] == 1.5 and current(at.session_state, "vanilla_rnn", "rho") == 1.5
    assert at.query_params["rho"] == "1.5"


def primary(at) -> list[str]:
    return [b.key for b in at.button if b.key and b.key.startswith("_preset.") and b.proto.type == "primary"]


@pytest.mark.parametrize(("pid", "at_defaults"), [("vanilla_rnn", ["_preset.__reset__"]),
                                                  ("gradient_clipping", ["_preset.wall"])])
def test_the_button_that_gives_the_view_is_highlighted(pid, at_defaults):
    at = run_page(pid)
    assert primary(at) == at_defaults  # at the defaults: a named preset that is the default view, else Reset
    name = {"vanilla_rnn": "exploding", "gradient_clipping": "steep"}[pid]
    at = click_preset(at, name)
    assert primary(at) == [f"_preset.{name}"]
    at = click_preset(at, "__reset__")
    assert primary(at) == at_defaults


def test_segmented_option_ids_get_chinese_glosses():
    zh, en = run_page("vanilla_rnn", query={"lang": "zh"}), run_page("vanilla_rnn")
    gloss = f"`linear`：{ZH['vanilla_rnn.act.linear']}"
    assert any(gloss in c.value for c in zh.caption)
    assert not any("`linear`：" in c.value for c in en.caption)
    assert zh.session_state["act"] == "tanh" and "act" not in zh.query_params  # the ids (URL values) are unchanged
    zh = run_page("vanilla_rnn", query={"lang": "zh", "act": "linear"})
    assert zh.session_state["act"] == "linear" and zh.query_params["act"] == "linear"


def test_chinese_step_counter_is_not_a_time_step():
    at = run_page("vanilla_rnn", query={"lang": "zh"})
    assert any(c.value == "演示 1 / 7" for c in at.caption)
    assert "步" not in ZH["common.step"]


def test_page_6_starts_from_a_chinese_example_in_zh():
    zh, en = run_page("bidirectional_stacked", query={"lang": "zh"}), run_page("bidirectional_stacked")
    assert zh.text_input(key="text").value == ZH["bidirectional_stacked.text.default"]
    assert en.text_input(key="text").value == EN["bidirectional_stacked.text.default"]
    assert "text" not in zh.query_params and "text" not in en.query_params
    from core.scenarios.bidirectional import DEFAULT_SENTENCE

    assert EN["bidirectional_stacked.text.default"] == DEFAULT_SENTENCE  # a link without text= means the same
    link = "".join(c.value for c in zh.code)                      # "Link to this view"
    assert "lang=zh" in link and "text=" not in link  # the zh default view's link leaves the sentence out
    assert primary(zh) == ["_preset.__reset__"]       # the zh example is the default view
    assert zh.session_state["text"] != en.session_state["text"]


def test_page_5_start_caption_has_a_readable_b0():
    at = run_page("gradient_clipping")
    start = next(c.value for c in at.caption if "(w₀, b₀)" in c.value)
    assert "-3.235" in start and "3.2347" not in start
