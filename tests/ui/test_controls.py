"""Control specs: URL parsing (lenient but safe), canonical URL form, fix-ups, rejection, presets, links."""
import pytest
from hypothesis import given, settings

from tests.apptest_utils import control_values
from ui.controls import Choice, Number, Slider, Toggle, Values, check_values, rejected, url_fixes, url_params
from ui.share import build_url

RHO = Slider("rho", default=0.9, lo=0.1, hi=2.0, step=0.05)
T = Slider("T", default=100, lo=5, hi=300)
ACT = Choice("act", default="tanh", options=("tanh", "sigmoid", "linear"))
PROJ = Toggle("projector")
SEED = Number("seed", default=0, lo=0, hi=9999)
SPECS = (RHO, T, ACT, PROJ, SEED)
HOSTILE = ["", " ", "abc", "nan", "inf", "-inf", "1e309", "<script>alert(1)</script>", "9" * 5000, "x" * 100000,
           "0x10", "1,5", "true", "[1]", "%00", "\x00"]


@pytest.mark.parametrize("raw", HOSTILE)
@pytest.mark.parametrize("spec", [RHO, T, ACT, SEED])
def test_hostile_values_are_rejected_without_error(spec, raw):
    assert spec.parse(raw) is None


@pytest.mark.parametrize("raw, value", [("1.5", 1.5), ("2", 2.0), ("0.1", 0.1), ("1e-1", 0.1)])
def test_float_slider_parse(raw, value):
    assert RHO.parse(raw) == value


def test_range_and_integrality():
    assert RHO.parse("2.01") is None and RHO.parse("0.09") is None
    assert T.parse("50") == 50 and T.parse("50.0") == 50 and T.parse("50.5") is None and T.is_int
    assert not RHO.is_int


def test_choice_and_toggle_are_lenient_about_case_and_aliases():
    assert ACT.parse("TANH") == "tanh" and ACT.parse(" Sigmoid ") == "sigmoid" and ACT.parse("relu") is None
    assert [PROJ.parse(r) for r in ("1", "true", "TRUE", "yes", "on", "0", "false", "off", "banana")] == \
        [True, True, True, True, True, False, False, False, None]


def test_canonical_url_form_matches_streamlit():
    assert RHO.to_url(1.0) == "1" and RHO.to_url(1.25) == "1.25" and T.to_url(50) == "50"
    assert PROJ.to_url(True) == "true" and ACT.to_url("relu") == "relu"


def test_url_fixes_rewrite_lenient_spellings_and_remove_invalid_values():
    raw = {"rho": "1.50", "T": "50.0", "act": "TANH", "projector": "1", "seed": "9" * 400}
    assert url_fixes(SPECS, raw) == {"rho": "1.5", "T": "50", "act": "tanh", "projector": "true", "seed": None}
    assert url_fixes(SPECS, {"rho": "1.5", "act": "tanh", "projector": "true"}) == {}


def test_rejected_names_keys_that_fell_back_to_default():
    defaults = {s.key: s.default for s in SPECS}
    raw = {"rho": "abc", "T": "999", "act": "tanh", "projector": "banana", "seed": "1.5"}
    got = rejected(SPECS, raw, {**defaults, "seed": 1})  # Streamlit coerced seed=1.5 to 1: used
    assert got == ["rho", "T", "projector"]
    assert rejected(SPECS, {"rho": "0.9"}, defaults) == []  # asking for the default is fine
    assert rejected(SPECS, {"rho": "1.5"}, {**defaults, "rho": 1.5}) == []


def test_presets_are_checked():
    check_values(SPECS, {"rho": 1.5, "act": "linear", "projector": True})
    for bad in ({"rho": 5.0}, {"act": "relu"}, {"T": 50.5}, {"nope": 1}, {"projector": 1}, {"rho": float("nan")}):
        with pytest.raises(ValueError):
            check_values(SPECS, bad)


def test_bad_specs_fail_early():
    with pytest.raises(ValueError):
        Slider("x", default=5.0, lo=0.0, hi=1.0)
    with pytest.raises(ValueError):
        Choice("c", default="z", options=("a", "b"))


def test_values_mapping():
    v = Values({"rho": 1.5, "T": 10})
    assert v.rho == 1.5 and v["T"] == 10 and dict(v) == {"rho": 1.5, "T": 10} and len(v) == 2
    with pytest.raises(AttributeError):
        _ = v.nope


def test_link_has_only_non_default_values_and_is_escaped():
    values = {"rho": 0.9, "T": 50, "act": "linear", "projector": False, "seed": 0}
    assert url_params(SPECS, values) == {"T": "50", "act": "linear"}
    assert build_url("https://lab.example/vanilla_rnn", {"lang": "zh", "T": "50"}) == \
        "https://lab.example/vanilla_rnn?lang=zh&T=50"
    assert build_url(None, {"a": "x y&z"}) == "?a=x+y%26z"
    assert build_url("https://h/p?old=1", {}) == "https://h/p"


@settings(max_examples=200, deadline=None)
@given(control_values(SPECS))
def test_url_round_trip(values):
    for spec in SPECS:
        assert spec.valid(values[spec.key])
        assert spec.same(spec.parse(spec.to_url(values[spec.key])), values[spec.key])
