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


class AdminContentSecurityPolicyMiddleware:
    """The admin's Content-Security-Policy: the site's policy (CSP_DIRECTIVES) with the inline scripts and style
    attributes that Wagtail's own admin widgets still write (choosers, inline panels, date pickers: Wagtail 8 is not
    yet compatible with a strict policy). Everything else stays as strict as on the public site, which keeps the
    strict policy. Placed after the CSP middleware in MIDDLEWARE, so it sees the response first; Django's and
    django-csp's middleware leave a header that is already set."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self._prefix = None
        directives = {name: list(values) for name, values in settings.CSP_DIRECTIVES.items()}
        for name, extra in settings.CSP_ADMIN_ADDITIONS.items():
            directives.setdefault(name, []).extend(extra)
        self.header = "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self._prefix is None:
            self._prefix = reverse("wagtailadmin_home")
        if request.path_info.startswith(self._prefix) and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response
