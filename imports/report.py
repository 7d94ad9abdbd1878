"""The error report: the department's own file, every sheet as it was, with an error column added."""

import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from .export import _safe
from .reader import FileRefused, cell_text, read_raw_sheets

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")


def error_report(data: bytes, filename: str, errors: list[dict]) -> bytes:
    by_cell = {}
    for error in errors:
        if error.get("row"):
            text = f"{error['column']}：{error['message']}" if error.get("column") else error["message"]
            by_cell.setdefault((error["sheet"], error["row"]), []).append(text)
    try:
        sheets = read_raw_sheets(data, filename)
    except FileRefused:
        sheets = {}
    wb = Workbook(write_only=True)
    general = [e["message"] for e in errors if not e.get("row")]
    if general or not sheets:
        ws = wb.create_sheet("错误说明")
        for message in general or ["文件无法读取"]:
            ws.append([message])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name[:31])
        width = max((len(r) for r in rows), default=0)
        for number, row in enumerate(rows, start=1):
            messages = by_cell.get((name, number))
            cells = [_safe(ws, cell_text(v) if v is not None and not isinstance(v, int | float) else v)
                     for v in row] + [None] * (width - len(row))
            note = _safe(ws, "；".join(messages) if messages else None)
            if messages:
                note.font = Font(color="9C0006")
                note.fill = ERROR_FILL
            ws.append(cells + [note])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
