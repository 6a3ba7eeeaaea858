"""Helpers for the claim tests: read the numbers a translated text states, and the settings a page's preset names.

    assert_states("vanilla_rnn.preset.edge.help", POW10, [-2.1502])   # "10^−2.15" in en and in zh
    v = settings("vanilla_rnn", "edge")                                # the page's defaults + the preset

A number agrees with a computed value when it is that value rounded to the decimals the text writes
("10^−2.15" agrees with −2.1502, not with −2.16). Every number the pattern finds must be accounted for, in
both languages: a text that gains, loses or changes one of them fails.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from ui.i18n import LANGS, TABLES

Pattern = str | Mapping[str, str]  # one regex for every language, or one per language (one capture group)

NUM = r"[−-]?\d+(?:\.\d+)?"
POW10 = rf"10\^({NUM})"                               # 10^−38.8
TIMES = r"×(\d+(?:\.\d+)?)"                            # ×0.41 (a factor per step), not "1000×"
FPRIME = r"f′ (\d\.\d+)"                               # mean f′ 0.94 / 平均 f′ 0.94
STEPS = {"en": r"(\d+)(?:-step|\s+steps?\b)", "zh": r"(\d+) 步"}
PERCENT = r"(\d+(?:\.\d+)?) %"
T_IS = r"\bT = (\d+)"


def number(written: str) -> float:
    return float(written.replace("−", "-"))


def agrees(written: str, value: float) -> bool:
    """``written`` (as in the text) is ``value`` rounded to the decimals it shows."""
    decimals = len(written.split(".")[1]) if "." in written else 0
    return abs(number(written) - value) <= 0.5 * 10.0 ** -decimals * (1 + 1e-9)


def text(key: str, lang: str) -> str:
    return TABLES[lang][key]


def stated(key: str, pattern: Pattern, lang: str) -> list[str]:
    """The numbers (as written) that ``pattern`` finds in the ``lang`` text of ``key``, in order."""
    regex = pattern if isinstance(pattern, str) else pattern[lang]
    return re.findall(regex, text(key, lang))


def assert_states(key: str, pattern: Pattern, values: Sequence[float]) -> None:
    """In every language the text of ``key`` states exactly ``values`` (in any order) where ``pattern`` matches."""
    for lang in LANGS:
        written = stated(key, pattern, lang)
        assert len(written) == len(values), f"{key} [{lang}]: states {written}, computed {list(values)}"
        for w, v in zip(sorted(written, key=number), sorted(values), strict=True):
            assert agrees(w, v), f"{key} [{lang}]: states {w}, computed {v:.6g} (all: {written} vs {list(values)})"


def assert_mentions(key: str, *fragments: str, langs: Sequence[str] = LANGS) -> None:
    """Every fragment appears in the text of ``key`` (formulas and symbols are the same in both languages)."""
    for lang in langs:
        missing = [f for f in fragments if f not in text(key, lang)]
        assert not missing, f"{key} [{lang}] does not say {missing}"


@functools.cache
def _controls(page: str) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    from tests.apptest_utils import page_controls
    from ui.controls import defaults

    specs, presets = page_controls(page)
    return defaults(specs), {k: dict(v) for k, v in presets.items()}


def settings(page: str, preset: str | None = None, **overrides) -> dict[str, Any]:
    """The page's control values after pressing ``preset`` on a fresh page (its defaults + the preset)."""
    base, presets = _controls(page)
    return {**base, **(presets[preset] if preset else {}), **overrides}
