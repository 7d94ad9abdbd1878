from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.permissions import service_item_policy

from . import views
from .forms import HeaderMappingForm
from .models import HeaderMapping

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


class HeaderMappingViewSet(SnippetViewSet):
    """Saved header mappings for recurring sources, chosen at upload (and by import_catalog --mapping)."""

    model = HeaderMapping
    icon = "list-ul"
    menu_label = _("表头对应关系")
    menu_order = 211
    add_to_admin_menu = True
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("columns")], base_form_class=HeaderMappingForm)


register_snippet(HeaderMappingViewSet)
