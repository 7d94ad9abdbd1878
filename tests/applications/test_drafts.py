"""Save and resume: every step is a saved draft, listed at /account/drafts/ and resumed on another device; a
draft of a form that was published again keeps what still fits and says what was dropped."""

import pytest
from django.test import Client

from applications.models import Draft
from formbuilder.models import FormDefinition

from .helpers import post_step, step_url
from .samples import block, step

pytestmark = pytest.mark.django_db


def test_a_draft_is_resumed_on_another_device(signed_in, item, applicant):
    post_step(signed_in, item, 1, {"situation.agent": "yes", "situation.use": "job"})
    response = post_step(signed_in, item, 2, {"form.name": "张三", "form.agent_name": "王五"}, action="save")
    assert response["Location"] == "/account/drafts/"
    phone = Client()
    phone.post("/account/login/", {"username": applicant.mobile, "password": "Tongban-pass-2026"})
    page = phone.get("/account/drafts/").content.decode()
    draft = Draft.objects.get()
    assert item.name in page and f"/account/drafts/{draft.pk}/" in page
    response = phone.get(f"/account/drafts/{draft.pk}/")
    assert response["Location"] == step_url(item, 2)
    page = phone.get(response["Location"]).content.decode()
    assert 'value="王五"' in page and "第 2 步，共 3 步" in page


def test_a_draft_is_deleted(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    draft = Draft.objects.get()
    assert signed_in.get(f"/account/drafts/{draft.pk}/delete/").status_code == 405
    signed_in.post(f"/account/drafts/{draft.pk}/delete/")
    assert not Draft.objects.exists()


def republish(item, steps):
    FormDefinition.objects.filter(item=item).update(steps=steps)
    item.refresh_from_db()
    item.save_revision().publish()
    item.refresh_from_db()
    return item


def test_a_draft_of_a_changed_form_keeps_what_fits_and_says_what_was_dropped(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    post_step(signed_in, item, 2, {"form.name": "张三", "form.id_number": "11010519491231002X",
                                   "form.mobile": "13800000001"})
    post_step(signed_in, item, 3, {"form.copies": "2", "form.fee": "12.5", "form.mail": "yes",
                                   "form.mail_address": "广安区建安路1号", "form.members.rows": "1",
                                   "form.members.0.member_name": "李小", "form.members.0.member_id": "x"},
              action="save")
    old_revision = Draft.objects.get().revision_id
    republish(item, [
        step("applicant", "申请人信息",
             block("person_name", key="name", label="姓名", required=True),
             block("text", key="mobile", label="联系电话", required=True)),  # was 手机号码 (mobile): another type
        step("details", "申请内容",
             block("number", key="copies", label="份数", required=True),
             block("radio", key="mail", label="领取方式", required=True, options="self=自取\npost=邮寄"),
             block("address", key="mail_address", label="邮寄地址", required=False),
             block("repeat", key="members", label="同行人员", item_label="人员", max_count=2,
                   fields=[block("person_name", key="member_name", label="姓名", required=True)])),
    ])
    assert item.live_revision_id != old_revision
    response = signed_in.get(f"/apply/{item.implementation_code}/")
    page = signed_in.get(response["Location"]).content.decode()
    assert "申请表已经更新" in page
    for label in ("居民身份证号码", "手机号码", "单价", "是否邮寄", "同行人员：身份证号码"):
        assert f"<li>{label}</li>" in page, label
    draft = Draft.objects.get()
    assert draft.revision_id == item.live_revision_id
    form = draft.answers["form"]
    assert form["name"] == "张三" and form["copies"] == 2 and form["mail_address"] == "广安区建安路1号"
    assert form["members"] == [{"member_name": "李小"}]
    assert not {"id_number", "mobile", "fee", "mail"} & set(form)
    assert draft.answers["situation"] == {"agent": "no", "use": "job"}
    # Said once: the next page does not repeat it.
    assert "申请表已经更新" not in signed_in.get(response["Location"]).content.decode()


def test_the_drafts_list_says_when_a_form_changed_or_is_gone(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    republish(item, [step("applicant", "申请人信息", block("person_name", key="name", label="姓名"))])
    assert "申请表已更新" in signed_in.get("/account/drafts/").content.decode()
    item.form_definitions.all().delete()
    item.save_revision().publish()
    page = signed_in.get("/account/drafts/").content.decode()
    draft = Draft.objects.get()
    assert "不再提供在线申请" in page and f'href="/account/drafts/{draft.pk}/"' not in page
