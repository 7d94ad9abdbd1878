"""What department staff see of the submissions (申请) in the admin: the policy, the listing's search and filters,
a submission's page and the export of the listing to .xlsx and .csv.

Who sees what is catalog's rule for items, applied to ``Submission.department``: the permission
``applications.view_submission`` says *whether* (部门管理员 and 系统管理员 hold it, catalog.roles), the department
says *where* — a department's staff see its submissions and those of the departments below it; superusers and holders
of ``catalog.access_all_departments`` with the permission see all. Every query here starts from
``visible_submissions(user)``, so a view cannot forget the scope. Nobody changes a submission in the admin: there
is no form, only the listing, the page and the export.
"""

import csv
import tempfile
import uuid

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet

from catalog.models import Department, ServiceItem, scoped_departments
from catalog.permissions import DepartmentScopedPolicy
from catalog.spreadsheets import csv_value, xlsx_cell
from rules import calendar

from . import service, tracking, uploads, wizard
from .models import Submission

submission_policy = DepartmentScopedPolicy(Submission)


def may_view(user) -> bool:
    return submission_policy.user_has_permission(user, "view")


def visible_submissions(user):
    """The submissions the user may see: none without the permission, else those of the user's departments."""
    if not may_view(user):
        return Submission.objects.none()
    return submission_policy.scope_queryset(user, Submission.objects.all())


def submission_for(user, pk) -> Submission | None:
    """One submission the user may see, or None (another department's is as absent as one that does not exist)."""
    try:
        pk = int(str(pk))
    except ValueError:
        return None
    return visible_submissions(user).select_related("applicant").filter(pk=pk).first()


LISTED_FIELDS = ("pk", "tracking_number", "item_name", "department_name", "submitted_at", "due_date",
                 "applicant__name", "applicant__company_name", "applicant__kind")


def listed(submissions):
    """The columns a listing shows, without the forms and answers (kilobytes of JSON per row)."""
    return submissions.select_related("applicant").only(*LISTED_FIELDS)


# --- search and filters -------------------------------------------------------------------------------------------
def search_submissions(queryset, query):
    """Narrow to the submissions whose tracking number contains the query (spaces and case ignored, so the grouped
    number read out at a window is found) or whose applicant's name or company name does. Never widens."""
    query = (query or "").strip()
    if not query:
        return queryset
    compact = "".join(query.split()).upper()
    if tracking.is_well_formed(compact):  # a whole number (typed or scanned from the receipt): the unique index
        return queryset.filter(tracking_number=compact)
    condition = Q(applicant__name__icontains=query) | Q(applicant__company_name__icontains=query)
    if compact.isascii() and compact.isalnum():
        condition |= Q(tracking_number__contains=compact)
    return queryset.filter(condition)


def _departments(request):
    return scoped_departments(request.user) if request else Department.objects.none()


def _items(request):
    """The user's items that have submissions the user may see: one probe of the item index per item (a few
    thousand items at most, against a hundred thousand submissions). An item moved to another department since
    is not offered; its submissions stay in the listing, with their department."""
    if request is None:
        return ServiceItem.objects.none()
    submitted = visible_submissions(request.user).filter(item_id=OuterRef("pk"))
    items = submission_policy.scope_queryset(request.user, ServiceItem.objects.filter(Exists(submitted)))
    return items.only("pk", "name", "department__name").select_related("department").order_by(
        "department__name", "name")


class SubmissionFilterSet(WagtailFilterSet):
    # The choices are the user's own: asking for another department's id is an invalid filter, not a way in.
    department = django_filters.ModelChoiceFilter(label=_("实施部门"), queryset=_departments)
    item = django_filters.ModelChoiceFilter(label=_("事项"), queryset=_items)
    submitted_at = django_filters.DateFromToRangeFilter(label=_("提交日期"), widget=DateRangePickerWidget)

    class Meta:
        model = Submission
        fields = ["department", "item", "submitted_at"]


# --- a submission's page ------------------------------------------------------------------------------------------
UNITS = {calendar.NATURAL_DAY: "个自然日", calendar.WORKING_DAY: "个工作日"}


def applicant_facts(applicant) -> list[tuple[str, str]]:
    facts = [(_("申请人类型"), applicant.get_kind_display())]
    if applicant.company_name:
        facts += [(_("单位名称"), applicant.company_name), (_("统一社会信用代码"), applicant.credit_code)]
    facts += [(_("经办人姓名") if applicant.company_name else _("姓名"), applicant.name),
              (_("居民身份证号码"), applicant.id_number), (_("手机号码"), applicant.mobile)]
    if applicant.address:
        facts.append((_("地址"), applicant.address))
    return facts


def materials_of(submission: Submission, download_url) -> list[dict]:
    """The checklist's materials for the submitted answers, each with the files received for it (uploads.with_files:
    nothing received goes unlisted), a file with its scan and its link ``download_url(upload)``."""
    rows = {str(row.pk): row for row in service.uploads_of(submission)}
    listed = [{"name": m.get("name", ""), "necessity": m.get("necessity", ""), "form": m.get("form", "")}
              for m in submission.materials or []]
    out = uploads.with_files(listed, rows.values())
    for material in out:
        for file in material["files"]:
            row = rows[file["id"]]
            file.update(scan=row.get_scan_display(), url=download_url(row))
    return out


def page_of(submission: Submission, download_url) -> dict:
    """What the staff's page of a submission shows: the answers as the applicant's check page and receipt show
    them (wizard.summary), the applicant, the materials of the checklist with the files received."""
    return {
        "submission": submission,
        "number": tracking.grouped(submission.tracking_number),
        "answers": wizard.summary(submission.form_ui, submission.answers),
        "applicant": applicant_facts(submission.applicant),
        "materials": materials_of(submission, download_url),
        "unit": UNITS.get(submission.promised_limit_unit, "日"),
    }


def upload_for(user, pk, token):
    """A file of a submission the user may see, or None (of another department's submission, or not of this
    one: both are as absent as a file that does not exist)."""
    submission = submission_for(user, pk)
    try:
        token = uuid.UUID(str(token))
    except ValueError:
        return None
    if submission is None:
        return None
    return service.uploads_of(submission).filter(pk=token).first()


def download(upload):
    """The stored file as an attachment under the applicant's file name: never shown inline in the admin (its
    origin), whatever it claims to be."""
    response = FileResponse(service.open_upload(upload), as_attachment=True, filename=upload.name,
                            content_type=upload.content_type or "application/octet-stream")
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- export ------------------------------------------------------------------------------------------------------
FIXED_HEADINGS = ["申请编号", "提交时间", "事项", "实施部门", "申请人"]
NOT_ANSWERS = {"static_text", "upload"}  # read-only text; uploads are files, listed on the submission's page
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def form_columns(ui: dict) -> list[tuple[str, dict]]:
    """(heading, field) of each field of a form version that takes an answer, in the form's order. The heading is
    the label; a label that comes again in the same form gets its step's title, so no answer hides another."""
    out, seen = [], set()
    for number, step in enumerate((ui or {}).get("steps") or [], start=1):
        for item in wizard.children(step.get("fields") or []):
            if item.get("type") in NOT_ANSWERS or not item.get("path"):
                continue
            label = item.get("label") or item["path"]
            heading = label
            if heading in seen:
                heading = f"{label}（{step.get('title') or f'第{number}步'}）"
            if heading in seen:
                heading = f"{label}（{item['path']}）"
            seen.add(heading)
            out.append((heading, item))
    return out


def _value_at(data, path: str):
    node = data
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def answer_text(item: dict, value) -> str:
    """An answer as the check page shows it (wizard.display); a repeating group's rows one per line."""
    if item.get("type") != "repeat":
        return wizard.display(item, value)
    if not isinstance(value, list):
        return ""
    lines = []
    for index, row in enumerate(value, start=1):
        row = row if isinstance(row, dict) else {}
        cells = [f"{child.get('label')}：{wizard.display(child, row.get(child.get('key')))}"
                 for child in item.get("fields") or []
                 if child.get("type") not in NOT_ANSWERS and row.get(child.get("key")) not in (None, "", [])]
        lines.append(f"{item.get('item_label') or item.get('label')} {index}：" + "；".join(cells))
    return "\n".join(lines)


class Export:
    """The rows of an export, read in two passes over the query: first the form versions (for the headings, one
    per answered field of every version, equal labels merged), then the submissions without their forms (a form
    version is read once, not once per submission)."""

    def __init__(self, submissions):
        self.submissions = submissions.select_related(None)
        self.forms = {}  # revision id (or ("pk", id) without one) → [(heading, field)]
        unversioned = []
        revisions = self.submissions.order_by().values_list("revision_id", flat=True).distinct()
        for revision_id in sorted(revisions, key=lambda r: (r is None, -(r or 0))):  # newest version first
            if revision_id is None:
                unversioned = self.submissions.filter(revision_id__isnull=True).values_list("pk", "form_ui")
                continue
            ui = Submission.objects.filter(revision_id=revision_id).values_list("form_ui", flat=True).first()
            self.forms[revision_id] = form_columns(ui)
        for pk, ui in unversioned:
            self.forms[("pk", pk)] = form_columns(ui)
        headings = {}
        for columns in self.forms.values():
            for heading, _item in columns:
                headings.setdefault(heading, None)
        self.answer_headings = list(headings)
        self.headings = FIXED_HEADINGS + self.answer_headings

    def rows(self):
        """[申请编号, 提交时间 (local, naive), 事项, 实施部门, 申请人, answers…] for each submission, in order."""
        fields = ("pk", "tracking_number", "submitted_at", "item_name", "department_name", "applicant__name",
                  "applicant__company_name", "revision_id", "answers")
        for pk, number, submitted_at, item, department, name, company, revision_id, answers in (
                self.submissions.values_list(*fields).iterator(chunk_size=2000)):
            columns = self.forms.get(revision_id if revision_id is not None else ("pk", pk), [])
            cells = {heading: answer_text(field, _value_at(answers, field["path"])) for heading, field in columns}
            applicant = f"{company}（经办人：{name}）" if company else name
            when = timezone.make_naive(timezone.localtime(submitted_at))
            yield [number, when, item, department, applicant, *(cells.get(h, "") for h in self.answer_headings)]


def export_filename(extension: str) -> str:
    return f"网上申请-{timezone.localdate():%Y%m%d}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_response(submissions):
    """The export as CSV, streamed row by row: UTF-8 with a byte-order mark (so Excel and WPS read the Chinese),
    every cell through catalog.spreadsheets.csv_value."""
    export = Export(submissions)

    def lines():
        writer = csv.writer(_Echo())
        yield "\ufeff" + writer.writerow([csv_value(h) for h in export.headings])
        for row in export.rows():
            row[1] = f"{row[1]:%Y-%m-%d %H:%M:%S}"
            yield writer.writerow([csv_value(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, export_filename("csv"))
    return response


def xlsx_response(submissions):
    """The export as .xlsx: openpyxl's write-only workbook (rows go to a temporary file as they are written, so a
    large export does not sit in memory), every cell through catalog.spreadsheets.xlsx_cell; the file is then
    streamed from disk."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    export = Export(submissions)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("网上申请")
    sheet.freeze_panes = "B2"
    for letter, width in zip("ABCDE", (26, 20, 30, 24, 16), strict=True):
        sheet.column_dimensions[letter].width = width
    bold = Font(bold=True)
    header = []
    for heading in export.headings:
        cell = xlsx_cell(sheet, heading)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in export.rows():
        # An empty answer is no cell at all (a third of a row, often): openpyxl writes only what it is given.
        cells = [xlsx_cell(sheet, value) if value != "" else None for value in row]
        cells[1].number_format = "yyyy-mm-dd hh:mm:ss"
        sheet.append(cells)
    output = tempfile.TemporaryFile()
    workbook.save(output)
    output.seek(0)
    return FileResponse(output, as_attachment=True, filename=export_filename("xlsx"), content_type=XLSX)
