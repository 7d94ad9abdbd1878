"""Revisions for many items at once.

Wagtail's save_revision() and publish() cost several queries per item; loading a province's list that way takes
minutes (DESIGN decision 1). These functions write the same rows — a Revision per item, the item's revision
pointers, one log entry per item — in a few bulk statements. The result is what save_revision().publish() leaves.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from wagtail.models import ModelLogEntry, Revision
from wagtail.search.backends import get_search_backend

from .models import ServiceItem


@transaction.atomic
def save_revisions_in_bulk(items: list[ServiceItem], user=None, publish=False, batch_size=1000) -> list[Revision]:
    """Create one revision per saved item (its current content, children included) and point the item at it.

    With publish=True the revision becomes the live one, as Revision.publish() would leave it.
    """
    content_type = ContentType.objects.get_for_model(ServiceItem)
    now = timezone.now()
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=content_type,
                base_content_type=content_type,
                object_id=str(item.pk),
                user=user,
                created_at=now,
                object_str=str(item),
                content=item.serializable_data(),
            )
            for item in items
        ],
        batch_size=batch_size,
    )
    for item, revision in zip(items, revisions, strict=True):
        item.latest_revision = revision
        if publish:
            item.live = True
            item.live_revision = revision
            item.has_unpublished_changes = False
            item.first_published_at = item.first_published_at or now
            item.last_published_at = now
        else:
            item.has_unpublished_changes = True
    fields = ["latest_revision", "has_unpublished_changes"]
    if publish:
        fields += ["live", "live_revision", "first_published_at", "last_published_at"]
    ServiceItem.objects.bulk_update(items, fields, batch_size=batch_size)
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(item.pk),
                label=str(item)[:255],
                action="wagtail.publish" if publish else "wagtail.edit",
                timestamp=now,
                user=user,
                revision=revision,
                data={},
            )
            for item, revision in zip(items, revisions, strict=True)
        ],
        batch_size=batch_size,
    )
    return revisions


def index_in_bulk(items: list[ServiceItem]):
    """Add items to the admin search index (bulk_create bypasses the signals that would do it)."""
    get_search_backend().add_bulk(ServiceItem, items)
