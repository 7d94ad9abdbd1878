import threading

from celery import shared_task
from django.conf import settings
from django.db import close_old_connections, transaction

from .jobs import run_job
from .models import ImportJob


@shared_task(name="imports.run_import")
def run_import(job_id: int, dry_run: bool = False):
    job = ImportJob.objects.get(pk=job_id)
    run_job(job, dry_run=dry_run)
    return job_id


@shared_task(name="imports.expire_uploads")
def expire_uploads():
    """Hourly (CELERY_BEAT_SCHEDULE): delete uploads kept past IMPORTS_UPLOAD_RETENTION_HOURS."""
    from .jobs import expire_uploads as expire

    return expire()


# Items per Elasticsearch task: a worker holds one batch of items with their children in memory.
ELASTIC_BATCH = 5000


@shared_task(name="imports.index_elastic")
def index_elastic(ids: list[int]):
    """Send these published items to Elasticsearch (after the import committed)."""
    from .service import reindex_elastic

    reindex_elastic(ids)
    return len(ids)


def schedule_elastic_index(ids: list[int]):
    for start in range(0, len(ids), ELASTIC_BATCH):
        index_elastic.delay(ids[start : start + ELASTIC_BATCH])


def _in_thread(job_id, dry_run):
    close_old_connections()
    try:
        run_import(job_id, dry_run)
    except Exception:  # recorded on the job by run_job; a thread has nobody else to tell
        pass
    finally:
        close_old_connections()


def dispatch(job: ImportJob, dry_run: bool):
    """Start the job after the request's transaction commits, and return at once.

    With a broker the Celery worker runs it. Without one (the embedded default) Celery would run the task eagerly
    inside the request, so a thread runs it instead: the user sees the same thing — the page returns, then shows
    progress. Tests set IMPORTS_RUN_INLINE to run it in the request.
    """

    if settings.IMPORTS_RUN_INLINE:
        run_import(job.pk, dry_run)
        return

    def start():
        if settings.CELERY_TASK_ALWAYS_EAGER:
            threading.Thread(target=_in_thread, args=(job.pk, dry_run), daemon=True).start()
        else:
            run_import.delay(job.pk, dry_run)

    transaction.on_commit(start)
