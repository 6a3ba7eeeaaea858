"""Translation tables and the translator every page uses.

One table per language (``en.py``, ``zh.py``): a flat ``dict`` of namespaced keys
(``common.*``, ``chart.*``, ``home.*``, ``<page id>.*``) to strings, which may contain
``str.format`` placeholders such as ``{names}``. ``tests/ui/test_i18n.py`` fails if a key is
missing in either language or if the placeholders of a key differ between languages.

``translate`` never raises: an unknown key comes back as the key itself (visible on screen,
and recorded in :func:`missing_keys` so tests can fail on it), and a formatting error returns
the unformatted text.
"""
from __future__ import annotations

from string import Formatter

from ui.i18n.en import TABLE as EN
from ui.i18n.zh import TABLE as ZH

LANGS: tuple[str, ...] = ("en", "zh")
DEFAULT_LANG = "en"
TABLES: dict[str, dict[str, str]] = {"en": EN, "zh": ZH}

_missing: set[tuple[str, str]] = set()


def translate(lang: str, key: str, /, **fmt) -> str:
    """The text for ``key`` in ``lang`` (English for an unknown language), formatted with ``fmt``."""
    table = TABLES.get(lang, EN)
    text = table.get(key)
    if text is None:
        _missing.add((lang, key))
        return key
    if not fmt:
        return text
    try:
        return text.format(**fmt)
    except (KeyError, IndexError, ValueError):
        return text


def has_key(lang: str, key: str) -> bool:
    """Whether ``key`` exists in the table of ``lang`` (for optional texts such as help)."""
    return key in TABLES.get(lang, EN)


def missing_keys() -> set[tuple[str, str]]:
    """(lang, key) pairs looked up since start-up (or the last :func:`reset_missing`) but not found."""
    return set(_missing)


def reset_missing() -> None:
    _missing.clear()


def placeholders(text: str) -> set[str]:
    """The ``str.format`` field names used in ``text`` (``"{a} and {b:.2f}"`` -> ``{"a", "b"}``)."""
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


class Translator:
    """``t(key, **fmt)`` bound to one language; ``t.has(key)`` tells whether an optional key exists."""

    def __init__(self, lang: str):
        self.lang = lang if lang in TABLES else DEFAULT_LANG

    def __call__(self, key: str, /, **fmt) -> str:
        return translate(self.lang, key, **fmt)

    def has(self, key: str) -> bool:
        return has_key(self.lang, key)

    def get(self, key: str, default: str | None = None, /, **fmt) -> str | None:
        """The text for ``key`` if it exists, else ``default`` (no missing-key record)."""
        return translate(self.lang, key, **fmt) if self.has(key) else default
