import re

import pytest

from .conftest import DESKTOP, PHONE, screenshot, serious_violations

pytestmark = pytest.mark.e2e


def test_citizen_finds_a_guide_and_prints_it(page, demo_site):
    page.goto(demo_site + "/")
    page.get_by_label("搜索办事事项").fill("无犯罪记录证明")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/search/\?q="))
    page.get_by_role("link", name="无犯罪记录证明").first.click()
    page.wait_for_url(re.compile(r"/guide/"))
    assert page.get_by_role("heading", name="无犯罪记录证明", level=1).is_visible()
    materials = page.locator("section[aria-labelledby=g-mat] tbody tr")
    assert materials.count() == 4  # the full list; 情形引导 above it narrows it to the applicant's answers
    assert "无犯罪记录证明申请表" in materials.nth(1).inner_text()
    page.get_by_role("link", name="打印办事指南").click()
    page.wait_for_url(re.compile(r"/print/$"))
    assert page.locator(".site-header").count() == 0
    assert "无犯罪记录证明申请表" in page.content()
    screenshot(page, "guide-print")


def test_keyboard_search_and_suggestions(page, demo_site):
    page.goto(demo_site + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("搜索办事事项").fill("sfz")
    # (a locator, not wait_for_function: its string predicate is eval, which the Content-Security-Policy refuses)
    page.locator("#q-suggestions option").first.wait_for(state="attached")
    options = page.eval_on_selector_all("#q-suggestions option", "els => els.map(e => e.value)")
    assert any("身份证" in option for option in options)
    page.get_by_label("搜索办事事项").fill("身份证丢了怎么办")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/"))
    assert "居民身份证挂失申报、丢失招领" in page.locator(".hit-title").first.inner_text()


@pytest.mark.parametrize("viewport_name, viewport", [("phone", PHONE), ("desktop", DESKTOP)])
def test_pages_are_accessible_and_screenshotted(page, demo_site, viewport_name, viewport):
    page.set_viewport_size(viewport)
    pages = {
        "home": "/",
        "results": "/search/?q=营业执照",
        "empty": "/search/?q=量子纠缠",
        "guide": None,
        "power-list": "/responsibility-list/",
    }
    page.goto(demo_site + "/search/?q=居民身份证办理")
    pages["guide"] = page.locator(".hit-title a").first.get_attribute("href")
    for name, path in pages.items():
        page.goto(demo_site + path)
        screenshot(page, f"{name}-{viewport_name}")
        assert serious_violations(page) == [], name
        # Mobile first: nothing wider than the viewport except inside the scrollable tables.
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px"
