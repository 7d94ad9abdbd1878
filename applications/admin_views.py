"""The admin's 网上申请 section: the listing (filters, search, export) and a submission's page. Read-only, and thin:
who sees what and what an export holds are applications.staff's."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.forms.search import SearchForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import Button

from . import staff, tracking
from .models import Submission

NAMESPACE = "tongban_submissions"


def _local(value):
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


def _number(submission):
    """The grouped number, broken on a narrow screen only between its groups."""
    groups = tracking.grouped(submission.tracking_number).split()
    return format_html_join(" ", '<span class="tongban-nowrap">{}</span>', ((group,) for group in groups))


class SubmissionIndexView(IndexView):
    model = Submission
    template_name = "applications/admin/index.html"
    permission_policy = staff.submission_policy
    any_permission_required = ["view"]
    page_title = _("申请")
    header_icon = "form"
    index_url_name = f"{NAMESPACE}:index"
    index_results_url_name = f"{NAMESPACE}:index_results"
    filterset_class = staff.SubmissionFilterSet
    search_fields = ["tracking_number"]  # turns the search box on; search_queryset does the matching
    default_ordering = "-submitted_at"
    paginate_by = 50
    export_filename = "submissions"

    @cached_property
    def columns(self):
        return [
            TitleColumn("tracking_number", label=_("申请编号"), accessor=_number,
                        get_url=lambda s: reverse(f"{NAMESPACE}:detail", args=[s.pk])),
            Column("item_name", label=_("事项")),
            Column("department_name", label=_("实施部门"), classname="tongban-wide"),
            Column("applicant", label=_("申请人"), accessor="applicant", classname="tongban-name"),
            Column("submitted_at", label=_("提交时间"), accessor=lambda s: _local(s.submitted_at),
                   sort_key="submitted_at"),
            Column("due_date", label=_("承诺办结日期"), sort_key="due_date", classname="tongban-wide",
                   accessor=lambda s: f"{s.due_date:%Y-%m-%d}" if s.due_date else ""),
        ]

    @cached_property
    def no_results_message(self):
        return _("没有符合条件的申请。") if self.is_searching or self.is_filtering else _("还没有申请。")

    def get_base_queryset(self):
        return staff.listed(staff.visible_submissions(self.request.user))

    def get_search_form(self):
        if self.search_kwarg in self.request.GET:
            return SearchForm(self.request.GET, placeholder=_("申请编号或申请人姓名"))
        return SearchForm(placeholder=_("申请编号或申请人姓名"))

    def search_queryset(self, queryset):
        return staff.search_submissions(queryset, self.search_query) if self.is_searching else queryset

    def paginate_queryset(self, queryset, page_size):
        # The page's ids first, read from the index alone (department, time, id: a few milliseconds for a
        # department with tens of thousands of submissions), then only those rows. Sorting the rows themselves
        # would read every row of the departments for each page.
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset.values_list("pk", flat=True),
                                                                       page_size)
        ids = list(ids)
        rows = {row.pk: row for row in staff.listed(Submission.objects.filter(pk__in=ids))}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return paginator, page, page.object_list, is_paginated

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")  # a stable order across pages

    def get(self, request, *args, **kwargs):
        # The export is the listing's own query (filters, search, order), written without building the page.
        if self.is_export:
            submissions = self.get_queryset()
            if request.GET.get("export") == self.FORMAT_CSV:
                return staff.csv_response(submissions)
            return staff.xlsx_response(submissions)
        return super().get(request, *args, **kwargs)

    show_export_buttons = True

    @cached_property
    def header_more_buttons(self):
        return [
            Button(_("导出为 Excel（.xlsx）"), url=self.xlsx_export_url, icon_name="download", priority=90),
            Button(_("导出为 CSV"), url=self.csv_export_url, icon_name="download", priority=100),
        ]


class SubmissionView(WagtailAdminTemplateMixin, TemplateView):
    """One submission, read-only. Another department's submission answers 404: its existence is not confirmed."""

    template_name = "applications/admin/submission.html"
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        if not staff.may_view(request.user):
            raise PermissionDenied
        self.submission = staff.submission_for(request.user, kwargs["pk"])
        if self.submission is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("申请 %(number)s") % {"number": tracking.grouped(self.submission.tracking_number)}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse(f"{NAMESPACE}:index"), "label": _("申请")},
                {"url": "", "label": tracking.grouped(self.submission.tracking_number)}]

    def get_context_data(self, **kwargs):
        def download_url(upload):
            return reverse(f"{NAMESPACE}:file", args=[self.submission.pk, upload.pk])

        return {**super().get_context_data(**kwargs), **staff.page_of(self.submission, download_url),
                "submitted_at": _local(self.submission.submitted_at)}


def submission_file(request, pk, token):
    """A file the applicant sent with a submission, for the staff who may see the submission (else 404)."""
    if not staff.may_view(request.user):
        raise PermissionDenied
    upload = staff.upload_for(request.user, pk, token)
    if upload is None:
        raise Http404
    return staff.download(upload)


class SubmissionMenuItem(MenuItem):
    def is_shown(self, request):
        return staff.may_view(request.user)


class SubmissionViewSet(ViewSet):
    name = NAMESPACE
    url_prefix = "submissions"
    icon = "form"
    menu_label = _("申请")
    menu_name = "submissions"
    menu_order = 150
    add_to_admin_menu = True
    menu_item_class = SubmissionMenuItem

    def get_urlpatterns(self):
        index = SubmissionIndexView.as_view()
        return [
            path("", index, name="index"),
            path("results/", SubmissionIndexView.as_view(results_only=True), name="index_results"),
            path("<str:pk>/", SubmissionView.as_view(), name="detail"),
            # "token": the upload's id (a UUID), as the applicant's answers hold it
            path("<str:pk>/files/<str:token>/", require_GET(submission_file), name="file"),
        ]
