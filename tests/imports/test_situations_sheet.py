"""The 情形 sheet and the materials' 适用情形 in the readable rule syntax: import, row errors, re-import, export."""

import io
import json

import openpyxl
import pytest
from wagtail.models import Revision

from catalog.models import Material, ServiceItem
from imports import values
from imports.export import write_workbook
from imports.service import import_file
from rules import logic
from rules.models import SituationQuestion
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory
from tests.imports.conftest import xlsx

pytestmark = pytest.mark.django_db

CODE = "511A0000000001-511602000000-000-11511301008778183N-1-00"
OTHER = "511A0000000002-511602000000-000-11511301008778183N-1-00"
ITEMS = ("事项", [
    ["实施编码", "事项名称", "事项类型", "实施主体", "实施主体编码"],
    [CODE, "无犯罪记录证明", "公共服务", "区公安分局", "11511301008778183N"],
    [OTHER, "企业投资项目备案", "其他行政权力", "区公安分局", "11511301008778183N"],
])
SITUATIONS_HEADER = ["事项实施编码", "问题标识", "问题", "选择方式", "选项", "提问条件", "帮助说明"]
SITUATIONS = ("情形", [
    SITUATIONS_HEADER,
    [CODE, "agent", "是否委托他人代办", "单选", "yes=是、no=否", "", "本人无法到场时可委托"],
    [CODE, "applicant_type", "申请人类型", "", "本人，单位", "", ""],
    [CODE, "purpose", "用途", "多选", "出国、就业或入学、其他", "是否委托他人代办＝否", ""],
])
MATERIALS = ("申请材料", [
    ["实施编码", "材料名称", "适用情形"],
    [CODE, "居民身份证", ""],
    [CODE, "授权委托书", "是否委托他人代办=是"],
    [CODE, "单位介绍信", "申请人类型=单位 且 (用途=出国 或 agent≠yes)"],
    [CODE, "录用通知书", "用途=就业或入学"],
    [CODE, "其他证明", '{"==": [{"var": "applicant.type"}, "company"]}'],
    [OTHER, "项目备案表", "需要备案的企业投资项目"],  # no questions: free text
])
AGENT_YES = {"==": [{"var": "situation.agent"}, "yes"]}
RULES = {
    "居民身份证": None,
    "授权委托书": AGENT_YES,
    "单位介绍信": {"and": [
        {"==": [{"var": "situation.applicant_type"}, "单位"]},
        {"or": [{"some": [{"var": "situation.purpose"}, {"in": [{"var": ""}, ["出国"]]}]}, {"!": AGENT_YES}]},
    ]},
    "录用通知书": {"some": [{"var": "situation.purpose"}, {"in": [{"var": ""}, ["就业或入学"]]}]},
    "其他证明": {"==": [{"var": "applicant.type"}, "company"]},
    "项目备案表": None,
}


@pytest.fixture
def department():
    return DepartmentFactory(name="广安市公安局广安区分局", short_name="区公安分局", credit_code="11511301008778183N")


def imported(*sheets, **options):
    result = import_file(xlsx(*sheets), "情形.xlsx", **options)
    assert result.errors == [], [e.as_dict() for e in result.errors]
    return result


def stored_rules(code=CODE):
    return {m.name: m.required_when for m in Material.objects.filter(item__implementation_code=code)}


def test_questions_and_rules_are_stored_in_the_rows_and_the_revision(department):
    imported(ITEMS, MATERIALS, SITUATIONS, publish=True)
    item = ServiceItem.objects.get(implementation_code=CODE)
    questions = list(item.situation_questions.order_by("sort_order").values("key", "text", "kind", "options",
                                                                            "asked_when", "help"))
    assert questions == [
        {"key": "agent", "text": "是否委托他人代办", "kind": "single", "help": "本人无法到场时可委托",
         "options": [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}], "asked_when": None},
        {"key": "applicant_type", "text": "申请人类型", "kind": "single", "help": "",
         "options": [{"value": "本人", "label": "本人"}, {"value": "单位", "label": "单位"}], "asked_when": None},
        {"key": "purpose", "text": "用途", "kind": "multiple", "help": "",
         "options": [{"value": v, "label": v} for v in ("出国", "就业或入学", "其他")],
         "asked_when": {"==": [{"var": "situation.agent"}, "no"]}},
    ]
    assert stored_rules() | stored_rules(OTHER) == RULES
    # The text stays the material's description.
    assert Material.objects.get(name="单位介绍信").situations == "申请人类型=单位 且 (用途=出国 或 agent≠yes)"
    assert Material.objects.get(name="项目备案表").situations == "需要备案的企业投资项目"

    content = Revision.objects.get(pk=item.live_revision_id).content
    assert [q["key"] for q in content["situation_questions"]] == ["agent", "applicant_type", "purpose"]
    assert content["situation_questions"][2]["asked_when"] == {"==": [{"var": "situation.agent"}, "no"]}
    assert {m["name"]: m["required_when"] for m in content["materials"]} == {
        name: rule for name, rule in RULES.items() if name != "项目备案表"}

    # The stored rules mean what the cells say.
    rule = Material.objects.get(name="单位介绍信").required_when
    assert logic.apply(rule, {"situation": {"agent": "no", "applicant_type": "单位", "purpose": []}}) is True
    assert logic.apply(rule, {"situation": {"agent": "yes", "applicant_type": "单位", "purpose": ["其他"]}}) is False


def test_a_draft_import_keeps_the_rules_in_its_revision(department):
    imported(ITEMS, SITUATIONS, MATERIALS)  # not published: the item's content is its revision
    item = ServiceItem.objects.get(implementation_code=CODE)
    content = Revision.objects.get(pk=item.latest_revision_id).content
    assert len(content["situation_questions"]) == 3
    assert {m["name"]: m["required_when"] for m in content["materials"]}["授权委托书"] == AGENT_YES


@pytest.mark.parametrize("order", [(ITEMS, SITUATIONS, MATERIALS), (MATERIALS, ITEMS, SITUATIONS)])
def test_the_sheets_may_come_in_any_order(department, order):
    imported(*order, publish=True)
    assert stored_rules() | stored_rules(OTHER) == RULES


def test_importing_the_same_file_again_changes_nothing(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    revisions, questions = Revision.objects.count(), list(SituationQuestion.objects.values_list("pk", flat=True))
    again = imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Revision.objects.count() == revisions
    assert list(SituationQuestion.objects.values_list("pk", flat=True)) == questions


def test_a_changed_rule_updates_the_item(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    materials = ("申请材料", [row if row[1] != "授权委托书" else [CODE, "授权委托书", "agent=no"]
                             for row in MATERIALS[1]])
    again = imported(ITEMS, SITUATIONS, materials, publish=True)
    assert (again.updated, again.unchanged) == (1, 1)
    assert stored_rules()["授权委托书"] == {"==": [{"var": "situation.agent"}, "no"]}


UNKNOWN_OPTION = "「申请人类型」没有选项「外企」，可选：本人、单位（第7个字符处）"


def test_a_bad_rule_is_refused_with_its_row_and_column_and_nothing_is_written(department):
    materials = ("申请材料", [*MATERIALS[1], [CODE, "营业执照", "申请人类型=外企"]])
    result = import_file(xlsx(ITEMS, SITUATIONS, materials), "情形.xlsx", publish=True)
    assert [(e.sheet, e.row, e.column, e.value, e.message) for e in result.errors] == [
        ("申请材料", 8, "适用情形", "申请人类型=外企", UNKNOWN_OPTION),
    ]
    assert result.error_rows["申请材料"][8] == [f"适用情形：{UNKNOWN_OPTION}"]
    assert not result.written
    assert ServiceItem.objects.count() == 0 and SituationQuestion.objects.count() == 0
    assert Material.objects.count() == 0


URGENT = [CODE, "extra", "是否加急"]


@pytest.mark.parametrize(("row", "column", "message"), [
    ([CODE, "Agent", "是否委托", "单选", "是、否", "", ""], "问题标识", "问题标识“Agent”不可用：请用小写字母开头"),
    ([CODE, "agent", "又一个问题", "单选", "是、否", "", ""], "问题标识", "问题标识“agent”在本事项中重复（第2行已有）"),
    ([*URGENT, "三选一", "是、否", "", ""], "选择方式", "无法识别的取值，可填：single 单选、multiple 多选"),
    ([*URGENT, "单选", "", "", ""], "选项", "必填，不能为空"),
    ([*URGENT, "单选", "、，", "", ""], "选项", "必填，不能为空"),
    ([*URGENT, "单选", "是、是", "", ""], "选项", "选项“是”重复"),
    ([*URGENT, "单选", "y=是、y=好", "", ""], "选项", "选项值“y”重复"),
    ([*URGENT, "单选", "是、=否", "", ""], "选项", "缺少值或名称"),
    ([*URGENT, "单选", "是、否", "申请人类型=外企", ""], "提问条件", "「申请人类型」没有选项「外企」"),
    ([*URGENT, "单选", "是、否", "申请人类型=", ""], "提问条件", "规则末尾缺少「申请人类型」的选项"),
    ([*URGENT, "单选", "是、否", "是否加急=是", ""], "提问条件", "提问条件只能引用本事项排在前面的问题"),
    ([CODE, "", "是否加急", "单选", "是、否", "", ""], "问题标识", "必填，不能为空"),
])
def test_bad_situation_rows_are_refused_in_chinese(department, row, column, message):
    situations = ("情形", [*SITUATIONS[1], row])
    result = import_file(xlsx(ITEMS, situations, MATERIALS), "情形.xlsx", publish=True)
    assert [(e.sheet, e.row, e.column) for e in result.errors] == [("情形", 5, column)]
    assert message in result.errors[0].message
    assert ServiceItem.objects.count() == 0


def test_a_question_asked_only_after_a_later_one_is_refused(department):
    situations = ("情形", [SITUATIONS_HEADER, [CODE, "first", "先问", "单选", "是、否", "后问=是", ""],
                          [CODE, "second", "后问", "单选", "是、否", "", ""]])
    result = import_file(xlsx(ITEMS, situations), "情形.xlsx")
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (2, "提问条件", "提问条件只能引用本事项排在前面的问题")]


def test_without_questions_the_column_stays_free_text(department):
    materials = ("申请材料", [["实施编码", "材料名称", "适用情形"],
                             [CODE, "授权委托书", "委托他人代办的"], [CODE, "身份证", "委托代办=是"]])
    imported(ITEMS, materials, publish=True)
    assert list(Material.objects.values_list("situations", "required_when")) == [
        ("委托他人代办的", None), ("委托代办=是", None)]


def test_a_file_without_a_situations_sheet_is_read_over_the_items_current_questions(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    materials = ("申请材料", [["实施编码", "材料名称", "适用情形"], [CODE, "授权委托书", "agent=no 或 用途=其他"],
                             [OTHER, "项目备案表", "agent=yes"]])  # OTHER has no questions: free text
    result = imported(materials, publish=True)
    assert (result.updated, result.unchanged) == (2, 0)
    assert stored_rules() == {"授权委托书": {"or": [{"==": [{"var": "situation.agent"}, "no"]},
                                               {"some": [{"var": "situation.purpose"},
                                                         {"in": [{"var": ""}, ["其他"]]}]}]}}
    assert stored_rules(OTHER) == {"项目备案表": None}
    assert SituationQuestion.objects.count() == 3  # kept

    refused = import_file(xlsx(("申请材料", [materials[1][0], [CODE, "授权委托书", "代办=是"]])), "m.xlsx")
    assert [(e.row, e.column) for e in refused.errors] == [(2, "适用情形")]
    assert "没有问题「代办」" in refused.errors[0].message


def test_the_current_questions_of_a_pending_draft_count(department):
    item = ServiceItemFactory(department=department, implementation_code=CODE)
    # A draft, not yet published, gives the item a question that its row does not have.
    item.situation_questions.add(SituationQuestion(key="agent", text="是否委托他人代办",
                                                   options=[{"value": "yes", "label": "是"},
                                                            {"value": "no", "label": "否"}]))
    item.save_revision()
    assert SituationQuestion.objects.count() == 0
    materials = ("申请材料", [["实施编码", "材料名称", "适用情形"], [CODE, "授权委托书", "是否委托他人代办=是"]])
    result = imported(materials)
    assert result.updated == 1
    item.refresh_from_db()
    content = Revision.objects.get(pk=item.latest_revision_id).content
    assert content["materials"][0]["required_when"] == AGENT_YES
    assert [q["key"] for q in content["situation_questions"]] == ["agent"]


def test_a_situations_sheet_without_rows_for_an_item_leaves_it_without_questions(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    situations = ("情形", [SITUATIONS_HEADER, [OTHER, "scale", "项目规模", "单选", "大、小", "", ""]])
    materials = ("申请材料", [["实施编码", "材料名称", "适用情形"], [CODE, "授权委托书", "委托他人代办的"],
                             [OTHER, "项目备案表", "项目规模=大"]])
    imported(ITEMS, situations, materials, publish=True)
    assert list(SituationQuestion.objects.values_list("item__implementation_code", "key")) == [(OTHER, "scale")]
    assert stored_rules() == {"授权委托书": None}
    assert stored_rules(OTHER) == {"项目备案表": {"==": [{"var": "situation.scale"}, "大"]}}


def test_new_questions_may_not_leave_the_kept_materials_rules_naming_a_question_that_is_gone(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    # Without a materials sheet the materials stay, and 授权委托书's rule names agent.
    situations = ("情形", [SITUATIONS_HEADER, [CODE, "applicant_type", "申请人类型", "单选", "本人、单位", "", ""]])
    result = import_file(xlsx(situations), "情形.xlsx", publish=True)
    messages = [(e.sheet, e.row, e.column, e.message) for e in result.errors]
    assert (
        "情形", 2, "问题标识",
        f"事项{CODE}的申请材料“授权委托书”的适用情形用到了情形问题“agent”，本文件的“情形”表中该事项没有这个问题："
        "请保留这个问题，或在“申请材料”表中一并修改",
    ) in messages
    assert {m[3].split("“")[1].split("”")[0] for m in messages} == {"授权委托书", "单位介绍信", "录用通知书"}
    assert SituationQuestion.objects.count() == 3  # nothing written
    # Keeping the questions the rules name is fine.
    situations = ("情形", [*SITUATIONS[1], [CODE, "urgent", "是否加急", "单选", "是、否", "", ""]])
    assert import_file(xlsx(situations), "情形.xlsx", publish=True).errors == []
    assert SituationQuestion.objects.count() == 4


# --- the template and the export ----------------------------------------------------------------------------------

def test_the_template_has_the_situations_sheet_and_says_how_to_write_rules():
    wb = openpyxl.load_workbook(io.BytesIO(write_workbook()))
    sheet = wb["情形"]
    assert [c.value for c in sheet[1]] == ["实施编码", "问题标识", "问题", "选择方式", "选项", "提问条件", "帮助说明"]
    assert "yes=是、no=否" in sheet["E1"].comment.text
    assert any(str(v.sqref).startswith("D2") for v in sheet.data_validations.dataValidation)  # 单选/多选
    materials = wb["申请材料"]
    header = next(c for c in materials[1] if c.value == "适用情形")
    assert "委托代办=是" in header.comment.text and "文字说明" in header.comment.text


def test_options_read_and_written_back():
    assert values.parse_options("是、否") == ([{"value": "是", "label": "是"}, {"value": "否", "label": "否"}], None)
    assert values.parse_options("yes＝是，no = 否; 其他") == (
        [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}, {"value": "其他", "label": "其他"}], None)
    options = [{"value": "a", "label": "甲、乙"}, {"value": "丙", "label": "丙"}]
    assert values.format_options(options) == "a=甲、乙\n丙"  # one a line where a name holds a separator
    assert values.parse_options(values.format_options(options)) == (options, None)
    assert values.format_options([{"value": "yes", "label": "是"}, {"value": "否", "label": "否"}]) == "yes=是、否"


def export_rows(data, sheet):
    wb = openpyxl.load_workbook(io.BytesIO(data))
    return [[c.value for c in row] for row in wb[sheet].iter_rows(min_row=2)]


def test_export_writes_the_same_syntax_and_importing_it_changes_nothing(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    revisions = Revision.objects.count()
    data = write_workbook(ServiceItem.objects.all())
    assert export_rows(data, "情形") == [
        [CODE, "agent", "是否委托他人代办", "单选", "yes=是、no=否", None, "本人无法到场时可委托"],
        [CODE, "applicant_type", "申请人类型", "单选", "本人、单位", None, None],
        [CODE, "purpose", "用途", "多选", "出国、就业或入学、其他", "是否委托他人代办=否", None],
    ]
    assert {row[1]: row[-1] for row in export_rows(data, "申请材料")} == {
        "居民身份证": None,
        "授权委托书": "是否委托他人代办=是",
        "单位介绍信": "申请人类型=单位 且 (用途=出国 或 agent≠yes)",  # the description as imported
        "录用通知书": "用途=就业或入学",
        "其他证明": '{"==": [{"var": "applicant.type"}, "company"]}',
        "项目备案表": "需要备案的企业投资项目",
    }
    again = import_file(data, "export.xlsx", publish=True)
    assert again.errors == []
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Revision.objects.count() == revisions


def test_rules_set_elsewhere_are_exported_as_their_rule(department):
    imported(ITEMS, SITUATIONS, MATERIALS, publish=True)
    # Rules set in the admin's builder: one readable with no description, one with no readable form whose
    # description says something else.
    Material.objects.filter(name="居民身份证").update(
        required_when={"in": [{"var": "situation.applicant_type"}, ["本人", "单位"]]})
    Material.objects.filter(name="录用通知书").update(situations="被录用的",
                                                  required_when={">": [{"var": "applicant.age"}, 16]})
    for item in ServiceItem.objects.all():
        item.save_revision().publish()
    data = write_workbook(ServiceItem.objects.all())
    cells = {row[1]: row[-1] for row in export_rows(data, "申请材料")}
    assert cells["居民身份证"] == "申请人类型=本人、单位"
    assert cells["录用通知书"] == '{">": [{"var": "applicant.age"}, 16]}'

    before = {m.name: (m.situations, m.required_when) for m in Material.objects.all()}
    result = import_file(data, "export.xlsx", publish=True)
    assert result.errors == []
    after = {m.name: (m.situations, m.required_when) for m in Material.objects.all()}
    # Every rule comes back; where an item has questions, the cell is the rule, and it becomes the description.
    assert {name: rule for name, (_text, rule) in after.items()} == {name: rule for name, (_t, rule) in before.items()}
    assert {name for name in before if before[name] != after[name]} == {"居民身份证", "录用通知书"}
    assert after["录用通知书"][0] == '{">": [{"var": "applicant.age"}, 16]}'

    # From then on the export and the import agree exactly.
    revisions = Revision.objects.count()
    again = import_file(write_workbook(ServiceItem.objects.all()), "export.xlsx", publish=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Revision.objects.count() == revisions
    assert json.loads(Material.objects.get(name="其他证明").situations) == RULES["其他证明"]
