"""The demo data: the real 1,135-item list loads, maps codes, keeps them as given, and is idempotent."""

import csv

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.urls import reverse

from catalog.codes import CodeStatus, ItemType
from catalog.models import Department, ServiceItem


@pytest.fixture(scope="module")
def demo_loaded(module_db):
    # Loaded once (some 20 s); each test's changes are rolled back after it, so each sees the demo as loaded.
    with module_db.unblock():
        call_command("load_demo", verbosity=0)


@pytest.fixture
def demo(db, demo_loaded):
    pass


def test_loads_the_whole_list_published_with_codes_as_given(demo):
    with open(settings.DATA_DIR / "catalog" / "guangan_items.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert Department.objects.count() == 34
    assert ServiceItem.objects.count() == len(rows) == 1135
    assert ServiceItem.objects.filter(live=True, live_revision__isnull=False).count() == 1135
    stored = set(ServiceItem.objects.values_list("implementation_code", flat=True))
    assert stored == {row["itemCode"] for row in rows}  # never rewritten
    # Sichuan type 1 is 行政许可 (01), 20 is 公共服务
    expected = {
        "1": ItemType.LICENSING,
        "5": ItemType.BENEFIT,
        "7": ItemType.CONFIRMATION,
        "20": ItemType.PUBLIC_SERVICE,
    }
    types = dict(ServiceItem.objects.values_list("implementation_code", "item_type"))
    for row in rows:
        if row["taskType"] in expected:
            assert types[row["itemCode"]] == expected[row["taskType"]]
    assert ServiceItem.objects.filter(code_status=CodeStatus.VALID).count() == 0  # no national codes in this list
    assert ServiceItem.objects.filter(code_status=CodeStatus.INVALID).exists()


def test_illustrative_guides_are_complete_enough(demo):
    item = ServiceItem.objects.get(name="无犯罪记录证明")
    assert item.materials.count() == 4  # three from the guide, one that rules.demo adds for 出国（境）
    assert item.promised_limit == 3
    assert item.live_revision.content["materials"], "materials belong to the published revision"
    assert item.completeness_score >= 80


def test_sub_items_link_to_their_main_item(demo):
    assert ServiceItem.objects.filter(parent__isnull=False).exists()
    sub = ServiceItem.objects.filter(parent__isnull=False).first()
    assert sub.parent.name == sub.main_item_name
    assert sub.parent.department_id == sub.department_id


def test_second_run_keeps_edits(demo, capsys):
    ServiceItem.objects.filter(name="无犯罪记录证明").update(promised_limit=2)
    call_command("load_demo", "--if-empty")
    assert ServiceItem.objects.get(name="无犯罪记录证明").promised_limit == 2
    assert ServiceItem.objects.count() == 1135


def test_demo_accounts_and_completeness_listing(demo, client):
    from django.http import HttpRequest

    def authenticate_request(username, password):  # login throttling (django-axes) needs the request
        return authenticate(request=HttpRequest(), username=username, password=password)

    assert authenticate_request("gaj", "gaj-tongban-2026")
    client.force_login(authenticate_request("gaj", "gaj-tongban-2026"))
    html = client.get(reverse("wagtailsnippets_catalog_serviceitem:list")).content.decode()
    assert "无犯罪记录证明" in html and "分公司设立登记" not in html
    assert "要素完整度" in html
    client.force_login(authenticate_request("editor", "editor-tongban-2026"))
    response = client.get(reverse("wagtailsnippets_catalog_serviceitem:list"), {"completeness": "poor"})
    assert response.status_code == 200


def test_the_public_guide_can_search_the_demo_at_once(demo):
    # make run loads the demo and serves the site: the public search must find its items without another command.
    from publish import search

    titles = [hit.title for hit in search.search("身份证", record=False).hits]
    assert "居民身份证办理（包括临时）" in titles
