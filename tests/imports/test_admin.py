"""Admin: upload → preview → confirm, progress, error report, history, undo, template, export — within scope."""

import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog import roles
from catalog.models import ServiceItem
from imports.models import ImportJob
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory, UserFactory

from .conftest import xlsx

pytestmark = pytest.mark.django_db
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"
HEADER = ["实施编码", "事项名称", "事项类型", "实施主体"]


@pytest.fixture
def setup():
    roles.ensure_roles()
    own = DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    other = DepartmentFactory(name="区公安分局", credit_code="115113016823646795")
    user = UserFactory(username="dept")
    user.groups.add(Group.objects.get(name=roles.DEPARTMENT_ADMIN))
    own.members.add(user)
    return own, other, user


def upload(client, rows, **extra):
    data = xlsx(("事项", rows))
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("清单.xlsx", data), **extra})


def test_upload_preview_confirm_then_undo(client, setup):
    own, _other, user = setup
    existing = ServiceItemFactory(department=own, implementation_code="EXISTING", name="旧名称")
    client.force_login(user)
    response = upload(client, [HEADER, [CODE, "新事项", "许可", "区经信局"], ["EXISTING", "新名称", "01", "区经信局"]])
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.pk])
    assert (job.status, job.created, job.updated) == ("previewed", 1, 1)
    assert ServiceItem.objects.count() == 1  # a preview writes nothing
    page = client.get(response.url)
    assert "确认导入" in page.content.decode()

    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and not job.file
    assert job.rows_done == job.rows_total == 2
    new = ServiceItem.objects.get(implementation_code=CODE)
    assert not new.live  # a department administrator saves drafts
    existing.refresh_from_db()
    assert existing.latest_revision.content["name"] == "新名称"

    client.post(reverse("imports:undo", args=[job.pk]))
    assert not ServiceItem.objects.filter(implementation_code=CODE).exists()
    existing.refresh_from_db()
    assert existing.latest_revision.content["name"] == "旧名称"
    job.refresh_from_db()
    assert job.status == "undone"


def test_undo_leaves_items_edited_after_the_import(client, setup):
    own, _other, user = setup
    client.force_login(user)
    upload(client, [HEADER, [CODE, "新事项", "许可", "区经信局"], ["SECOND", "第二个新事项", "许可", "区经信局"]])
    job = ImportJob.objects.get()
    client.post(reverse("imports:confirm", args=[job.pk]))
    edited = ServiceItem.objects.get(implementation_code="SECOND")
    edited.name = "第二个新事项（已修改）"
    edited.save_revision(user=user)  # a department administrator's later edit
    response = client.post(reverse("imports:undo", args=[job.pk]), follow=True)
    assert not ServiceItem.objects.filter(implementation_code=CODE).exists()  # untouched since: undone
    assert ServiceItem.objects.filter(implementation_code="SECOND").exists()  # edited since: kept
    page = response.content.decode()
    assert "1 个事项在导入后又被修改过，未撤销" in page and "第二个新事项" in page


def test_rows_of_other_departments_are_refused_and_reported(client, setup):
    _own, _other, user = setup
    client.force_login(user)
    upload(client, [HEADER, [CODE, "新事项", "许可", "区公安分局"]])
    job = ImportJob.objects.get()
    assert job.status == "refused"
    assert "无权导入部门“区公安分局”的事项" in job.errors[0]["message"]
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "无权导入" in page and "确认导入" not in page
    assert client.post(reverse("imports:confirm", args=[job.pk])).status_code == 302
    assert ServiceItem.objects.count() == 0

    report = client.get(reverse("imports:report", args=[job.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(report.streaming_content) if report.streaming else report.content))
    rows = list(wb["事项"].iter_rows(values_only=True))
    assert rows[1][:4] == (CODE, "新事项", "许可", "区公安分局")
    assert "无权导入" in rows[1][4]


def test_department_admin_cannot_publish_or_create_departments(client, setup):
    _own, _other, user = setup
    client.force_login(user)
    form = client.get(reverse("imports:upload")).content.decode()
    assert 'name="publish"' not in form and 'name="create_departments"' not in form
    upload(client, [HEADER, [CODE, "新事项", "许可", "区经信局"]], publish="on")
    assert ImportJob.objects.get().options["publish"] is False


def test_other_users_jobs_are_not_visible(client, setup):
    _own, _other, user = setup
    job = ImportJob.objects.create(user=UserFactory(username="someone"), file_name="x.xlsx", file_sha256="0" * 64)
    client.force_login(user)
    assert client.get(reverse("imports:job", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:undo", args=[job.pk])).status_code == 404


def test_export_is_limited_to_the_users_departments(client, setup):
    own, other, user = setup
    mine = ServiceItemFactory(department=own)
    ServiceItemFactory(department=other)
    client.force_login(user)
    response = client.get(reverse("imports:export"))
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [r[0] for r in wb["事项"].iter_rows(min_row=2, values_only=True)] == [mine.implementation_code]


def test_export_searches_as_the_listing_does(client, setup):
    own, other, user = setup
    wanted = ServiceItemFactory(department=own, name="居民身份证办理", implementation_code="GA-0001")
    ServiceItemFactory(department=own, name="户口迁移")
    ServiceItemFactory(department=other, name="身份证明")  # matches, but not the user's department
    client.force_login(user)
    for query in ("身份证", "ga-0001"):  # a Chinese part of the name; part of the code, any case
        response = client.get(reverse("imports:export"), {"q": query})
        wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
        assert [r[0] for r in wb["事项"].iter_rows(min_row=2, values_only=True)] == [wanted.implementation_code]


def test_template_download_and_menu(client, setup):
    client.force_login(setup[2])
    response = client.get(reverse("imports:template"))
    assert response.status_code == 200
    assert "事项" in openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).sheetnames
    # The sidebar menu is rendered as JSON props; the item shows up as its URL.
    assert reverse("imports:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.get(reverse("imports:index")).status_code == 200


def test_anonymous_and_roleless_users_are_kept_out(client, setup):
    assert client.get(reverse("imports:upload")).status_code == 302
    client.force_login(UserFactory(username="nobody", is_staff=False))
    assert client.get(reverse("imports:template")).status_code in (302, 403)


def test_progress_of_a_running_import_is_shown_from_the_cache(client, setup):
    # The import writes in one transaction: its counts reach the job row only at the end, so the progress page
    # must read what the running import reports (jobs.report_progress) instead.
    from imports.jobs import report_progress

    _own, _other, user = setup
    client.force_login(user)
    job = ImportJob.objects.create(file_name="清单.xlsx", file_sha256="0" * 64, user=user,
                                   status=ImportJob.Status.RUNNING)
    report_progress(job.pk, 20000, 500002, "validate")
    data = client.get(reverse("imports:progress", args=[job.pk])).json()
    assert (data["rows_done"], data["rows_total"], data["percent"]) == (20000, 500002, 3)
    assert data["stage_label"] == "正在校验（行）" and data["status_label"] == "导入中"
    job.status = ImportJob.Status.DONE
    job.rows_done = job.rows_total = 7
    job.save()
    data = client.get(reverse("imports:progress", args=[job.pk])).json()
    assert (data["rows_done"], data["percent"], data["stage"]) == (7, 100, "done")


def test_import_reports_each_stage_in_order():
    from imports.service import import_file

    seen = []
    data = xlsx(("事项", [[*HEADER, "实施主体编码"], [CODE, "新事项", "许可", "区经信局", "11511301008778183N"]]))
    result = import_file(data, "x.xlsx", create_departments=True,
                         progress=lambda d, t, stage: seen.append((stage, d, t)))
    assert result.written, result.errors
    assert [s for s, _d, _t in seen] == ["read", "validate", "write", "write"]
    assert seen[1][2] == 1 and seen[-1][1:] == (1, 1)
