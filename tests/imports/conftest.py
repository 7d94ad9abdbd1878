import csv
import io

import pytest
from django.conf import settings
from openpyxl import Workbook

TYPE_NAMES = {"1": "行政许可", "20": "公共服务", "10": "其他行政权力", "7": "行政确认", "5": "行政给付",
              "9": "行政裁决", "8": "行政奖励"}


def guangan_rows():
    with open(settings.DATA_DIR / "catalog" / "guangan_items.csv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def department_spreadsheet(rows) -> bytes:
    """The list laid out the way a department keeps it: a merged title row, a blank row, 序号, aliases, names."""
    wb = Workbook()
    ws = wb.active
    ws.title = "广安区事项梳理表"
    ws.append(["广安市广安区政务服务事项梳理表（2026年版）"])
    ws.merge_cells("A1:H1")
    ws.append([])
    ws.append(["序号", "实施部门", "主项名称", "权力名称", "权力编码", "权力类型", "统一社会信用代码", "办事指南链接"])
    for number, row in enumerate(rows, start=1):
        ws.append([
            number, row["department"], "" if row["main_item"] == "未分类" else row["main_item"], row["name"],
            row["itemCode"], TYPE_NAMES[row["taskType"]], row["deptCode"], row["link"],
        ])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx(*sheets) -> bytes:
    """sheets: (title, rows) pairs."""
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def guangan_file():
    return department_spreadsheet(guangan_rows())


@pytest.fixture(autouse=True)
def _imports_inline(settings):
    # The admin starts imports in the background; in tests they run inside the request.
    settings.IMPORTS_RUN_INLINE = True
