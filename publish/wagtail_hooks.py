"""Admin for search: synonyms (system administrators and editors) and the report of searches that found nothing."""

from django.core.exceptions import PermissionDenied
from django.db.models import Max, Sum
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Synonym, Theme, ZeroResultQuery


class SynonymViewSet(SnippetViewSet):
    model = Synonym
    icon = "search"
    menu_label = _("搜索同义词")
    menu_order = 900
    add_to_admin_menu = True
    list_display = ["term", "expansions", "two_way"]
    search_fields = ["term", "expansions"]


register_snippet(SynonymViewSet)


class ThemeViewSet(SnippetViewSet):
    model = Theme
    icon = "tag"
    menu_label = _("办事主题")
    menu_order = 901
    add_to_admin_menu = True
    list_display = ["name", "audience", "query", "sort_order"]
    list_filter = ["audience"]


register_snippet(ThemeViewSet)


class ZeroResultReportView(WagtailAdminTemplateMixin, TemplateView):
    """Searches that found nothing, most frequent first, so editors know which synonyms or names to add."""

    template_name = "publish/admin/zero_results.html"
    page_title = _("无结果搜索")
    header_icon = "search"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("publish.view_zeroresultquery"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = (
            ZeroResultQuery.objects.values("query")
            .annotate(times=Sum("searches"), last=Max("searched_at"))
            .order_by("-times", "-last")[:200]
        )
        context["add_synonym_url"] = reverse("wagtailsnippets_publish_synonym:add")
        return context


@hooks.register("register_admin_urls")
def register_report_url():
    return [path("reports/zero-results/", ZeroResultReportView.as_view(), name="publish_zero_results")]


class ZeroResultMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("publish.view_zeroresultquery")


@hooks.register("register_reports_menu_item")
def register_report_menu_item():
    return ZeroResultMenuItem(_("无结果搜索"), reverse("publish_zero_results"), icon_name="search", order=900)
