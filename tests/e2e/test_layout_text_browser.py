"""Lecture-hall layout in Debian's Chromium at 1280 x 720 (issue 17): text a student needs is never cut off,
and projector mode enlarges the whole interface, not only the charts.

One server, one browser; every page in English, in 中文 and in projector mode, every tab of the tabbed pages
opened. The header's "Step n of 7 · ← previous · next →" stays on one line (issue 14) in every mode, and so does
the row of preset buttons under it (in projector mode it wrapped its last button on pages 5-7).
"""
from __future__ import annotations

import pytest

from tests.browser_utils import browser, require_browser, serve
from ui.registry import ROOT, available

pytestmark = pytest.mark.e2e
PAGES = [p.id for p in available()]
MODES = {"en": "", "zh+projector": "lang=zh&projector=true", "projector": "projector=true", "zh": "lang=zh"}

# Every metric tile label: ellipsized text (Streamlit cuts a label that does not fit with "…") and its height in
# lines. A label may wrap to two lines (ui/style.py gives it room), never more.
CLIPPED = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetricLabel]')]
  .filter(l => l.offsetParent !== null)                                  // the open tab only
  .map(l => {
    const box = l.querySelector('[data-testid=stMarkdownContainer]') || l;
    const p = box.querySelector('p') || box;
    const cut = [box, p].some(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1);
    const r = document.createRange(); r.selectNodeContents(p);
    const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top))).size;
    return {text: l.innerText.trim(), cut, lines};
  })"""

# The header's step counter and page links: each on one line, all on one row (centres within a few px).
HEADER = """() => [...document.querySelectorAll('[class*="st-key-_ui-header"] [data-testid=stPageLink],'
                                          + '[class*="st-key-_ui-header"] [data-testid=stCaptionContainer]')]
  .map(e => {
    const r = document.createRange(); r.selectNodeContents(e);
    const rects = [...r.getClientRects()].filter(x => x.width > 0).sort((a, b) => a.top - b.top);
    let lines = 0, last = -1e9;          // a glyph from another font sits a few px higher: a new line starts lower
    for (const x of rects) { if (x.top > last + x.height / 2) { lines += 1; last = x.top; } }
    return {text: e.innerText.trim(), lines, middle: rects.length ? (rects[0].top + rects[0].bottom) / 2 : 0};
  })"""

# The preset row (the fold button, the presets, Reset): the tops of its buttons, one per button.
PRESET_ROW = """() => {
  const row = [...document.querySelectorAll('[data-testid=stMain] [data-testid=stHorizontalBlock]')]
    .find(b => [...b.children].some(c => c.querySelector(':scope > [data-testid=stButton]')));
  return row ? [...row.querySelectorAll('[data-testid=stButton] button')].map(e => e.getBoundingClientRect())
                 .filter(r => r.width > 0).map(r => r.top) : [];
}"""

SIZES = """() => {
  const size = s => { const e = [...document.querySelectorAll(s)].find(x => x.offsetParent !== null);
                      return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
  return {label: size('[data-testid=stMain] [data-testid=stWidgetLabel] p'),
          tile: size('[data-testid=stMain] [data-testid=stMetricLabel] p'),
          button: size('[data-testid=stMain] [data-testid=stBaseButton-secondary] p'),
          caption: size('[data-testid=stMain] [data-testid=stCaptionContainer] p'),
          title: size('[data-testid=stMain] h2')};
}"""


def ready(page) -> None:
    """The run is over, the open tab's tiles are drawn and the web fonts are in (widths depend on them): no fixed
    sleeps. The tiles are waited for before the run's end: a tab's first run starts after its click."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetricLabel]')]
        .some(e => e.offsetParent !== null)""", timeout=60000)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(state="attached",
                                                                                      timeout=60000)
    page.wait_for_function("""() => document.fonts.status === 'loaded'
        && document.querySelectorAll('[data-testid=stSkeleton]').length === 0
        && [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetricLabel]')]
              .some(e => e.offsetParent !== null)""",
                           timeout=60000)


@pytest.fixture(scope="module")
def site():
    require_browser()
    with serve(ROOT) as base, browser() as b:
        yield base, b


def open_page(site, path):
    base, b = site
    page = b.new_page(viewport={"width": 1280, "height": 720})
    page.goto(f"{base}{path}")
    ready(page)
    return page


def each_tab(page):
    """Yield once per tab of the page (once if it has none), with that tab open."""
    tabs = page.get_by_test_id("stMain").get_by_role("tab")
    n = tabs.count()
    if n == 0:
        yield
        return
    for i in range(n):
        if tabs.nth(i).get_attribute("aria-selected") != "true":
            tabs.nth(i).click()
            page.wait_for_function("i => document.querySelectorAll('[data-testid=stMain] [role=tab]')[i]"
                                   ".getAttribute('aria-selected') === 'true'", arg=i)
            ready(page)
        yield


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pid", PAGES)
def test_tile_labels_are_not_cut_off(site, pid, mode):
    page = open_page(site, f"/{pid}?{MODES[mode]}")
    try:
        bad = []
        for _ in each_tab(page):
            labels = page.evaluate(CLIPPED)
            assert labels, "the tab has tiles"
            bad += [(lab["text"], lab["lines"]) for lab in labels if lab["cut"] or lab["lines"] > 2]
        assert not bad, f"tile labels cut off or longer than two lines: {bad}"
        header = page.evaluate(HEADER)
        assert len(header) >= 2, header                                 # the step counter and one or two links
        middles = [h["middle"] for h in header]
        assert all(h["lines"] == 1 for h in header) and max(middles) - min(middles) < 8, header
        tops = page.evaluate(PRESET_ROW)
        assert len(tops) >= 2 and max(tops) - min(tops) < 8, f"the preset row wraps: button tops {tops}"
    finally:
        page.close()


def test_projector_mode_enlarges_the_interface(site):
    """Widget labels, tile labels, buttons and captions grow by a clear factor; the page title stays (room)."""
    pages = {m: open_page(site, f"/vanilla_rnn?{q}") for m, q in (("normal", ""), ("big", "projector=true"))}
    try:
        normal, big = (pages[m].evaluate(SIZES) for m in ("normal", "big"))
    finally:
        for p in pages.values():
            p.close()
    for part in ("label", "tile", "button", "caption"):
        assert big[part] >= 1.25 * normal[part], (part, normal, big)
    assert big["title"] == normal["title"]
