"""Random and hostile data sent to the validate endpoint and to validate_submission: never a 500, never a value
for a hidden field in the cleaned data."""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from formbuilder.compile import compile_form
from formbuilder.validate import validate_submission
from publish.openapi import schema as openapi_schema
from tests.formbuilder.conftest import CODE
from tests.formbuilder.samples import agent_data, agent_form

FORM = compile_form(agent_form())
AGENT_ONLY = {"agent_name", "agent_id", "proxy_scan"}
KEYS = sorted(FORM.keys["form"]) + ["__proto__", "constructor", "", "form", "агент", "a" * 300]

hostile = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(),
    st.sampled_from(["yes", "no", "是", " yes ", "YES", "other", "<script>alert(1)</script>", "' OR 1=1 --",
                     "\x00", "\ud800", "${7*7}", "{{7*7}}", "1e400", "11010519491231002X", "13812345678"]),
)
values = st.recursive(hostile, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                       st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                      max_leaves=10)
submissions = st.one_of(
    values,
    st.fixed_dictionaries({
        "situation": st.one_of(values, st.dictionaries(st.sampled_from(["agent", "use", "x"]), values)),
        "form": st.one_of(values, st.dictionaries(st.sampled_from(KEYS), values, max_size=15)),
    }),
    st.builds(lambda base, extra: {**base, "form": {**base["form"], **extra}},
              st.just(agent_data()), st.dictionaries(st.sampled_from(KEYS), values, max_size=6)),
)


def assert_no_hidden_values(data):
    situation, form = data.get("situation", {}), data.get("form", {})
    if situation.get("agent") != "yes":
        assert not AGENT_ONLY & set(form), form
    if form.get("mail") != "yes":
        assert "mail_address" not in form
    assert set(form) <= FORM.keys["form"] and set(situation) <= FORM.keys["situation"]


@settings(max_examples=600, deadline=None)
@given(submissions)
def test_validation_never_raises_and_never_keeps_a_hidden_value(data):
    result = validate_submission(FORM, data)
    assert_no_hidden_values(result.data)
    assert all(e.path.startswith("$") and e.message for e in result.errors)


def _text(data):
    return json.dumps({"data": data})  # lone surrogates as \\ud800 escapes, as a hostile client may send them


@pytest.mark.django_db
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(body=st.one_of(submissions.map(_text), st.text(max_size=200), st.binary(max_size=200)))
def test_the_validate_endpoint_never_answers_500(client, item_with_form, body):
    response = client.post(f"/api/v1/items/{CODE}/validate/", body, content_type="application/json")
    assert response.status_code in (200, 400), response.content[:300]
    answer = response.json()
    if response.status_code == 200:
        assert answer["valid"] is True
        assert_no_hidden_values(answer["data"])


# schemathesis: bodies generated from the validate operation's own OpenAPI schema (valid and invalid, any
# Unicode), posted to a real published form. The code is fixed to that form's: schemathesis's random codes name
# no item, and would only ever reach the 404.
_validate = schemathesis.openapi.from_dict(openapi_schema("http://testserver/api/v1"))["/items/{code}/validate/"]["POST"]


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(case=_validate.as_strategy())
def test_the_validate_endpoint_holds_to_its_schema_on_a_real_form(client, item_with_form, case):
    response = client.post(f"/api/v1/items/{CODE}/validate/", json.dumps(case.body) if case.body is not None else "",
                           content_type="application/json")
    assert response.status_code in (200, 400), response.content[:300]
    answer = response.json()
    if response.status_code == 200:
        assert answer["valid"] is True
        assert_no_hidden_values(answer["data"])
    else:
        assert answer["errors"] and all(e["message"] for e in answer["errors"]), answer
