"""The service-item listing's search and filters: the admin's listing, and the export of what it shows (imports)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet

from .codes import CodeStatus, ItemType
from .completeness import CHECKS
from .models import Department, ServiceItem, scoped_departments

SEARCH_FIELDS = ["name", "implementation_code", "main_item_name", "department__name"]


def search_items(queryset, query):
    """Narrow queryset to the items whose SEARCH_FIELDS contain query (case-insensitive). Never widens it."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q()
    for field in SEARCH_FIELDS:
        condition |= Q(**{f"{field}__icontains": query})
    return queryset.filter(condition)


COMPLETENESS_LEVELS = {
    "complete": (100, 100),
    "minor": (80, 99),
    "major": (50, 79),
    "poor": (0, 49),
}


class ServiceItemFilterSet(WagtailFilterSet):
    department = django_filters.ModelChoiceFilter(
        label=_("实施主体"),
        queryset=lambda request: scoped_departments(request.user) if request else Department.objects.none(),
    )
    item_type = django_filters.ChoiceFilter(label=_("事项类型"), choices=ItemType.choices)
    code_status = django_filters.ChoiceFilter(label=_("编码校验"), choices=CodeStatus.choices)
    completeness = django_filters.ChoiceFilter(
        label=_("要素完整度"),
        method="filter_completeness",
        choices=[
            ("complete", _("完整（100分）")),
            ("minor", _("基本完整（80–99分）")),
            ("major", _("缺项较多（50–79分）")),
            ("poor", _("严重缺项（50分以下）")),
        ],
    )
    missing = django_filters.ChoiceFilter(
        label=_("缺项"), method="filter_missing", choices=[(code, reason) for code, (_w, reason) in CHECKS.items()]
    )

    class Meta:
        model = ServiceItem
        fields = ["department", "item_type", "code_status", "live"]

    def filter_completeness(self, queryset, name, value):
        low, high = COMPLETENESS_LEVELS[value]
        return queryset.filter(completeness_score__gte=low, completeness_score__lte=high)

    def filter_missing(self, queryset, name, value):
        return queryset.filter(completeness_flags__contains=f",{value},")
