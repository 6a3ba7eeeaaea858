"""Every real page in Debian's Chromium against a real server: cold deep links, keyboard on a slider
changing chart and URL, reload restoring the view, 中文, projector mode, settings across page switches."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from tests.apptest_utils import ALLOWED_ASCII, chart_frames, english_words, page_controls, run_page
from tests.browser_utils import browser, require_browser, serve
from tests.pages.test_pages import MIN_CHARTS, NAMES
from ui.controls import Slider
from ui.registry import ROOT, available
from ui.text_control import Text

pytestmark = pytest.mark.e2e
PAGES = [p.id for p in available()]


def settle(page, timeout_ms: int = 60000) -> None:
    """The run has finished and every element has been drawn (no lazy-loading skeletons left)."""
    page.wait_for_timeout(200)
    page.locator("[data-testid='stApp'][data-test-script-state='notRunning']").wait_for(
        state="attached", timeout=timeout_ms)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stSkeleton]').length === 0",
                           timeout=timeout_ms)
    page.wait_for_timeout(400)


SIGNATURE = """e => {
  const src = e.querySelector('canvas');
  if (!src) return [];
  const w = 64, h = 32, c = document.createElement('canvas');
  c.width = w; c.height = h;
  const g = c.getContext('2d');
  g.drawImage(src, 0, 0, w, h);
  const d = g.getImageData(0, 0, w, h).data, out = [];
  for (let i = 0; i < d.length; i += 4) out.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3));
  return out;
}"""


def charts_pixels(page) -> list[list[int]]:
    """Each chart's canvas (see ``ui.charts.theme.finish``) shrunk to 64 x 32 grey levels."""
    return [c.evaluate(SIGNATURE) for c in page.get_by_test_id("stVegaLiteChart").all()]


def pixel_change(a: list[list[int]], b: list[list[int]]) -> int:
    """Largest grey-level difference between two sets of chart signatures (255: a chart appeared/vanished)."""
    if len(a) != len(b) or any(len(x) != len(y) for x, y in zip(a, b, strict=True)):
        return 255
    return max((abs(p - q) for x, y in zip(a, b, strict=True) for p, q in zip(x, y, strict=True)), default=0)


def slider_value(page) -> str:
    return page.get_by_test_id("stSliderThumbValue").first.inner_text()


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def deep_link(pid: str) -> tuple[str, str, str]:
    """A non-default value of the page's first slider: (key, value, query string)."""
    specs, _ = page_controls(pid)
    s = next(s for s in specs if isinstance(s, Slider))
    value = s.to_url(s.hi if s.hi != s.default else s.lo)
    return s.key, value, f"lang=zh&projector=true&{s.key}={value}"


@pytest.fixture(scope="module")
def site():
    require_browser()
    with serve(ROOT) as base, browser() as b:
        yield base, b


@pytest.fixture
def page(site):
    base, b = site
    p = b.new_page(viewport={"width": 1280, "height": 720})
    p.base = base
    yield p
    p.close()


@pytest.mark.parametrize("pid", PAGES)
def test_deep_link_is_the_first_request_to_a_fresh_server(pid):
    require_browser()
    key, value, q = deep_link(pid)
    expected = len(chart_frames(run_page(pid, query=dict(kv.split("=") for kv in q.split("&")))))
    with serve(ROOT) as base, browser() as b:
        p = b.new_page(viewport={"width": 1280, "height": 720})
        p.goto(f"{base}/{pid}?{q}")
        settle(p)
        assert p.get_by_test_id("stException").count() == 0
        assert p.get_by_test_id("stVegaLiteChart").count() == expected >= MIN_CHARTS.get(pid, 3)
        assert query(p).get(key) == [value] and query(p).get("lang") == ["zh"]


@pytest.mark.parametrize("pid", PAGES)
def test_keyboard_on_a_slider_changes_chart_and_url_and_reload_restores(page, pid):
    page.goto(f"{page.base}/{pid}")
    settle(page)
    slider = page.get_by_role("slider").first
    before, px_before = slider_value(page), charts_pixels(page)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    settle(page)
    after, px_after = slider_value(page), charts_pixels(page)
    assert after != before
    assert pixel_change(px_before, px_after) > 40, "moving the slider must redraw a chart"
    assert query(page), "the new value is in the URL"
    url = page.url
    page.reload()
    settle(page)
    assert page.url == url
    assert slider_value(page) == after
    assert pixel_change(charts_pixels(page), px_after) <= 12, "the link reproduces the same charts"


@pytest.mark.parametrize("pid", PAGES)
def test_chinese_page_has_no_english_left(page, pid):
    page.goto(f"{page.base}/{pid}?lang=zh")
    settle(page)
    specs, _ = page_controls(pid)
    option_ids = {o for s in specs for o in getattr(s, "options", ())}   # ids stay stable for links
    data = {w for s in specs if isinstance(s, Text) for w in re.findall(r"[A-Za-z']+", s.default)}  # a sentence
    allowed = ALLOWED_ASCII | set(NAMES) | {str(o) for o in option_ids} | data
    text = page.evaluate("""() => {   // visible text without icon ligatures ("download") and code spans
        const main = document.querySelector('[data-testid=stMain]').cloneNode(true);
        const skip = '[data-testid=stIconMaterial], [data-testid=stExpanderIcon], code';
        main.querySelectorAll(skip).forEach(e => e.remove());
        document.body.appendChild(main); const text = main.innerText; main.remove(); return text; }""")
    words = [w for w in english_words(text, allowed) if not re.fullmatch(r"[A-Za-z]?_?[a-z]{1,3}", w)]
    assert not words, f"English left on the 中文 page: {sorted(set(words))[:20]}"


@pytest.mark.parametrize("pid", PAGES)
def test_projector_mode_enlarges_chart_text(page, pid):
    """The charts are canvases of the same size in both modes, so count the dark grey ink of text and axes
    (data colours are not grey): larger bold text and darker axes put far more of it on the charts."""
    def ink(path):
        page.goto(f"{page.base}{path}")
        settle(page)
        page.wait_for_function("() => document.querySelectorAll('[data-testid=stVegaLiteChart] canvas').length > 0")
        return page.evaluate("""() => [...document.querySelectorAll('[data-testid=stVegaLiteChart] canvas')].map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {
              const hi = Math.max(d[i], d[i + 1], d[i + 2]), lo = Math.min(d[i], d[i + 1], d[i + 2]);
              if (d[i + 3] > 128 && hi < 90 && hi - lo < 16) n++;
            }
            return n; })""")
    normal, big = ink(f"/{pid}"), ink(f"/{pid}?projector=true")
    assert len(normal) == len(big) >= 2
    grown = sum(b > 1.4 * n for n, b in zip(normal, big, strict=True))
    assert grown >= len(normal) - 1, (normal, big)  # one chart may draw its data in greys (the loss surface)


def test_walking_the_lecture_route_keeps_language_and_projector(page):
    page.goto(f"{page.base}/{PAGES[0]}?lang=zh&projector=true")
    settle(page)
    for pid in PAGES[1:]:
        page.locator(f"[data-testid=stMain] a[href*='{pid}']").first.click()
        page.wait_for_url(re.compile(f"/{pid}"))
        settle(page)
        q = query(page)
        assert q.get("lang") == ["zh"] and q.get("projector") == ["true"], (pid, page.url)
        assert page.get_by_test_id("stException").count() == 0


def test_explainers_load_when_opened(page):
    """"The math" and "Show the code" send their content only once opened (lazy expanders): closed, the page
    has no KaTeX and no source; a click reruns the page and shows the equations, then the code."""
    from ui.i18n import ZH

    page.goto(f"{page.base}/vanilla_rnn?lang=zh")
    settle(page)
    main = page.get_by_test_id("stMain")
    assert main.locator(".katex").count() == 0 and main.get_by_text("def run(").count() == 0
    main.get_by_text(ZH["common.math"]).click()
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stMain] .katex').length >= 3")
    settle(page)
    main.get_by_text(ZH["common.code"]).click()
    main.get_by_text("def run(").first.wait_for(timeout=30000)
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
    assert main.locator(".katex").count() >= 3  # the math stays open


def test_csv_download_gives_the_view_data(site):
    """The CSV is written when the button is clicked (deferred) and holds the current view's numbers."""
    import io

    import pandas as pd

    base, b = site
    p = b.new_page(viewport={"width": 1280, "height": 720}, accept_downloads=True)
    try:
        p.goto(f"{base}/vanilla_rnn?rho=1.3&T=40")
        settle(p)
        button = p.get_by_test_id("stDownloadButton").locator("button")
        button.scroll_into_view_if_needed()
        with p.expect_download(timeout=30000) as download:
            button.click()
        assert download.value.suggested_filename == "vanilla_rnn_data.csv"
        with open(download.value.path(), "rb") as f:
            csv = pd.read_csv(io.BytesIO(f.read()))
        assert csv["distance"].tolist() == list(range(41))  # T = 40 from the URL
        assert csv["log10_rho_power"].iloc[-1] == pytest.approx(40 * np.log10(1.3))
    finally:
        p.close()
