"""Import jobs: the audit record of each import, running one in the background, and undoing one; keeping uploads
in private storage until they are imported or expire; stale jobs (their process killed) failed, retried or
discarded.

The job row is the queue: a job 排队中 waits for a process to claim it (claim), whichever starts it
(imports.tasks.dispatch: a Celery worker, the job's own process, or `manage.py run_import_worker`)."""

import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from catalog.models import ServiceItem

from .models import ImportJob
from .progress import PROGRESS_KEY, forget_progress, read_progress, report_progress, this_host  # noqa: F401
from .service import Importer, ImportResult, Options, file_hash


def record_job(result: ImportResult, filename: str, data: bytes, user, publish: bool, job: ImportJob | None = None):
    """The one audit entry per import: who, when, the file's name and hash, the counts, and what undo needs."""
    job = job or ImportJob(file_name=filename[:255], file_sha256=file_hash(data), user=user)
    job.created, job.updated, job.unchanged, job.refused = (
        result.created, result.updated, result.unchanged, result.refused,
    )
    job.errors = [e.as_dict() for e in result.errors[:1000]]
    job.warnings = [w.as_dict() for w in result.warnings[:200]]
    job.changes = result.changes
    job.published = publish
    job.rows_total = job.rows_total or result.rows_total
    job.rows_done = job.rows_total
    if result.written:
        job.status = ImportJob.Status.DONE
    elif result.errors:
        job.status = ImportJob.Status.REFUSED
    else:
        job.status = ImportJob.Status.PREVIEWED
    job.finished_at = timezone.now()
    if job.status == ImportJob.Status.DONE:
        job.delete_file()  # kept until then: confirmation re-reads it, the error report annotates it
    job.save()
    return job


logger = logging.getLogger(__name__)


def store_upload(job: ImportJob, upload) -> ImportJob:
    """Write an uploaded file to the job's private storage chunk by chunk (never whole in memory), with its hash."""
    digest, size = hashlib.sha256(), 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    job.file_sha256, job.file_size = digest.hexdigest(), size
    job.file.save(upload.name or "upload", upload, save=False)
    return job


@contextmanager
def job_file(job: ImportJob):
    """A local path of the job's upload, for the reader: the stored file itself, or a temporary copy where the
    storage has no paths (object storage)."""
    try:
        path = job.file.path
    except NotImplementedError:
        with job.file.open("rb") as source, tempfile.NamedTemporaryFile(suffix=".upload") as copy:
            shutil.copyfileobj(source, copy, 2**20)
            copy.flush()
            yield copy.name
        return
    yield path


def progress_of(job: ImportJob) -> dict:
    """What the progress bar shows: the running import's stage and counts, else the job row's."""
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    found = read_progress(job.pk) if running else None
    if found is None:
        found = {"done": job.rows_done, "total": job.rows_total, "stage": "done" if not running else "pending"}
    percent = int(found["done"] * 100 / found["total"]) if found["total"] else 0
    return {"status": job.status, "status_label": str(job.get_status_display()), "rows_done": found["done"],
            "rows_total": found["total"], "percent": percent, "stale": job.is_stale,
            "stage": found["stage"], "stage_label": str(STAGES.get(found["stage"], ""))}


STAGES = {"pending": _("排队中"), "read": _("正在读取文件"), "validate": _("正在校验（行）"),
          "write": _("正在写入（事项）"), "done": ""}


INTERRUPTED = _("处理进程已中断，请重新导入或重试")


def claim(job: ImportJob) -> bool:
    """Take a queued job for this process, unless another process took it first (or it is no longer queued)."""
    now, host, pid = timezone.now(), this_host(), os.getpid()
    taken = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, started_at=now, worker_host=host, worker_pid=pid, interrupted=False,
    )
    if taken:
        job.status, job.started_at, job.worker_host, job.worker_pid, job.interrupted = (
            ImportJob.Status.RUNNING, now, host, pid, False,
        )
    return bool(taken)


def run_job(job: ImportJob, dry_run=False) -> ImportJob:
    """Run a queued job in this process: the preview (dry_run) or the confirmed import. Progress goes to the
    progress cache as rows are read and items written; a job another process has taken is left to it."""
    if not claim(job):
        logger.info("import job %s is not queued any more: left alone", job.pk)
        job.refresh_from_db()
        return job
    report_progress(job.pk, 0, 0, "read")

    def progress(done, total, stage):
        # The import writes in one transaction, so the job row's counts only show after it: the progress page
        # reads them from the progress cache (shared by the processes, imports.progress).
        report_progress(job.pk, done, total, stage)

    known = {f.name for f in dataclasses.fields(Options)}
    options = Options(**{**{k: v for k, v in job.options.items() if k in known}, "dry_run": dry_run})
    try:
        if not job.file:
            raise FileNotFoundError("the upload has expired")
        with job_file(job) as path:
            result = Importer(path, job.file_name, user=job.user, options=options, progress=progress).run()
    except Exception:  # the job must end in a state the user can see, whatever happened
        logger.exception("import job %s failed", job.pk)
        message = (_("导入出错：上传的文件已过期或已删除，请重新上传") if not job.file
                   else _("导入出错：系统内部错误，已记录；没有写入任何数据。请稍后重试或联系系统管理员"))
        job.status = ImportJob.Status.FAILED
        job.errors = [{"sheet": "", "row": None, "column": "", "value": "", "message": str(message)}]
        job.finished_at = timezone.now()
        job.delete_file()
        job.save()
        raise
    job.refresh_from_db(fields=["rows_total"])
    return record_job(result, job.file_name, b"", job.user, publish=options.publish, job=job)


def next_queued() -> ImportJob | None:
    """The job that has waited longest (for run_import_worker)."""
    return ImportJob.objects.filter(status=ImportJob.Status.PENDING).order_by("queued_at", "created_at").first()


def queue(job: ImportJob, confirmed: bool | None = None) -> ImportJob:
    """Put the job back in the queue for a run: the confirmed import (confirmed=True), or again the run it had.
    Start it with imports.tasks.dispatch."""
    if confirmed is not None:
        job.options = {**job.options, "confirmed": confirmed}  # the counts are the preview's until it is done
    job.status = ImportJob.Status.PENDING
    job.rows_done = 0
    job.queued_at = timezone.now()
    job.started_at = job.finished_at = None
    job.worker_host, job.worker_pid, job.interrupted = "", None, False
    job.errors = []
    job.save(update_fields=["options", "status", "rows_done", "queued_at", "started_at", "finished_at",
                            "worker_host", "worker_pid", "interrupted", "errors"])
    forget_progress(job.pk)
    return job


def fail_stale_jobs() -> int:
    """Mark every running job whose process is gone (or silent for IMPORTS_STALE_AFTER_SECONDS) 出错, with the
    reason, so that no job stays 导入中 after a restart: run wherever jobs are listed or read, and by the worker
    command, never at start-up (no query before the first request). Returns how many were marked."""
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING)
    return sum(_fail_if_abandoned(job) for job in running)


def settle(job: ImportJob) -> ImportJob:
    """The job as it stands: marked 出错 first if its process has left it running."""
    if job.status == ImportJob.Status.RUNNING:
        _fail_if_abandoned(job)
    return job


def _fail_if_abandoned(job: ImportJob) -> bool:
    if not job.abandoned:
        return False
    errors = [{"sheet": "", "row": None, "column": "", "value": "", "message": str(INTERRUPTED)}]
    now = timezone.now()
    # Only the run that was judged: a job finished or taken again meanwhile is left as it is.
    marked = ImportJob.objects.filter(
        pk=job.pk, status=ImportJob.Status.RUNNING, started_at=job.started_at, worker_pid=job.worker_pid,
    ).update(status=ImportJob.Status.FAILED, interrupted=True, errors=errors, finished_at=now)
    if marked:
        logger.warning("import job %s left by its process (%s, pid %s): marked failed", job.pk, job.worker_host,
                       job.worker_pid)
        job.status, job.interrupted, job.errors, job.finished_at = ImportJob.Status.FAILED, True, errors, now
    else:
        job.refresh_from_db()
    return bool(marked)


def discard(job: ImportJob):
    """The owner gives a job up: nothing of it was written; its file is deleted."""
    job.status = ImportJob.Status.DISCARDED
    job.finished_at = timezone.now()
    job.delete_file()
    job.save(update_fields=["status", "finished_at", "file"])


# Jobs whose upload may still be needed: waiting for confirmation is not among them once the retention is over.
EXPIRING = (ImportJob.Status.PREVIEWED, ImportJob.Status.REFUSED, ImportJob.Status.FAILED,
            ImportJob.Status.DISCARDED, ImportJob.Status.UNDONE, ImportJob.Status.DONE)


def expire_uploads(now=None) -> int:
    """Delete the files of uploads older than IMPORTS_UPLOAD_RETENTION_HOURS that were not imported (and of
    stale jobs that old); the job rows stay, as the audit record. Returns how many files were deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.IMPORTS_UPLOAD_RETENTION_HOURS)
    expired = 0
    for job in ImportJob.objects.filter(created_at__lt=cutoff).exclude(file=""):
        if job.status in EXPIRING or job.is_stale:
            job.delete_file()
            job.save(update_fields=["file"])
            expired += 1
    return expired


@transaction.atomic
def undo_job(job: ImportJob, user) -> tuple[int, list[str]]:
    """Put every item this import changed back to the revision it had before; delete the items it created.

    An item edited since the import (its latest revision is no longer the import's) is left as it is, so undo
    never throws away later work: returns (items restored or deleted, names of the items left alone).
    """
    items = ServiceItem.objects.in_bulk([c["item"] for c in job.changes if c.get("item")])
    kept, changes = [], []
    for change in job.changes:
        item = items.get(change.get("item"))
        if item is None:
            continue
        if change.get("revision") and item.latest_revision_id != change["revision"]:
            kept.append(item.name)
        else:
            changes.append(change)
    created_ids = [c["item"] for c in changes if c["created"]]
    ServiceItem.objects.filter(pk__in=created_ids).delete()
    previous = [c for c in changes if not c["created"]]
    revisions = Revision.objects.in_bulk([c["latest"] for c in previous if c.get("latest")])
    restored = 0
    for change in previous:
        item, revision = items[change["item"]], revisions.get(change.get("latest"))
        if revision is None:
            continue
        old = revision.as_object()
        was_live_revision = change.get("live") == change.get("latest")
        if was_live_revision or not item.live:
            # The previous content was what the row held: restore the row and its children, then publish it.
            old.save()
            new_revision = old.save_revision(user=user, log_action="wagtail.revert", previous_revision=revision)
            if was_live_revision:
                new_revision.publish(user=user, skip_permission_checks=True)
        else:
            old.save_revision(user=user, log_action="wagtail.revert", previous_revision=revision)
        restored += 1
    job.status = ImportJob.Status.UNDONE
    job.save(update_fields=["status"])
    return restored + len(created_ids), kept
