"""The flowchart in a real browser: on the public guide (phone and desktop, it scales to the column) and live in the
admin's 办理流程 tab (the preview follows the edits; 从模板复制 fills the steps)."""

import pytest

from .conftest import DESKTOP, PHONE, screenshot

pytestmark = pytest.mark.e2e


@pytest.fixture
def flows(demo_site):  # noqa: F811
    from rules.demo_flows import add_demo_flows

    add_demo_flows()
    return demo_site


def guide_url(base, name):
    from catalog.models import ServiceItem

    return f"{base}/guide/{ServiceItem.objects.get(name=name).implementation_code}/"


@pytest.mark.parametrize(("viewport", "label"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_guide_shows_the_flowchart(flows, page, viewport, label):  # noqa: F811
    page.set_viewport_size(viewport)
    page.goto(guide_url(flows, "分公司设立登记"))
    section = page.locator(".guide-flow")
    section.scroll_into_view_if_needed()
    image = section.locator("img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    box = image.bounding_box()
    assert box["width"] <= viewport["width"]  # scaled to the column, no sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert "登记审查" in image.get_attribute("alt")
    section.screenshot(path=str(screenshot.__globals__["ARTIFACTS"] / f"guide-flow-{label}.png"))
    screenshot(page, f"guide-flow-page-{label}")


def test_the_admin_tab_previews_and_copies_a_template(flows, page):  # noqa: F811
    from catalog.models import ServiceItem

    item = ServiceItem.objects.get(name="分公司设立登记")
    page.goto(f"{flows}/admin/login/")
    page.fill("input[name=username]", "spj")
    page.fill("input[name=password]", "spj-tongban-2026")
    page.click("button[type=submit]")
    page.goto(f"{flows}/admin/snippets/catalog/serviceitem/edit/{item.pk}/")
    page.get_by_role("tab", name="办理流程").click()
    chart = page.locator("[data-rules-flow-chart] svg")
    chart.wait_for()
    assert "印章刻制备案" in chart.text_content()
    page.once("dialog", lambda dialog: dialog.accept())
    page.select_option("#rules-flow-template", label="公共服务")
    page.click("[data-rules-flow-copy]")
    page.wait_for_function(
        "() => { const s = document.querySelector('[data-rules-flow-chart] svg');"
        " return s && s.textContent.includes('办理') && !s.textContent.includes('印章刻制备案'); }"
    )
    # The template's limits (3 working days) exceed this item's promised limit (1): shown at once, refused on save.
    problems = page.locator("[data-rules-flow-problems]")
    problems.get_by_text("超过承诺办结时限 1 个工作日").wait_for()
    page.locator("[data-rules-flow]").screenshot(path=str(screenshot.__globals__["ARTIFACTS"] / "admin-flow-tab.png"))
    # The department administrator adapts the copy: 受理 at once, 办理 in one day.
    limits = page.locator("input[name^='flow_steps-'][name$='-time_limit'] >> visible=true")
    assert limits.count() == 3
    limits.nth(1).fill("0")
    limits.nth(2).fill("1")
    problems.wait_for(state="hidden")
    # The copied steps save as the item's draft (the published flow is unchanged until an editor publishes).
    with page.expect_navigation():
        page.click("button[type=submit]:has-text('保存草稿'), button[type=submit]:has-text('Save draft')")
    assert "办理流程" not in page.locator(".error-message").all_text_contents()
    item = ServiceItem.objects.get(pk=item.pk)
    assert [s.key for s in item.latest_revision.as_object().flow_steps.all()] == ["apply", "accept", "handle"]
    assert item.flow_steps.filter(key="seal_filing").exists()
