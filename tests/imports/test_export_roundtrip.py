"""Template and export: generated from the model, drop-downs and comments, formula-safe; export → import = no change."""

import io

import openpyxl
import pytest
from wagtail.models import Revision

from catalog.models import (
    FAQ,
    AccountabilityCase,
    Fee,
    LegalBasis,
    Material,
    ResponsibilityStage,
    ServiceItem,
)
from imports.export import write_workbook
from imports.service import import_file
from imports.spec import SHEETS
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db


def rich_item(department, n, **fields):
    item = ServiceItemFactory(
        department=department,
        name=f"事项{n}（含全角括号，、）",
        service_objects="2,1",
        case_type="2",
        promised_limit=5,
        promised_limit_unit="1",
        statutory_limit=20,
        acceptance_conditions="=HYPERLINK(\"http://evil\",\"点我\")",
        handling_flow="-1+1\n第二步",
        handled_online=True,
        online_url="https://example.gov.cn/a",
        online_depth="3",
        visits=0,
        office_hours="@周一至周五",
        **fields,
    )
    Material.objects.create(item=item, sort_order=0, name="+申请表", material_type="2", material_form="3",
                            paper_copies=2, source="10", necessity="1", situations="情形甲")
    Material.objects.create(item=item, sort_order=1, name="营业执照", source="20", necessity="3")
    Fee.objects.create(item=item, sort_order=0, name="工本费", standard="10元/本")
    FAQ.objects.create(item=item, sort_order=0, question="要多久？", answer="五个工作日")
    LegalBasis.objects.create(item=item, sort_order=0, law="《中华人民共和国行政许可法》", article="第十二条",
                              text="下列事项可以设定行政许可")
    LegalBasis.objects.create(item=item, sort_order=1, law="《四川省某条例》")
    ResponsibilityStage.objects.create(item=item, sort_order=0, stage="accept", content="依法受理")
    AccountabilityCase.objects.create(item=item, sort_order=0, situation="不依法受理的")
    return item


def test_template_has_every_sheet_dropdowns_comments_and_frozen_header():
    wb = openpyxl.load_workbook(io.BytesIO(write_workbook()))
    assert wb.sheetnames[: len(SHEETS) + 1] == [s.name for s in SHEETS] + ["填表说明"]
    items = wb["事项"]
    assert items.freeze_panes == "B2"
    headers = [c.value for c in items[1]]
    assert headers[:4] == ["实施编码", "事项名称", "基本编码", "事项类型"]
    assert "行政许可" in items["D1"].comment.text or "01" in items["D1"].comment.text
    assert all(c.comment is not None for c in items[1])
    ranges = {str(v.sqref).split(":")[0]: v.formula1 for v in items.data_validations.dataValidation}
    assert "D2" in ranges  # 事项类型 has a drop-down
    assert wb["代码表"].sheet_state == "hidden"
    assert items.column_dimensions["A"].width == 40


def test_export_then_import_changes_nothing_and_formulas_are_not_formulas():
    department = DepartmentFactory(credit_code="11511301008778183N", short_name="区经信局")
    items = [rich_item(department, n) for n in range(3)]
    revisions = Revision.objects.count()
    data = write_workbook(ServiceItem.objects.all())

    wb = openpyxl.load_workbook(io.BytesIO(data))
    cell = next(c for c in wb["事项"][2] if isinstance(c.value, str) and c.value.startswith("=HYPERLINK"))
    assert cell.data_type == "s" and cell.quotePrefix
    assert wb["申请材料"].cell(2, 2).data_type == "s"

    result = import_file(data, "export.xlsx", publish=True)
    assert result.errors == []
    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert Revision.objects.count() == revisions

    # One change in one child sheet makes exactly one item updated, with a new revision.
    wb["收费项目"].cell(2, 3).value = "20元/本"
    buffer = io.BytesIO()
    wb.save(buffer)
    changed = import_file(buffer.getvalue(), "export.xlsx", publish=True)
    assert (changed.created, changed.updated, changed.unchanged) == (0, 1, 2)
    assert Revision.objects.count() == revisions + 1
    fee = Fee.objects.get(item=items[0])
    assert fee.standard == "20元/本"
    assert list(items[0].materials.values_list("name", flat=True)) == ["+申请表", "营业执照"]


def test_export_contains_only_the_given_items():
    department = DepartmentFactory()
    mine = ServiceItemFactory(department=department)
    ServiceItemFactory()
    wb = openpyxl.load_workbook(io.BytesIO(write_workbook(ServiceItem.objects.filter(department=department))))
    codes = [row[0].value for row in wb["事项"].iter_rows(min_row=2)]
    assert codes == [mine.implementation_code]
