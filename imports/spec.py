"""The spreadsheet layout of the catalogue: sheets, columns, header aliases and value kinds.

One declaration serves the template, the export and the reader, so the three can never drift apart.
Headers are the element names in Chinese; aliases are what real department spreadsheets call them.
"""

from dataclasses import dataclass

from catalog import codes
from catalog.models import FAQ, AccountabilityCase, Fee, Material, ResponsibilityStage, ServiceItem
from catalog.models.items import HandlingArea
from formbuilder.models import FormDefinition
from rules.models import QuestionKind, SituationQuestion

TEXT, INT, CHOICE, BOOL, MULTI, LEGAL, LIMIT = "text", "int", "choice", "bool", "multi", "legal", "limit"
# A situation question's key, its options (“是、否” or “yes=是、no=否”), and a rule in the readable syntax
# (rules.syntax), which the importer compiles once the item's questions are known.
KEY, OPTIONS, RULE = "key", "options", "rule"


@dataclass(frozen=True)
class Column:
    key: str  # model field, or a pseudo field handled by the importer (department, legal_bases)
    header: str
    kind: str = TEXT
    aliases: tuple[str, ...] = ()
    choices: type | None = None
    max_length: int | None = None
    required: bool = False
    help: str = ""
    width: int = 16


@dataclass(frozen=True)
class Sheet:
    name: str
    relation: str | None  # None for the item sheet; the ParentalKey related_name otherwise
    model: type
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    # The first two columns that must be present for the sheet to be recognised
    required_keys: tuple[str, ...] = ("item_code",)
    # Fields the importer derives from the columns (a material's rule from its 适用情形), compared and written with
    # them
    derived: tuple[str, ...] = ()

    def column(self, key):
        return next(c for c in self.columns if c.key == key)


def _f(model, name, header=None, kind=TEXT, **kwargs):
    """A column for a model field, taking max_length and choices from the field itself."""
    model_field = model._meta.get_field(name)
    choices = kwargs.pop("choices", None)
    if choices is None and model_field.choices and kind == TEXT:
        kind = CHOICE
    if kind == CHOICE and choices is None:
        choices = _CHOICE_CLASSES[(model.__name__, name)]
    return Column(
        key=name,
        header=header or str(model_field.verbose_name),
        kind=kind,
        choices=choices,
        max_length=getattr(model_field, "max_length", None) if kind in (TEXT,) else None,
        **kwargs,
    )


_CHOICE_CLASSES = {
    ("ServiceItem", "item_type"): codes.ItemType,
    ("ServiceItem", "department_nature"): codes.DepartmentNature,
    ("ServiceItem", "exercise_level"): codes.DepartmentLevel,
    ("ServiceItem", "role"): codes.SubItemRole,
    ("ServiceItem", "case_type"): codes.CaseType,
    ("ServiceItem", "statutory_limit_unit"): codes.TimeUnit,
    ("ServiceItem", "promised_limit_unit"): codes.TimeUnit,
    ("ServiceItem", "online_depth"): codes.OnlineDepth,
    ("ServiceItem", "handling_area"): HandlingArea,
    ("ServiceItem", "result_type"): codes.ResultType,
    ("Material", "material_type"): codes.MaterialType,
    ("Material", "material_form"): codes.MaterialForm,
    ("Material", "original_or_copy"): codes.MaterialOriginal,
    ("Material", "source"): codes.MaterialSource,
    ("Material", "necessity"): codes.MaterialNecessity,
    ("ResponsibilityStage", "stage"): codes.ResponsibilityStageKind,
    ("SituationQuestion", "kind"): QuestionKind,
}

CODE_ALIASES = ("实施编码", "权力编码", "职权编码", "事项编码", "实施清单编码", "事项实施编码", "itemCode")
S = ServiceItem

ITEM_SHEET = Sheet(
    name="事项",
    relation=None,
    model=ServiceItem,
    aliases=("事项清单", "实施清单", "权力清单", "权责清单", "事项梳理表", "Sheet1"),
    required_keys=("implementation_code", "name"),
    columns=(
        _f(S, "implementation_code", required=True, aliases=CODE_ALIASES[1:], width=40,
           help="事项的唯一编码：国家标准31位，或地方格式按原样填写。导入时按此编码新增或更新"),
        _f(S, "name", required=True, aliases=("权力名称", "职权名称", "事项名称", "实施清单事项名称", "name"), width=36,
           help="事项名称，最多200字"),
        _f(S, "basic_code", aliases=("基本目录编码", "目录编码"), help="基本目录编码（12位数字）"),
        _f(S, "item_type", required=True, aliases=("权力类型", "职权类型", "事项类型", "权力类别", "taskType"),
           help="填代码或名称，如 01 或 行政许可；四川单位数代码（1、20…）也可"),
        Column("department", "实施主体", aliases=("行使主体", "实施部门", "承办机构", "实施机构", "部门", "department"),
               required=True, width=20, help="实施部门的名称或简称；与系统中的部门对应"),
        Column("department_code", "实施主体编码", aliases=("实施主体统一社会信用代码", "部门编码", "统一社会信用代码",
                                                     "deptCode"),
               width=22, help="实施部门的统一社会信用代码（按原样），用于匹配或新建部门"),
        _f(S, "department_nature", help="法定机关 / 授权组织 / 受委托组织"),
        _f(S, "entrusted_department"),
        _f(S, "exercise_level", aliases=("行使层级",), help="国家级、省级、市级、县级、乡镇级，或代码1–5"),
        _f(S, "role", help="主项 / 子项 / 无子项"),
        _f(S, "main_item_name", aliases=("主项名称", "所属主项", "main_item"), width=30),
        _f(S, "service_objects", kind=MULTI, choices=codes.ServiceObject,
           help="可多选，用逗号或顿号分隔：自然人、企业法人…或代码 1,2"),
        Column("legal_bases", "设定依据", kind=LEGAL, aliases=("实施依据", "法律依据", "设定依据及条款"), width=40,
               help="每行一条：《法律法规名称》第X条：条款内容"),
        _f(S, "case_type"),
        _f(S, "statutory_limit", kind=LIMIT, help="数字；也可写“20个工作日”"),
        _f(S, "statutory_limit_unit"),
        _f(S, "statutory_limit_note"),
        _f(S, "promised_limit", kind=LIMIT, help="数字；也可写“5个工作日”"),
        _f(S, "promised_limit_unit"),
        _f(S, "promised_limit_note"),
        _f(S, "acceptance_conditions", width=40),
        _f(S, "handling_flow", width=40),
        _f(S, "handled_at_window", kind=BOOL, help="是 / 否"),
        _f(S, "handled_online", kind=BOOL, help="是 / 否"),
        _f(S, "handled_by_post", kind=BOOL, help="是 / 否"),
        _f(S, "visits", kind=INT, help="0、1、2…"),
        _f(S, "online_depth", help="Ⅰ–Ⅳ级，或代码1–4"),
        _f(S, "online_url", aliases=("网办地址", "在线办理地址"), width=30),
        _f(S, "appointment_available", kind=BOOL, help="是 / 否"),
        _f(S, "express_delivery", kind=BOOL, help="是 / 否"),
        _f(S, "is_free", kind=BOOL, help="是 / 否"),
        _f(S, "handling_area"),
        _f(S, "address", width=30),
        _f(S, "office_hours", width=24),
        _f(S, "consultation_channels", aliases=("咨询电话", "咨询途径"), width=24),
        _f(S, "complaint_channels", aliases=("投诉电话", "监督电话", "投诉途径"), width=24),
        _f(S, "result_type"),
        _f(S, "result_name", aliases=("结果名称",)),
        _f(S, "special_procedures"),
        _f(S, "intermediary_services"),
        _f(S, "accountable_subject"),
        _f(S, "source_url", aliases=("办事指南链接", "link"), width=30),
    ),
)

_code_column = Column("item_code", "实施编码", aliases=CODE_ALIASES[1:], required=True, width=40,
                      help="所属事项的实施编码，须在“事项”表或系统中存在")

CHILD_SHEETS = (
    Sheet("申请材料", "materials", Material, aliases=("材料", "材料清单"), derived=("required_when",), columns=(
        _code_column,
        _f(Material, "name", required=True, width=30, aliases=("申请材料名称",)),
        _f(Material, "material_type"),
        _f(Material, "material_form"),
        _f(Material, "paper_copies", kind=INT, aliases=("份数",)),
        _f(Material, "paper_size"),
        _f(Material, "original_or_copy"),
        _f(Material, "source", aliases=("材料来源",)),
        _f(Material, "source_note"),
        _f(Material, "necessity", aliases=("是否必要",)),
        _f(Material, "filling_notes", width=30),
        _f(Material, "legal_basis", width=30),
        _f(Material, "acceptance_standard", width=30),
        _f(Material, "situations", width=30,
           help="事项有情形问题时（本文件“情形”表中的，或文件没有“情形”表时系统中已有的），按规则写："
                "“问题=选项”，如“委托代办=是”“申请人类型=企业、个体户”“申请人类型≠企业”，用“且”“或”和括号组合；"
                "为空表示所有情形都需要。事项没有情形问题时为文字说明"),
    )),
    Sheet("收费项目", "fees", Fee, aliases=("收费",), columns=(
        _code_column,
        _f(Fee, "name", required=True, width=24),
        _f(Fee, "standard", required=True, width=30),
        _f(Fee, "basis", width=30),
        _f(Fee, "reductions", width=30),
    )),
    Sheet("常见问题", "faqs", FAQ, aliases=("问答",), columns=(
        _code_column,
        _f(FAQ, "question", required=True, width=40),
        _f(FAQ, "answer", required=True, width=60),
    )),
    Sheet("责任事项", "responsibility_stages", ResponsibilityStage, aliases=("责任清单",), columns=(
        _code_column,
        _f(ResponsibilityStage, "stage", required=True, aliases=("责任环节名称",)),
        _f(ResponsibilityStage, "content", required=True, width=50),
        _f(ResponsibilityStage, "basis", width=40),
    )),
    Sheet("追责情形", "accountability_cases", AccountabilityCase, aliases=("追责",), columns=(
        _code_column,
        _f(AccountabilityCase, "situation", required=True, width=50),
        _f(AccountabilityCase, "basis", width=40),
    )),
    # Last: a sheet of another name is recognised by its header, in this order, and 问题 is also the FAQs' header.
    Sheet("情形", "situation_questions", SituationQuestion, aliases=("情形问题", "情形引导"), columns=(
        _code_column,
        _f(SituationQuestion, "key", kind=KEY, required=True, width=18,
           help="小写字母开头，只含小写字母、数字和下划线，最多40个字符，如 agent；同一事项内不能重复"),
        _f(SituationQuestion, "text", required=True, width=30, help="向申请人提出的问题，如 是否委托他人代办"),
        _f(SituationQuestion, "kind", help="单选 或 多选；为空为单选"),
        _f(SituationQuestion, "options", kind=OPTIONS, required=True, width=30,
           help="用顿号分隔，如 是、否；需要另设取值时写成 值=名称，如 yes=是、no=否（规则比较的是取值）"),
        _f(SituationQuestion, "asked_when", header="提问条件", kind=RULE, aliases=("提问条件（规则）",), width=30,
           help="只在某些情形下提问时填写，写法同申请材料的适用情形，只能引用本事项前面的问题；为空表示总是提问"),
        _f(SituationQuestion, "help", width=30),
    )),
)

# The online form's fields, one a row (imports.form_sheet): not a child sheet of one model row per line, so it is
# read as one and then compiled into each item's one FormDefinition. Its keys are no model fields.
FORM_SHEET = Sheet("表单字段", "form_definitions", FormDefinition, aliases=("在线表单",),
                   required_keys=("item_code", "field_key"), columns=(
    _code_column,
    Column("step", "步骤", required=True, width=16,
           help="步骤（页）的名称，如 申请人信息；同名的行在同一步，按出现顺序"),
    Column("field_key", "字段标识", required=True, width=18,
           help="小写字母开头，只含小写字母、数字和下划线，如 agent_name；同一事项的表单内不能重复"),
    Column("field_type", "字段类型", required=True, width=16,
           help="单行文字、多行文字、数字、金额（元）、日期、日期区间、单选、下拉选择、多选、是/否、姓名、居民身份证号码、"
                "统一社会信用代码、手机号码、固定电话、电子邮箱、邮政编码、行政区划、详细地址、材料上传、承诺书、说明文字"),
    Column("label", "标题", width=24),
    Column("required", "必填", kind=BOOL, help="是 / 否；为空为否"),
    Column("options", "选项", width=30,
           help="单选、下拉选择、多选的选项，用 | 分隔，如 是|否，另设取值时写 yes=是|no=否；"
                "材料上传填对应的申请材料名称；承诺书、说明文字填其内容"),
    Column("visible_when", "显示条件", kind=RULE, width=30,
           help="写法同申请材料的适用情形：“问题或字段=选项”，用“且”“或”和括号组合；只能引用情形问题和前面的字段；为空表示总是显示"),
    Column("required_when", "必填条件", kind=RULE, width=30, help="不勾选必填时，满足此条件才必填；写法同显示条件"),
    Column("help_text", "帮助说明", width=30),
))

SITUATIONS_SHEET = CHILD_SHEETS[-1]
MATERIALS_SHEET = CHILD_SHEETS[0]
SHEETS = (ITEM_SHEET, *CHILD_SHEETS, FORM_SHEET)
INSTRUCTIONS_SHEET = "填表说明"
ITEM_FIELDS = [c.key for c in ITEM_SHEET.columns if c.key not in ("department", "department_code", "legal_bases")]
