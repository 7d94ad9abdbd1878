"""Published content only: every public page and API response reads items through these functions."""

from django.db.models import Count, Prefetch, Q

from catalog.codes import ItemType
from catalog.models import Department, ServiceItem

from .models import Theme

POWER_TYPES = [code for code in ItemType.values if code != ItemType.PUBLIC_SERVICE]


def published_items():
    return ServiceItem.objects.filter(live=True)


def guide(code: str) -> ServiceItem | None:
    return (
        published_items()
        .select_related("department", "parent", "result_sample")
        .prefetch_related(
            Prefetch("materials__blank_form"),
            "materials__sample",
            "fees",
            "faqs",
            "legal_bases",
            "responsibility_stages",
            "accountability_cases",
            "situation_questions",
            "situation_variants",
            Prefetch("sub_items", queryset=published_items().order_by("name"), to_attr="published_sub_items"),
        )
        .filter(implementation_code=code)
        .first()
    )


def published_item(code: str) -> ServiceItem | None:
    """The published item alone (its children come from caches keyed by its version, e.g. rules.situations)."""
    return published_items().select_related("department").filter(implementation_code=code).first()


def departments_with_counts():
    return (
        Department.objects.annotate(item_count=Count("items", filter=Q(items__live=True)))
        .filter(item_count__gt=0)
        .order_by("-item_count", "name")
    )


def type_counts():
    labels = dict(ItemType.choices)
    rows = published_items().values_list("item_type").annotate(n=Count("id")).order_by("item_type")
    return [{"value": code, "label": labels.get(code, code), "count": n} for code, n in rows]


def power_list(department=None, item_type=None):
    """Power items (every type but 公共服务) with their responsibility list, by department and type."""
    items = published_items().filter(item_type__in=POWER_TYPES)
    if department is not None:
        items = items.filter(department=department)
    if item_type:
        items = items.filter(item_type=item_type)
    return (
        items.select_related("department")
        .prefetch_related("legal_bases", "responsibility_stages", "accountability_cases")
        .order_by("department__name", "item_type", "name")
    )


def themes_by_audience():
    """[(label, [Theme, …]), …] for the home page, 个人办事 first."""
    themes = list(Theme.objects.all())
    return [
        (label, [theme for theme in themes if theme.audience == value])
        for value, label in Theme.Audience.choices
        if any(theme.audience == value for theme in themes)
    ]
