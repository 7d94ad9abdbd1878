"""formbuilder's admin: the 在线表单 tab and its check (formbuilder.admin), the preview URL and its script."""

from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html_join
from wagtail import hooks

from . import admin, views  # noqa: F401  (admin registers the tab and the check)


@hooks.register("register_admin_urls")
def register_preview_url():
    return [path("formbuilder/preview/<int:pk>/", views.preview, name="formbuilder_preview")]


@hooks.register("insert_global_admin_js")
def formbuilder_admin_js():
    return format_html_join("", '<script src="{}"></script>', ((static("js/formbuilder-admin.js"),),))
