from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from catalog.permissions import service_item_policy

from . import views

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
