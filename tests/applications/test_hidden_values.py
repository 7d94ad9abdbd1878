"""Nothing the browser sends is trusted: a value for a hidden field is never stored with the submission, a
computed value is recomputed, and fields of other steps or unknown names in a step's POST are ignored."""

import pytest

from applications.models import Draft, Submission

from .helpers import fill_to_check, idempotency_key, post_step

pytestmark = pytest.mark.django_db


def submit(client, item):
    key = idempotency_key(client, item)
    response = client.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    assert response.status_code == 302, response.content.decode()
    return Submission.objects.get()


def test_a_hidden_fields_value_is_never_stored(signed_in, item):
    fill_to_check(signed_in, item, agent="no")
    # 委托=否 hides the agent group; its values are posted anyway (a crafted request, or a stale page).
    post_step(signed_in, item, 2, {"form.name": "张三", "form.id_number": "11010519491231002X",
                                   "form.mobile": "13800000001", "form.agent_name": "不该保存",
                                   "form.agent_id": "11010819900101001X"}, **{"return": "check"})
    # 是否邮寄=否 hides 邮寄地址 on the same page.
    post_step(signed_in, item, 3, {"form.copies": "2", "form.fee": "12.5", "form.mail": "no",
                                   "form.mail_address": "不该保存的地址", "form.promise": "true",
                                   "form.members.rows": "0", "form.total": "999"}, **{"return": "check"})
    assert Draft.objects.get().answers["form"]["agent_name"] == "不该保存"  # kept in the draft only
    page = signed_in.get(f"/apply/{item.implementation_code}/check/").content.decode()
    assert "不该保存" not in page
    submission = submit(signed_in, item)
    assert "agent_name" not in submission.answers["form"] and "agent_id" not in submission.answers["form"]
    assert "mail_address" not in submission.answers["form"]
    assert submission.answers["form"]["total"] == 25  # 2 × 12.5, not the 999 posted
    assert "不该保存" not in str(submission.answers)
    receipt = signed_in.get(f"/account/submissions/{submission.tracking_number}/receipt/").content.decode()
    assert "不该保存" not in receipt


def test_the_agent_fields_are_kept_when_they_are_shown(signed_in, item):
    fill_to_check(signed_in, item, agent="yes")
    submission = submit(signed_in, item)
    assert submission.answers["form"]["agent_name"] == "王五"
    assert [m["name"] for m in submission.materials] == ["居民身份证", "委托书"]


def test_a_step_reads_only_its_own_fields(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job", "form.copies": "5",
                                   "form.unknown": "x", "situation.nope": "y"})
    answers = Draft.objects.get().answers
    assert answers["situation"] == {"agent": "no", "use": "job"}
    assert "copies" not in answers["form"] and "unknown" not in answers["form"]


def test_hostile_row_counts_and_values_do_not_break_the_page(signed_in, item):
    post_step(signed_in, item, 1, {"situation.agent": "no", "situation.use": "job"})
    for rows in ("-5", "abc", "100000"):
        response = post_step(signed_in, item, 3, {"form.members.rows": rows, "form.copies": "很多"})
        assert response.status_code == 200
        assert "份数应为数字" in response.content.decode()
    assert len(Draft.objects.get().answers["form"]["members"]) <= 100
    response = post_step(signed_in, item, 3, {"form.members.rows": "0"}, action="remove:members:99")
    assert response.status_code == 302
    response = post_step(signed_in, item, 3, {"form.members.rows": "0"}, action="add:nothing")
    assert response.status_code in (200, 302)
