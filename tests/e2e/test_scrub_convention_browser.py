"""Page 4 in CS224n's convention, in Chromium: the in-chart slider shows b_u = -b_z, the link keeps PyTorch's b_z,
and switching the convention keeps the network (the slider flips to the same b_z)."""
from __future__ import annotations

import pytest

from tests.e2e.test_pages_browser import settle
from tests.e2e.test_scrub_browser import CHART_SIGNATURE, DRAG, changed, page, query, scrub_input, site  # noqa: F401
from ui.scrub import Scrub

pytestmark = pytest.mark.e2e
BZ = Scrub("b_z", default=0.0, lo=-4.0, hi=4.0, step=0.25)


def test_cs224n_slider_is_b_u_and_the_link_keeps_b_z(page):  # noqa: F811
    page.goto(f"{page.base}/gru_update_gate?conv=cs224n&b_z=1")
    settle(page)
    box = scrub_input(page, BZ)
    assert box.input_value() == "-1", "b_z = 1 is b_u = -1"
    before = box.evaluate(CHART_SIGNATURE)
    steps = box.evaluate(DRAG, ["-0.5", "0.5", "1.5", "2.5"])
    assert all(s["painted"] and s["runs"] == 0 for s in steps), steps
    assert changed(before, box.evaluate(CHART_SIGNATURE)) > 60
    page.wait_for_function("() => location.search.includes('b_z=-2.5')", timeout=30000)
    settle(page)
    assert query(page)["b_z"] == ["-2.5"] and query(page)["conv"] == ["cs224n"]
    page.reload()
    settle(page)
    assert scrub_input(page, BZ).input_value() == "2.5"
    page.get_by_text("pytorch", exact=True).click()                  # the convention radio
    page.wait_for_function("() => location.search.includes('conv=pytorch') || !location.search.includes('conv=')",
                           timeout=30000)
    settle(page)
    assert scrub_input(page, BZ).input_value() == "-2.5" and query(page)["b_z"] == ["-2.5"]
    assert page.get_by_test_id("stException").count() == 0
