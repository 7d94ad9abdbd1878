"""Wagtail's site history report, limited to what the user may see.

Wagtail filters log entries by content type only: anyone who may edit some service items would see the titles
of every department's items. This subclass removes item log entries outside the user's departments.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import ModelLogEntry

from .models import ServiceItem, scoped_department_ids


class ScopedSiteHistoryView(LogEntriesView):
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        scope = scoped_department_ids(self.request.user)
        if scope is None or queryset.model is not ModelLogEntry:
            return queryset
        visible_ids = (
            ServiceItem.objects.filter(department_id__in=scope).annotate(pk_text=Cast("pk", CharField())).values("pk_text")
        )
        item_type = ContentType.objects.get_for_model(ServiceItem)
        return queryset.exclude(Q(content_type=item_type) & ~Q(object_id__in=visible_ids))
