"""The wizard without JavaScript, through the Django client: one step per page, errors in a summary linked to
the fields, back and forward keep the answers, repeating groups by buttons that post, check your answers,
submit once."""

import re

import pytest

from applications import tracking
from applications.models import Draft, Submission

from .helpers import fill_to_check, idempotency_key, post_step, step_url

pytestmark = pytest.mark.django_db


def test_signing_in_comes_first(client, item):
    response = client.get(f"/apply/{item.implementation_code}/")
    assert response.status_code == 302
    assert response["Location"] == f"/account/login/?next=%2Fapply%2F{item.implementation_code}%2F"


def test_an_item_without_a_form_or_unknown_is_404(signed_in, item):
    assert signed_in.get("/apply/no-such-code/").status_code == 404
    item.form_definitions.all().delete()
    item.save_revision().publish()
    assert signed_in.get(f"/apply/{item.implementation_code}/").status_code == 404


def test_steps_progress_and_prefill(signed_in, item):
    response = signed_in.get(f"/apply/{item.implementation_code}/")
    assert response["Location"] == step_url(item, 1)
    page = signed_in.get(step_url(item, 1)).content.decode()
    assert "第 1 步，共 3 步" in page and "是否委托他人代办？" in page
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    page = signed_in.get(step_url(item, 2)).content.decode()
    assert "第 2 步，共 3 步" in page
    assert 'value="张三"' in page and 'value="11010519491231002X"' in page  # from the profile
    assert "代办人姓名" not in page  # 委托=否: the agent group is not on the page


def test_errors_are_summarised_in_chinese_and_linked_to_the_fields(signed_in, item):
    response = post_step(signed_in, item, 1, {})
    page = response.content.decode()
    assert response.status_code == 200 and "<title>错误：" in page
    summary = page[page.index("error-summary-list"):page.index("</ul>", page.index("error-summary-list"))]
    assert '<a href="#f-situation-agent">请选择是否委托他人代办？</a>' in summary
    assert '<a href="#f-situation-use">' in summary
    assert 'id="f-situation-agent"' in page  # the link's target exists
    post_step(signed_in, item, 1, {"situation.agent": "yes", "situation.use": "job"})
    page = post_step(signed_in, item, 2, {"form.name": "张三", "form.id_number": "110105194912310029",
                                          "form.mobile": "1380000", "form.agent_name": "",
                                          "form.agent_id": ""}).content.decode()
    assert "居民身份证号码：请填写正确的18位居民身份证号码" in page
    assert "手机号码：请填写正确的11位手机号码" in page
    assert "请填写代办人姓名" in page and 'href="#f-form-agent_name"' in page
    assert 'aria-invalid="true"' in page


def test_back_and_forward_keep_the_answers(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "yes", "situation.use": "other"})
    # 上一步 from step 2 saves what was typed there, even when it is not complete yet.
    response = post_step(signed_in, item, 2, {"form.name": "张三", "form.agent_name": "王五"}, action="back")
    assert response["Location"] == step_url(item, 1)
    page = signed_in.get(step_url(item, 1)).content.decode()
    assert re.search(r'value="yes" checked', page) and re.search(r'value="other" checked', page)
    page = signed_in.get(step_url(item, 2)).content.decode()
    assert 'value="王五"' in page
    assert "其他用途说明" in page and "（选填）" in page.split("其他用途说明")[1][:80]  # the label's marker
    assert 'hidden>（选填）' in page.split("其他用途说明")[1][:80]  # required under 用途=其他


def test_a_repeating_group_adds_and_removes_rows_without_javascript(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    post_step(signed_in, item, 2, {"form.name": "张三"})
    response = post_step(signed_in, item, 3, {"form.members.rows": "0", "form.copies": "1"}, action="add:members")
    assert response.status_code == 302 and response["Location"].endswith("#f-form-members-0")
    post_step(signed_in, item, 3, {"form.members.rows": "1", "form.members.0.member_name": "李小"},
              action="add:members")
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert 'value="李小"' in page and "人员 2" in page
    assert "添加人员" not in page  # at most 2
    post_step(signed_in, item, 3, {"form.members.rows": "2", "form.members.0.member_name": "李小",
                                   "form.members.1.member_name": "王小"}, action="remove:members:0")
    assert Draft.objects.get().answers["form"]["members"] == [{"member_name": "王小"}]
    page = post_step(signed_in, item, 3, {"form.members.rows": "1", "form.members.0.member_name": ""}).content.decode()
    assert "请填写同行人员（第1项）姓名" in page and 'href="#f-form-members-0-member_name"' in page


def test_check_your_answers_then_submit_once(signed_in, item, applicant):
    fill_to_check(signed_in, item)
    page = signed_in.get(f"/apply/{item.implementation_code}/check/").content.decode()
    assert "核对您的申请内容" in page
    assert "张三" in page and "25.00 元" in page  # computed: 2 × 12.5
    assert f'href="{step_url(item, 2)}?return=check"' in page  # 修改
    assert "身份证.pdf" in page and "委托书" not in page.split("需要提交的材料")[0]  # 委托=否: no 委托书 slot
    key = idempotency_key(signed_in, item)
    first = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    assert first.status_code == 302
    submission = Submission.objects.get()
    assert first["Location"] == f"/account/submissions/{submission.tracking_number}/"
    assert tracking.is_well_formed(submission.tracking_number)
    assert submission.tracking_number[8:14] == "511602"
    again = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    assert again["Location"] == first["Location"] and Submission.objects.count() == 1
    assert submission.answers["form"]["total"] == 25 and submission.revision_id == item.live_revision_id
    assert submission.form_schema["$schema"].endswith("2020-12/schema")
    assert [m["name"] for m in submission.materials] == ["居民身份证"]
    assert submission.due_date is not None and submission.promised_limit == 5
    assert not Draft.objects.exists()
    page = signed_in.get(first["Location"]).content.decode()
    assert submission.tracking_number in page and "5 个工作日" in page
    assert f"{submission.due_date.year}年{submission.due_date.month}月{submission.due_date.day}日" in page
    receipt = signed_in.get(f"/account/submissions/{submission.tracking_number}/receipt/").content.decode()
    assert "网上申请回执" in receipt and "居民身份证" in receipt and "25.00 元" in receipt


def test_a_change_link_returns_to_the_check_page(signed_in, item):
    fill_to_check(signed_in, item)
    response = post_step(signed_in, item, 2, {"form.name": "张三丰", "form.id_number": "11010519491231002X",
                                              "form.mobile": "13800000001"}, **{"return": "check"})
    assert response["Location"].endswith("/check/")
    assert "张三丰" in signed_in.get(response["Location"]).content.decode()


def test_submit_is_refused_until_everything_is_answered(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    key = idempotency_key(signed_in, item)
    response = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    page = response.content.decode()
    assert response.status_code == 200 and not Submission.objects.exists()
    assert "请填写份数" in page and f'{step_url(item, 3)}?return=check&amp;check=1#f-form-copies' in page


def test_a_stale_key_does_not_submit(signed_in, item):
    fill_to_check(signed_in, item)
    response = signed_in.post(f"/apply/{item.implementation_code}/check/",
                              {"idempotency_key": "00000000-0000-0000-0000-000000000000"})
    assert "页面已过期" in response.content.decode() and not Submission.objects.exists()
    response = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": "not-a-key"})
    assert response.status_code == 200 and not Submission.objects.exists()


def test_without_javascript_a_field_that_depends_on_its_own_page_says_when_to_fill_it(signed_in, item):
    """邮寄地址 is on step 3 with 是否邮寄 above it: the server's page shows it (no script to hide it) and says when
    it is needed, in the words of the form."""
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert "“是否邮寄”选“是”时填写" in page
    assert page.count("时填写") == 1  # the other fields of the page have no condition on it
