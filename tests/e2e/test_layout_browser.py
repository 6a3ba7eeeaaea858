"""Layout in Chromium (issue 17): at 1280x720, in projector mode, and on one page at 1920x1080, every chart of every
page (each tab of a page with tabs) fits the column it is in, and no text of a chart (title, notes, legend, axis
labels) is cut by the chart's edge.

What is measurable from outside the Vega view: each chart's canvas and its column's box (a chart wider than its
column pokes out of it), and the canvas' pixels. Vega draws everything inside a padding of 5 px: text that does not
fit (a long title, a legend wider than the chart) is cut at the canvas' edge and leaves dark pixels in its outermost
rows and columns, where nothing else is ever drawn. One server and one browser for the module; the checks run once
the page is idle, with no timing of their own.
"""
from __future__ import annotations

import pytest

from tests.browser_utils import browser, require_browser, serve
from tests.e2e.test_pages_browser import settle
from ui.registry import ROOT, available

pytestmark = pytest.mark.e2e
PAGES = [p.id for p in available()]
EDGE_PX = 2  # canvas pixels along each edge that must be free of ink

# per visible chart: its left and right, its column's (CSS px), and the text-coloured pixels in the canvas' right edge
MEASURE = """(edge) => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')].filter(e => e.offsetParent)
  .map(e => {
    const c = e.querySelector('canvas');
    const box = (e.closest('[data-testid=stColumn]') || e.closest('[data-testid=stMainBlockContainer]'))
      .getBoundingClientRect();
    const r = c.getBoundingClientRect(), k = Math.max(1, Math.round(edge * c.width / r.width));
    const d = c.getContext('2d').getImageData(c.width - k, 0, k, c.height).data;
    let ink = 0;
    for (let i = 0; i < d.length; i += 4) {
      const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);
      if (d[i + 3] > 128 && hi < TEXT_GREY && hi - lo < 8) ink++;
    }
    return {left: r.left, right: r.right, colLeft: box.left, colRight: box.right, ink: ink};
  })""".replace("TEXT_GREY", "45")


@pytest.fixture(scope="module")
def site():
    require_browser()
    with serve(ROOT) as base, browser() as b:
        yield base, b


def views(page) -> list[str]:
    """Open each tab of the page in turn (a page without tabs: one view); yields the open tab's name."""
    tabs = page.get_by_role("tab")
    count = tabs.count()
    for i in range(max(count, 1)):
        if count:
            tabs.nth(i).click()
            settle(page)
        yield tabs.nth(i).inner_text() if count else ""


def problems(page) -> list[str]:
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
                           ".filter(e => e.offsetParent).every(e => e.querySelector('canvas'))", timeout=60000)
    out = []
    for k, m in enumerate(page.evaluate(MEASURE, EDGE_PX)):
        if m["left"] < m["colLeft"] - 1 or m["right"] > m["colRight"] + 1:
            out.append(f"chart {k} spans {m['left']:.0f}-{m['right']:.0f} px, its column "
                       f"{m['colLeft']:.0f}-{m['colRight']:.0f}")
        if m["ink"] > 3:
            out.append(f"chart {k}: {m['ink']} text-coloured pixels on the canvas' right edge (text cut off)")
    return out


def check(site, path: str, size: tuple[int, int]) -> None:
    base, b = site
    page = b.new_page(viewport={"width": size[0], "height": size[1]})
    try:
        page.goto(base + path)
        settle(page)
        found = {tab or "-": problems(page) for tab in views(page)}
        assert page.get_by_test_id("stVegaLiteChart").count() >= 1
        assert not any(found.values()), {k: v for k, v in found.items() if v}
    finally:
        page.close()


@pytest.mark.parametrize("pid", PAGES)
@pytest.mark.parametrize("query", ["", "?projector=true&lang=zh"])
def test_charts_fit_their_columns_and_cut_no_text(site, pid, query):
    check(site, f"/{pid}{query}", (1280, 720))


def test_wide_screen(site):
    check(site, "/relu_vs_tanh?projector=true", (1920, 1080))
