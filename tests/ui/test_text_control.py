"""ui.text_control.Text: free text bound to the URL — any string up to max_chars, never parsed as anything else."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from ui.controls import MAX_URL_VALUE, check_values, rejected, url_fixes, url_params
from ui.text_control import Text

TEXT = Text("text", default="the movie was terribly exciting !", max_chars=50)
ODD = ["", " ", "one", "这部电影非常精彩", "<script>alert(1)</script>", "<b>bold</b> **md** $x$", "a\x00b", "%00",
       "😀 👍🏽", "مرحبا", "x" * 50]
# text a URL can carry: no lone surrogates (not UTF-8)
URL_TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=50)


@pytest.mark.parametrize("raw", ODD)
def test_any_text_within_the_limit_is_taken_verbatim(raw):
    assert TEXT.parse(raw) == raw and TEXT.valid(raw) and TEXT.to_url(raw) == raw


@pytest.mark.parametrize("raw", ["x" * 51, "<b>" * 100, "9" * 5000])
def test_too_long_text_is_invalid(raw):
    assert TEXT.parse(raw) is None and not TEXT.valid(raw)


def test_non_strings_are_invalid_and_the_default_must_fit():
    assert not any(TEXT.valid(v) for v in (None, 1, 1.5, True, ["a"], b"abc"))
    with pytest.raises(ValueError):
        Text("t", default="x" * 11, max_chars=10)
    with pytest.raises(ValueError):
        Text("t", default=None)
    assert Text("t", default="").max_chars == MAX_URL_VALUE


@settings(max_examples=200, deadline=None)
@given(URL_TEXT)
def test_url_round_trip(value):
    assert TEXT.valid(value) and TEXT.same(TEXT.parse(TEXT.to_url(value)), value)


def test_fixes_rejection_links_and_presets():
    assert url_fixes([TEXT], {"text": "hello <b>"}) == {}                 # valid: left as it is
    assert url_fixes([TEXT], {"text": "x" * 51}) == {"text": None}        # too long: removed before Streamlit
    assert rejected([TEXT], {"text": ""}, {"text": ""}) == []              # the empty sentence is a value
    assert rejected([TEXT], {"text": "x" * 51}, {"text": TEXT.default}) == ["text"]
    assert url_params([TEXT], {"text": TEXT.default}) == {}
    assert url_params([TEXT], {"text": "a b"}) == {"text": "a b"}
    check_values([TEXT], {"text": "any words"})
    with pytest.raises(ValueError):
        check_values([TEXT], {"text": 3})


def _app():
    import streamlit as st

    from ui.i18n import Translator
    from ui.text_control import Text

    value = Text("text", default="the movie", max_chars=50).widget("Sentence", "help", Translator("en"), "demo")
    st.text(repr(value))                                  # plain text, never Markdown


@pytest.mark.parametrize("query, expected", [(None, "the movie"), ("", ""), ("<script>alert(1)</script>",
                                                                               "<script>alert(1)</script>"),
                                             ("这部电影", "这部电影")])
def test_widget_is_a_bound_text_input(query, expected):
    at = AppTest.from_function(_app)
    if query is not None:
        at.query_params["text"] = query
    at.run()
    assert not at.exception
    box = at.text_input(key="text")
    assert box.value == expected and box.proto.max_chars == 50 and box.label == "Sentence"
    assert at.text[0].value == repr(expected)
    assert not at.markdown, "the text input draws no Markdown"
