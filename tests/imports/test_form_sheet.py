"""The 表单字段 sheet: an item's online form bulk-loaded from the spreadsheet (preview, commit, undo), row errors in
Chinese with sheet, row and column, and an export that re-imports to the same form."""

import io

import openpyxl
import pytest

from catalog.models import ServiceItem
from formbuilder.models import FormDefinition
from imports.export import write_workbook
from imports.jobs import undo_job
from imports.models import ImportJob
from imports.service import import_file
from tests.catalog.factories import DepartmentFactory, UserFactory
from tests.imports.conftest import xlsx
from tests.imports.test_situations_sheet import CODE, ITEMS, MATERIALS, OTHER, SITUATIONS

pytestmark = pytest.mark.django_db

HEADER = ["实施编码", "步骤", "字段标识", "字段类型", "标题", "必填", "选项", "显示条件", "必填条件", "帮助说明"]
FIELDS = ("表单字段", [
    HEADER,
    [CODE, "申请人", "name", "姓名", "申请人姓名", "是", "", "", "", "与身份证一致"],
    [CODE, "申请人", "id_number", "居民身份证号码", "身份证号码", "是", "", "", "", ""],
    [CODE, "申请人", "agent_name", "姓名", "代办人姓名", "是", "", "是否委托他人代办=是", "", ""],
    [CODE, "申请人", "mail", "是/否", "是否邮寄", "是", "", "", "", ""],
    [CODE, "申请人", "channel", "单选", "领取方式", "否", "self=自取|post=邮寄", "", "是否邮寄=是", ""],
    [CODE, "材料", "proxy", "材料上传", "委托书", "否", "授权委托书", "", "", ""],
    [CODE, "材料", "promise", "承诺书", "承诺", "否", "本人承诺所填信息真实。", "", "", ""],
])


@pytest.fixture
def department():
    return DepartmentFactory(name="广安市公安局广安区分局", short_name="区公安分局", credit_code="11511301008778183N")


def _form(code=CODE):
    return FormDefinition.objects.get(item__implementation_code=code)


def _fields(definition):
    return [(step.value["title"], field.block_type, field.value["key"]) for step in definition.steps
            for field in step.value["fields"]]


def test_the_rows_become_the_items_form(department):
    result = import_file(xlsx(ITEMS, MATERIALS, SITUATIONS, FIELDS), "f.xlsx", publish=True)
    assert result.errors == [], [e.as_dict() for e in result.errors]
    definition = _form()
    assert _fields(definition)[:2] == [("申请人", "person_name", "name"), ("申请人", "id_number", "id_number")]
    fields = {f.value["key"]: f.value for step in definition.steps for f in step.value["fields"]}
    assert fields["agent_name"]["visible_when"] == "是否委托他人代办=是"
    assert fields["channel"]["options"] == "self=自取\npost=邮寄" and fields["channel"]["required"] is False
    assert fields["proxy"]["material"] == "授权委托书"
    assert fields["promise"]["text"] == "本人承诺所填信息真实。"
    assert not FormDefinition.objects.filter(item__implementation_code=OTHER).exists()  # no rows: no form


def _errors(*sheets):
    result = import_file(xlsx(*sheets), "f.xlsx", dry_run=True)
    return [(e.sheet, e.row, e.column, e.message) for e in result.errors]


@pytest.mark.parametrize(("row", "column", "message"), [
    ([CODE, "申请人", "x", "九宫格", "标题", "否", "", "", "", ""], "字段类型", "没有这种字段类型"),
    ([CODE, "申请人", "name", "单行文字", "再一个", "否", "", "", "", ""], "字段标识", "重复（第2行已有）"),
    ([CODE, "申请人", "x", "单行文字", "标题", "否", "", "没有的问题=是", "", ""], "显示条件", "没有的问题"),
    ([CODE, "申请人", "x", "单选", "标题", "否", "", "", "", ""], "选项", "须填写选项"),
    ([CODE, "申请人", "Bad", "单行文字", "标题", "否", "", "", "", ""], "字段标识", "不可用"),
])
def test_row_errors_say_sheet_row_and_column_in_chinese(department, row, column, message):
    sheet = ("表单字段", [*FIELDS[1], row])
    errors = _errors(ITEMS, MATERIALS, SITUATIONS, sheet)
    assert [(s, r, c) for s, r, c, m in errors if message in m] == [("表单字段", len(FIELDS[1]) + 1, column)], errors


def test_an_upload_slot_needs_a_material_of_the_item(department):
    sheet = ("表单字段", [HEADER, [CODE, "材料", "scan", "材料上传", "扫描件", "否", "没有的材料", "", "", ""]])
    errors = _errors(ITEMS, MATERIALS, SITUATIONS, sheet)
    assert [(s, r, c) for s, r, c, m in errors if "没有的材料" in m] == [("表单字段", 2, "选项")], errors


def test_an_export_re_imports_to_the_same_form(department):
    import_file(xlsx(ITEMS, MATERIALS, SITUATIONS, FIELDS), "f.xlsx", publish=True)
    before = _form().steps.get_prep_value()
    exported = write_workbook(ServiceItem.objects.all())
    rows = list(openpyxl.load_workbook(io.BytesIO(exported))["表单字段"].values)
    assert rows[0] == tuple(HEADER) and len(rows) == len(FIELDS[1])
    again = import_file(exported, "export.xlsx", publish=True)
    assert again.errors == [] and again.updated == 0, [e.as_dict() for e in again.errors]
    assert _strip(_form().steps.get_prep_value()) == _strip(before)
    FormDefinition.objects.all().delete()  # and from nothing, the file gives that form back
    again = import_file(exported, "export.xlsx", publish=True)
    assert again.errors == [] and again.updated == 1
    assert _strip(_form().steps.get_prep_value()) == _strip(before)


def _strip(data):
    if isinstance(data, list):
        return [_strip(v) for v in data]
    if isinstance(data, dict):
        return {k: _strip(v) for k, v in data.items() if k != "id"}
    return data


def test_a_changed_row_updates_the_item_and_undo_gives_the_old_form_back(department):
    user = UserFactory(username="importer")
    import_file(xlsx(ITEMS, MATERIALS, SITUATIONS, FIELDS), "f.xlsx", publish=True, user=None)
    changed = ("表单字段", [row if row[2] != "name" else [*row[:4], "姓名（新）", *row[5:]] for row in FIELDS[1]])
    preview = import_file(xlsx(changed), "f.xlsx", dry_run=True)
    assert preview.errors == [] and preview.updated == 1 and not preview.written
    assert _form().steps[0].value["fields"][0].value["label"] == "申请人姓名"  # a preview writes nothing
    result = import_file(xlsx(changed), "f.xlsx", publish=True)
    assert result.updated == 1 and _form().steps[0].value["fields"][0].value["label"] == "姓名（新）"
    job = ImportJob.objects.create(user=user, file_name="f.xlsx", changes=result.changes)
    undo_job(job, user)
    assert _form().steps[0].value["fields"][0].value["label"] == "申请人姓名"


def test_an_import_without_the_sheet_keeps_the_forms_and_does_not_look_at_them(department):
    import_file(xlsx(ITEMS, MATERIALS, SITUATIONS, FIELDS), "f.xlsx", publish=True)
    from imports import form_sheet

    calls = []
    original = form_sheet.build_steps
    form_sheet.build_steps = lambda *a: calls.append(a) or original(*a)
    try:
        result = import_file(xlsx(ITEMS), "f.xlsx", publish=True)
    finally:
        form_sheet.build_steps = original
    assert result.errors == [] and calls == []
    assert _fields(_form())[0] == ("申请人", "person_name", "name")
