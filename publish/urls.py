from django.contrib.sitemaps.views import sitemap
from django.urls import path, re_path

from . import api, checklist, flow_views, form_api, views
from .sitemaps import GuideSitemap

app_name = "publish"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.results, name="results"),
    path("search/suggest/", views.suggest, name="suggest"),
    path("guide/<str:code>/", views.guide, name="guide"),
    path("guide/<str:code>/print/", views.guide, {"print_view": True}, name="guide_print"),
    path("guide/<str:code>/flow.svg", flow_views.flow_chart, name="guide_flow"),
    path("guide/<str:code>/notice/", checklist.notice, name="guide_notice"),
    path("power-list/", views.power_list, name="power_list"),
    path("responsibility-list/", views.power_list, {"kind": "responsibility"}, name="responsibility_list"),
    path("power-list.xlsx", views.power_list_xlsx, name="power_list_xlsx"),
    path("sitemap.xml", sitemap, {"sitemaps": {"guides": GuideSitemap}}, name="sitemap"),
    path("api/v1/items/", api.items, name="api_items"),
    path("api/v1/items/<str:code>/", api.item_detail, name="api_item"),
    path("api/v1/items/<str:code>/evaluate/", checklist.evaluate, name="api_item_evaluate"),
    path("api/v1/items/<str:code>/form/", form_api.form, name="api_item_form"),
    path("api/v1/items/<str:code>/validate/", form_api.validate, name="api_item_validate"),
    path("api/v1/departments/", api.departments, name="api_departments"),
    path("api/v1/power-list/", api.power_list, name="api_power_list"),
    path("api/v1/schema/", api.openapi_schema, name="api_schema"),
    re_path(r"^api/.*$", api.not_found),
]
