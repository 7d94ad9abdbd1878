from django.conf import settings
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from catalog.admin_reports import ScopedSiteHistoryView

urlpatterns = [
    # Wagtail's site history lists every snippet's log; ours leaves out other departments' items.
    path("admin/reports/site-history/", ScopedSiteHistoryView.as_view(), name="tongban_site_history"),
    path(
        "admin/reports/site-history/results/",
        ScopedSiteHistoryView.as_view(results_only=True),
        name="tongban_site_history_results",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The public site and the open-data API (publish/), and applying online (applications/: /account/, /apply/),
# before Wagtail's catch-all.
urlpatterns += [path("", include("publish.urls")), path("", include("applications.urls"))]

urlpatterns += [path("", include(wagtail_urls))]
