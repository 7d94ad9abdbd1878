"""Done-when: the real 1,135-item list, laid out as a department keeps it, imports with no error; again: no change."""

import pytest
from wagtail.models import Revision

from catalog.codes import ItemType
from catalog.models import Department, ServiceItem
from imports.service import import_file

from .conftest import guangan_rows

pytestmark = pytest.mark.django_db


def test_real_list_imports_into_empty_database_and_reimport_changes_nothing(guangan_file):
    result = import_file(guangan_file, "广安区.xlsx", create_departments=True, publish=True)
    assert result.errors == []
    assert result.written
    assert (result.created, result.updated, result.unchanged) == (1135, 0, 0)
    assert ServiceItem.objects.count() == 1135
    assert Revision.objects.count() == 1135
    assert ServiceItem.objects.filter(live=True).count() == 1135
    rows = {r["itemCode"]: r for r in guangan_rows()}
    item = ServiceItem.objects.get(implementation_code="511A0138000000-511602000000-000-115113010833722043-1-00")
    assert item.item_type == ItemType.LICENSING  # named 行政许可 in the file
    assert item.department.short_name == rows[item.implementation_code]["department"]
    assert item.department.division_code == "511602"
    assert Department.objects.count() == len({r["department"] for r in rows.values()})

    again = import_file(guangan_file, "广安区.xlsx", create_departments=True, publish=True)
    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1135)
    assert Revision.objects.count() == 1135


def test_unknown_department_is_refused_without_create_option(guangan_file):
    result = import_file(guangan_file, "广安区.xlsx")
    assert not result.written
    assert result.errors[0].column == "实施部门"
    assert "系统中没有这个部门" in result.errors[0].message
    assert ServiceItem.objects.count() == 0


def test_sub_items_are_linked_to_their_main_item(guangan_file):
    from publish.models import SearchDocument

    import_file(guangan_file, "广安区.xlsx", create_departments=True, publish=True)
    rows = guangan_rows()
    names = {(r["department"], r["name"]) for r in rows}
    expected = {r["itemCode"] for r in rows
                if r["main_item"] not in ("未分类", r["name"]) and (r["department"], r["main_item"]) in names}
    linked = ServiceItem.objects.filter(parent__isnull=False).select_related("parent")
    assert expected and {i.implementation_code for i in linked} == expected
    for item in linked:
        assert item.parent.name == item.main_item_name and item.parent.department_id == item.department_id
        assert item.latest_revision.content["parent"] == item.parent_id  # the revision holds the link too
    sub = linked.first()
    assert SearchDocument.objects.get(item=sub).parent_code == sub.parent.implementation_code
