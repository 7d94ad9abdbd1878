"""formbuilder's admin: the 在线表单 tab and its check (formbuilder.admin), the preview URL and its script."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html_join
from wagtail import hooks
from wagtail.admin.widgets import ListingButton

from catalog.models import ServiceItem

from . import admin, transfer_views, views  # noqa: F401  (admin registers the tab and the check)
from .transfer import may_edit


@hooks.register("register_admin_urls")
def register_preview_url():
    return [
        path("formbuilder/preview/<int:pk>/", views.preview, name="formbuilder_preview"),
        path("formbuilder/<int:pk>/export/", transfer_views.export_view, name="formbuilder_export"),
        path("formbuilder/<int:pk>/import/", transfer_views.import_view, name="formbuilder_import"),
        path("formbuilder/<int:pk>/copy/", transfer_views.copy_view, name="formbuilder_copy"),
    ]


@hooks.register("register_snippet_listing_buttons")
def form_transfer_buttons(snippet, user, next_url=None):
    """导出表单 / 导入表单 / 复制到其他事项 in an item's listing menu, for those who may change it."""
    if not isinstance(snippet, ServiceItem) or not may_edit(user, snippet):
        return []
    return [
        ListingButton("导出表单", reverse("formbuilder_export", args=[snippet.pk]), priority=60),
        ListingButton("导入表单", reverse("formbuilder_import", args=[snippet.pk]), priority=61),
        ListingButton("复制表单到其他事项", reverse("formbuilder_copy", args=[snippet.pk]), priority=62),
    ]


@hooks.register("insert_global_admin_js")
def formbuilder_admin_js():
    return format_html_join("", '<script src="{}"></script>', ((static("js/formbuilder-admin.js"),),))
