"""Admin search over service items: Chinese substrings, codes, department scoping, in the listing and the chooser.

Wagtail's search backend does not segment Chinese (DESIGN decision 3): "身份证" was one token that matched nothing
inside "居民身份证办理". The admin now searches with icontains; these tests pin that down.
"""


import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from wagtail.search.models import IndexEntry

from catalog.models import ServiceItem

from .factories import ServiceItemFactory, UserFactory

NS = "wagtailsnippets_catalog_serviceitem"
CHOOSER = "wagtailsnippetchoosers_catalog_serviceitem"


def listing(client, query, results_only=True):
    name = f"{NS}:list_results" if results_only else f"{NS}:list"
    response = client.get(reverse(name), {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def chooser(client, view, **params):
    response = client.get(reverse(f"{CHOOSER}:{view}"), params)
    assert response.status_code == 200
    if response["Content-Type"].startswith("application/json"):
        return response.json()["html"]
    return response.content.decode()


@pytest.fixture
def items(world):
    """Items whose names contain 身份证 in department A, in its sub-department and in department B."""
    world.id_card = ServiceItemFactory(
        name="居民身份证办理（包括临时）",
        department=world.dept_a,
        implementation_code="11511301008778183N4000111222333",
        main_item_name="居民身份证核发",
    )
    world.id_card_sub = ServiceItemFactory(name="临时居民身份证申领", department=world.dept_a_sub)
    world.id_card_b = ServiceItemFactory(name="外国人永久居留身份证申请", department=world.dept_b)
    return world


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_superuser_finds_chinese_substring_in_every_department(client, items, superuser):
    client.force_login(superuser)
    html = listing(client, "身份证")
    assert "居民身份证办理（包括临时）" in html
    assert "临时居民身份证申领" in html
    assert "外国人永久居留身份证申请" in html
    assert "无犯罪记录证明" not in html and "分公司设立登记" not in html


def test_full_page_search_finds_chinese_substring(client, items, superuser):
    client.force_login(superuser)
    html = listing(client, "犯罪记录", results_only=False)  # inside the name, not a prefix
    assert "无犯罪记录证明" in html
    assert "居民身份证办理（包括临时）" not in html


def test_department_admin_finds_own_items_by_substring_and_never_another_departments(client, items):
    client.force_login(items.dept_admin)
    html = listing(client, "身份证")
    assert "居民身份证办理（包括临时）" in html
    assert "临时居民身份证申领" in html  # the sub-department is theirs too
    assert "外国人永久居留身份证申请" not in html
    assert "无犯罪记录证明" in listing(client, "无犯罪")


@pytest.mark.parametrize("query", ["分公司", "区行政审批局", "永久居留", "设立登记"])
def test_department_admin_search_never_reaches_another_department(client, items, query):
    client.force_login(items.dept_admin)
    html = listing(client, query)
    assert "分公司设立登记" not in html
    assert "外国人永久居留身份证申请" not in html


def test_other_department_admin_sees_only_theirs(client, items):
    client.force_login(items.other_admin)
    html = listing(client, "身份证")
    assert "外国人永久居留身份证申请" in html
    assert "居民身份证办理（包括临时）" not in html and "临时居民身份证申领" not in html


def test_search_by_part_of_the_implementation_code_case_insensitive(client, items, superuser):
    client.force_login(superuser)
    html = listing(client, "8183n4000111")
    assert "居民身份证办理（包括临时）" in html
    assert "临时居民身份证申领" not in html


def test_search_by_main_item_and_department_name(client, items, superuser):
    client.force_login(superuser)
    by_main = listing(client, "身份证核发")
    assert "居民身份证办理（包括临时）" in by_main and "临时居民身份证申领" not in by_main
    by_department = listing(client, "行政审批")
    assert "分公司设立登记" in by_department and "外国人永久居留身份证申请" in by_department
    assert "无犯罪记录证明" not in by_department


def test_search_combines_with_the_department_filter(client, items, superuser):
    client.force_login(superuser)
    response = client.get(reverse(f"{NS}:list_results"), {"q": "身份证", "department": items.dept_b.pk})
    html = response.content.decode()
    assert "外国人永久居留身份证申请" in html
    assert "居民身份证办理（包括临时）" not in html


def test_chooser_has_a_search_box(client, items):
    client.force_login(items.dept_admin)
    html = chooser(client, "choose")
    assert 'name="q"' in html


def test_chooser_search_finds_chinese_substring_and_stays_scoped(client, items):
    client.force_login(items.dept_admin)
    html = chooser(client, "choose_results", q="身份证")
    assert "居民身份证办理（包括临时）" in html
    assert "临时居民身份证申领" in html
    assert "外国人永久居留身份证申请" not in html
    assert "无犯罪记录证明" not in html
    none = chooser(client, "choose_results", q="分公司")
    assert "分公司设立登记" not in none


def test_chooser_search_for_superuser_and_by_code(client, items, superuser):
    client.force_login(superuser)
    html = chooser(client, "choose_results", q="身份证")
    assert "外国人永久居留身份证申请" in html and "居民身份证办理（包括临时）" in html
    assert "无犯罪记录证明" not in html
    assert "居民身份证办理（包括临时）" in chooser(client, "choose_results", q="4000111222")


def test_saving_an_item_writes_no_search_index_rows(items):
    items.id_card.name = "居民身份证办理"
    items.id_card.save()
    items.id_card.save_revision().publish()
    content_type = ContentType.objects.get_for_model(ServiceItem)
    assert not IndexEntry.objects.filter(content_type=content_type).exists()
