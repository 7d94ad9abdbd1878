"""Background work of the applications (Celery; runs in-process when no broker is configured)."""

from celery import shared_task

from . import receipts
from .models import Submission


@shared_task(name="applications.render_receipt")
def render_receipt(submission_id: int) -> str:
    """Render and store a submission's receipt PDF (after its submit committed). Returns the storage name, or ""
    when the submission is gone."""
    submission = Submission.objects.filter(pk=submission_id).first()
    if submission is None:
        return ""
    return receipts.store(submission)
