"""Every demo page through AppTest: defaults, presets, both languages, projector mode, hostile links and
hundreds of random views. Page-specific checks live next to this file (test_<page>.py)."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings

from tests.apptest_utils import (
    OPEN_EXPLAINERS,
    assert_page_ok,
    assert_translated,
    chart_frames,
    click_preset,
    control_value,
    control_values,
    page_controls,
    query_from,
    run_page,
    visible_texts,
)
from ui.registry import available

PAGES = [p.id for p in available()]
# proper names that stay in Latin script in Chinese text (authors, libraries, models)
NAMES = ["Le", "Jaitly", "Hinton", "Jozefowicz", "Keras", "Mikolov", "Bengio", "Cho", "Britz", "BERT", "ResNet",
         "Adam", "Kingma", "Gers", "Cummins"]
HOSTILE = ["abc", "", "nan", "NaN", "inf", "-inf", "1e308", "-1e308", "99999999999999999999", "1,5", "0x10",
           "<script>alert(1)</script>", "<b>bold</b>", "谱半径", "🙂", "x" * 5000, "%00", "javascript:alert(1)"]


def current_values(at, page, specs):
    return {s.key: control_value(at, page, s) for s in specs}


@pytest.mark.parametrize("page", PAGES)
def test_default_view(page):
    at = run_page(page)
    assert_page_ok(at)
    assert len(chart_frames(at)) >= 3
    assert at.metric, "every page shows metric tiles"
    assert any(b.proto.label for b in at.get("download_button")), "CSV download"


@pytest.mark.parametrize("page", PAGES)
def test_every_preset(page):
    specs, presets = page_controls(page)
    assert presets, "each page offers presets"
    for name, values in presets.items():
        at = click_preset(run_page(page), name)
        assert_page_ok(at)
        got = current_values(at, page, specs)
        for k, v in values.items():
            assert got[k] == pytest.approx(v) if isinstance(v, float) else got[k] == v, (name, k)


@pytest.mark.parametrize("page", PAGES)
def test_chinese_view_is_translated(page):
    at = run_page(page, query={"lang": "zh"}, state=OPEN_EXPLAINERS)  # the expanders' text too
    assert_page_ok(at)
    assert_translated(at, NAMES)


@pytest.mark.parametrize("page", PAGES)
def test_projector_mode_enlarges_chart_text(page):
    def label_sizes(at):
        sizes = []
        for c in chart_frames(at):
            axis = c.spec.get("config", {}).get("axis", {})
            sizes.append(axis.get("labelFontSize", 0))
        return sizes
    normal, big = label_sizes(run_page(page)), label_sizes(run_page(page, query={"projector": "true"}))
    assert len(normal) == len(big) and all(b > n for n, b in zip(normal, big, strict=True))


@pytest.mark.parametrize("page", PAGES)
def test_hostile_links_fall_back_to_defaults(page):
    specs, _ = page_controls(page)
    defaults = {s.key: s.default for s in specs}
    for i, bad in enumerate(HOSTILE):
        spec = specs[i % len(specs)]
        at = run_page(page, query={spec.key: bad, "unknown_key": bad, "lang": bad if i % 3 == 0 else "en"})
        assert_page_ok(at)
        value = control_value(at, page, spec)
        if spec.parse(bad) is None:          # not a valid value: the default is used
            assert value == defaults[spec.key], (spec.key, bad)
        else:                                # a lenient but valid spelling ("nan" is never one)
            assert not (isinstance(value, float) and math.isnan(value))
        for text in visible_texts(at):
            assert "<script" not in text and "<b>" not in text, "URL text must never be rendered"


def _random_views(page, n):
    specs, _ = page_controls(page)

    @settings(max_examples=n, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(values=control_values(specs))
    def check(values):
        at = run_page(page, query=query_from(specs, values))
        assert_page_ok(at)

    check()


@pytest.mark.parametrize("page", PAGES)
def test_random_views(page):
    _random_views(page, 60)
