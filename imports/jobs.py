"""Import jobs: the audit record of each import, running one in the background, and undoing one."""

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Revision

from catalog.models import ServiceItem

from .models import ImportJob
from .service import ImportResult, Options, file_hash


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
        job.file_data = None  # kept until then: confirmation re-reads it, the error report annotates it
    job.save()
    return job


PROGRESS_KEY = "imports:progress:{}"


def report_progress(job_id: int, done: int, total: int, stage: str):
    cache.set(PROGRESS_KEY.format(job_id), {"done": done, "total": total, "stage": stage}, 6 * 3600)


def progress_of(job: ImportJob) -> dict:
    """What the progress bar shows: the running import's stage and counts, else the job row's."""
    running = job.status in (ImportJob.Status.PENDING, ImportJob.Status.RUNNING)
    found = cache.get(PROGRESS_KEY.format(job.pk)) if running else None
    if found is None:
        found = {"done": job.rows_done, "total": job.rows_total, "stage": "done" if not running else "pending"}
    percent = int(found["done"] * 100 / found["total"]) if found["total"] else 0
    return {"status": job.status, "status_label": str(job.get_status_display()), "rows_done": found["done"],
            "rows_total": found["total"], "percent": percent,
            "stage": found["stage"], "stage_label": str(STAGES.get(found["stage"], ""))}


STAGES = {"pending": _("排队中"), "read": _("正在读取文件"), "validate": _("正在校验（行）"),
          "write": _("正在写入（事项）"), "done": ""}


def run_job(job: ImportJob, dry_run=False) -> ImportJob:
    """Run a stored job (from the Celery task). Progress goes to the job row as rows are written."""
    from .service import Importer

    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done, total, stage):
        # The import writes in one transaction, so the job row's counts only show after it: the progress page
        # reads them from the cache (shared with the worker when CACHE_URL names a Redis server).
        report_progress(job.pk, done, total, stage)

    data = bytes(job.file_data or b"")
    options = Options(**{**job.options, "dry_run": dry_run})
    try:
        result = Importer(data, job.file_name, user=job.user, options=options, progress=progress).run()
    except Exception as exc:  # the job must end in a state the user can see, whatever happened
        job.status = ImportJob.Status.FAILED
        job.errors = [{"sheet": "", "row": None, "column": "", "value": "", "message": f"导入出错：{exc}"}]
        job.finished_at = timezone.now()
        job.file_data = None
        job.save()
        raise
    job.refresh_from_db(fields=["rows_total"])
    return record_job(result, job.file_name, data, job.user, publish=options.publish, job=job)


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
