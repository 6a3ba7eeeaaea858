"""The page frame, control panel and furniture on two stub demo pages (AppTest, no browser)."""
import io
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from tests.apptest_utils import (
    OPEN_EXPLAINERS,
    assert_page_ok,
    assert_translated,
    chart_frames,
    click_preset,
    control_values,
    deferred_files,
    query_from,
    run_page,
    visible_texts,
)
from tests.ui.demo_app import STUB_KEYS, stub_keys_installed, write_stub_app
from ui.charts import fmt_value
from ui.i18n import EN, ZH
from ui.panel import registered

P1, P2 = "pages/1_vanilla_rnn.py", "pages/2_relu_vs_tanh.py"


@pytest.fixture(scope="module")
def main(tmp_path_factory):
    path = write_stub_app(tmp_path_factory.mktemp("app"))
    with stub_keys_installed():
        yield path


def run(main, page=P1, **query):
    return run_page(page, query=query, main=main)


def links(at):
    return [(el.proto.label, el.proto.page) for el in at.get("page_link")]


def test_page_defaults(main):
    at = run(main)
    assert_page_ok(at)
    assert at.header[0].value == EN["vanilla_rnn.title"]
    assert EN["vanilla_rnn.question"] in at.markdown[0].value
    assert ("ReLU vs tanh →", "relu_vs_tanh") in links(at)  # header: next page only on page 1
    assert [p for _, p in links(at)].count("") == 1  # sidebar: home...
    assert {"vanilla_rnn", "relu_vs_tanh"} <= {p for _, p in links(at)}  # ...and the two existing pages
    assert not {"lstm_forget_gate", "memory_race"} & {p for _, p in links(at)}  # missing pages not linked
    assert len(chart_frames(at)) == 3 and not at.toast
    assert at.slider(key="rho").value == 0.9 and at.session_state["act"] == "tanh"


def test_chinese_projector(main):
    at = run(main, lang="zh", projector="1")
    assert_page_ok(at)
    assert_translated(at)
    assert at.header[0].value == ZH["vanilla_rnn.title"]
    assert [e.label for e in at.expander] == [ZH["common.math"], ZH["common.notice"], ZH["common.code"]]
    normal = run(main)
    big = [json.dumps(c.spec["config"]["axis"]) for c in chart_frames(at)]
    small = [json.dumps(c.spec["config"]["axis"]) for c in chart_frames(normal)]
    assert big != small and '"labelFontSize": 18' in big[0]
    titles = json.dumps(chart_frames(at)[0].spec, ensure_ascii=False)
    assert ZH["chart.distance"] in titles and EN["chart.distance"] not in titles


def test_controls_from_url(main):
    at = run(main, rho="1.5", act="linear", T="50", init="gaussian", seed="7")
    assert_page_ok(at)
    assert (at.slider(key="rho").value, at.slider(key="T").value, at.radio(key="init").value,
            at.number_input(key="seed").value) == (1.5, 50, "gaussian", 7)
    assert not at.toast
    assert at.query_params == {"rho": "1.5", "act": "linear", "T": "50", "init": "gaussian", "seed": "7"}


HOSTILE = {"rho": "<script>alert(1)</script>", "act": "relu", "T": "1e999", "init": "x" * 20000, "seed": "9" * 3000,
           "lang": "<img src=x onerror=alert(1)>", "projector": "banana"}


def test_malformed_control_values(main):
    at = run(main, **HOSTILE)
    assert_page_ok(at)
    assert (at.slider(key="rho").value, at.slider(key="T").value, at.radio(key="init").value) == (0.9, 60, "orthogonal")
    toasts = " ".join(t.value for t in at.toast)
    for key in ("rho", "act", "T", "init", "seed", "lang", "projector"):
        assert f"(`{key}`)" in toasts
    for text in visible_texts(at):
        assert "<script" not in text and "<img" not in text and "xxxxx" not in text
    assert at.query_params == {}


def test_lenient_spellings_are_fixed_in_the_url(main):
    at = run(main, act="LINEAR", T="50.0", projector="yes", rho="1.50")
    assert_page_ok(at)
    assert at.slider(key="T").value == 50 and at.slider(key="rho").value == 1.5
    assert at.sidebar.toggle(key="projector").value is True
    assert at.query_params == {"act": "linear", "T": "50", "projector": "true", "rho": "1.5"}
    assert not at.toast


def test_presets_set_widgets_and_url(main):
    at = click_preset(run(main), "exploding")
    assert_page_ok(at)
    assert at.slider(key="rho").value == 1.5 and at.session_state["act"] == "linear"
    assert at.query_params["rho"] == "1.5" and at.query_params["act"] == "linear"
    assert at.button(key="_preset.exploding").proto.type == "primary"
    assert at.button(key="_preset.vanishing").proto.type == "secondary"
    at = click_preset(at, "__reset__")
    assert at.slider(key="rho").value == 0.9 and at.session_state["act"] == "tanh"


def test_share_link(main):
    at = run(main, lang="zh", rho="1.5")
    [link] = [c.value for c in at.code if c.value.startswith(("?", "http"))]
    assert link == "?lang=zh&rho=1.5"
    at.context["url"] = "https://lab.example/vanilla_rnn"
    at.run()
    assert "https://lab.example/vanilla_rnn?lang=zh&rho=1.5" in [c.value for c in at.code]


def test_switching_pages_keeps_settings_and_restores_page_values(main):
    at = run(main, lang="zh", projector="true", rho="1.5")
    at.switch_page(P2).run()
    assert_page_ok(at)
    assert at.sidebar.radio(key="lang").value == "zh" and at.sidebar.toggle(key="projector").value is True
    assert at.header[0].value == ZH["relu_vs_tanh.title"]
    assert ("← 朴素 RNN", "vanilla_rnn") in links(at)
    at.switch_page(P1).run()
    assert at.slider(key="rho").value == 1.5 and at.sidebar.radio(key="lang").value == "zh"


def test_furniture(main):
    at = run(main)
    assert [m.label for m in at.metric] == [STUB_KEYS["en"]["vanilla_rnn.metric.rho"],
                                            STUB_KEYS["en"]["vanilla_rnn.metric.grad"]]
    assert [e.label for e in at.expander] == [EN["common.math"], EN["common.notice"], EN["common.code"]]
    assert not at.latex and not any("def compute" in c.value for c in at.code)  # closed: content not sent
    for key in OPEN_EXPLAINERS:
        at.session_state[key] = True
    at.run()
    assert len(at.latex) == 2 and any("def compute" in c.value for c in at.code)
    [dl] = at.get("download_button")
    assert dl.proto.label == EN["common.download_csv"]


def test_csv_download_is_written_on_click_with_the_page_data(main, monkeypatch):
    """The CSV is deferred (written when clicked, not on every run); clicking gives the chart's data."""
    registered = deferred_files(monkeypatch)
    at = run(main, rho="1.3")
    [dl] = at.get("download_button")
    assert dl.proto.deferred_file_id and not dl.proto.url  # nothing written yet
    [make] = registered
    csv = pd.read_csv(io.BytesIO(make()))
    assert list(csv.columns) == ["distance", "log10", "series"]
    hover = next(df for df in chart_frames(at)[0].frames if "log10_text" in df)  # the gradient chart's points
    curve = hover[hover["kind"] == "curve"]
    np.testing.assert_array_equal(csv["distance"], curve["x"])
    assert [fmt_value(v) for v in csv["log10"]] == list(curve["log10_text"])
    assert set(csv["series"]) == {"tanh"}


def test_helper_finds_the_declared_controls(main):
    run(main)
    specs, presets = registered("vanilla_rnn")  # what the test app just declared
    assert [s.key for s in specs] == ["rho", "act", "T", "init", "seed"]
    assert set(presets) == {"vanishing", "exploding"}


def test_random_views(main):
    run(main)
    specs, _ = registered("vanilla_rnn")

    @settings(max_examples=25, deadline=None)
    @given(control_values(specs))
    def check(values):
        at = run_page(P1, query=query_from(specs, values), main=main)
        assert_page_ok(at)
        for spec in specs:
            assert spec.same(at.session_state[spec.key], values[spec.key])

    check()


def test_panel_declared_after_the_frame_still_fixes_the_url(main):
    at = run(main, P2, irnn="yes", gain="abc", lang="zh")
    assert_page_ok(at)
    assert at.toggle(key="irnn").value is True and at.slider(key="gain").value == 1.0
    assert at.query_params == {"irnn": "true", "lang": "zh"}
    assert "增益 (`gain`)" in " ".join(t.value for t in at.toast)
    assert_translated(at)
    at = click_preset(at, "big")
    assert at.slider(key="gain").value == 1.2 and at.query_params["gain"] == "1.2"


@pytest.mark.load
def test_a_value_another_page_cannot_take_is_not_carried_over():
    """Live (the real app, Streamlit's protocol): page 1's H = 100 is beyond page 4's H (max 64), page 7's T = 150 and
    the T = 100 that page 1's Reset writes are beyond page 5's (max 60). Following the page link must draw the page
    at its own value, not raise on every run; a value the page can take still carries over."""
    import asyncio

    from deploy.cluster import start_instance
    from tests.bench.protocol import Session

    async def follow(base, first, key, value, target):
        s = Session(base, first, "")
        await s.open()
        w = next(w for w in s.widgets.values() if w.key == key)
        await (s.press(w) if value is None else s.change(w, [float(value)]))
        runs = [await s.switch(next(lk for lk in s.links if lk.page == target)), await s.rerun()]
        await s.close()
        return [(r.status, r.exceptions) for r in runs], {w.key: w.value for w in s.widgets.values()}

    async def all_flows(base):
        return await asyncio.gather(follow(base, "vanilla_rnn", "H", 100, "gru_update_gate"),
                                    follow(base, "memory_race", "T", 150, "gradient_clipping"),
                                    follow(base, "vanilla_rnn", "_preset.__reset__", None, "gradient_clipping"),
                                    follow(base, "vanilla_rnn", "H", 50, "gru_update_gate"))

    inst = start_instance("frame")
    try:
        flows = asyncio.run(asyncio.wait_for(all_flows(inst.url), 240))
    finally:
        inst.stop()
    for runs, _ in flows:
        assert runs == [("ok", []), ("ok", [])]
    assert [values["H" if i in (0, 3) else "T"] for i, (_, values) in enumerate(flows)] == [[32.0], [40.0], [40.0],
                                                                                          [50.0]]
