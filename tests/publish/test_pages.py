from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog.models import AccountabilityCase, ResponsibilityStage
from publish.models import SearchDocument

pytestmark = pytest.mark.django_db


def test_home_offers_search_and_browsing(client, items, department):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="search"' in html and 'name="q"' in html
    assert f'href="/search/?department={department.pk}"' in html
    assert 'href="/search/?audience=person"' in html and 'href="/search/?type=01"' in html


def test_results_highlight_facets_and_group(client, items):
    html = client.get("/search/", {"q": "营业执照"}).content.decode()
    assert "<mark>营业执照</mark>" in html
    assert html.index("企业<mark>营业执照</mark>申请办理") < html.index("举办<mark>营业</mark>性演出审批")
    assert "可网上办理" in html and "最多跑一次" in html and "法人办事" in html


def test_results_paging(client, department, django_capture_on_commit_callbacks):
    from tests.catalog.factories import ServiceItemFactory

    with django_capture_on_commit_callbacks(execute=True):
        for n in range(12):
            ServiceItemFactory(name=f"道路运输许可{n:02d}", department=department)
    first = client.get("/search/", {"q": "道路运输"}).content.decode()
    second = client.get("/search/", {"q": "道路运输", "page": 2}).content.decode()
    assert "共 12 项" in first and 'rel="next"' in first and "第 1 / 2 页" in first
    assert second.count('class="hit"') == 2 and 'rel="prev"' in second


def test_empty_result_page_offers_help(client, items, department):
    html = client.get("/search/", {"q": "量子纠缠"}).content.decode()
    assert "没有找到相关事项" in html
    assert department.consultation_phone in html


def test_bad_page_parameter_is_400_not_500(client, items):
    assert client.get("/search/", {"page": "abc"}).status_code == 400
    assert client.get("/search/", {"type": "99"}).status_code == 400


def test_guide_page_shows_published_version_only(client, items, django_capture_on_commit_callbacks):
    item = items["idcard"]
    url = reverse("publish:guide", args=[item.implementation_code])
    assert client.get(url).status_code == 200
    item.name = "居民身份证补领（草稿新名称）"
    item.save_revision()
    html = client.get(url).content.decode()
    assert "草稿新名称" not in html and "居民身份证补领" in html
    with django_capture_on_commit_callbacks(execute=True):
        item.get_latest_revision().publish()
    assert "草稿新名称" in client.get(url).content.decode()  # the cache was invalidated by the publish
    with django_capture_on_commit_callbacks(execute=True):
        item.unpublish()
    assert client.get(url).status_code == 404


def test_guide_page_layout_and_print_view(client, items):
    from tests.catalog.factories import MaterialFactory

    item = items["idcard"]
    MaterialFactory(item=item, name="居民户口簿", paper_copies=1)
    url = reverse("publish:guide", args=[item.implementation_code])
    html = client.get(url).content.decode()
    for heading in ("基本信息", "受理条件", "申请材料", "办理地点和时间", "咨询和监督投诉"):
        assert heading in html
    assert "居民户口簿" in html and f"{url}print/" in html
    printed = client.get(f"{url}print/").content.decode()
    assert "print.css" in printed and "居民户口簿" in printed and "site-header" not in printed


def test_power_and_responsibility_lists(client, items, department):
    licence = items["licence"]
    ResponsibilityStage.objects.create(item=licence, stage="accept", content="依法受理营业执照申请")
    AccountabilityCase.objects.create(item=licence, situation="对符合条件的申请不予受理的")
    html = client.get("/responsibility-list/", {"department": department.pk}).content.decode()
    assert "依法受理营业执照申请" in html and "对符合条件的申请不予受理的" in html
    power = client.get("/power-list/", {"type": "01"}).content.decode()
    assert "企业营业执照申请办理" in power
    response = client.get("/power-list.xlsx", {"department": department.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("实施主体", "事项名称")
    by_name = {row[1]: row for row in rows[1:]}
    assert "受理责任：依法受理营业执照申请" in by_name["企业营业执照申请办理"][5]
    assert len(rows) == 1 + 5


def test_public_service_is_not_a_power_item(client, department, django_capture_on_commit_callbacks):
    from tests.catalog.factories import ServiceItemFactory

    ServiceItemFactory(name="公共服务事项甲", department=department, item_type="20")
    assert "公共服务事项甲" not in client.get("/power-list/").content.decode()


def test_suggest_endpoint(client, items):
    data = client.get("/search/suggest/", {"q": "sfz"}).json()
    assert data["suggestions"][0]["title"] == "居民身份证补领"


def test_sitemap_lists_published_guides(client, items, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        items["show"].unpublish()
    xml = client.get("/sitemap.xml").content.decode()
    assert items["licence"].implementation_code in xml
    assert items["show"].implementation_code not in xml


def test_rebuild_command(items, capsys):
    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    call_command("rebuild_search_index")
    assert SearchDocument.objects.count() == 5
    assert "5/5" in capsys.readouterr().out


def test_guide_links_main_item_and_sub_items(client, department, django_capture_on_commit_callbacks):
    from tests.catalog.factories import ServiceItemFactory

    main = ServiceItemFactory(name="食品经营许可", department=department)
    sub = ServiceItemFactory(name="食品经营许可延续", department=department, parent=main,
                             main_item_name="食品经营许可")
    draft_sub = ServiceItemFactory(name="食品经营许可注销", department=department, parent=main, live=False)
    main_html = client.get(reverse("publish:guide", args=[main.implementation_code])).content.decode()
    assert f"/guide/{sub.implementation_code}/" in main_html
    assert draft_sub.name not in main_html
    sub_html = client.get(reverse("publish:guide", args=[sub.implementation_code])).content.decode()
    assert f'所属主项：<a href="/guide/{main.implementation_code}/">' in sub_html
