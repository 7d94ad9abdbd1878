"""Background work for the catalog (Celery; runs in-process when no broker is configured)."""

from celery import shared_task

from .models import QUALITY_FIELDS, ServiceItem


@shared_task(name="catalog.refresh_quality")
def refresh_quality(item_ids=None, batch_size=500) -> int:
    """Recompute code verdicts and completeness, e.g. after the completeness rules changed. Returns the count."""
    items = ServiceItem.objects.all() if item_ids is None else ServiceItem.objects.filter(pk__in=item_ids)
    done = 0
    batch = []
    for item in items.prefetch_related("materials", "legal_bases").iterator(chunk_size=batch_size):
        item.refresh_quality()
        batch.append(item)
        if len(batch) >= batch_size:
            ServiceItem.objects.bulk_update(batch, QUALITY_FIELDS)
            done += len(batch)
            batch = []
    ServiceItem.objects.bulk_update(batch, QUALITY_FIELDS)
    return done + len(batch)
