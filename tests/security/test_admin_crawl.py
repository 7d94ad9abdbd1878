"""Finding 1 (issue 13), the class test: no admin URL shows a department administrator another department's items.

Every admin URL that Wagtail and our apps register — listings, bulk actions, choosers, reports, workflow pages,
history, search, exports — is requested as gaj (区公安分局) with spj's (区行政审批局) ids wherever a URL takes one, and
no response may contain the name, code or draft text of spj's items. The same crawl with ids that are not numbers
must never answer 500.
"""

import pytest
from wagtail.models import TaskState

from .crawl import SKIPPED_NAMES, admin_patterns, body_text, fill, parameters

QUERY_VARIANTS = ["", "?id={pk}", "?id=all", "?id={pk}&id={other}", "?q=设立", "?export=csv", "?p=1&q=登记"]


def substitutions(world):
    item = world.spj_item
    task_state = TaskState.objects.filter(workflow_state=item.current_workflow_state).first()
    return {
        "pk": item.pk, "object_id": item.pk, "page_id": item.pk, "page_pk": item.pk, "doc_id": item.pk,
        "document_id": item.pk, "image_id": item.pk, "collection_id": item.pk, "redirect_id": item.pk,
        "destination_id": item.pk, "page_to_move_id": item.pk, "parent_page_id": item.pk,
        "session_id": item.pk, "uploaded_file_id": item.pk,
        "revision_id": item.latest_revision_id, "revision_id_a": "earliest", "revision_id_b": "latest",
        "task_state_id": task_state.pk, "workflow_state_id": item.current_workflow_state.pk,
        "task_id": task_state.task_id, "workflow_pk": item.current_workflow_state.workflow_id,
        "app_label": "catalog", "app_name": "catalog", "content_type_app_name": "catalog",
        "model_name": "serviceitem", "content_type_model_name": "serviceitem",
        "action": "delete", "action_name": "approve", "filter_spec": "original",
        "token": "x", "uidb64": "x",
    }


def crawl_urls(values, other_pk, mapping_pk):
    urls = []
    for route, name in admin_patterns():
        if name in SKIPPED_NAMES:
            continue
        names = parameters(route)
        route_values = {**values, "pk": mapping_pk} if "headermapping" in route else values
        base = fill(route, route_values)
        variants = QUERY_VARIANTS if not names or "serviceitem" in route or "bulk" in route else [""]
        urls += [base + v.format(pk=route_values["pk"], other=other_pk) for v in variants]
    # the bulk actions of header mappings, with spj's mapping
    bulk = "/admin/bulk/imports/headermapping/delete/"
    urls += [f"{bulk}?id={mapping_pk}", f"{bulk}?id=all"]
    return urls


@pytest.mark.django_db
def test_no_admin_url_shows_another_departments_items(client, departments):
    client.force_login(departments.gaj)
    client.raise_request_exception = False
    urls = crawl_urls(substitutions(departments), departments.spj_unpublished.pk, departments.spj_mapping.pk)
    assert len(urls) > 300
    leaks, errors = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append((url, response.status_code))
            continue
        text = body_text(response)
        found = [secret for secret in departments.secrets if secret in text]
        if found:
            leaks.append((url, response.status_code, found))
    assert not errors, errors
    assert not leaks, "\n".join(map(str, leaks))
    # the crawl saw gaj's own item where it should: it did reach the pages
    own = body_text(client.get("/admin/snippets/catalog/serviceitem/?q=无犯罪"))
    assert "无犯罪记录证明" in own


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["abc", "1x", "²", "-1", "99999999999999999999999"])
def test_no_admin_url_answers_500_to_an_id_that_is_not_a_number(client, departments, bad):
    client.force_login(departments.sysadmin)
    client.raise_request_exception = False
    values = {name: bad for name in substitutions(departments)}
    failures = []
    for route, name in admin_patterns():
        if name in SKIPPED_NAMES or not parameters(route):
            continue
        url = fill(route, values)
        response = client.get(url)
        if response.status_code >= 500:
            failures.append((url, response.status_code))
    for url in ("/admin/bulk/catalog/serviceitem/delete/?id=" + bad,
                "/admin/snippets/choose/catalog/serviceitem/chosen-multiple/?id=" + bad):
        if client.get(url).status_code >= 500:
            failures.append((url, 500))
    assert not failures, failures


def test_every_bulk_action_for_items_is_department_scoped():
    from wagtail.admin.views.bulk_action.registry import bulk_action_registry

    from catalog.admin_views import DepartmentScopedBulkActionMixin

    actions = list(bulk_action_registry.get_bulk_actions_for_model("catalog", "serviceitem"))
    assert actions
    assert all(issubclass(action, DepartmentScopedBulkActionMixin) for action in actions), actions


@pytest.mark.django_db
def test_bulk_delete_confirmation_lists_only_own_items(client, departments):
    client.force_login(departments.gaj)
    bulk = "/admin/bulk/catalog/serviceitem/delete/"
    assert client.get(f"{bulk}?id={departments.spj_item.pk}").status_code == 404
    page = body_text(client.get(f"{bulk}?id={departments.gaj_item.pk}&id={departments.spj_item.pk}"))
    assert "无犯罪记录证明" in page and "分公司设立登记" not in page
    client.force_login(departments.sysadmin)
    page = body_text(client.get(f"{bulk}?id=all"))
    assert "分公司设立登记" in page and "无犯罪记录证明" in page
