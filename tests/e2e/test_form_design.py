"""An online form from design to submission, in the browser: a department administrator designs a small form on
the item's 在线表单 tab (Wagtail's StreamField blocks) and checks it in the live preview, then submits the item for
review; an editor approves it; an applicant on a phone fills it in — without JavaScript on one device, then
resumes the saved draft with JavaScript on another — checks the answers, submits and opens the receipt. axe finds
no serious or critical violation on any applicant page (the steps, the error summary, the check page)."""

import re

import pytest

from applications.models import Submission
from catalog.models import ServiceItem
from tests.e2e.conftest import PHONE, demo_site, screenshot, serious_violations  # noqa: F401
from tests.e2e.test_publishing import login

pytestmark = [pytest.mark.e2e]
PASSWORD = "Tongban-pass-2026"
ITEM = "临时身份证明"  # a 公安 item of the demo without a form
FIELD = "form_definitions-0-steps-{step}-value-fields-{field}-value-{name}"


def add_step(page, step, key, title):
    page.locator("#form_definitions-0-steps-root .c-sf-add-button").last.click()
    page.fill(f"#form_definitions-0-steps-{step}-value-key", key)
    page.fill(f"#form_definitions-0-steps-{step}-value-title", title)


def add_field(page, step, field, type_label, **values):
    """Append a block of the type to the step's fields (the last + of its stream) and fill its settings."""
    count = page.locator(f"input[name='form_definitions-0-steps-{step}-value-fields-count']")
    count.locator("xpath=..").locator(".c-sf-add-button").last.click()
    page.get_by_role("option", name=type_label, exact=True).locator("visible=true").first.click()
    for name, value in values.items():
        target = page.locator(f"[name='{FIELD.format(step=step, field=field, name=name)}']")
        if isinstance(value, bool):
            target.set_checked(value)
        elif target.evaluate("element => element.tagName") == "SELECT":
            target.select_option(label=value)
        else:
            target.fill(value)


def design(page, base, item):
    login(page, base, "gaj", "gaj-tongban-2026")  # 部门管理员 of 区公安分局
    page.goto(f"{base}/admin/snippets/catalog/serviceitem/edit/{item.pk}/")
    page.locator("[role=tab]:has-text('在线表单')").first.click()
    page.click("text=增加 表单")
    add_step(page, 0, "applicant", "申请人信息")
    add_field(page, 0, 0, "姓名", key="name", label="申请人姓名", required=True, prefill="姓名")
    add_field(page, 0, 1, "是/否", key="agent", label="是否委托代办", required=True)
    add_field(page, 0, 2, "单行文字", key="agent_name", label="代办人姓名", required=True,
              visible_when="是否委托代办=是")
    add_step(page, 1, "details", "申请内容")
    add_field(page, 1, 0, "多行文字", key="reason", label="申请事由", required=True)
    add_field(page, 1, 1, "承诺书", key="promise", label="承诺", text="本人承诺所填信息真实有效。")
    # The live preview compiles what is on the screen, unsaved.
    page.click("[data-form-preview-refresh]")
    preview = page.frame_locator("[data-form-preview-frame]")
    preview.locator("text=申请事由").first.wait_for()
    assert preview.locator("text=代办人姓名").count() >= 1  # there, hidden until 是否委托代办=是
    screenshot(page, "design-preview")
    page.locator("button[name=action-submit]").evaluate("button => button.click()")
    page.wait_for_load_state("networkidle")
    item.refresh_from_db()
    assert item.workflow_in_progress, "the form was not submitted for review"


def publish(page, base, item):
    login(page, base, "editor", "editor-tongban-2026")
    page.goto(f"{base}/admin/snippets/catalog/serviceitem/edit/{item.pk}/")
    page.locator("button[data-workflow-action-name=approve]").first.evaluate("button => button.click()")
    page.wait_for_load_state("networkidle")
    dialog = page.locator("[role=dialog] form, .modal form").first
    if dialog.count() and dialog.is_visible():
        dialog.locator("button[type=submit]").first.click()
        page.wait_for_load_state("networkidle")
    item.refresh_from_db()
    assert item.live and not item.has_unpublished_changes


def axe_clean(page, name, browser=None):
    """axe on the page; on a page without JavaScript (where axe cannot run) on a copy of its DOM, opened from the
    same address with the site's scripts blocked."""
    screenshot(page, f"design-apply-{name}")
    checked = page
    if browser is not None:
        # Not watched for CSP (axe adds its own styles to the copy), and the copy is not the site's page anyway.
        context = getattr(browser, "_browser", browser).new_context(viewport=PHONE, locale="zh-CN", bypass_csp=True)
        context.route(re.compile(r".*\.js(\?.*)?$"), lambda route: route.abort())
        checked = context.new_page()
        base = re.match(r"https?://[^/]+", page.url).group(0)
        checked.goto(base + "/robots.txt")
        checked.set_content(page.content().replace("<head>", f'<head><base href="{page.url}">', 1))
    try:
        assert serious_violations(checked) == [], name
        assert checked.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name
    finally:
        if checked is not page:
            checked.context.close()


def test_design_publish_fill_without_and_with_javascript_resume_submit(browser, demo_site):  # noqa: F811
    item = ServiceItem.objects.get(name=ITEM, live=True)
    admin = browser.new_context(locale="zh-CN").new_page()
    design(admin, demo_site, item)
    editor = browser.new_context(locale="zh-CN").new_page()
    publish(editor, demo_site, item)

    # A phone without JavaScript: the guide's 在线办理 leads to the form; sign up; the first step.
    plain = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False).new_page()
    plain.goto(f"{demo_site}/guide/{item.implementation_code}/")
    plain.click("a.button:has-text('在线办理')")
    plain.click("text=注册申请人账号")
    plain.fill("#id_name", "张三")
    plain.fill("#id_id_number", "11010519491231002X")
    plain.fill("#id_mobile", "13812340001")
    plain.fill("#id_password", PASSWORD)
    plain.fill("#id_password2", PASSWORD)
    plain.click("button:has-text('注册')")
    plain.wait_for_url(re.compile(r"/step/1/"))
    assert plain.locator("#f-form-name").input_value() == "张三"  # prefilled from the profile
    # Without JavaScript the agent's field is on the page; 委托=是 without it is refused by the server.
    plain.check("input[name='form.agent'][value='yes']")
    plain.click("button.button:has-text('继续')")
    summary = plain.locator("[data-error-summary]")
    assert summary.is_visible() and "代办人姓名" in summary.inner_text()
    axe_clean(plain, "nojs-errors", browser)
    plain.fill("#f-form-agent_name", "王五")
    plain.click("button.button:has-text('继续')")
    plain.wait_for_url(re.compile(r"/step/2/"))
    plain.fill("#f-form-reason", "补办临时身份证明")
    axe_clean(plain, "nojs-step-2", browser)
    plain.click("button:has-text('保存草稿')")
    plain.wait_for_url(re.compile(r"/account/drafts/"))
    assert ITEM in plain.content()

    # Another device, with JavaScript: sign in, resume the draft where it was left.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    phone.goto(f"{demo_site}/account/login/")
    phone.fill("#id_username", "13812340001")
    phone.fill("#id_password", PASSWORD)
    phone.click("button.button:has-text('登录')")
    phone.wait_for_url(re.compile(r"/account/drafts/"))
    phone.click("a:has-text('继续填写')")
    phone.wait_for_url(re.compile(r"/step/2/"))
    assert phone.locator("#f-form-reason").input_value() == "补办临时身份证明"
    phone.click("button.button:has-text('继续')")  # the promise is not ticked
    assert phone.locator("[data-error-summary]").is_visible()
    axe_clean(phone, "js-errors")
    phone.check("#f-form-promise")
    phone.click("button.button:has-text('继续')")
    phone.wait_for_url(re.compile(r"/check/"))
    page_text = phone.locator("main").inner_text()
    assert "王五" in page_text and "补办临时身份证明" in page_text and "是否委托代办" in page_text
    axe_clean(phone, "js-check")
    # The agent's answer is changed from the check page: back on step 1, rules apply as one clicks.
    phone.locator("a:has-text('修改')").first.click()
    phone.wait_for_url(re.compile(r"/step/1/"))
    phone.check("input[name='form.agent'][value='no']")
    assert not phone.locator("#f-form-agent_name").is_visible()
    phone.click("button.button:has-text('保存并返回核对')")
    phone.wait_for_url(re.compile(r"/check/"))
    assert "王五" not in phone.locator("main").inner_text()
    phone.click("button.button:has-text('提交')")
    phone.wait_for_url(re.compile(r"/account/submissions/"))
    submission = Submission.objects.get(item=item)
    assert "agent_name" not in submission.answers["form"]
    assert submission.answers["form"]["reason"] == "补办临时身份证明"
    assert phone.locator("text=" + submission.tracking_number[:4]).count() >= 1
    axe_clean(phone, "js-submitted")
    with phone.expect_download() as download:
        phone.click("a:has-text('下载回执（PDF）')")
    assert download.value.suggested_filename.endswith(".pdf")
    assert open(download.value.path(), "rb").read(5) == b"%PDF-"
    phone.goto(f"{demo_site}/account/submissions/{submission.tracking_number}/receipt/")
    assert "补办临时身份证明" in phone.content()
    assert errors == []
