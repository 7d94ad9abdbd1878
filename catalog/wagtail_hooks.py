from django import forms
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TabbedInterface,
)
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn, UpdatedAtColumn
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import lockouts  # noqa: F401 (registers the 登录锁定 admin page)
from .admin_reports import CompletenessReportView
from .admin_views import (
    CompletenessColumn,
    CompletenessPanel,
    ScopedDeleteBulkAction,
    ServiceItemChooserViewSet,
    ServiceItemIndexView,
    scoped_view_class,
)
from .completeness import summary_by_department
from .extensions import item_tabs
from .filters import SEARCH_FIELDS, ServiceItemFilterSet
from .forms import ServiceItemForm
from .models import CatalogEntry, Department, ServiceItem, scoped_department_ids
from .permissions import service_item_policy
from .spreadsheets import protect_wagtail_exports

register_permission_policy(ServiceItem, service_item_policy)
protect_wagtail_exports()  # Wagtail's listing and report exports write formula-like text safely too
# After Wagtail's own (order): the registry keeps the last class registered for a model and action.
hooks.register("register_bulk_action", ScopedDeleteBulkAction, order=100)


# The item's edit screen; completeness stays the last tab (see ServiceItemViewSet.get_edit_handler).
ITEM_TABS = [
    ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("implementation_code"), FieldPanel("basic_code")]),
            FieldRowPanel([FieldPanel("item_type"), FieldPanel("role")]),
            # A plain list, limited by ServiceItemForm to the user's departments (no site-wide chooser).
            FieldRowPanel([FieldPanel("department", widget=forms.Select), FieldPanel("department_nature")]),
            FieldRowPanel([FieldPanel("entrusted_department"), FieldPanel("exercise_level")]),
            FieldPanel("catalog_entry"),
            FieldRowPanel([FieldPanel("main_item_name"), FieldPanel("parent")]),
            FieldPanel("service_objects"),
            # Scheduled publishing (shown in the status side panel's dialog).
            PublishingPanel(),
        ],
        heading=_("基本信息"),
    ),
    ObjectList(
        [
            FieldPanel("acceptance_conditions"),
            FieldPanel("case_type"),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("statutory_limit"), FieldPanel("statutory_limit_unit")]),
                    FieldPanel("statutory_limit_note"),
                    FieldRowPanel([FieldPanel("promised_limit"), FieldPanel("promised_limit_unit")]),
                    FieldPanel("promised_limit_note"),
                ],
                heading=_("办结时限"),
            ),
            FieldPanel("handling_flow"),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("handled_at_window"),
                            FieldPanel("handled_online"),
                            FieldPanel("handled_by_post"),
                        ]
                    ),
                    FieldRowPanel([FieldPanel("visits"), FieldPanel("online_depth")]),
                    FieldPanel("online_url"),
                    FieldRowPanel(
                        [
                            FieldPanel("appointment_available"),
                            FieldPanel("express_delivery"),
                            FieldPanel("is_free"),
                        ]
                    ),
                    FieldPanel("handling_area"),
                ],
                heading=_("办理形式"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("address"),
                    FieldPanel("office_hours"),
                    FieldPanel("consultation_channels"),
                    FieldPanel("complaint_channels"),
                ],
                heading=_("办理地点与咨询监督"),
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("result_type"), FieldPanel("result_name")]),
                    FieldPanel("result_sample"),
                ],
                heading=_("审批结果"),
            ),
            FieldPanel("special_procedures"),
            FieldPanel("intermediary_services"),
        ],
        heading=_("办理要素"),
    ),
    ObjectList([InlinePanel("materials", heading=_("申请材料"), label=_("材料"))], heading=_("申请材料")),
    ObjectList(
        [
            InlinePanel("fees", heading=_("收费项目"), label=_("收费项目")),
            InlinePanel("faqs", heading=_("常见问题"), label=_("问题")),
        ],
        heading=_("收费与常见问题"),
    ),
    ObjectList(
        [
            InlinePanel("legal_bases", heading=_("设定依据"), label=_("依据")),
            InlinePanel("responsibility_stages", heading=_("责任事项"), label=_("责任环节")),
            InlinePanel("accountability_cases", heading=_("追责情形"), label=_("追责情形")),
            FieldPanel("accountable_subject"),
        ],
        heading=_("依据与责任清单"),
    ),
    ObjectList([CompletenessPanel(heading=_("办事指南要素完整度"))], heading=_("完整度")),
]


class ServiceItemViewSet(SnippetViewSet):
    model = ServiceItem
    icon = "list-ul"
    menu_label = _("实施清单")
    menu_order = 100
    add_to_admin_menu = False
    list_per_page = 50
    ordering = ["department__name", "name"]
    filterset_class = ServiceItemFilterSet
    # Substring search in the database (icontains), not Wagtail's search index, which does not segment Chinese.
    search_backend_name = None
    search_fields = SEARCH_FIELDS
    index_view_class = ServiceItemIndexView
    chooser_viewset_class = ServiceItemChooserViewSet
    list_display = [
        "name",
        Column("department", label=_("实施主体"), accessor="department"),
        Column("item_type", label=_("事项类型"), accessor="get_item_type_display"),
        Column("code_status", label=_("编码校验"), accessor="get_code_status_display"),
        CompletenessColumn("completeness_score", label=_("要素完整度"), sort_key="completeness_score"),
        LiveStatusTagColumn(),
        UpdatedAtColumn(),
    ]
    list_export = ["implementation_code", "name", "department", "item_type", "completeness_score", "live"]
    export_filename = "service-items"

    def get_edit_handler(self):
        # Catalog's tabs, then those that the apps above it register (rules: 情形与规则, 办理流程; formbuilder),
        # then completeness last.
        tabs = [*ITEM_TABS[:-1], *(panel for _order, panel in item_tabs()), ITEM_TABS[-1]]
        return TabbedInterface(tabs, base_form_class=ServiceItemForm).bind_to_model(self.model)

    def get_queryset(self, request):
        return service_item_policy.scope_queryset(
            request.user, ServiceItem.objects.select_related("department", "latest_revision")
        )

    def construct_view(self, view_class, **kwargs):
        # Every view built for this snippet (edit, delete, history, revisions, compare, preview, lock, unlock,
        # unpublish, workflow, usage, inspect, copy) first checks the item's department.
        return super().construct_view(scoped_view_class(view_class), **kwargs)


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "group"
    menu_label = _("部门")
    list_display = ["name", "short_name", "credit_code", "division_code", "level", "parent"]
    search_fields = ["name", "short_name", "credit_code"]
    list_filter = ["level"]
    panels = [
        FieldPanel("name"),
        FieldPanel("short_name"),
        FieldPanel("credit_code"),
        FieldPanel("division_code"),
        FieldPanel("level"),
        FieldPanel("parent"),
        FieldPanel("consultation_phone"),
        FieldPanel("members"),
    ]


class CatalogEntryViewSet(SnippetViewSet):
    model = CatalogEntry
    icon = "doc-full"
    menu_label = _("基本目录")
    list_display = ["basic_code", "name", "item_type", "role", Column("code_verdict", label=_("编码校验"))]
    search_fields = ["name", "basic_code"]
    list_filter = ["item_type", "role"]


class CatalogViewSetGroup(SnippetViewSetGroup):
    items = (ServiceItemViewSet, CatalogEntryViewSet, DepartmentViewSet)
    menu_icon = "folder-open-inverse"
    menu_label = _("事项目录")
    menu_name = "catalog"
    menu_order = 100


register_snippet(CatalogViewSetGroup)


class CompletenessReportMenuItem(MenuItem):
    def is_shown(self, request):
        return service_item_policy.user_has_any_permission(request.user, ["change", "view"])


@hooks.register("register_reports_menu_item")
def register_completeness_report():
    return CompletenessReportMenuItem(
        _("要素完整度报告"), reverse("tongban_completeness_report"), icon_name="tasks", order=50
    )


class DepartmentCompletenessPanel(Component):
    """Dashboard panel for department administrators: how complete their departments' guides are."""

    name = "tongban_completeness"
    order = 50
    template_name = "catalog/panels/home_completeness.html"

    def __init__(self, rows):
        self.rows = rows

    def get_context_data(self, parent_context=None):
        return {"rows": self.rows}


@hooks.register("construct_homepage_panels")
def add_completeness_panel(request, panels):
    if scoped_department_ids(request.user) is None:
        return  # editors and system administrators use the full report
    items = service_item_policy.instances_user_has_any_permission_for(request.user, ["change", "view"])
    rows = summary_by_department(items)
    if rows:
        panels.append(DepartmentCompletenessPanel(rows))


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/completeness/", CompletenessReportView.as_view(), name="tongban_completeness_report"),
        path(
            "reports/completeness/results/",
            CompletenessReportView.as_view(results_only=True),
            name="tongban_completeness_report_results",
        ),
    ]
