"""The corpus of broken input: each kind gets its own clear message and the database stays exactly as it was."""

import io
import zipfile

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry, Revision

from catalog import roles
from catalog.models import Department, Material, ServiceItem
from imports.service import import_file
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory, UserFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["实施编码", "事项名称", "事项类型", "实施主体"]
CODE_A = "511A0001-511602000000-000-11511301008778183N-1-00"
CODE_B = "511A0002-511602000000-000-11511301008778183N-1-00"


@pytest.fixture
def world():
    roles.ensure_roles()
    own = DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    other = DepartmentFactory(name="区公安分局", credit_code="115113016823646795")
    ServiceItemFactory(department=other, implementation_code="OTHER-CODE-1", name="他人事项")
    ServiceItemFactory(department=own, implementation_code="OWN-CODE-1", name="本部门事项")
    return own, other


def counts():
    return (ServiceItem.objects.count(), Material.objects.count(), Department.objects.count(),
            Revision.objects.count(), ModelLogEntry.objects.count(),
            list(ServiceItem.objects.order_by("pk").values_list("name", "implementation_code", "department_id")))


def good_rows(*extra_rows):
    return [HEADER, [CODE_A, "新事项", "行政许可", "区经信局"], *extra_rows]


def zip_bytes(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def department_admin(department):
    user = UserFactory(username="deptadmin")
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_ADMIN))
    department.members.add(user)
    return user


def xlsx_bytes():
    return xlsx(("事项", good_rows()))


CASES = {
    "empty file": (lambda: b"", {}, "文件是空的"),
    "an image": (lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), {}, "不是电子表格文件"),
    "a zip that is not a workbook": (lambda: zip_bytes({"readme.txt": "hello"}), {}, "不是 Excel 工作簿"),
    "a truncated workbook": (lambda: xlsx_bytes()[:700], {}, "已损坏"),
    "an encrypted workbook (OLE2 container)": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), {}, "已加密或损坏"),
    "a text file without a header": (lambda: "随便写的一些字\n第二行\n".encode(), {}, "找不到表头"),
    "a CSV in an unknown encoding": (lambda: b"\xff\xfe\x80\x81\x82" * 3 + b"\x80", {}, "编码"),
    "missing required column": (
        lambda: xlsx(("事项", [["实施编码", "事项名称", "实施主体"], [CODE_A, "新事项", "区经信局"]])), {},
        "缺少必填列：事项类型"),
    "missing department column": (
        lambda: xlsx(("事项", [["实施编码", "事项名称", "事项类型"], [CODE_A, "新事项", "01"]])), {},
        "缺少“实施主体”列"),
    "duplicate code in the file": (
        lambda: xlsx(("事项", good_rows([CODE_A, "又一个", "01", "区经信局"]))), {}, "在本文件中重复（第2行已有）"),
    "code of another department's item": (
        lambda: xlsx(("事项", good_rows(["OTHER-CODE-1", "改名", "01", "区经信局"]))), {},
        "已属于部门"),
    "value too long": (lambda: xlsx(("事项", good_rows([CODE_B, "长" * 201, "01", "区经信局"]))), {},
                       "超过最大长度200字（实际201字）"),
    "unknown item type": (lambda: xlsx(("事项", good_rows([CODE_B, "x", "行政审查", "区经信局"]))), {},
                          "无法识别的取值"),
    "text in a number column": (
        lambda: xlsx(("事项", [HEADER + ["到办事现场次数"], [CODE_A, "新事项", "01", "区经信局", "两次"]])), {},
        "应为不小于0的整数"),
    "not yes or no": (
        lambda: xlsx(("事项", [HEADER + ["网上办理"], [CODE_A, "新事项", "01", "区经信局", "也许"]])), {},
        "应为 是 或 否"),
    "bad URL": (
        lambda: xlsx(("事项", [HEADER + ["网上办理地址"], [CODE_A, "新事项", "01", "区经信局", "www.x.cn"]])), {},
        "http://"),
    "empty required cell": (lambda: xlsx(("事项", good_rows([CODE_B, "", "01", "区经信局"]))), {}, "必填，不能为空"),
    "formula without a stored value is not evaluated": (
        lambda: xlsx(("事项", good_rows([CODE_B, "=CONCAT(\"a\",\"b\")", "01", "区经信局"]))), {}, "必填，不能为空"),
    "material of an unknown item": (
        lambda: xlsx(("事项", good_rows()), ("申请材料", [["实施编码", "材料名称"], ["NO-SUCH-CODE", "身份证"]])), {},
        "找不到实施编码为此值的事项"),
    "material sheet without its name column": (
        lambda: xlsx(("事项", good_rows()), ("申请材料", [["实施编码", "材料类型"], [CODE_A, "其他"]])), {},
        "缺少必填列：材料名称"),
    "unknown department": (lambda: xlsx(("事项", good_rows([CODE_B, "x", "01", "区不存在局"]))), {},
                           "系统中没有这个部门"),
    "new department without a credit code": (
        lambda: xlsx(("事项", good_rows([CODE_B, "x", "01", "区不存在局"]))), {"create_departments": True},
        "需要填写实施主体编码"),
    "department given on the command line does not exist": (lambda: xlsx_bytes(), {"department": "NOPE"},
                                                             "指定的部门“NOPE”不存在"),
    "too many rows": (lambda: xlsx(("事项", good_rows(*[[f"C{i}", "x", "01", "区经信局"] for i in range(30)]))),
                      {"max_rows": 10}, "行数超过上限 10 行"),
    "zip bomb": (lambda: xlsx(("事项", good_rows(*[[f"C{i}", "名" * 150, "01", "区经信局"] for i in range(300)]))),
                 {"max_bytes": 50_000}, "可能是压缩炸弹"),
    "row of a department outside the user's scope": (
        lambda: xlsx(("事项", good_rows([CODE_B, "x", "01", "区公安分局"]))), {"as_department_admin": True},
        "无权导入部门“区公安分局”的事项"),
    "existing item of another department, by a department admin": (
        lambda: xlsx(("事项", good_rows(["OTHER-CODE-1", "x", "01", "区经信局"]))), {"as_department_admin": True},
        "该实施编码不能使用"),  # never that another department has it (issue 13)
}


@pytest.mark.parametrize("kind", list(CASES))
def test_broken_file_is_refused_with_its_message_and_changes_nothing(kind, world, settings):
    make, options, message = CASES[kind]
    options = dict(options)
    if "max_rows" in options:
        settings.IMPORTS_MAX_ROWS = options.pop("max_rows")
    if "max_bytes" in options:
        settings.IMPORTS_MAX_UNCOMPRESSED_BYTES = options.pop("max_bytes")
    user = department_admin(world[0]) if options.pop("as_department_admin", False) else None
    before = counts()
    result = import_file(make(), "broken.xlsx", user=user, publish=True, **options)
    assert not result.written
    assert any(message in e.message for e in result.errors), [e.message for e in result.errors]
    assert all(e.message for e in result.errors)
    assert counts() == before


def test_corpus_has_at_least_twenty_kinds():
    assert len(CASES) >= 20


def test_error_carries_sheet_row_column_and_value(world):
    data = xlsx(("我的清单", [["标题"], [], HEADER, [CODE_A, "新事项", "许可证", "区经信局"]]))
    result = import_file(data, "x.xlsx")
    [error] = result.errors
    assert error.as_dict() == {"sheet": "我的清单", "row": 4, "column": "事项类型", "value": "许可证",
                               "message": error.message}
    assert error.message.startswith("无法识别的取值")


@pytest.mark.parametrize("materials_first", [False, True])
def test_a_text_allowed_in_one_sheet_is_still_too_long_in_another(world, materials_first):
    # A material's name may have 300 characters, an item's 200: the same 250 characters in both sheets, in
    # either order, refuse the item's name and nothing else (each sheet's column cleans its own cells).
    text = "长" * 250
    items = ("事项", good_rows([CODE_B, text, "01", "区经信局"]))
    materials = ("申请材料", [["实施编码", "材料名称"], [CODE_A, text]])
    before = counts()

    result = import_file(xlsx(*((materials, items) if materials_first else (items, materials))), "x.xlsx")

    assert [(e.sheet, e.row, e.message) for e in result.errors] == [("事项", 3, "超过最大长度200字（实际250字）")]
    assert counts() == before
