"""Publishing or unpublishing an item reindexes it and invalidates the public caches (after the commit); so does
an editor's change to the search synonyms (cached search results depend on them)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.signals import published, unpublished

from catalog.models import ServiceItem

from .models import Synonym, Theme
from .state import bump
from .tasks import reindex_item


def _on_change(sender, instance, **kwargs):
    item_id = instance.pk
    transaction.on_commit(lambda: reindex_item.delay(item_id))


def _on_synonym_change(sender, **kwargs):
    bump()


def connect():
    post_save.connect(_on_synonym_change, sender=Synonym, dispatch_uid="publish-synonym-saved")
    post_delete.connect(_on_synonym_change, sender=Synonym, dispatch_uid="publish-synonym-deleted")
    # Themes are on the cached home page: a change renews the page cache the same way.
    post_save.connect(_on_synonym_change, sender=Theme, dispatch_uid="publish-theme-saved")
    post_delete.connect(_on_synonym_change, sender=Theme, dispatch_uid="publish-theme-deleted")
    published.connect(_on_change, sender=ServiceItem, dispatch_uid="publish-reindex-on-publish")
    unpublished.connect(_on_change, sender=ServiceItem, dispatch_uid="publish-reindex-on-unpublish")
