"""A real Celery worker on Redis against a real PostgreSQL database. CI runs these; elsewhere they skip."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from catalog.models import ServiceItem
from catalog.tasks import refresh_quality
from config.celery import app

ROOT = Path(__file__).resolve().parent.parent
BROKER = os.environ.get("CELERY_BROKER_URL", "")

pytestmark = pytest.mark.services


@pytest.fixture
def worker(transactional_db):
    if not BROKER.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://… and DATABASE_URL=postgres://… (CI sets both)")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "WARNING"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.update(task_always_eager=False, broker_url=BROKER)
    yield process
    app.conf.update(task_always_eager=True)
    process.terminate()
    process.wait(timeout=20)


def test_worker_recomputes_completeness(worker):
    from tests.catalog.factories import ServiceItemFactory

    item = ServiceItemFactory(name="无犯罪记录证明")
    ServiceItem.objects.filter(pk=item.pk).update(completeness_score=0, completeness_flags="")
    refresh_quality.delay([item.pk])
    # The worker is another process: watch the database for its write.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        item.refresh_from_db()
        if item.completeness_score > 0:
            break
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.3)
    assert item.completeness_score > 0 and ",no_materials," in item.completeness_flags


def test_refresh_completeness_command_in_process(db):
    from django.core.management import call_command

    from tests.catalog.factories import ServiceItemFactory

    item = ServiceItemFactory()
    ServiceItem.objects.filter(pk=item.pk).update(completeness_score=0)
    call_command("refresh_completeness")
    item.refresh_from_db()
    assert item.completeness_score > 0


def test_worker_runs_an_import_with_its_background_writer(worker):
    # The upload's job, run by the Celery task in the worker process: the rows, the revision and the public search
    # document are written there (catalog.writer.BackgroundWriter on PostgreSQL), and the job row records it.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.jobs import store_upload
    from imports.models import ImportJob
    from imports.tasks import run_import
    from publish.models import SearchDocument
    from tests.imports.test_speed_paths import CODE, workbook

    data = workbook()
    job = ImportJob(file_name="清单.xlsx", options={"publish": True, "create_departments": True, "mapping": None})
    store_upload(job, SimpleUploadedFile("清单.xlsx", data))
    job.save()
    run_import.delay(job.pk, False)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status not in ("pending", "running"):
            break
        assert worker.poll() is None, worker.stdout.read().decode()
        time.sleep(0.3)
    assert (job.status, job.created) == ("done", 1), job.errors
    item = ServiceItem.objects.get(implementation_code=CODE)
    assert item.live and item.materials.count() == 2 and item.live_revision.content["name"] == item.name
    assert SearchDocument.objects.filter(item=item).exists()


def test_a_celery_worker_killed_in_the_middle_of_an_import_leaves_a_failed_job(worker):
    # The worker process is the import's own: the job names it; killed, its job is 出错 at the next read, with
    # nothing written, and the stale-job retry applies.
    import signal

    from django.core.files.uploadedfile import SimpleUploadedFile

    from imports.jobs import fail_stale_jobs, store_upload
    from imports.models import ImportJob
    from imports.tasks import run_import
    from tests.catalog.factories import DepartmentFactory
    from tests.imports.test_jobs_process import ITEMS, csv_of

    DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    job = ImportJob(file_name="清单.csv", options={"confirmed": True, "mapping": None})
    store_upload(job, SimpleUploadedFile("清单.csv", csv_of(ITEMS)))
    job.save()
    run_import.delay(job.pk, False)
    deadline = time.monotonic() + 90
    while job.status == "pending":
        assert worker.poll() is None and time.monotonic() < deadline, worker.stdout.read().decode()
        time.sleep(0.05)
        job.refresh_from_db()
    assert (job.status, job.worker_pid) == ("running", worker.pid)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=20)
    assert fail_stale_jobs() == 1
    job.refresh_from_db()
    assert (job.status, job.interrupted, job.is_stale, job.can_retry) == ("failed", True, True, True)
    assert not ServiceItem.objects.exists()


def test_worker_renders_a_receipt(worker):
    # The task a submit enqueues after its commit (applications.tasks), run by the worker process: WeasyPrint with
    # the CJK font there, the PDF in the private storage both processes share.
    import datetime
    import io
    import uuid

    from django.core.files.storage import storages
    from pypdf import PdfReader

    from applications import receipts, tracking
    from applications.models import Submission
    from applications.tasks import render_receipt
    from tests.applications.conftest import make_applicant
    from tests.catalog.factories import DepartmentFactory

    department = DepartmentFactory(name="广安市公安局广安区分局", division_code="511602")
    ui = {"steps": [{"title": "申请人信息", "fields": [
        {"type": "person_name", "key": "name", "path": "form.name", "label": "姓名"}]}]}
    submission = Submission.objects.create(
        tracking_number=tracking.new_number(datetime.date(2026, 12, 1), "511602"), applicant=make_applicant(),
        department=department, item_code="11511301008778183N1000000000001", item_name="无犯罪记录证明",
        department_name=department.name, form_schema={}, form_ui=ui,
        answers={"situation": {}, "form": {"name": "张三"}},
        materials=[{"name": "居民身份证", "necessity": "必要", "files": []}], promised_limit=5,
        promised_limit_unit="2", due_date=datetime.date(2026, 12, 8), idempotency_key=uuid.uuid4())
    name = receipts.storage_name(submission)
    render_receipt.delay(submission.pk)
    deadline = time.monotonic() + 90
    while (data := receipts.stored_pdf(submission)) is None:
        assert worker.poll() is None and time.monotonic() < deadline, worker.stdout.read().decode()
        time.sleep(0.3)
    storages["applications"].delete(name)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert submission.tracking_number in text and "姓名 张三" in text and "2026年12月8日" in text
