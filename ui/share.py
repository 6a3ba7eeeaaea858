"""The shareable link of the current view, built from values (never copied from raw URL text).

Server-side Streamlit knows the page URL the browser reports (``st.context.url``, without the query);
when it is unknown (tests, bare mode) the link is relative (``?rho=1.2&lang=zh``), which still works
when pasted after the page address.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from ui.i18n import Translator


def build_url(base: str | None, params: Mapping[str, str]) -> str:
    """``base?k=v&...`` with URL-encoded values; ``base`` may be None or empty (relative link)."""
    query = urlencode(dict(params))
    base = (base or "").split("?", 1)[0]
    if not query:
        return base or "?"
    return f"{base}?{query}"


def page_url() -> str | None:
    """The page's address as the browser reports it (scheme, host, path), or None outside a browser."""
    try:
        return st.context.url
    except Exception:  # noqa: BLE001 - no context outside a session: fall back to a relative link
        return None


def share_box(params: Mapping[str, str], t: Translator) -> str:
    """Draw the "Link to this view" popover: the URL in a code box (which has a copy button). Returns it."""
    url = build_url(page_url(), params)
    with st.popover(t("common.share"), icon=":material/link:"):
        st.caption(t("common.share.help"))
        st.code(url, language=None, wrap_lines=True)
    return url
