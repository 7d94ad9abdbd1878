import pytest
from django.urls import reverse

from catalog import roles
from publish.models import Synonym, ZeroResultQuery
from tests.catalog.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(username="editor1", role=roles.EDITOR)
    client.force_login(user)
    return user


def test_editor_adds_a_synonym_in_the_admin(client, editor, items):
    response = client.post(
        reverse("wagtailsnippets_publish_synonym:add"),
        {"term": "小吃店", "expansions": "食品经营许可", "two_way": ""},
    )
    assert response.status_code == 302
    assert Synonym.objects.get(term="小吃店").expansion_list == ["食品经营许可"]
    from publish import search

    assert search.search("开小吃店").hits[0].title == "食品经营许可核发"


def test_zero_result_report_lists_queries_by_frequency(client, editor):
    for query in ("量子纠缠", "量子纠缠", "火星移民"):
        ZeroResultQuery.record(query)
    html = client.get(reverse("publish_zero_results")).content.decode()
    assert html.index("量子纠缠") < html.index("火星移民")


def test_department_admin_cannot_see_the_report_or_synonyms(client):
    user = UserFactory(username="dept1", role=roles.DEPARTMENT_ADMIN, departments=[DepartmentFactory()])
    client.force_login(user)
    # Wagtail answers a forbidden admin page with a redirect to the dashboard.
    for url in (reverse("publish_zero_results"), reverse("wagtailsnippets_publish_synonym:list")):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert response.get("Location", "/admin/") == "/admin/"
