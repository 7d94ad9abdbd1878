"""Admin pieces for service items: the department-scoped views, the listing filters and the completeness panel.

Views stay thin: the rule of who sees what is service_item_policy (permissions.py); this module only plugs it
into every view Wagtail builds for the snippet.
"""

from django import forms
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.shortcuts import get_list_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import Panel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.admin.widgets import Button
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import IndexView as SnippetIndexView

from .completeness import assess, reasons_from_text
from .models import ServiceItem
from .permissions import service_item_policy


class DepartmentScopedViewMixin:
    """Answer 404 for an item outside the user's departments, before the view does anything with it.

    404 rather than 403, so that typing another department's URL does not even confirm the item exists.
    """

    def setup(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            item = ServiceItem.objects.filter(pk=unquote(str(pk))).only("pk", "department_id").first()
            if item is None or not service_item_policy.can_access_instance(request.user, item):
                raise Http404
        super().setup(request, *args, **kwargs)


def scoped_view_class(view_class):
    return type(f"Scoped{view_class.__name__}", (DepartmentScopedViewMixin, view_class), {})


# --- bulk actions --------------------------------------------------------------------------------


class DepartmentScopedBulkActionMixin:
    """Wagtail's bulk actions read `model.objects` unscoped and list every object they were given, those the user
    may not touch included ("items_with_no_access"), on the GET confirmation page as well as after the POST. Here
    an item outside the user's departments does not exist for the action: it is neither listed nor acted on, and
    a request naming only such items answers 404. Every bulk action registered for ServiceItem carries this
    mixin (tests/security/test_admin_crawl.py checks the registry)."""

    def get_queryset(self, model, object_ids):  # an instance method here: the scope needs the request's user
        items = service_item_policy.scope_queryset(self.request.user, model.objects.filter(pk__in=object_ids))
        return get_list_or_404(items)

    def get_all_objects_in_listing_query(self, parent_id):
        items = service_item_policy.scope_queryset(self.request.user, self.model.objects.all())
        return items.values_list("pk", flat=True)


class ScopedDeleteBulkAction(DepartmentScopedBulkActionMixin, DeleteBulkAction):
    models = [ServiceItem]


# --- search --------------------------------------------------------------------------------------

# The admin finds items with the database's substring match (icontains), not Wagtail's search index: that index
# (modelsearch, FTS5 / PostgreSQL 'simple') does not segment Chinese, so "身份证" never matched
# "居民身份证办理（包括临时）" (DESIGN decision 3). A LIKE scan over a department's list is cheap at this size.
from .filters import SEARCH_FIELDS, search_items  # noqa: E402,F401 (the listing's search; public in filters)

# --- listing -------------------------------------------------------------------------------------


class ServiceItemIndexView(SnippetIndexView):
    @cached_property
    def header_more_buttons(self):
        # The spreadsheet export (imports/) takes the listing's filters, so "what I see" is "what I export".
        buttons = super().header_more_buttons
        query = self.request.GET.urlencode()
        buttons.append(
            Button(
                _("导出为事项梳理表（可修改后再导入）"),
                url=reverse("imports:export") + (f"?{query}" if query else ""),
                icon_name="download",
                priority=50,
            )
        )
        return buttons


class CompletenessColumn(Column):
    cell_template_name = "catalog/tables/completeness_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["score"] = instance.completeness_score
        context["reasons"] = reasons_from_text(instance.completeness_flags)
        return context


# --- edit screen ---------------------------------------------------------------------------------


class CompletenessPanel(Panel):
    """Shows the completeness of the version being edited (the draft, not only the live one)."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "catalog/panels/completeness.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            self.instance.refresh_quality()  # the code verdict, which the report counts too
            context["report"] = assess(self.instance)
            context["item"] = self.instance
            return context


# --- chooser -------------------------------------------------------------------------------------


class ScopedChosenView(ChosenView):
    def get_object(self, pk):
        item = super().get_object(pk)
        if not service_item_policy.can_access_instance(self.request.user, item):
            raise Http404
        return item


class ScopedChosenMultipleView(ChosenMultipleView):
    def get_objects(self, pks):
        return [
            item
            for item in super().get_objects(pks)
            if service_item_policy.can_access_instance(self.request.user, item)
        ]


class ServiceItemSearchFilterForm(BaseFilterForm):
    """The chooser's search box. Wagtail only adds one for indexed models, and ServiceItem is not indexed."""

    q = forms.CharField(
        label=_("搜索"),
        widget=forms.TextInput(attrs={"placeholder": _("事项名称、实施编码、主项或部门")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = search_items(objects, query)
            self.is_searching = True
            self.search_query = query
        return objects


class ScopedChooserMixin:
    filter_form_class = ServiceItemSearchFilterForm

    def get_object_list(self):
        return service_item_policy.instances_user_has_any_permission_for(self.request.user, ["change", "view"])


class ServiceItemChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("ScopedChooseView", (ScopedChooserMixin, ChooseView), {})
    choose_results_view_class = type("ScopedChooseResultsView", (ScopedChooserMixin, ChooseResultsView), {})
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
