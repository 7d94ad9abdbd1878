"""情形引导 in the browser: the guide's checklist follows the answers at once (phone), and a department
administrator builds a material's rule with the builder, previews it and saves the draft (desktop)."""

import json

import pytest

from catalog.models import ServiceItem

from .conftest import PHONE, screenshot, serious_violations

pytestmark = [pytest.mark.e2e]


def test_the_checklist_follows_the_answers_on_a_phone(browser, demo_site):
    item = ServiceItem.objects.get(name="食品小经营店备案发放", live=True)
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{demo_site}/guide/{item.implementation_code}/")
    count = page.locator("[data-material-count]")
    assert count.text_content() == "3"
    platform = page.locator('fieldset[data-key="platform"]')
    assert platform.is_hidden()  # asked only when selling online
    page.check('input[name="operator"][value="company"]')
    assert count.text_content() == "4"
    page.check('input[name="online"][value="yes"]')
    assert platform.is_visible()
    page.check('input[name="platform"][value="own_site"]')
    assert count.text_content() == "5"
    assert page.locator("[data-checklist] >> text=自建网站备案信息（ICP备案）").is_visible()
    screenshot(page, "situations-phone")
    assert serious_violations(page) == []
    # The same answers, submitted without JavaScript's help, give the server's list; the notice follows them.
    page.click("text=查看我的材料清单")
    assert count.text_content() == "5"
    page.click("text=打印一次性告知单")
    assert "一次性告知单" in page.title() and page.locator("text=自建网站备案信息（ICP备案）").count() == 1
    assert errors == []
    context.close()


def test_a_department_administrator_builds_a_rule_and_previews_it(page, demo_site):
    item = ServiceItem.objects.get(name="无犯罪记录证明", live=True)
    page.goto(f"{demo_site}/admin/login/")
    page.fill("#id_username", "gaj")
    page.fill("#id_password", "gaj-tongban-2026")
    page.click("button[type=submit]")
    page.goto(f"{demo_site}/admin/snippets/catalog/serviceitem/edit/{item.pk}/")
    page.click("a[role=tab]:has-text('申请材料')")
    box = page.locator("textarea[name='materials-0-required_when']")
    builder = box.locator("xpath=preceding-sibling::div[contains(@class,'tb-rule-builder')]")
    builder.locator("button:has-text('添加条件')").click()
    builder.locator("select").first.select_option("use")
    builder.locator("input[type=checkbox][value=job]").check()
    assert json.loads(box.input_value()) == {"==": [{"var": "situation.use"}, "job"]}
    page.click("a[role=tab]:has-text('情形与规则')")
    preview = page.locator("[data-rules-preview]")
    preview.locator("input[name='tb-preview-use'][value='abroad']").check()
    assert "居民身份证" not in preview.locator("ol").inner_text()  # the first material now needs use = job
    preview.locator("input[name='tb-preview-use'][value='job']").check()
    assert "居民身份证" in preview.locator("ol").inner_text()
    screenshot(page, "situations-admin-preview")
    page.click("button:has-text('保存草稿')")
    page.wait_for_url("**/edit/**")
    draft = ServiceItem.objects.get(pk=item.pk).latest_revision.as_object()
    first = draft.materials.all()[0]
    assert first.required_when == {"==": [{"var": "situation.use"}, "job"]}
