"""The publishing pipeline in the browser: a department administrator edits and submits, an editor approves and
publishes in the Wagtail admin; the public guide shows the change and search finds the new wording."""

import re

import pytest

from .conftest import screenshot

pytestmark = pytest.mark.e2e

NEW_WORDING = "跨省通办窗口亦可受理本证明申请"


def login(page, base, username, password):
    page.goto(base + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_edit_submit_publish_then_public_page_and_search(browser, demo_site):
    from catalog.models import ServiceItem

    item = ServiceItem.objects.get(name="无犯罪记录证明")
    edit_url = f"{demo_site}/admin/snippets/catalog/serviceitem/edit/{item.pk}/"
    guide_url = f"{demo_site}/guide/{item.implementation_code}/"

    public = browser.new_page()
    public.goto(guide_url)
    assert NEW_WORDING not in public.content()  # and now the page is in the cache

    department_admin = browser.new_context(locale="zh-CN").new_page()
    login(department_admin, demo_site, "gaj", "gaj-tongban-2026")
    department_admin.goto(edit_url)
    field = department_admin.locator("#id_acceptance_conditions")
    panel = field.evaluate("el => el.closest('[role=tabpanel]') && el.closest('[role=tabpanel]').id")
    if panel:  # the field sits on another tab of the editor
        department_admin.locator(f"[role=tab][aria-controls='{panel}'], a[href='#{panel}']").first.click()
    field.fill(field.input_value() + NEW_WORDING)
    department_admin.locator("button[name=action-submit]").evaluate("button => button.click()")
    department_admin.wait_for_load_state("networkidle")
    item.refresh_from_db()
    assert item.workflow_in_progress, "the department administrator's change was not submitted for review"
    public.goto(guide_url)
    assert NEW_WORDING not in public.content()  # submitted is not published

    editor = browser.new_context(locale="zh-CN").new_page()
    login(editor, demo_site, "editor", "editor-tongban-2026")
    editor.goto(edit_url)
    editor.locator("button[data-workflow-action-name=approve]").first.evaluate("button => button.click()")
    editor.wait_for_load_state("networkidle")
    dialog = editor.locator("[role=dialog] form, .modal form").first
    if dialog.count() and dialog.is_visible():  # a task that asks for a comment opens a dialog first
        dialog.locator("button[type=submit]").first.click()
        editor.wait_for_load_state("networkidle")
    screenshot(editor, "admin-after-approve")

    item.refresh_from_db()
    assert item.live and NEW_WORDING in item.acceptance_conditions
    public.goto(guide_url)
    assert NEW_WORDING in public.content()
    public.goto(f"{demo_site}/search/?q=跨省通办窗口")
    assert public.locator(".hit-title").first.inner_text() == "无犯罪记录证明"
