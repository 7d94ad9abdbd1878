"""The power and responsibility list as a spreadsheet (权力清单、责任清单), written with openpyxl.

Write-only mode streams the rows into the file; every cell goes through catalog.spreadsheets, so an item's text
that looks like a formula (=HYPERLINK(…), =cmd|…) is shown as text, never evaluated.
"""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from catalog.spreadsheets import xlsx_cell

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

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)


def power_list_workbook(items) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("权力清单和责任清单")
    for index, (_name, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    header = []
    for name, _width in COLUMNS:
        cell = xlsx_cell(sheet, name)
        cell.font = BOLD
        header.append(cell)
    sheet.append(header)
    for item in items:
        values = [
            item.department.name,
            item.name,
            item.get_item_type_display(),
            item.implementation_code,
            "\n".join(f"{b.law} {b.article}".strip() for b in item.legal_bases.all()),
            "\n".join(f"{s.get_stage_display()}：{s.content}" for s in item.responsibility_stages.all()),
            "\n".join(c.situation for c in item.accountability_cases.all()),
            item.accountable_subject,
        ]
        row = []
        for value in values:
            cell = xlsx_cell(sheet, value)
            cell.alignment = WRAP
            row.append(cell)
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
