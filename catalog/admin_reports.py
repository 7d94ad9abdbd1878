"""Admin reports: completeness by department, and Wagtail's site history limited to what the user may see."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.reports import ReportView
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.models import ModelLogEntry

from .completeness import summary_by_department
from .models import ServiceItem, scoped_department_ids
from .permissions import service_item_policy


class CompletenessReportView(ReportView):
    """办事指南要素完整度 by department, so editors know whom to chase. Links lead to the filtered listing."""

    page_title = _("要素完整度报告")
    header_icon = "tasks"
    template_name = "catalog/reports/completeness.html"
    results_template_name = "catalog/reports/completeness_results.html"
    index_url_name = "tongban_completeness_report"
    index_results_url_name = "tongban_completeness_report_results"
    paginate_by = None
    permission_policy = service_item_policy
    any_permission_required = ["change", "view"]

    def get_queryset(self):
        return service_item_policy.instances_user_has_any_permission_for(self.request.user, ["change", "view"])

    def get_filtered_queryset(self):
        # The listing shows one row per department, not the items themselves.
        return summary_by_department(self.get_queryset())


class ScopedSiteHistoryView(LogEntriesView):
    """Wagtail filters log entries by content type only: anyone who may edit some service items would see the
    titles of every department's items. This leaves out item log entries outside the user's departments."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        scope = scoped_department_ids(self.request.user)
        if scope is None or queryset.model is not ModelLogEntry:
            return queryset
        visible_ids = (
            ServiceItem.objects.filter(department_id__in=scope)
            .annotate(pk_text=Cast("pk", CharField()))
            .values("pk_text")
        )
        item_type = ContentType.objects.get_for_model(ServiceItem)
        return queryset.exclude(Q(content_type=item_type) & ~Q(object_id__in=visible_ids))
