import pytest

pytestmark = pytest.mark.django_db


def test_items_search_uses_site_ranking(client, items, department):
    response = client.get("/api/v1/items/", {"q": "营业执照"})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    data = response.json()
    assert data["count"] == 3
    first = data["results"][0]
    assert first["name"] == "企业营业执照申请办理"
    assert first["department"] == {"code": department.credit_code, "name": department.name,
                                   "short_name": department.short_name}
    assert first["type"]["code"] == "01"
    assert first["url"].endswith(f"/guide/{first['code']}/")


def test_items_filters_and_next_link(client, items, department):
    data = client.get("/api/v1/items/", {"department": department.credit_code, "audience": "person"}).json()
    assert [r["name"] for r in data["results"]] == ["居民身份证补领"] and data["next"] is None


def test_item_detail_is_the_published_guide(client, items):
    from tests.catalog.factories import MaterialFactory

    item = items["idcard"]
    MaterialFactory(item=item, name="居民户口簿", necessity="1")
    item.name = "草稿名称"
    item.save_revision()
    data = client.get(f"/api/v1/items/{item.implementation_code}/").json()
    assert data["name"] == "居民身份证补领"
    assert data["materials"][0]["name"] == "居民户口簿"
    assert data["materials"][0]["necessity"] == {"code": "1", "name": "必要"}
    assert data["acceptance_conditions"].startswith("居民身份证丢失")


def test_unpublished_item_is_a_json_404(client, items, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        items["idcard"].unpublish()
    response = client.get(f"/api/v1/items/{items['idcard'].implementation_code}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "params, parameter",
    [({"page": "x"}, "page"), ({"page": "0"}, "page"), ({"type": "99"}, "type"), ({"department": "nope"},
     "department"), ({"audience": "alien"}, "audience"), ({"q": "字" * 101}, "q"), ({"visits": "a"}, "visits")],
)
def test_bad_parameters_are_json_400(client, items, params, parameter):
    response = client.get("/api/v1/items/", params)
    assert response.status_code == 400
    assert response.json()["error"]["parameter"] == parameter


def test_post_is_405_json(client, items):
    response = client.post("/api/v1/items/")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"


def test_etag_and_cache_control(client, items, django_capture_on_commit_callbacks):
    first = client.get("/api/v1/departments/")
    assert first["Cache-Control"] == "public, max-age=60"
    etag = first["ETag"]
    assert client.get("/api/v1/departments/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_capture_on_commit_callbacks(execute=True):
        items["show"].unpublish()
    changed = client.get("/api/v1/departments/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_departments_and_power_list(client, items, department):
    from catalog.models import ResponsibilityStage

    ResponsibilityStage.objects.create(item=items["licence"], stage="review", content="审查申请材料")
    departments = client.get("/api/v1/departments/").json()
    assert departments["results"] == [{"code": department.credit_code, "name": department.name,
                                       "short_name": department.short_name, "item_count": 5}]
    power = client.get("/api/v1/power-list/", {"department": department.credit_code}).json()
    licence = next(r for r in power["results"] if r["code"] == items["licence"].implementation_code)
    assert licence["responsibilities"] == [{"stage": {"code": "review", "name": "审查责任"},
                                            "content": "审查申请材料", "basis": ""}]


def test_openapi_schema_describes_every_endpoint(client):
    schema = client.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {"/items/", "/items/{code}/", "/items/{code}/evaluate/", "/items/{code}/form/",
                                    "/items/{code}/validate/", "/departments/", "/power-list/"}
    names = {p["name"] for p in schema["paths"]["/items/"]["get"]["parameters"]}
    assert {"q", "department", "type", "audience", "page"} <= names


def test_unknown_api_path_is_json(client):
    response = client.get("/api/v1/whatever/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("path, component", [
    ("/api/v1/items/?q=营业执照", "ItemPage"),
    ("/api/v1/departments/", "DepartmentList"),
    ("/api/v1/power-list/", "PowerListPage"),
    ("/api/v1/items/?page=abc", "Error"),
])
def test_responses_match_the_openapi_schema(client, items, path, component):
    from jsonschema import Draft202012Validator

    schema = client.get("/api/v1/schema/").json()
    validator = Draft202012Validator({"$ref": f"#/components/schemas/{component}", **schema})
    errors = list(validator.iter_errors(client.get(path).json()))
    assert errors == []


def test_item_detail_matches_the_openapi_schema(client, items):
    from jsonschema import Draft202012Validator

    schema = client.get("/api/v1/schema/").json()
    validator = Draft202012Validator({"$ref": "#/components/schemas/ItemDetail", **schema})
    data = client.get(f"/api/v1/items/{items['licence'].implementation_code}/").json()
    assert list(validator.iter_errors(data)) == []
    assert list(validator.iter_errors({"code": "x"})) != []  # the schema does check something
