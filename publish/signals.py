"""Publishing or unpublishing an item reindexes it and invalidates the public caches (after the commit)."""

from django.db import transaction
from wagtail.signals import published, unpublished

from catalog.models import ServiceItem


def _on_change(sender, instance, **kwargs):
    from .tasks import reindex_item

    item_id = instance.pk
    transaction.on_commit(lambda: reindex_item.delay(item_id))


def connect():
    published.connect(_on_change, sender=ServiceItem, dispatch_uid="publish-reindex-on-publish")
    unpublished.connect(_on_change, sender=ServiceItem, dispatch_uid="publish-reindex-on-unpublish")
