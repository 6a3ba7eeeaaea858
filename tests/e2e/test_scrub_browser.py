"""Every page's main control is a scrub (ui/scrub.py): in Chromium, moving the slider inside the main chart
redraws the chart while no script runs; when the hand stops, the page and the URL follow, and a reload shows
the same view. The arrow keys move it too, and the sweep button moves it by itself.
A page may have several scrubs (one per tab, e.g. page 6): each is tested, in the tab that shows it; a scrub's
range may be narrower than its spec's in a view (the focus word's positions end at the sentence's last word)."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.apptest_utils import page_controls
from tests.browser_utils import browser, require_browser, serve
from tests.e2e.test_pages_browser import settle
from ui.registry import ROOT, available
from ui.scrub import Scrub

pytestmark = pytest.mark.e2e


def scrubs_of(pid: str) -> list[Scrub]:
    specs, _ = page_controls(pid)
    return [s for s in specs if isinstance(s, Scrub)]


def scrub_of(pid: str) -> Scrub | None:
    return next(iter(scrubs_of(pid)), None)


# (page, scrub key): a page in parts (tabs) may have one scrub per part
SCRUBS = [pytest.param(p.id, s.key, id=f"{p.id}-{s.key}") for p in available() for s in scrubs_of(p.id)]

CHART_SIGNATURE = """input => {
  const src = input.closest('[data-testid=stVegaLiteChart]').querySelector('canvas');
  const w = 96, h = 48, c = document.createElement('canvas');
  c.width = w; c.height = h;
  const g = c.getContext('2d');
  g.drawImage(src, 0, 0, w, h);
  const d = g.getImageData(0, 0, w, h).data, out = [];
  for (let i = 0; i < d.length; i += 4) out.push(Math.round((d[i] + d[i + 1] + d[i + 2]) / 3));
  return out;
}"""
# Move the slider to each value the way a hand does (input events) and wait for the chart to repaint; a script
# run would need Streamlit's 150 ms selection debounce plus a server round trip, so "no run started before the
# repaint" does not depend on how busy the machine is. ``ms``: input event to the first frame that shows it
# (tests/bench/drag_scrub.py reports its median).
DRAG = """async (input, values) => {
  const app = document.querySelector("[data-testid='stApp']");
  const src = input.closest('[data-testid=stVegaLiteChart]').querySelector('canvas');
  const c = document.createElement('canvas'); c.width = 96; c.height = 48;
  const g = c.getContext('2d');
  const sig = () => { g.drawImage(src, 0, 0, 96, 48); const d = g.getImageData(0, 0, 96, 48).data;
                      let h = 0; for (let i = 0; i < d.length; i++) h = (h * 31 + d[i]) | 0; return h; };
  let runs = 0;
  const seen = new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') runs++; });
  seen.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  const out = [];
  for (const v of values) {
    const before = sig(), runsBefore = runs, t0 = performance.now();
    input.value = v; input.dispatchEvent(new Event('input', {bubbles: true}));
    const painted = await new Promise(done => {
      const tick = () => { if (sig() !== before) done(true); else if (performance.now() - t0 > 10000) done(false);
                           else requestAnimationFrame(tick); };
      requestAnimationFrame(tick); });
    out.push({painted, ms: performance.now() - t0, runs: runs - runsBefore,
              state: app.getAttribute('data-test-script-state')});
  }
  seen.disconnect();
  return out;
}"""


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


def scrub_input(page, spec: Scrub):
    return page.locator(f".vega-bindings input[name='scrub_{spec.key}']")


def changed(a: list[int], b: list[int]) -> int:
    return max(abs(p - q) for p, q in zip(a, b, strict=True))


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def targets(spec: Scrub, n: int = 5, shown: tuple[float, float] | None = None) -> list[str]:
    """n grid values away from the default, spelled as the range input reports them; ``shown``: the (min, max)
    the chart's input offers (a chart may show part of the grid, e.g. the steps of a run)."""
    lo, hi = shown or (spec.lo, spec.hi)
    grid = [v.item() for v in spec.values if lo - 1e-9 <= v <= hi + 1e-9]
    i0 = grid.index(spec.snap(min(max(spec.default, lo), hi)))
    size = len(grid)
    step = max(1, size // (2 * n + 2))
    idx = [i0 + step * (k + 1) for k in range(n)] if i0 + step * n < size else [i0 - step * (k + 1) for k in range(n)]
    return [spec.to_url(grid[i]) for i in idx]


def shown_range(box) -> tuple[float, float]:
    return tuple(float(box.get_attribute(a)) for a in ("min", "max"))


def open_part(page, spec: Scrub):
    """The scrub's input, after opening the tab its chart is in (pages in parts draw only the open tab)."""
    box = scrub_input(page, spec)
    if box.count() == 0:
        for tab in page.get_by_role("tab").all():
            tab.click()
            settle(page)
            if box.count():
                break
    page.wait_for_function(f"() => !!document.querySelector(\".vega-bindings input[name='scrub_{spec.key}']\")")
    return box


@pytest.mark.parametrize(("pid", "key"), SCRUBS)
def test_dragging_redraws_in_the_browser_then_the_page_and_url_follow(page, pid, key):
    spec = next(s for s in scrubs_of(pid) if s.key == key)
    page.goto(f"{page.base}/{pid}")
    settle(page)
    box = open_part(page, spec)
    assert box.count() == 1, "one slider for the main control, inside the chart"
    # no Streamlit slider for it (the in-chart input's own label may well name the key, e.g. "bias b_f")
    assert page.get_by_test_id("stSlider").get_by_role("slider", name=re.compile(re.escape(spec.key))).count() == 0
    before = box.evaluate(CHART_SIGNATURE)
    values = targets(spec, shown=shown_range(box))
    steps = box.evaluate(DRAG, values)
    assert all(s["painted"] for s in steps), f"every step repaints the chart: {steps}"
    assert all(s["runs"] == 0 and s["state"] == "notRunning" for s in steps), f"no script run while dragging: {steps}"
    assert changed(before, box.evaluate(CHART_SIGNATURE)) > 60, "the chart followed the slider"
    page.wait_for_function(f"() => location.search.includes('{spec.key}={values[-1]}')", timeout=30000)
    settle(page)
    assert query(page)[spec.key] == [values[-1]] and page.get_by_test_id("stException").count() == 0
    after = box.evaluate(CHART_SIGNATURE)
    url = page.url
    page.reload()
    settle(page)
    assert page.url == url
    box = open_part(page, spec)
    assert box.input_value() == values[-1]
    assert changed(after, box.evaluate(CHART_SIGNATURE)) <= 12, "the link reproduces the chart"


@pytest.mark.parametrize(("pid", "key"), SCRUBS)
def test_arrow_keys_move_the_scrub(page, pid, key):
    spec = next(s for s in scrubs_of(pid) if s.key == key)
    page.goto(f"{page.base}/{pid}?lang=zh&projector=true")
    settle(page)
    box = open_part(page, spec)
    before, value = box.evaluate(CHART_SIGNATURE), box.input_value()
    box.focus()
    arrow = "ArrowRight" if float(value) + 2 * spec.step <= shown_range(box)[1] else "ArrowLeft"
    for _ in range(2):
        page.keyboard.press(arrow)
    assert box.input_value() != value
    page.wait_for_function(f"() => location.search.includes('{spec.key}=')", timeout=30000)
    settle(page)
    assert changed(before, box.evaluate(CHART_SIGNATURE)) > 60
    assert query(page)[spec.key] == [box.input_value()] and query(page)["lang"] == ["zh"]


def test_sweep_moves_the_chart_without_runs_and_ends_in_the_url(page):
    spec = scrub_of("vanilla_rnn")
    page.goto(f"{page.base}/vanilla_rnn")
    settle(page)
    box = scrub_input(page, spec)
    from ui.i18n import EN

    page.get_by_role("button", name=EN["common.sweep.start"].format(start="0.5", stop="1.5")).click()
    page.wait_for_function("() => document.querySelector(\"input[name='scrub_rho']\").value === '0.5'",
                           timeout=30000)
    seen = set()
    for _ in range(200):
        v = box.input_value()
        seen.add(v)
        if v == "1.5":
            break
        page.wait_for_timeout(20)
    assert len(seen) >= 5, f"the slider moved by itself: {sorted(seen)}"
    page.wait_for_function("() => location.search.includes('rho=1.5')", timeout=30000)
    settle(page)
    assert page.get_by_test_id("stException").count() == 0
