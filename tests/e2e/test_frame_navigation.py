"""The shared frame in a real browser: deep links on a cold server, settings surviving page switches
through the translated navigation, back button, presets and the link box, hostile URLs.

Runs a copy of the app with two stub demo pages (tests/ui/demo_app.py), so it does not wait for real pages.
"""
import re

import pytest

from tests.browser_utils import browser, require_browser, serve, wait_idle
from tests.ui.demo_app import make_app_copy

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    require_browser()
    app = make_app_copy(tmp_path_factory.mktemp("site"))
    with serve(app) as base, browser() as b:
        yield base, b


@pytest.fixture
def page(site):
    base, b = site
    p = b.new_page(viewport={"width": 1280, "height": 720})
    p.dialogs = []
    p.on("dialog", lambda d: (p.dialogs.append(d.message), d.dismiss()))
    p.base = base
    yield p
    p.close()


def go(page, path):
    page.goto(page.base + path)
    wait_idle(page)


def path_of(page) -> str:
    return page.url.replace(page.base, "")


def query_of(page) -> dict:
    q = path_of(page).partition("?")[2]
    return dict(kv.split("=", 1) for kv in q.split("&") if kv)


def settings(page) -> tuple[str, bool]:
    sidebar = page.get_by_test_id("stSidebar")
    lang = sidebar.get_by_test_id("stRadio").locator("input:checked").get_attribute("value")
    on = sidebar.locator("input[type=checkbox]").first.is_checked()
    return ("en", "zh")[int(lang)], on


def heading(page) -> str:
    return page.locator("h1, h2").first.inner_text()


def open_sidebar(page):
    button = page.get_by_test_id("stExpandSidebarButton")
    if button.count() and button.is_visible():
        button.click()
        page.wait_for_timeout(300)


def nav(page, label):
    open_sidebar(page)
    page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile(label)).first.click()
    wait_idle(page)


def assert_clean(page):
    assert page.get_by_test_id("stException").count() == 0
    assert page.dialogs == []


def test_cold_deep_link(page):
    go(page, "/vanilla_rnn?lang=zh&projector=1&rho=1.5&act=linear")
    assert_clean(page)
    assert settings(page) == ("zh", True)
    assert heading(page).startswith("朴素 RNN")
    assert query_of(page) == {"lang": "zh", "projector": "true", "rho": "1.5", "act": "linear"}
    assert page.get_by_test_id("stVegaLiteChart").count() == 3


def test_settings_survive_every_kind_of_page_switch(page):
    go(page, "/vanilla_rnn?lang=zh&projector=true&rho=1.5")
    nav(page, "ReLU")  # sidebar link, demo page -> demo page (the case Streamlit alone gets wrong)
    assert_clean(page)
    assert settings(page) == ("zh", True) and heading(page).startswith("ReLU 与 tanh")
    assert query_of(page) == {"lang": "zh", "projector": "true"}
    nav(page, "首页")  # sidebar link to home
    assert settings(page) == ("zh", True) and query_of(page) == {"lang": "zh", "projector": "true"}
    page.get_by_role("link", name=re.compile("打开这个演示")).first.click()  # home card
    wait_idle(page)
    assert settings(page) == ("zh", True) and heading(page).startswith("朴素 RNN")
    assert query_of(page)["rho"] == "1.5"  # the page's own view comes back too
    page.get_by_role("link", name=re.compile("ReLU 与 tanh →")).click()  # header "next" link
    wait_idle(page)
    assert settings(page) == ("zh", True) and heading(page).startswith("ReLU 与 tanh")
    assert_clean(page)


def test_changed_language_is_kept_and_back_button_follows_the_url(page):
    go(page, "/relu_vs_tanh?lang=zh")
    open_sidebar(page)
    page.get_by_test_id("stSidebar").get_by_text("en", exact=True).click()
    wait_idle(page)
    assert settings(page) == ("en", False) and "lang" not in query_of(page)
    page.get_by_test_id("stSidebar").get_by_text(re.compile("Projector")).first.click()
    wait_idle(page)
    nav(page, "Vanilla")
    assert settings(page) == ("en", True) and heading(page).startswith("Vanilla RNN")
    assert query_of(page) == {"projector": "true"}
    # Streamlit records URL updates as history entries, so "back" may need several steps; whatever entry
    # it lands on, the page must show what its URL says.
    for _ in range(4):
        page.go_back()
        wait_idle(page)
        q = query_of(page)
        assert settings(page) == (q.get("lang", "en"), q.get("projector") == "true"), (path_of(page), settings(page))
        if heading(page).startswith("ReLU vs tanh"):
            break
    assert heading(page).startswith("ReLU vs tanh")
    assert_clean(page)


def test_presets_and_link_box(page):
    go(page, "/vanilla_rnn?lang=zh")
    page.get_by_role("button", name="梯度爆炸").click()
    wait_idle(page)
    assert query_of(page) == {"lang": "zh", "rho": "1.5", "act": "linear"}
    page.get_by_role("button", name=re.compile("本视图的链接")).click()
    page.wait_for_timeout(500)
    link = page.get_by_test_id("stPopoverBody").get_by_test_id("stCode").inner_text().replace("\n", "")
    assert link == f"{page.base}/vanilla_rnn?lang=zh&rho=1.5&act=linear"
    page.keyboard.press("Escape")
    page.get_by_role("button", name=re.compile("重置")).click()
    wait_idle(page)
    assert query_of(page) == {"lang": "zh"}
    go(page, "/vanilla_rnn?" + link.partition("?")[2])  # the link reproduces the view
    assert query_of(page) == {"lang": "zh", "rho": "1.5", "act": "linear"}


def test_hostile_deep_link(page):
    go(page, "/vanilla_rnn?rho=%3Cscript%3Ealert(1)%3C/script%3E&act=%3Cimg%20src=x%20onerror=alert(2)%3E"
             "&T=99999&lang=%3Cb%3Ezh%3C/b%3E&projector=banana&seed=" + "9" * 3000)
    assert_clean(page)
    assert settings(page) == ("en", False)
    page.get_by_test_id("stToast").first.wait_for(timeout=5000)  # toasts slide in after the run
    toasts = " ".join(t.inner_text() for t in page.get_by_test_id("stToast").all())
    for key in ("rho", "act", "T", "lang", "projector", "seed"):
        assert f"({key})" in toasts
    assert page.locator("img[src=x]").count() == 0 and page.locator("b", has_text="zh").count() == 0
    assert query_of(page) == {}
