"""Real spreadsheets are messy: encodings, title rows, merged headers, aliases, coded or named values, full width."""

import io

import pytest
from openpyxl import Workbook

from catalog.codes import ItemType, OnlineDepth, ServiceObject
from catalog.models import ServiceItem
from imports import values
from imports.service import import_file
from tests.catalog.factories import DepartmentFactory

pytestmark = pytest.mark.django_db

CODE = "511A0001-511602000000-000-11511301008778183N-1-00"


@pytest.mark.parametrize("raw", ["01", "1", 1, 1.0, "行政许可", "许可", "０１", " 1 ", "1\u3000"])
def test_item_type_coded_or_named(raw):
    assert values.parse_choice(raw, ItemType) == ("01", None)


@pytest.mark.parametrize("raw,code", [("20", "20"), (20.0, "20"), ("公共服务", "20"), ("10", "10"),
                                      ("其他行政权力", "10"), ("7", "07")])
def test_sichuan_and_national_type_codes(raw, code):
    assert values.parse_choice(raw, ItemType)[0] == code


@pytest.mark.parametrize("raw", ["Ⅲ级", "III", "3", "Ⅲ级：网上受理、审批"])
def test_online_depth_forms(raw):
    assert values.parse_choice(raw, OnlineDepth)[0] == "3"


def test_numbers_as_text_and_text_as_numbers():
    assert values.parse_int("１２") == (12, None)
    assert values.parse_int(3.0) == (3, None)
    assert values.parse_int("3.5")[1] is not None
    assert values.parse_limit("20个工作日") == ((20, "2"), None)
    assert values.parse_limit("１５") == ((15, None), None)
    assert values.parse_multi("自然人、企业法人", ServiceObject) == ("1,2", None)
    assert values.cell_text(123456789012345.0) == "123456789012345"


def test_legal_basis_lines_round_trip():
    text = "《中华人民共和国行政许可法》第十二条：下列事项可以设定行政许可\n《某条例》"
    bases, error = values.parse_legal_bases(text)
    assert error is None
    assert bases == [("《中华人民共和国行政许可法》", "第十二条", "下列事项可以设定行政许可"), ("《某条例》", "", "")]
    assert values.format_legal_bases(bases) == text


CSV_TEXT = (
    "序号,职权名称,职权编码,职权类型,行使主体,承诺办结时限,备注\n"
    "1,企业投资项目备案,{code},其他行政权力,区经信局,５个工作日,无\n"
)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_common_encoding(encoding):
    DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    data = CSV_TEXT.format(code=CODE).encode(encoding)
    result = import_file(data, "清单.csv", publish=True)
    assert result.errors == []
    assert result.created == 1
    item = ServiceItem.objects.get()
    assert (item.name, item.item_type, item.promised_limit, item.promised_limit_unit) == (
        "企业投资项目备案", "10", 5, "2")
    # 序号 is expected and silent; 备注 is unknown: reported, not fatal.
    assert [w.column for w in result.warnings] == ["备注"]


def test_merged_two_row_header_and_title_rows_in_xlsx():
    DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    wb = Workbook()
    ws = wb.active
    ws.append(["2026年事项清单"])
    ws.merge_cells("A1:F1")
    ws.append([None])
    ws.append(["事项编码", "事项名称", "事项类型", "实施机构", "承诺办结时限", None])
    ws.append([None, None, None, None, "时限", "承诺时限单位"])
    ws.merge_cells("A3:A4")
    ws.merge_cells("E3:F3")
    ws.append([CODE, "测试事项", 1, "区经信局", 10, "自然日"])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = import_file(buffer.getvalue(), "merged.xlsx")
    assert result.errors == [], result.errors
    item = ServiceItem.objects.get()
    assert (item.item_type, item.promised_limit_unit, item.live) == ("01", "1", False)


def test_saved_header_mapping_for_a_recurring_source():
    DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    data = f"清单项目号,清单项目,类别,单位\n{CODE},测试事项,许可,区经信局\n".encode()
    refused = import_file(data, "x.csv")
    assert refused.errors
    mapping = {"清单项目号": "implementation_code", "清单项目": "name", "类别": "item_type", "单位": "department"}
    result = import_file(data, "x.csv", mapping=mapping)
    assert result.errors == [] and result.created == 1
