from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_list_or_404
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views.generic import DeleteView, EditView
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView, ChosenMultipleView, ChosenView
from wagtail.permissions import register_permission_policy
from wagtail.snippets.bulk_actions.delete import DeleteBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.permissions import service_item_policy

from . import views
from .forms import HeaderMappingForm
from .models import HeaderMapping
from .permissions import header_mapping_policy

register_permission_policy(HeaderMapping, header_mapping_policy)

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("template/", views.template, name="template"),
    path("export/", views.export, name="export"),
    path("jobs/<int:pk>/", views.job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="progress"),
    path("jobs/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("jobs/<int:pk>/report/", views.report, name="report"),
    path("jobs/<int:pk>/undo/", views.undo, name="undo"),
    path("jobs/<int:pk>/retry/", views.retry, name="retry"),
    path("jobs/<int:pk>/discard/", views.discard, name="discard"),
]


@hooks.register("register_admin_urls")
def register_urls():
    return [path("imports/", include((urlpatterns, "imports"), namespace="imports"))]


class ImportMenuItem(MenuItem):
    def is_shown(self, request):
        return service_item_policy.user_has_any_permission(request.user, ["add", "change"])


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return ImportMenuItem(_("批量导入导出"), reverse("imports:index"), icon_name="download", order=210)


# --- department scoping of header mappings (imports.permissions) ---------------------------------------------


class VisibleMappingMixin:
    """A mapping of another department does not exist for the user: 404 before the view runs. (Editing a shared
    one is refused by Wagtail itself, which asks header_mapping_policy.)"""

    changes_the_mapping = False

    def setup(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            mapping = HeaderMapping.objects.filter(pk=unquote(str(pk))).only("pk", "department_id").first()
            if mapping is None or not header_mapping_policy.can_see(request.user, mapping):
                raise Http404
            if self.changes_the_mapping and not header_mapping_policy.can_edit(request.user, mapping):
                raise PermissionDenied  # a shared mapping, used by every department, edited by none of them
        super().setup(request, *args, **kwargs)


class VisibleMappingsChooserMixin:
    def get_object_list(self):
        return header_mapping_policy.visible(self.request.user)


class VisibleMappingChosenView(ChosenView):
    def get_object(self, pk):
        mapping = super().get_object(pk)
        if not header_mapping_policy.can_see(self.request.user, mapping):
            raise Http404
        return mapping


class VisibleMappingsChosenMultipleView(ChosenMultipleView):
    def get_objects(self, pks):
        return [m for m in super().get_objects(pks) if header_mapping_policy.can_see(self.request.user, m)]


class HeaderMappingChooserViewSet(SnippetChooserViewSet):
    choose_view_class = type("VisibleMappingsChooseView", (VisibleMappingsChooserMixin, ChooseView), {})
    choose_results_view_class = type("VisibleMappingsChooseResultsView",
                                     (VisibleMappingsChooserMixin, ChooseResultsView), {})
    chosen_view_class = VisibleMappingChosenView
    chosen_multiple_view_class = VisibleMappingsChosenMultipleView


class VisibleMappingsDeleteBulkAction(DeleteBulkAction):
    """Wagtail's bulk delete reads every mapping it is given, unscoped: only the visible ones here."""

    models = [HeaderMapping]

    def get_queryset(self, model, object_ids):
        mappings = model.objects.filter(pk__in=object_ids)
        return get_list_or_404(header_mapping_policy.visible(self.request.user, mappings))

    def get_all_objects_in_listing_query(self, parent_id):
        return header_mapping_policy.visible(self.request.user).values_list("pk", flat=True)


hooks.register("register_bulk_action", VisibleMappingsDeleteBulkAction, order=100)


class HeaderMappingViewSet(SnippetViewSet):
    """Saved header mappings for recurring sources, chosen at upload (and by import_catalog --mapping)."""

    model = HeaderMapping
    icon = "list-ul"
    menu_label = _("表头对应关系")
    menu_order = 211
    add_to_admin_menu = True
    list_display = ["name", "department", "created_by", "updated_by", "updated_at"]
    search_fields = ["name"]
    chooser_viewset_class = HeaderMappingChooserViewSet
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("department"), FieldPanel("columns")],
                              base_form_class=HeaderMappingForm)

    def get_queryset(self, request):
        return header_mapping_policy.visible(request.user, HeaderMapping.objects.select_related(
            "department", "created_by", "updated_by"))

    def construct_view(self, view_class, **kwargs):
        changes = issubclass(view_class, EditView | DeleteView)
        attributes = {"changes_the_mapping": changes}
        scoped = type(f"Visible{view_class.__name__}", (VisibleMappingMixin, view_class), attributes)
        return super().construct_view(scoped, **kwargs)


register_snippet(HeaderMappingViewSet)
