"""Every real page in Debian's Chromium against a real server: cold deep links, keyboard on a slider
changing chart and URL, reload restoring the view, 中文, projector mode, settings across page switches."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.apptest_utils import ALLOWED_ASCII, chart_frames, english_words, page_controls, run_page
from tests.browser_utils import browser, require_browser, serve
from tests.pages.test_pages import NAMES
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


def charts_svg(page) -> list[str]:
    """The charts' SVG markup without renderer noise (clip/gradient id counters, float digits past 3 decimals)."""
    raw = [c.evaluate("e => (e.querySelector('svg') || {}).outerHTML || ''")
           for c in page.get_by_test_id("stVegaLiteChart").all()]
    return [re.sub(r"(\d+\.\d{3})\d+", r"\1", re.sub(r"(clip|gradient_)\d+", r"\1", s)) for s in raw]


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
        assert p.get_by_test_id("stVegaLiteChart").count() == expected >= 3
        assert query(p).get(key) == [value] and query(p).get("lang") == ["zh"]


@pytest.mark.parametrize("pid", PAGES)
def test_keyboard_on_a_slider_changes_chart_and_url_and_reload_restores(page, pid):
    page.goto(f"{page.base}/{pid}")
    settle(page)
    slider = page.get_by_role("slider").first
    before, svg_before = slider_value(page), charts_svg(page)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    settle(page)
    after, svg_after = slider_value(page), charts_svg(page)
    assert after != before
    assert svg_after != svg_before, "moving the slider must redraw a chart"
    assert query(page), "the new value is in the URL"
    url = page.url
    page.reload()
    settle(page)
    assert page.url == url
    assert slider_value(page) == after
    assert charts_svg(page) == svg_after, "the link reproduces the same charts"


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
    def font_size(path):
        page.goto(f"{page.base}{path}")
        settle(page)
        page.wait_for_function("() => document.querySelectorAll('[data-testid=stVegaLiteChart] svg text').length > 0")
        return page.evaluate("() => Math.max(...[...document.querySelectorAll('[data-testid=stVegaLiteChart] "
                             "svg text')].map(t => parseFloat(getComputedStyle(t).fontSize)))")
    assert font_size(f"/{pid}?projector=true") > font_size(f"/{pid}")


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
