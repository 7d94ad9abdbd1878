"""GET /api/v1/items/<code>/form/ and POST /api/v1/items/<code>/validate/: the published form, and a submission
checked as the server checks it; nothing stored."""

import json

import jsonschema
import pytest

from formbuilder.models import FormDefinition
from publish.openapi import schema as openapi_schema
from tests.catalog.factories import ServiceItemFactory
from tests.formbuilder.conftest import CODE
from tests.formbuilder.samples import agent_data

pytestmark = pytest.mark.django_db
FORM = f"/api/v1/items/{CODE}/form/"
VALIDATE = f"/api/v1/items/{CODE}/validate/"


def post(client, body, url=VALIDATE):
    return client.post(url, body if isinstance(body, str) else json.dumps(body), content_type="application/json")


def test_the_published_form_with_schema_ui_and_rules(client, item_with_form):
    response = client.get(FORM)
    assert response.status_code == 200 and response["ETag"]
    body = response.json()
    assert body["code"] == CODE and body["name"] == "无犯罪记录证明"
    jsonschema.Draft202012Validator.check_schema(body["schema"])
    assert [s["key"] for s in body["ui"]["steps"]] == ["situation", "applicant", "details"]
    paths = {r["path"] for r in body["rules"]["fields"]}
    assert {"form.agent_name", "form.proxy_scan", "form.total"} <= paths


def test_a_valid_submission_is_answered_with_its_cleaned_data(client, item_with_form):
    data = agent_data(form__agent_name="李四", form__total=999)
    response = post(client, {"data": data})
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["valid"] is True
    assert "agent_name" not in body["data"]["form"] and body["data"]["form"]["total"] == 25
    assert response["Cache-Control"] == "no-store"
    assert FormDefinition.objects.count() == 1  # nothing stored


def test_an_invalid_submission_is_a_400_with_each_error(client, item_with_form):
    data = agent_data(situation__agent="yes", form__id_number="123")
    response = post(client, {"data": data})
    assert response.status_code == 400
    body = response.json()
    assert body["valid"] is False
    assert {"path": "$.form.id_number", "label": "居民身份证号码",
            "message": "居民身份证号码：请填写正确的18位居民身份证号码"} in body["errors"]
    assert {"path": "$.form.agent_name", "label": "代办人姓名", "message": "请填写代办人姓名"} in body["errors"]
    assert all(set(e) == {"path", "label", "message"} for e in body["errors"])


@pytest.mark.parametrize(("body", "status", "code"), [
    ("{", 400, "bad_json"),
    ("[1]", 400, "bad_json"),
    ('{"data": {"form": {"copies": NaN}}}', 400, "bad_json"),
    ('{"data": {"form": {"copies": 1e400}}}', 400, "bad_json"),
    ('{"answers": {}}', 400, "bad_parameter"),
])
def test_bodies_that_are_not_a_submission(client, item_with_form, body, status, code):
    response = post(client, body)
    assert response.status_code == status and response.json()["error"]["code"] == code


def test_huge_integers_are_read_as_doubles_and_never_break_a_rule(client, item_with_form):
    body = '{"data": {"form": {"copies": 1' + "0" * 300 + "}}}"
    response = post(client, body)
    assert response.status_code == 400
    assert any(e["path"] == "$.form.copies" for e in response.json()["errors"])


def test_unknown_items_and_items_without_a_form_are_404(client, item_with_form):
    other = ServiceItemFactory(name="没有表单的事项")
    for url in (f"/api/v1/items/{other.implementation_code}/form/", "/api/v1/items/nope/form/"):
        assert client.get(url).status_code == 404
    assert post(client, {"data": {}}, f"/api/v1/items/{other.implementation_code}/validate/").status_code == 404


def test_methods(client, item_with_form):
    assert client.get(VALIDATE).status_code == 405
    assert client.post(FORM).status_code == 405


def test_a_draft_form_is_not_what_the_public_gets(client, item_with_form):
    item = item_with_form
    item.form_definitions = [FormDefinition(title="草稿", steps=[])]
    item.save_revision()  # a draft, in the revision only
    assert [s["key"] for s in client.get(FORM).json()["ui"]["steps"]] == ["situation", "applicant", "details"]


def test_both_endpoints_are_in_the_openapi_schema():
    document = openapi_schema("http://testserver/api/v1")
    assert "get" in document["paths"]["/items/{code}/form/"]
    assert "post" in document["paths"]["/items/{code}/validate/"]
    assert {"Form", "ValidateRequest", "ValidationPassed", "ValidationFailed"} <= set(document["components"]["schemas"])


def test_a_key_with_a_lone_surrogate_is_named_safely(client, item_with_form):
    response = post(client, '{"data": {"form": {"\\ud800x": 1}}}')
    assert response.status_code == 400
    (error,) = [e for e in response.json()["errors"] if "x" in e["label"]]
    assert error["path"].startswith("$.form[")
