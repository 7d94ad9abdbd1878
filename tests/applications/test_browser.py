"""An applicant on a phone with JavaScript: from the demo guide's 在线办理, sign up, fill in 无犯罪记录证明 (the
agent's fields appear when 委托=是), attach the materials' files, see the error summary, check the answers, submit
and get the tracking number; axe finds no serious or critical violation on any of these pages. Rules apply as one
types on the 居民身份证 form (邮寄地址 appears when 是否邮寄证件=是)."""

import re

import pytest

from applications.models import Submission, Upload
from catalog.models import ServiceItem
from tests.e2e.conftest import PHONE, demo_site, no_csp_violations, screenshot, serious_violations  # noqa: F401

from .helpers import PDF, PNG

pytestmark = [pytest.mark.e2e]
PASSWORD = "Tongban-pass-2026"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page, errors
    context.close()


def axe_clean(page, name):
    screenshot(page, f"apply-{name}")
    assert serious_violations(page) == [], name
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], name


def sign_up(page, mobile):
    page.click("text=注册申请人账号")
    page.fill("#id_name", "张三")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_mobile", mobile)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button:has-text('注册')")


def test_an_applicant_applies_on_a_phone(phone, demo_site):  # noqa: F811
    page, errors = phone
    item = ServiceItem.objects.get(name="无犯罪记录证明", live=True)
    page.goto(f"{demo_site}/guide/{item.implementation_code}/")
    page.click("a.button:has-text('在线办理')")
    assert "/account/login/" in page.url
    axe_clean(page, "signin")
    sign_up(page, "13812345678")
    page.wait_for_url(re.compile(r"/step/1/"))
    assert page.locator(".progress").text_content() == "第 1 步，共 3 步"
    # Continue without answering: the error summary takes the focus and links to the questions.
    page.click("button.button:has-text('继续')")
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    axe_clean(page, "errors")
    summary.locator("a").first.click()
    assert page.evaluate("document.activeElement.name") == "situation.agent"
    page.check("input[name='situation.agent'][value='yes']")
    page.check("input[name='situation.use'][value='job']")
    axe_clean(page, "step-1")
    page.click("button.button:has-text('继续')")
    page.wait_for_url(re.compile(r"/step/2/"))
    assert page.locator("#f-form-name").input_value() == "张三"  # from the profile
    assert page.locator("text=受托人（代办人）").is_visible()  # 委托=是
    page.fill("#f-form-agent_name", "王五")
    page.fill("#f-form-agent_id_number", "11010819900101001X")
    page.fill("#f-form-agent_mobile", "13900000000")
    axe_clean(page, "step-2")
    page.click("button.button:has-text('继续')")
    page.wait_for_url(re.compile(r"/step/3/"))
    assert page.locator("text=委托书").count() >= 1  # the material of 委托=是
    # One slot per material: a photo uploaded with its own button first, the others sent with 继续.
    inputs = page.locator("input[type='file']")
    assert inputs.count() == 3
    page.check("#f-form-promise")
    inputs.nth(0).set_input_files({"name": "身份证照片.png", "mimeType": "image/png", "buffer": PNG})
    page.locator("[data-type='upload']").nth(0).locator("button:has-text('上传')").click()
    page.wait_for_url(re.compile(r"/step/3/#f-form-material_1$"))
    assert page.locator("a:has-text('身份证照片.png')").is_visible()
    assert page.locator("#f-form-promise").is_checked()  # the rest of the step was saved with the file
    axe_clean(page, "step-3")
    page.locator("input[type='file']").nth(1).set_input_files(
        {"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF})
    page.click("button.button:has-text('继续')")
    page.wait_for_url(re.compile(r"/check/"))
    assert page.locator("text=王五").is_visible()
    assert page.locator("a:has-text('身份证照片.png')").is_visible() and page.locator("text=申请表.pdf").is_visible()
    axe_clean(page, "check")
    page.click("button:has-text('确认并提交')")
    page.wait_for_url(re.compile(r"/account/submissions/[0-9A-Z]+/"))
    submission = Submission.objects.get()
    assert submission.answers["form"]["agent_name"] == "王五"
    assert sorted(u.name for u in Upload.objects.filter(submission=submission)) == ["申请表.pdf", "身份证照片.png"]
    number = page.locator(".panel-number").text_content().replace(" ", "")
    assert number == submission.tracking_number and re.fullmatch(r"[0-9]{14}[0-9A-Z]{9}", number)
    axe_clean(page, "submitted")
    page.click("text=查看并打印回执")
    assert page.locator("[data-tracking-number]").text_content() == submission.tracking_number
    axe_clean(page, "receipt")
    assert errors == []


def test_rules_apply_as_one_types(phone, demo_site):  # noqa: F811
    page, errors = phone
    item = ServiceItem.objects.get(name="居民身份证办理（包括临时）", live=True)
    page.goto(f"{demo_site}/apply/{item.implementation_code}/")
    sign_up(page, "13812345679")
    page.wait_for_url(re.compile(r"/step/1/"))
    page.check("input[name='situation.kind'][value='first']")
    page.check("input[name='situation.minor'][value='no']")
    page.click("button.button:has-text('继续')")
    page.wait_for_url(re.compile(r"/step/2/"))
    address = page.locator("[data-path='form.mail_address']")
    assert address.count() == 1 and address.is_hidden()  # on the page, hidden until 邮寄=是
    page.check("input[name='form.mail'][value='yes']")
    assert address.is_visible()
    page.check("input[name='form.mail'][value='no']")
    assert address.is_hidden()
    # The division selects fill their next level from the server.
    page.select_option("#f-form-birth_place", "510000")
    page.locator("#f-form-birth_place-city option[value='511600']").wait_for(state="attached")
    page.select_option("#f-form-birth_place-city", "511600")
    page.locator("#f-form-birth_place-county option[value='511602']").wait_for(state="attached")
    page.select_option("#f-form-birth_place-county", "511602")
    page.fill("#f-form-address", "广安区建安路1号")
    axe_clean(page, "rules")
    page.click("button.button:has-text('继续')")
    page.wait_for_url(re.compile(r"/step/3/"))
    page.click("button:has-text('上一步')")
    page.wait_for_url(re.compile(r"/step/2/"))
    assert page.locator("#f-form-birth_place-county").input_value() == "511602"
    assert errors == []
