"""Admin requests whose ids are not numbers answer 404, before any view turns them into a query.

Wagtail's views hand path and query ids to integer primary-key lookups unchecked (`chosen/<str:pk>/`,
`history/(?P<pk>.+)/revisions/compare/…`, `?id=` of the choosers, the bulk actions and the admin API), and
`int('abc')` inside the ORM is a 500. Every model the admin shows has an integer key, so one check here covers
Wagtail's views and ours alike (tests/security/test_admin_crawl.py tries every admin URL).
"""

import re

from django.http import Http404
from django.urls import reverse

INTEGER = re.compile(r"[0-9]{1,19}")


def _is_id_name(name: str) -> bool:
    return name in ("pk", "id") or name.endswith(("_id", "_pk"))


class AdminIdentifierMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._prefix = None

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")
        if not request.path_info.startswith(self._prefix):
            return None
        for name, value in view_kwargs.items():
            if _is_id_name(name) and isinstance(value, str) and not INTEGER.fullmatch(value):
                raise Http404
        # "all" stands for the whole listing in a bulk action, and nowhere else.
        bulk = request.resolver_match is not None and request.resolver_match.url_name == "wagtail_bulk_action"
        for value in request.GET.getlist("id"):
            if not (INTEGER.fullmatch(value) or (bulk and value == "all")):
                raise Http404
        return None
