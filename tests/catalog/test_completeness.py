from catalog.codes import CaseType, CodeStatus, ItemType, TimeUnit
from catalog.completeness import assess
from catalog.models import LegalBasis, Material, ServiceItem

from .factories import DepartmentFactory


def complete_item(**overrides):
    item = ServiceItem(
        name="无犯罪记录证明",
        implementation_code="115113016823646795" + "4" + "000700100100",
        item_type=ItemType.CONFIRMATION,
        service_objects="1",
        case_type=CaseType.PROMISED,
        statutory_limit=7,
        promised_limit=3,
        acceptance_conditions="本辖区户籍人员",
        handling_flow="申请、受理、审查、办结",
        address="政务服务中心",
        office_hours="工作日",
        consultation_channels="0826-2222110",
        visits=0,
    )
    for key, value in overrides.items():
        setattr(item, key, value)
    item.materials.set([Material(name="居民身份证", source="20", necessity="1")])
    item.legal_bases.set([LegalBasis(law="《公安机关办理无犯罪记录证明工作规定》")])
    item.refresh_quality()
    return item


def test_complete_item_scores_100():
    item = complete_item()
    assert item.code_status == CodeStatus.VALID
    assert assess(item).flags == []
    assert assess(item).score == 100


def test_promised_case_without_limit_and_material_without_source():
    item = complete_item(promised_limit=None)
    item.materials.set([Material(name="申请表", source="", necessity="1")])
    report = assess(item)
    assert "promised_case_without_limit" in report.flags
    assert "material_incomplete" in report.flags
    assert "承诺件未填写承诺办结时限" in report.reasons
    assert report.score == 80


def test_promised_longer_than_statutory_across_units():
    item = complete_item(
        statutory_limit=10,
        statutory_limit_unit=TimeUnit.NATURAL_DAY,
        promised_limit=9,
        promised_limit_unit=TimeUnit.WORKING_DAY,
    )
    assert "promised_exceeds_statutory" in assess(item).flags  # 9 working days ≈ 12.6 calendar days > 10
    item.promised_limit = 5
    assert "promised_exceeds_statutory" not in assess(item).flags


def test_penalties_are_not_asked_for_materials():
    item = complete_item(item_type=ItemType.PENALTY)
    item.materials.set([])
    assert "no_materials" not in assess(item).flags


def test_regional_code_is_flagged_not_rewritten():
    code = "511Z07001006-511602000000-000-11511301008778183N-1-00"
    item = complete_item(implementation_code=code)
    assert item.code_status == CodeStatus.UNCHECKED
    assert "code_unchecked" in assess(item).flags
    assert item.implementation_code == code


def test_draft_save_updates_the_listing_columns(db):
    item = complete_item()
    item.department = DepartmentFactory()
    item.save()
    item.save_revision().publish()
    draft = item.get_latest_revision_as_object()
    draft.acceptance_conditions = ""
    draft.save_revision()
    stored = ServiceItem.objects.get(pk=item.pk)
    assert ",no_conditions," in stored.completeness_flags
    assert stored.acceptance_conditions == "本辖区户籍人员"  # live content untouched


def test_listing_filter_by_missing_element(client, world):
    client.force_login(world.editor)
    from django.urls import reverse

    url = reverse("wagtailsnippets_catalog_serviceitem:list_results")
    html = client.get(url, {"missing": "no_materials"}).content.decode()
    assert "无犯罪记录证明" in html  # factory items have no materials
    world.item_a.materials.set([Material(name="身份证", source="20", necessity="1")])
    world.item_a.save()
    html = client.get(url, {"missing": "no_materials"}).content.decode()
    assert "无犯罪记录证明" not in html and "分公司设立登记" in html
    assert "未填写申请材料" in client.get(url).content.decode()  # the reasons are shown in the column


def test_completeness_report_by_department_is_scoped(client, world):
    from django.urls import reverse

    client.force_login(world.editor)
    html = client.get(reverse("tongban_completeness_report")).content.decode()
    assert "区公安分局" in html and "区行政审批局" in html
    assert "未填写申请材料" in html  # the most frequent gaps are named
    client.force_login(world.dept_admin)
    html = client.get(reverse("tongban_completeness_report")).content.decode()
    assert "区公安分局" in html and "区行政审批局" not in html


def test_department_admin_dashboard_shows_own_completeness(client, world):
    from django.urls import reverse

    client.force_login(world.dept_admin)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "我的部门：办事指南要素完整度" in html
    assert "区公安分局" in html and "区行政审批局" not in html
