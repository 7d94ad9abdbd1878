"""The power and responsibility list as a spreadsheet (权力清单、责任清单), written with openpyxl."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

COLUMNS = [
    ("实施主体", 22),
    ("事项名称", 40),
    ("事项类型", 12),
    ("实施编码", 34),
    ("设定依据", 40),
    ("责任事项", 60),
    ("追责情形", 50),
    ("追责对象", 20),
]


def power_list_workbook(items) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "权力清单和责任清单"
    sheet.append([name for name, _width in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, (_name, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    for item in items:
        sheet.append(
            [
                item.department.name,
                item.name,
                item.get_item_type_display(),
                item.implementation_code,
                "\n".join(f"{b.law} {b.article}".strip() for b in item.legal_bases.all()),
                "\n".join(f"{s.get_stage_display()}：{s.content}" for s in item.responsibility_stages.all()),
                "\n".join(c.situation for c in item.accountability_cases.all()),
                item.accountable_subject,
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
