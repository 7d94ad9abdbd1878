"""Finding 7 (issue 13), the load half: /power-list.xlsx is cached like the pages, and searches that find nothing
are counted per query and day instead of adding a row each."""

import pytest
from django.urls import reverse

from publish.models import ZeroResultQuery
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listed(settings):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    department = DepartmentFactory(name="区公安分局")
    return [ServiceItemFactory(name=f"行政许可{n}", department=department, item_type="01") for n in range(5)]


def test_the_power_list_workbook_is_cached_until_the_next_publication(client, listed, django_assert_max_num_queries,
                                                                     django_capture_on_commit_callbacks):
    first = client.get(reverse("publish:power_list_xlsx"))
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # the publication generation, nothing else
        again = client.get(reverse("publish:power_list_xlsx"))
    assert again.content == first.content
    assert again["Content-Disposition"] == first["Content-Disposition"]
    # a publication makes it stale at once
    listed[0].name = "新的行政许可"
    with django_capture_on_commit_callbacks(execute=True):
        listed[0].save_revision().publish()
    fresh = client.get(reverse("publish:power_list_xlsx"))
    assert fresh.content != first.content


def test_zero_result_searches_are_counted_per_query_and_day(client, listed):
    for _ in range(30):
        client.get(reverse("publish:results"), {"q": "量子纠缠"}, HTTP_CACHE_CONTROL="no-cache")
        ZeroResultQuery.record("火星移民")
    rows = ZeroResultQuery.objects.filter(query__in=["量子纠缠", "火星移民"])
    assert rows.count() == 2
    assert ZeroResultQuery.objects.get(query="火星移民").searches == 30
    assert ZeroResultQuery.objects.get(query="量子纠缠").searches >= 1  # the page cache answers repeats


def test_the_report_sums_the_days(client, listed):
    from datetime import timedelta

    from django.utils import timezone

    from catalog import roles
    from tests.catalog.factories import UserFactory

    ZeroResultQuery.objects.create(query="量子纠缠", day=timezone.localdate() - timedelta(days=1), searches=5)
    ZeroResultQuery.record("量子纠缠")
    ZeroResultQuery.objects.create(query="火星移民", searches=4)
    client.force_login(UserFactory(username="editor", role=roles.EDITOR))
    html = client.get(reverse("publish_zero_results")).content.decode()
    assert html.index("量子纠缠") < html.index("火星移民")
    assert "6" in html
