"""Translation tables: same keys, same placeholders, really translated, and every key the code asks for."""
import re
from pathlib import Path

import pytest

from tests.apptest_utils import english_words
from ui.charts.text import ChartText, i18n_keys
from ui.i18n import EN, LANGS, TABLES, ZH, Translator, missing_keys, placeholders, reset_missing, translate
from ui.registry import PAGE_IDS

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_both_languages_have_tables():
    assert set(TABLES) == set(LANGS) == {"en", "zh"}


def test_same_keys_in_both_languages():
    only_en, only_zh = sorted(set(EN) - set(ZH)), sorted(set(ZH) - set(EN))
    assert not only_en, f"missing in zh.py: {only_en}"
    assert not only_zh, f"missing in en.py: {only_zh}"


@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_match(key):
    assert placeholders(EN[key]) == placeholders(ZH.get(key, EN[key])), key


@pytest.mark.parametrize("lang", LANGS)
def test_no_empty_text(lang):
    assert not [k for k, v in TABLES[lang].items() if not isinstance(v, str) or not v.strip()]


def test_chinese_is_translated():
    """Every zh text has Chinese in it, or is language-neutral (symbols, formulas, names like tanh/IRNN)."""
    def words(text: str) -> list[str]:
        return english_words(re.sub(r"\{[^}]*\}", " ", text))  # placeholders are not text

    untranslated = {k: w for k in EN if not CJK.search(ZH.get(k, "")) and (w := words(ZH.get(k, "")))}
    assert not untranslated, f"zh text with English words and no Chinese: {untranslated}"


def test_keys_are_namespaced():
    assert all(re.fullmatch(r"[a-z0-9_]+(\.[A-Za-z0-9_]+)+", k) for k in EN), [k for k in EN if "." not in k]


def test_chart_words_exist():
    assert not [k for k in i18n_keys() if k not in EN]
    zh = ChartText.from_translator(Translator("zh"))
    assert zh.overflow == ZH["chart.overflow"] and zh != ChartText()


@pytest.mark.parametrize("page", PAGE_IDS)
def test_every_page_has_nav_title_question(page):
    for suffix in ("nav", "title", "question"):
        assert f"{page}.{suffix}" in EN, f"{page}.{suffix}"


def _literal_keys() -> set[str]:
    """Keys passed as string literals to t(...), t.get(...), ctx.t(...) in ui/ and the home page."""
    pattern = re.compile(r"""\bt(?:\.get)?\(\s*["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")
    files = [*sorted((ROOT / "ui").rglob("*.py")), ROOT / "streamlit_app.py"]
    keys = set()
    for f in files:
        if f.parent.name == "i18n":
            continue
        keys |= set(pattern.findall(f.read_text(encoding="utf-8")))
    return keys


def test_literal_keys_in_code_exist():
    keys = _literal_keys()
    assert len(keys) > 15  # the scan works
    assert not sorted(k for k in keys if k not in EN)


def test_unknown_key_falls_back_visibly_and_is_recorded():
    reset_missing()
    assert translate("zh", "nope.missing_key") == "nope.missing_key"
    assert ("zh", "nope.missing_key") in missing_keys()
    reset_missing()
    assert not missing_keys()


def test_formatting_never_raises():
    assert translate("en", "common.invalid_link", names="'rho'") == EN["common.invalid_link"].format(names="'rho'")
    assert translate("en", "common.invalid_link") == EN["common.invalid_link"]  # no args: raw text
    assert translate("en", "common.invalid_link", other=1) == EN["common.invalid_link"]  # wrong args
    assert translate("xx", "common.home") == EN["common.home"]  # unknown language -> English


def test_translator_helpers():
    t = Translator("zh")
    assert t.lang == "zh" and t("common.home") == ZH["common.home"]
    assert t.has("common.home") and not t.has("vanilla_rnn.no_such_help")
    assert t.get("vanilla_rnn.no_such_help") is None
    assert Translator("<script>").lang == "en"
