"""Random and hostile POSTs to the wizard's steps and its check page, as a crafted client sends them: never a 500,
and whatever was posted on the way, a value for a field hidden under the final answers is never submitted."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.models import Submission, Upload

from .helpers import fill_to_check, idempotency_key, step_url

pytestmark = pytest.mark.django_db

NAMES = ["situation.agent", "situation.use", "form.name", "form.id_number", "form.mobile", "form.agent_name",
         "form.agent_id", "form.other_use", "form.copies", "form.fee", "form.total", "form.mail",
         "form.mail_address", "form.members.rows", "form.members.0.member_name", "form.members.1.member_id",
         "form.members.99.member_name", "form.region.province", "form.region.city", "form.region.county",
         "form.id_scan", "form.proxy_scan", "form.promise", "form", "situation", "__proto__", "_present", "return",
         "form.name.0", "form..name", "ФОРМА", "a" * 300]
ACTIONS = ["next", "back", "save", "refresh", "add:members", "remove:members:0", "remove:members:²",
           "remove:members:-1", "remove:members:99999999999999999999", "add:", "remove:", "add:nope", ":", "",
           "add:members:0:0", "remove:members:٣"]
hostile = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["yes", "no", "job", "other", "1", "0", "-1", "2.5", "1e400", "NaN", "inf", "99999999999999999999",
                     "510000", "511600", "511602", "000000", "<script>alert(1)</script>", "' OR 1=1 --", "\x00",
                     "{{7*7}}", "true", "11010519491231002X", "13812345678", " ", "是", "²"]),
)
posts = st.dictionaries(st.sampled_from(NAMES), st.lists(hostile, min_size=1, max_size=3), max_size=12)


def _body(fields, present, action, back_to_check):
    body = {name: values if len(values) > 1 else values[0] for name, values in fields.items()}
    body["_present"] = present
    body["action"] = action
    if back_to_check:
        body["return"] = "check"
    return body


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(number=st.sampled_from([1, 2, 3, 0, 4, 99]), fields=posts,
       present=st.lists(st.sampled_from(NAMES), max_size=8), action=st.sampled_from(ACTIONS),
       back_to_check=st.booleans())
def test_a_hostile_step_post_never_answers_500(signed_in, item, number, fields, present, action, back_to_check):
    response = signed_in.post(step_url(item, number), _body(fields, present, action, back_to_check))
    assert response.status_code in (200, 302, 404), (response.status_code, response.content[:300])
    page = signed_in.get(f"/apply/{item.implementation_code}/check/")
    assert page.status_code in (200, 302)


@pytest.mark.parametrize("action", ["remove:members:²", "remove:members:٣", "remove:members:99999999999999999999",
                                    "add:members:x", "remove::0"])
def test_a_row_button_with_a_strange_index_is_ignored(signed_in, item, action):
    """Digits that str.isdigit() accepts but int() does not (superscripts), other scripts' digits, huge numbers."""
    fill_to_check(signed_in, item)
    signed_in.post(step_url(item, 3), _body({"form.members.rows": ["1"], "form.members.0.member_name": ["李四"]},
                                            ["form.members.rows"], "next", False))
    response = signed_in.post(step_url(item, 3), _body({"form.members.rows": ["1"],
                                                        "form.members.0.member_name": ["李四"]}, [], action, False))
    assert response.status_code == 302, response.content[:300]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(key=st.one_of(st.text(max_size=40), st.uuids().map(str)), extra=posts)
def test_a_hostile_check_post_never_answers_500_nor_submits_with_a_wrong_key(signed_in, item, key, extra):
    fill_to_check(signed_in, item)
    body = {name: values[0] for name, values in extra.items()}
    response = signed_in.post(f"/apply/{item.implementation_code}/check/", {**body, "idempotency_key": key})
    assert response.status_code in (200, 302, 400), (response.status_code, response.content[:300])
    assert not Submission.objects.exists()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(before=st.lists(st.tuples(st.sampled_from([1, 2, 3]), posts), max_size=3))
def test_whatever_was_posted_a_hidden_fields_value_is_never_submitted(signed_in, item, before):
    """Hostile steps first (the agent's fields, the mail address, all posted), then the answers that hide them:
    the submission holds none of what the final answers hide, and no key the form does not have."""
    Upload.objects.filter(submission__isnull=False).delete()  # (a submission's files protect it)
    Submission.objects.all().delete()
    for number, fields in before:
        signed_in.post(step_url(item, number), _body(fields, list(fields), "next", False))
    fill_to_check(signed_in, item, agent="no")
    key = idempotency_key(signed_in, item)
    response = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    assert response.status_code == 302, response.content[:500]
    answers = Submission.objects.get().answers
    form = answers["form"]
    assert not {"agent_name", "agent_id", "proxy_scan"} & set(form), form
    assert "mail_address" not in form
    assert set(form) <= {"name", "id_number", "mobile", "other_use", "copies", "fee", "total", "mail", "members",
                         "region", "id_scan", "promise"}
    assert set(answers["situation"]) <= {"agent", "use"}
