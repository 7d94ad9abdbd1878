"""Background work of the imports, and where a job's run starts (dispatch).

With a broker a Celery worker runs the job. Without one (the embedded default) the web process starts a process
of the job's own, `manage.py run_import_job <id>`, in a session of its own: the upload returns at once, the import
outlives the request and a restart of the web process, and never shares its process with requests (the collector
pause, imports.service.collector_paused). Either way the job row is the queue (imports.jobs.claim): a job whose
process is gone is marked 出错 on the next read, and `manage.py run_import_worker` runs whatever is still queued.
"""

import logging
import os
import subprocess
import threading
from contextlib import nullcontext
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .jobs import expire_uploads as expire
from .jobs import run_job
from .models import ImportJob
from .service import import_process

logger = logging.getLogger(__name__)


@shared_task(name="imports.run_import", bind=True)
def run_import(self, job_id: int, dry_run: bool = False):
    job = ImportJob.objects.get(pk=job_id)
    # In a worker the process is the import's own (it may pause its collector); run eagerly it is the caller's.
    in_worker = not (self.request.is_eager or self.request.called_directly)
    with import_process() if in_worker else nullcontext():
        run_job(job, dry_run=dry_run)
    return job_id


@shared_task(name="imports.expire_uploads")
def expire_uploads():
    """Hourly (CELERY_BEAT_SCHEDULE): delete uploads kept past IMPORTS_UPLOAD_RETENTION_HOURS."""
    return expire()


def dispatch(job: ImportJob):
    """Start the job's run once the request's transaction commits, and return at once: its preview, or the
    confirmed import (job.confirmed). The job is queued (imports.jobs.queue, or a new upload).

    A Celery worker runs it where there is a broker; without one, a process of its own (start_process), or, with
    IMPORTS_START_PROCESS off, `manage.py run_import_worker`. Tests set IMPORTS_RUN_INLINE to run it in the
    request."""
    dry_run = not job.confirmed
    if settings.IMPORTS_RUN_INLINE:
        run_job(job, dry_run=dry_run)
        return
    transaction.on_commit(partial(_start, job.pk, dry_run))


def _start(job_id: int, dry_run: bool):
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        run_import.delay(job_id, dry_run)
    elif settings.IMPORTS_START_PROCESS:
        start_process(job_id)


def start_process(job_id: int) -> subprocess.Popen | None:
    """`manage.py run_import_job <id>` in a new session: not the request's child in any way that matters — a
    restart of the web process, or Ctrl-C in runserver's terminal, leaves it running."""
    command = [settings.IMPORTS_PYTHON, str(settings.BASE_DIR / "manage.py"), "run_import_job", str(job_id)]
    environment = dict(os.environ)  # the settings module included: Django loaded this process's from there
    if "DJANGO_SETTINGS_MODULE" not in environment and settings.SETTINGS_MODULE:
        environment["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    try:
        process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=environment, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    except OSError:
        logger.exception("could not start the process of import job %s", job_id)
        errors = [{"sheet": "", "row": None, "column": "", "value": "",
                   "message": _("导入出错：无法启动处理进程，已记录。请稍后重试或联系系统管理员")}]
        ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(  # its owner may retry it
            status=ImportJob.Status.FAILED, interrupted=True, errors=errors, finished_at=timezone.now())
        return None
    # Collect its exit status when it ends, so that it does not linger as a zombie (which looks alive).
    threading.Thread(target=process.wait, name=f"import-job-{job_id}", daemon=True).start()
    return process

