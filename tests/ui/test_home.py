"""The home page through AppTest: default, Chinese, projector mode, and hostile URLs."""
import pytest

from tests.apptest_utils import assert_page_ok, assert_translated, run_page, visible_texts
from ui.i18n import EN, ZH
from ui.registry import PAGES


def page_links(at) -> list[tuple[str, str]]:
    return [(el.proto.label, el.proto.page) for el in at.get("page_link")]


def test_default_english():
    at = run_page()
    assert_page_ok(at)
    assert at.title[0].value == EN["home.title"]
    assert at.sidebar.radio(key="lang").value == "en" and at.sidebar.toggle(key="projector").value is False
    texts = "\n".join(visible_texts(at))
    for page in PAGES:  # one card per page on the route, with its question
        assert EN[f"{page.id}.question"] in texts
    assert len(at.latex) == 4 and r"W_{hh}" in at.latex[0].value
    assert not at.toast and at.query_params == {}


def test_only_existing_pages_are_linked():
    at = run_page()
    linked = {page for _, page in page_links(at)}
    for page in PAGES:
        assert (page.id in linked) == page.exists(), page.id
    assert ("Home", "") in page_links(at)


def test_chinese():
    at = run_page(query={"lang": "zh"})
    assert_page_ok(at)
    assert at.title[0].value == ZH["home.title"]
    assert_translated(at)
    assert ("首页", "") in page_links(at)
    assert at.query_params == {"lang": "zh"}


@pytest.mark.parametrize("raw", ["1", "true", "yes", "on"])
def test_projector_from_url(raw):
    at = run_page(query={"projector": raw})
    assert_page_ok(at)
    assert at.sidebar.toggle(key="projector").value is True
    assert at.query_params == {"projector": "true"}  # canonical spelling, so the widget keeps it
    assert not at.toast


MALFORMED = [
    {"lang": "<script>alert(1)</script>"},
    {"lang": "<b>zh</b>", "projector": "banana"},
    {"lang": "zh" * 50000},
    {"lang": ["en", "zh", "<i>x</i>"]},
    {"projector": ""},
    {"lang": "ZH-cn", "projector": "2"},
    {"unknown": "<script>x</script>", "rho": "1e999"},
]


@pytest.mark.parametrize("query", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_query_falls_back_to_defaults(query):
    at = run_page(query=query)
    assert_page_ok(at)
    lang = at.sidebar.radio(key="lang").value
    assert lang in ("en", "zh") and at.sidebar.toggle(key="projector").value in (True, False)
    for text in visible_texts(at):  # nothing from the URL is shown (let alone as HTML)
        assert "<script>" not in text and "<b>" not in text and "<i>" not in text and "zhzh" not in text
    assert not at.get("html") or all("<script>" not in el.proto.body for el in at.get("html"))


def test_malformed_value_is_reported_by_name_only():
    at = run_page(query={"lang": "<script>alert(1)</script>", "projector": "banana"})
    assert at.sidebar.radio(key="lang").value == "en" and at.sidebar.toggle(key="projector").value is False
    [toast] = at.toast
    assert "(`lang`)" in toast.value and "(`projector`)" in toast.value and "script" not in toast.value
    assert at.query_params == {}  # Streamlit dropped both from the URL


def test_multi_valued_param_uses_the_last_value():
    at = run_page(query={"lang": ["en", "zh"]})
    assert_page_ok(at)
    assert at.sidebar.radio(key="lang").value == "zh"


def test_rerun_keeps_settings():
    at = run_page(query={"lang": "zh", "projector": "true"})
    at.run()
    assert at.sidebar.radio(key="lang").value == "zh" and at.sidebar.toggle(key="projector").value is True
    at.sidebar.radio(key="lang").set_value("en").run()
    # (AppTest does not model the browser removing a default value from the URL: that is checked in e2e.)
    assert at.title[0].value == EN["home.title"] and at.sidebar.toggle(key="projector").value is True
