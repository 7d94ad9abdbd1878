"""Findings 3 and 6 (issue 13): uploads go to private storage and are read incrementally; unconfirmed uploads
expire; every reader error is Chinese; a job left 排队中/导入中 by a killed process never shows its preview's counts
as written, and its owner may retry or discard it."""

import io
import os
import tracemalloc
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog import roles
from catalog.models import ServiceItem
from imports.jobs import PROGRESS_KEY, expire_uploads
from imports.models import ImportJob
from imports.reader import FileRefused, iter_raw_sheets, read_workbook
from tests.catalog.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"


@pytest.fixture
def owner(client, settings):
    settings.IMPORTS_RUN_INLINE = True
    department = DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    user = UserFactory(username="jxj", role=roles.DEPARTMENT_ADMIN, departments=[department])
    client.force_login(user)
    return user


def csv_upload(text, name="清单.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def upload(client, text):
    client.post(reverse("imports:upload"), {"file": csv_upload(text)})
    return ImportJob.objects.latest("pk")


GOOD = f"实施编码,事项名称,事项类型,实施主体\n{CODE},企业投资项目备案,01,区经信局\n"


def test_the_upload_lives_in_private_storage_not_in_the_row_or_under_media(client, owner):
    job = upload(client, GOOD)
    assert job.status == "previewed" and job.file
    assert not hasattr(job, "file_data")
    path = os.path.realpath(job.file.path)
    assert path.startswith(os.path.realpath(settings.IMPORTS_FILE_ROOT))
    assert not path.startswith(os.path.realpath(settings.MEDIA_ROOT))
    assert open(path, "rb").read() == GOOD.encode()
    assert job.file_size == len(GOOD.encode()) and len(job.file_sha256) == 64
    assert client.get("/media/" + job.file.name).status_code == 404
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and not job.file and not os.path.exists(path)


def test_a_csv_given_by_path_is_read_incrementally(tmp_path):
    """About 20 MB of CSV: reading it holds a few rows at a time, not the file (nor its decoded text)."""
    path = tmp_path / "big.csv"
    line = f"{CODE},{'受理条件' * 100},01,区经信局\n"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("实施编码,事项名称,事项类型,实施主体\n")
        for _ in range(20 * 2**20 // len(line.encode())):
            handle.write(line)
    size = path.stat().st_size
    tracemalloc.start()
    rows = 0
    for _name, stream in iter_raw_sheets(path, "big.csv"):
        for _row in stream:
            rows += 1
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rows > 10_000
    # a bound of its own, whatever the file's size (the whole file would be 20 MB, its text 14 MB more)
    assert peak < 4 * 2**20, f"peak {peak / 2**20:.1f} MB for a {size / 2**20:.1f} MB file"


@pytest.mark.parametrize("source", ["bytes", "path"])
def test_a_cell_over_the_csv_field_limit_is_a_chinese_error(tmp_path, source):
    data = ("实施编码,事项名称\n" + CODE + ',"' + "长" * 200_000 + '"\n').encode("utf-8")
    path = tmp_path / "long.csv"
    path.write_bytes(data)
    with pytest.raises(FileRefused) as refused:
        read_workbook(data if source == "bytes" else path, "long.csv")
    message = str(refused.value)
    assert "单元格超过" in message and "field larger" not in message


def test_the_200_kb_cell_reaches_the_user_in_chinese(client, owner):
    job = upload(client, "实施编码,事项名称\n" + CODE + ',"' + "长" * 200_000 + '"\n')
    assert job.status == "refused"
    assert "单元格超过" in job.errors[0]["message"]
    assert "field" not in job.errors[0]["message"]


def test_a_failing_import_says_so_in_chinese_without_the_python_message(client, owner, monkeypatch):
    from imports import service

    def broken(self):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(service.Importer, "run", broken)
    with pytest.raises(RuntimeError):
        upload(client, GOOD)
    job = ImportJob.objects.latest("pk")
    assert job.status == "failed" and "database is locked" not in job.errors[0]["message"]
    assert "没有写入任何数据" in job.errors[0]["message"]


# --- expiry ---------------------------------------------------------------------------------------------------

def age(job, hours):
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    job.refresh_from_db()


def test_unconfirmed_uploads_expire_after_the_retention(client, owner, settings):
    settings.IMPORTS_UPLOAD_RETENTION_HOURS = 24
    old, recent = upload(client, GOOD), upload(client, GOOD)
    refused = upload(client, "实施编码,事项名称\n,\nX,\n")
    age(old, 25)
    age(refused, 30)
    old_path = old.file.path
    assert expire_uploads() == 2
    for job in (old, recent, refused):
        job.refresh_from_db()
    assert not old.file and not refused.file and not os.path.exists(old_path)
    assert recent.file  # still within the 24 hours: can be confirmed
    assert old.status == "previewed"  # the audit record stays
    # the error report of an expired upload: a clear 404, not a 500
    assert client.get(reverse("imports:report", args=[refused.pk])).status_code == 404


def test_the_clean_up_runs_as_a_command_and_a_periodic_task(client, owner):
    from config.celery import app

    job = upload(client, GOOD)
    age(job, 48)
    out = io.StringIO()
    call_command("expire_import_uploads", stdout=out)
    assert "已删除 1 个" in out.getvalue()
    job.refresh_from_db()
    assert not job.file
    assert "imports.expire_uploads" in app.tasks
    assert any(entry["task"] == "imports.expire_uploads" for entry in settings.CELERY_BEAT_SCHEDULE.values())


# --- stale jobs (finding 6) ------------------------------------------------------------------------------------

def kill_while_running(job, confirmed, minutes=60):
    """What a server killed in the middle of an import leaves: the row says 导入中, no progress comes any more."""
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now() - timedelta(minutes=minutes),
        options={**job.options, "confirmed": confirmed},
    )
    cache.delete(PROGRESS_KEY.format(job.pk))
    job.refresh_from_db()
    return job


def test_a_killed_confirmed_import_does_not_show_its_preview_counts_as_written(client, owner):
    job = kill_while_running(upload(client, GOOD), confirmed=True)
    assert job.created == 1  # the preview's count, still in the row
    history = client.get(reverse("imports:index")).content.decode()
    assert "未写入" in history and "<td>1</td>" not in history
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已中断" in page and 'data-count="created"' not in page
    assert client.get(reverse("imports:progress", args=[job.pk])).json()["stale"] is True


def test_a_running_job_with_recent_progress_is_not_stale(client, owner):
    from imports.jobs import report_progress

    job = kill_while_running(upload(client, GOOD), confirmed=True)
    report_progress(job.pk, 10, 100, "validate")
    job.refresh_from_db()
    assert not job.is_stale


def test_the_owner_retries_a_stale_confirmed_import(client, owner):
    job = kill_while_running(upload(client, GOOD), confirmed=True)
    assert not ServiceItem.objects.filter(implementation_code=CODE).exists()
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "重新导入" in page and "放弃这次导入" in page
    client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.created == 1
    assert ServiceItem.objects.filter(implementation_code=CODE).exists()


def test_the_owner_retries_a_stale_preview_as_a_preview(client, owner):
    job = kill_while_running(upload(client, GOOD), confirmed=False)
    client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "previewed" and not ServiceItem.objects.exists()


def test_the_owner_discards_a_stale_job(client, owner):
    job = kill_while_running(upload(client, GOOD), confirmed=True)
    path = job.file.path
    client.post(reverse("imports:discard", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "discarded" and not job.file and not os.path.exists(path)
    assert "未写入" in client.get(reverse("imports:index")).content.decode()


def test_only_the_owner_and_only_a_stale_job(client, owner):
    job = kill_while_running(upload(client, GOOD), confirmed=True, minutes=1)  # recent: still running
    client.post(reverse("imports:discard", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "running"
    job = kill_while_running(job, confirmed=True)
    other = UserFactory(username="sysadmin", role=roles.SYSTEM_ADMIN)
    client.force_login(other)  # sees the job (system administrators see every job), does not own it
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已中断" in page and "放弃这次导入" not in page
    client.post(reverse("imports:retry", args=[job.pk]))
    client.post(reverse("imports:discard", args=[job.pk]))
    job.refresh_from_db()
    # Marked 出错 by the read of its page (its process left it), neither retried nor discarded: its file is kept.
    assert (job.status, job.interrupted) == ("failed", True) and job.file


# --- the minor finding: an import's errors never confirm another department's unpublished code ---------------

def test_an_unpublished_code_of_another_department_is_only_a_code_that_cannot_be_used(client, owner):
    from tests.catalog.factories import ServiceItemFactory

    other = DepartmentFactory(name="区行政审批局")
    secret = ServiceItemFactory(name="未公开事项", implementation_code="SPJ-UNPUBLISHED-1", department=other,
                                live=False)
    job = upload(client, f"实施编码,事项名称,事项类型,实施主体\n{secret.implementation_code},随便,01,区经信局\n")
    unknown = upload(client, "实施编码,事项名称,事项类型,实施主体\nNO-SUCH-CODE-1,随便,01,区经信局\n")
    messages = [e["message"] for e in job.errors]
    assert messages == ["该实施编码不能使用，请核对"]
    assert not any("其他部门" in m or "未公开事项" in m for m in messages)
    assert unknown.status == "previewed"  # a new code is simply new
    # a child row naming it says the same as one naming no item at all
    from tests.imports.conftest import xlsx

    for code in (secret.implementation_code, "NO-SUCH-CODE-2"):
        data = xlsx(("申请材料", [["实施编码", "材料名称", "来源渠道", "必要性"], [code, "身份证", "10", "1"]]))
        client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("m.xlsx", data)})
    first, second = ImportJob.objects.order_by("-pk")[:2]
    assert [e["message"] for e in first.errors] == [e["message"] for e in second.errors]
