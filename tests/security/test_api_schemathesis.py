"""Finding 5 (issue 13), the class test for the API: schemathesis generates requests from the whole OpenAPI
schema the API serves at /api/v1/schema/ (valid and invalid parameters, any Unicode) and sends them through the
project's WSGI application; no response may be a 500, and every one must conform to the schema (status codes,
content types, bodies)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from publish.openapi import schema as openapi_schema
from tests.catalog.factories import DepartmentFactory, MaterialFactory, ServiceItemFactory

CODE = "511A0116800003-511602000000-000-11511301008778183N-1-00"
# The same document /api/v1/schema/ serves (test_the_served_schema_is_the_one_tested checks it).
schema = schemathesis.openapi.from_dict(openapi_schema("http://testserver/api/v1"))


@pytest.fixture
def published(db, settings):
    settings.ALLOWED_HOSTS = ["*"]
    # As Django's test client does: a request through the WSGI handler must not close the test's connection at
    # its end (on PostgreSQL that ended the test's transaction; every later request got "connection is closed").
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield _published()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _published():
    department = DepartmentFactory(name="区公安分局", credit_code="11511301008778183N")
    item = ServiceItemFactory(name="无犯罪记录证明", department=department, item_type="01", implementation_code=CODE)
    MaterialFactory(item=item, name="居民身份证")
    item.save_revision().publish()
    from publish import search

    search.rebuild()
    return get_wsgi_application()


def test_the_served_schema_is_the_one_tested(client, published):
    served = client.get("/api/v1/schema/").json()
    assert served["paths"] == openapi_schema("http://testserver/api/v1")["paths"]


@schema.parametrize()
@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_holds_to_its_schema(case, published):
    response = case.call(app=published)
    assert response.status_code < 500, (case.method, case.formatted_path, case.query, response.status_code)
    # A well-formed department code that names no department, or a page past the last, is refused with the 400
    # the schema declares: a meaning the schema's types cannot say, so that one check is left out.
    case.validate_response(response, excluded_checks=[positive_data_acceptance])
