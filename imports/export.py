"""The template and the export: the same workbook layout, generated from imports/spec.py.

openpyxl in write-only mode streams rows to the file, so exporting a province's list does not hold it all in
memory. Every coded column gets a drop-down list (the labels, from a hidden 代码表 sheet), every header a comment
saying what it expects. Text that a spreadsheet program would run as a formula (= + - @ …) is written as a
string cell with the quote prefix, so it is shown, not evaluated, and reads back unchanged.
"""

import io
from collections import defaultdict

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from catalog.models import LegalBasis, ServiceItem
from catalog.spreadsheets import xlsx_cell

from .form_sheet import form_rows
from .situations import ExportRules
from .spec import (
    BOOL,
    CHILD_SHEETS,
    CHOICE,
    FORM_SHEET,
    INSTRUCTIONS_SHEET,
    ITEM_SHEET,
    LEGAL,
    LIMIT,
    MULTI,
    OPTIONS,
    SHEETS,
    Sheet,
)
from .values import format_legal_bases, format_options

CODES_SHEET = "代码表"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FONT = Font(bold=True)
MAX_VALIDATION_ROWS = 1_048_576
CHUNK = 2000


def _choice_columns():
    """Each distinct code table used by a drop-down, with the column of the codes sheet it lives in."""
    tables = {}
    for spec in SHEETS:
        for column in spec.columns:
            if column.kind in (CHOICE,) and column.choices not in tables:
                tables[column.choices] = len(tables) + 1
            if column.kind == BOOL and bool not in tables:
                tables[bool] = len(tables) + 1
    return tables


def _labels(table):
    return [_("是"), _("否")] if table is bool else [str(label) for _code, label in table.choices]


def _safe(ws, value):
    return xlsx_cell(ws, value)  # the project's one safe cell writer (catalog.spreadsheets)


def _add_header(ws, spec: Sheet, tables):
    cells = []
    for index, column in enumerate(spec.columns, start=1):
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        note = column.help or _("文本")
        if column.required:
            note = _("必填。") + note
        if column.max_length:
            note += _("（最多%(n)d字）") % {"n": column.max_length}
        if column.kind in (CHOICE, MULTI) and not column.help:
            note += _("：") + "、".join(_labels(column.choices))
        cell.comment = Comment(note, "通办")
        cells.append(cell)
        ws.column_dimensions[get_column_letter(index)].width = column.width
        table = column.choices if column.kind == CHOICE else (bool if column.kind == BOOL else None)
        if table is not None:
            letter = get_column_letter(tables[table])
            source = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${len(_labels(table)) + 1}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showErrorMessage=True,
                                        errorTitle=_("取值不在列表中"), error=_("请从下拉列表中选择"))
            validation.add(f"{get_column_letter(index)}2:{get_column_letter(index)}{MAX_VALIDATION_ROWS}")
            ws.data_validations.append(validation)
    ws.freeze_panes = "B2" if spec is ITEM_SHEET else "A2"
    ws.append(cells)


def _cell_value(column, value):
    if value is None:
        return None
    if column.kind == CHOICE:
        return str(dict(column.choices.choices).get(value, value)) if value else None
    if column.kind == MULTI:
        labels = dict(column.choices.choices)
        return "、".join(str(labels.get(code, code)) for code in value.split(",") if code) or None
    if column.kind == BOOL:
        return _("是") if value else _("否")
    if column.kind == LIMIT:
        return value
    if column.kind == OPTIONS:
        return format_options(value) or None
    return value if value != "" else None


def _item_row(item, legal):
    row = []
    for column in ITEM_SHEET.columns:
        if column.key == "department":
            value = item.department.short_name or item.department.name
        elif column.key == "department_code":
            value = item.department.credit_code
        elif column.kind == LEGAL:
            value = format_legal_bases(legal.get(item.pk, [])) or None
        else:
            value = _cell_value(column, getattr(item, column.key))
        row.append(value)
    return row


def write_workbook(items=None, stream=None):
    """Write the template (items=None) or an export of the given queryset to stream (or return bytes)."""
    wb = Workbook(write_only=True)
    tables = _choice_columns()
    sheets = {}
    for spec in SHEETS:
        ws = wb.create_sheet(spec.name)
        _add_header(ws, spec, tables)
        sheets[spec.name] = ws
    if items is not None:
        _write_items(items, sheets)
    _write_instructions(wb.create_sheet(INSTRUCTIONS_SHEET))
    codes = wb.create_sheet(CODES_SHEET)
    codes.sheet_state = "hidden"
    columns = [[_("代码表")] + _labels(table) for table in tables]
    for r in range(max(len(c) for c in columns)):
        codes.append([c[r] if r < len(c) else None for c in columns])
    if stream is None:
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()
    wb.save(stream)
    return None


def _write_items(items, sheets):
    ids = list(items.order_by("department_id", "implementation_code").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        batch = list(ServiceItem.objects.filter(pk__in=chunk).select_related("department")
                     .order_by("department_id", "implementation_code"))
        legal = defaultdict(list)
        for item_id, law, article, text in LegalBasis.objects.filter(item_id__in=chunk).order_by(
            "item_id", "sort_order", "pk"
        ).values_list("item_id", "law", "article", "text"):
            legal[item_id].append((law, article, text))
        ws = sheets[ITEM_SHEET.name]
        for item in batch:
            ws.append([_safe(ws, v) for v in _item_row(item, legal)])
        codes = {item.pk: item.implementation_code for item in batch}
        rules = ExportRules(chunk)  # 提问条件 and 适用情形 in the readable syntax, over each item's questions
        for spec in CHILD_SHEETS:
            ws = sheets[spec.name]
            model = ServiceItem._meta.get_field(spec.relation).related_model
            keys = [c.key for c in spec.columns if c.key != "item_code"] + list(spec.derived)
            order = {pk: i for i, pk in enumerate(codes)}
            rows = sorted(model.objects.filter(item_id__in=chunk).values_list("item_id", "sort_order", "pk", *keys),
                          key=lambda r: (order[r[0]], r[1], r[2]))
            for row in rows:
                cells = row[3 : 2 + len(spec.columns)]  # (then the derived fields)
                values = [codes[row[0]]] + [_cell_value(c, v) for c, v in zip(spec.columns[1:], cells, strict=True)]
                rules.rewrite(spec.relation, spec.columns, row[0], row[2], dict(zip(keys, row[3:], strict=True)),
                              values)
                ws.append([_safe(ws, v) for v in values])
        ws = sheets[FORM_SHEET.name]
        for values in form_rows(chunk, codes):
            ws.append([_safe(ws, v) for v in values])


INSTRUCTIONS = [
    "填表说明",
    "1. 每个事项在“事项”表占一行，以“实施编码”唯一标识：编码已存在则更新该事项，不存在则新增。",
    "2. 申请材料、收费项目、常见问题、责任事项、追责情形、情形各占一个工作表，每行用“实施编码”关联所属事项；"
    "某个工作表出现在文件中时，文件中的行将整体替换该事项原有的同类内容。",
    "3. 红色表头为必填列。带下拉列表的列可填名称或代码（如 行政许可 或 01）。",
    "4. 是/否列填“是”或“否”。时限填天数，单位在相邻的“时限单位”列中选择。",
    "5. 设定依据每行一条，写成“《法律法规名称》第X条：条款内容”。",
    "6. 导入时全部行通过校验才会写入；有任何错误则一行也不写入，可下载带错误说明的表格修改后重新上传。",
    "7. 可以删除不需要的列；表头上方的标题行、“序号”列都可以保留。",
    "8. 情形表：每行一个情形问题。选项用顿号分隔，如“是、否”；需要另设取值时写成“值=名称”，如“yes=是、no=否”。"
    "事项有情形问题时，申请材料的“适用情形”按规则写：“问题=选项”（多个选项用顿号分隔）、“问题≠选项”，"
    "用“且”“或”和括号组合，如“委托代办=是 且 申请人类型=企业、个体户”；问题可写问题或问题标识，选项可写名称或取值；"
    "为空表示所有情形都需要。无法用这种写法表示的规则导出为 JSON 文本，原样导入即可。"
    "事项没有情形问题时，“适用情形”是文字说明。",
    "9. 表单字段表：每行一个在线表单字段，同一“步骤”的行组成一步。有行的事项，其在线表单的步骤按这些行替换；"
    "没有行的事项保留原表单。含分组的表单请在管理后台设计，不导出到本表。",
]


def _write_instructions(ws):
    ws.column_dimensions["A"].width = 120
    for line in INSTRUCTIONS:
        ws.append([line])
    ws.append([])
    ws.append(["工作表", "列", "说明"])
    for spec in SHEETS:
        for column in spec.columns:
            ws.append([spec.name, column.header, ("必填。" if column.required else "") + (column.help or "")])
