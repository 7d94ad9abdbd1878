"""Import jobs without a broker: the job row is the queue; a job its process left is marked 出错 when jobs are next
read (or by the worker command) and may be retried; the collector pauses only in a process of the import's own."""

import ast
import gc
import io
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from catalog import roles
from catalog.models import ServiceItem
from imports import jobs, tasks
from imports.jobs import report_progress, store_upload
from imports.models import ImportJob
from imports.progress import this_host
from tests.catalog.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
CODE = "511A0001-511602000000-000-11511301008778183N-1-00"
GOOD = f"实施编码,事项名称,事项类型,实施主体\n{CODE},企业投资项目备案,01,区经信局\n"
INTERRUPTED = "处理进程已中断，请重新导入或重试"


@pytest.fixture(autouse=True)
def department():
    return DepartmentFactory(name="区经信局", credit_code="11511301008778183N")


@pytest.fixture
def owner(client, department):
    user = UserFactory(username="jxj", role=roles.DEPARTMENT_ADMIN, departments=[department])
    client.force_login(user)
    return user


def queued(user=None, confirmed=False) -> ImportJob:
    job = ImportJob(user=user, file_name="清单.csv", options={"confirmed": confirmed, "mapping": None})
    store_upload(job, SimpleUploadedFile("清单.csv", GOOD.encode()))
    job.save()
    return job


def dead_pid() -> int:
    """The id of a process of this machine that has ended (and been collected)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running(job, pid, host=None, started_minutes_ago=0, progress=True) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", worker_host=this_host() if host is None else host, worker_pid=pid,
        started_at=timezone.now() - timedelta(minutes=started_minutes_ago),
    )
    jobs.forget_progress(job.pk)
    if progress:
        report_progress(job.pk, 10, 100, "validate")  # a heartbeat just now
    job.refresh_from_db()
    return job


# --- a job left by its process ------------------------------------------------------------------------------

def test_a_job_whose_process_is_gone_is_failed_when_the_list_is_read_and_its_owner_retries_it(client, owner):
    job = running(queued(owner, confirmed=True), dead_pid())  # its heartbeat is recent: only the process tells
    assert job.status == "running" and job.is_stale
    history = client.get(reverse("imports:index")).content.decode()
    job.refresh_from_db()
    assert (job.status, job.interrupted, job.finished_at is not None) == ("failed", True, True)
    assert [e["message"] for e in job.errors] == [INTERRUPTED]
    assert "出错（已中断）" in history and "未写入" in history
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已中断" in page and "重新导入" in page and "放弃这次导入" in page
    assert client.get(reverse("imports:progress", args=[job.pk])).json()["stale"] is True
    # the existing retry path: the confirmed import runs again (in the request here: IMPORTS_RUN_INLINE)
    client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created, job.interrupted, job.errors) == ("done", 1, False, [])
    assert ServiceItem.objects.filter(implementation_code=CODE).exists()


def test_the_status_read_of_one_job_marks_it(client, owner):
    job = running(queued(owner), dead_pid())
    data = client.get(reverse("imports:progress", args=[job.pk])).json()
    assert (data["status"], data["stale"]) == ("failed", True)
    job.refresh_from_db()
    assert job.interrupted and [e["message"] for e in job.errors] == [INTERRUPTED]


def test_a_job_in_a_live_process_with_a_heartbeat_keeps_running(client, owner):
    job = running(queued(owner), os.getpid(), started_minutes_ago=60)
    client.get(reverse("imports:index"))
    client.get(reverse("imports:progress", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "running" and not job.is_stale


def test_a_process_on_another_machine_is_judged_by_its_heartbeat(client, owner, settings):
    job = running(queued(owner), dead_pid(), host="another-host")  # that id means nothing here
    client.get(reverse("imports:index"))
    job.refresh_from_db()
    assert job.status == "running"
    job = running(job, job.worker_pid, host="another-host", started_minutes_ago=60, progress=False)
    client.get(reverse("imports:index"))
    job.refresh_from_db()
    assert job.status == "failed" and job.interrupted


def test_a_job_that_finished_meanwhile_is_not_marked():
    job = running(queued(), dead_pid())
    judged = ImportJob.objects.get(pk=job.pk)
    ImportJob.objects.filter(pk=job.pk).update(status="previewed")  # its process recorded it after all
    assert not jobs._fail_if_abandoned(judged)
    judged.refresh_from_db()
    assert judged.status == "previewed" and not judged.interrupted


def test_a_queued_job_stays_in_the_queue_when_stale_and_a_worker_takes_it(client, owner):
    job = queued(owner)
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(hours=1))
    client.get(reverse("imports:index"))
    job.refresh_from_db()
    assert job.status == "pending" and job.is_stale  # its owner may retry or discard it meanwhile
    out = io.StringIO()
    call_command("run_import_worker", "--once", stdout=out)
    job.refresh_from_db()
    assert job.status == "previewed" and "已运行 1 个" in out.getvalue()


def test_confirming_a_preview_long_after_it_ran_is_not_stale(client, owner, settings, monkeypatch):
    settings.IMPORTS_RUN_INLINE = False  # the confirmed run stays queued: nothing takes it in this test
    monkeypatch.setattr(tasks, "start_process", lambda job_id: None)
    job = queued(owner)
    jobs.run_job(job, dry_run=True)
    long_ago = timezone.now() - timedelta(hours=2)
    ImportJob.objects.filter(pk=job.pk).update(created_at=long_ago, started_at=long_ago)
    jobs.forget_progress(job.pk)
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "pending" and job.confirmed and not job.is_stale


# --- the queue ----------------------------------------------------------------------------------------------

def test_the_worker_command_runs_what_is_queued_and_fails_what_was_left_running(owner):
    preview, confirmed, left = queued(owner), queued(owner, confirmed=True), running(queued(owner), dead_pid())
    out = io.StringIO()
    call_command("run_import_worker", "--once", stdout=out)
    for job in (preview, confirmed, left):
        job.refresh_from_db()
    assert (preview.status, confirmed.status, confirmed.created, left.status) == ("previewed", "done", 1, "failed")
    assert left.interrupted and "已将 1 个" in out.getvalue() and "已运行 2 个" in out.getvalue()


def test_a_job_is_run_once_whoever_starts_it_twice(monkeypatch):
    job = queued()
    jobs.run_job(ImportJob.objects.get(pk=job.pk), dry_run=True)
    seen = []
    monkeypatch.setattr(jobs, "report_progress", lambda *args: seen.append(args))
    again = jobs.run_job(ImportJob.objects.get(pk=job.pk), dry_run=True)  # e.g. the worker, after the process
    assert again.status == "previewed" and seen == []
    job.refresh_from_db()
    assert (job.worker_host, job.worker_pid) == (this_host(), os.getpid())


def test_the_job_command_runs_one_job_and_says_when_there_is_none():
    job = queued()
    call_command("run_import_job", str(job.pk))
    job.refresh_from_db()
    assert job.status == "previewed"
    with pytest.raises(SystemExit):
        call_command("run_import_job", str(job.pk + 1000), stderr=io.StringIO())


@pytest.mark.parametrize("broker, start_process, started", [
    (False, True, "process"), (False, False, None), (True, True, "celery"),
])
def test_where_an_upload_starts(client, owner, settings, monkeypatch, django_capture_on_commit_callbacks,
                                 broker, start_process, started):
    settings.IMPORTS_RUN_INLINE = False
    settings.CELERY_TASK_ALWAYS_EAGER = not broker
    settings.IMPORTS_START_PROCESS = start_process
    seen = []
    monkeypatch.setattr(tasks, "start_process", lambda job_id: seen.append(("process", job_id)))
    celery = SimpleNamespace(delay=lambda job_id, dry_run: seen.append(("celery", job_id)))
    monkeypatch.setattr(tasks, "run_import", celery)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("清单.csv", GOOD.encode())})
    job = ImportJob.objects.get()
    assert job.status == "pending"  # nothing ran in the request
    assert seen == ([(started, job.pk)] if started else [])


# --- the collector ------------------------------------------------------------------------------------------

def collector_states(monkeypatch) -> list[bool]:
    """Whether the collector runs, at each progress report of a job: the first is the claim's (before the import),
    the others the import's own."""
    seen = []
    report = jobs.report_progress

    def spy(*args):
        seen.append(gc.isenabled())
        report(*args)

    monkeypatch.setattr(jobs, "report_progress", spy)
    return seen


def test_an_import_started_by_a_request_never_pauses_the_collector(client, owner, monkeypatch):
    # Even run inside the request (IMPORTS_RUN_INLINE), the web process keeps its collector for every request.
    seen = collector_states(monkeypatch)
    client.post(reverse("imports:upload"), {"file": SimpleUploadedFile("清单.csv", GOOD.encode())})
    job = ImportJob.objects.get()
    client.post(reverse("imports:confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and len(seen) > 4 and all(seen)


def test_the_celery_task_pauses_the_collector_only_in_a_worker(monkeypatch):
    seen = collector_states(monkeypatch)
    tasks.run_import.delay(queued().pk, True)  # eager: in the caller's process
    tasks.run_import(queued().pk, True)  # called directly
    assert seen and all(seen)
    seen.clear()
    tasks.run_import.push_request(is_eager=False, called_directly=False)  # as a worker runs it
    try:
        tasks.run_import.run(queued().pk, True)
    finally:
        tasks.run_import.pop_request()
    assert len(seen) > 2 and seen[0] and not any(seen[1:]) and gc.isenabled()


def test_the_job_command_pauses_the_collector_for_its_import_and_resumes_it(monkeypatch):
    seen = collector_states(monkeypatch)
    call_command("run_import_job", str(queued(confirmed=True).pk))
    assert len(seen) > 3 and seen[0] and not any(seen[1:]) and gc.isenabled()


# --- the layers within imports ------------------------------------------------------------------------------

def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function (relative names as written, with dots)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names |= {module} if node.module else {module + alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


@pytest.mark.parametrize("module, above", [
    ("models", {"jobs", "tasks", "views"}),
    ("progress", {"models", "jobs", "tasks", "views"}),
    ("jobs", {"tasks", "views"}),
    ("tasks", {"views"}),
])
def test_no_module_of_the_jobs_imports_one_above_it(module, above):
    # views → tasks → jobs → service, models → progress: none of them imports upwards, not even in a function.
    names = imported_modules(Path(jobs.__file__).parent / f"{module}.py")
    assert not {n for n in names if n.lstrip(".").removeprefix("imports.") in above}
