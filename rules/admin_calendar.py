"""The calendar days (节假日与调休) in the admin, for system administrators; the 规则与流程 menu; the dashboard's notice
when next year's days are not entered yet."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from laces.components import Component
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet, SnippetViewSetGroup

from catalog.models import scoped_department_ids

from . import calendar
from .models import CalendarDay

FIRST_YEAR, LAST_YEAR = 2000, 2100  # a typo such as 0227 or 20277 is refused, not stored
WEEKDAYS = "一二三四五六日"


def years_to_enter() -> list[int]:
    """This year and next year, where they have no days entered (the deadlines there count weekends only)."""
    today = timezone.localdate()
    return calendar.missing_years(today.replace(year=today.year + 1, month=12, day=31))


class CalendarDateField(forms.DateField):
    def to_python(self, value):
        try:
            day = super().to_python(value)
        except ValidationError:
            message = _("“%(value)s”不是有效的日期，请按“年-月-日”填写，如 2027-01-01")
            raise ValidationError(message, code="invalid", params={"value": value}) from None
        if day is not None and not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(
                _("日期 %(day)s 的年份应在%(first)s年至%(last)s年之间"),
                code="year",
                params={"day": day.isoformat(), "first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day


class CalendarDayForm(WagtailAdminModelForm):
    # The browser's own date input: it cannot hold 2027-02-30, where the admin's picker rolled it to 03-02.
    date = CalendarDateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def clean_date(self):
        day = self.cleaned_data["date"]
        existing = CalendarDay.objects.filter(date=day).exclude(pk=self.instance.pk).first()
        if existing is not None:
            raise ValidationError(
                _("%(day)s 已经录入过（%(existing)s），同一天只能有一条记录；请修改那一条"),
                code="unique",
                params={"day": day.isoformat(), "existing": existing},
            )
        return day


class CalendarDayFilterSet(WagtailFilterSet):
    year = django_filters.ChoiceFilter(label=_("年份"), method="filter_year", empty_label=_("全部年份"))
    is_off_day = django_filters.BooleanFilter(label=_("类型"), widget=forms.Select(choices=[
        ("", _("全部")), ("true", _("放假休息")), ("false", _("调休上班")),
    ]))

    class Meta:
        model = CalendarDay
        fields = ["year", "is_off_day"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        years = sorted({*calendar.entered_years(), today.year, today.year + 1}, reverse=True)
        self.filters["year"].extra["choices"] = [(str(year), f"{year}年") for year in years]

    def filter_year(self, queryset, name, value):
        return queryset.filter(date__year=int(value))


class SourceColumn(Column):
    """The notice as a short link: the full URL made the listing unreadable on a phone."""

    cell_template_name = "rules/calendar/source_cell.html"


class CalendarIndexView(IndexView):
    @cached_property
    def columns(self):
        columns = super().columns
        for column in columns:
            if column.name == "date":
                column.accessor = iso_date  # 2026-10-01, the form's own notation, not 2026年10月1日
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["missing_years"] = years_to_enter()
        context["can_add"] = self.permission_policy.user_has_permission(self.request.user, "add")
        return context


def iso_date(day):
    return day.date.isoformat()


def day_kind(day):
    return _("放假休息") if day.is_off_day else _("调休上班")


def day_weekday(day):
    return _("星期%(day)s") % {"day": WEEKDAYS[day.date.weekday()]}


class CalendarDayViewSet(SnippetViewSet):
    model = CalendarDay
    icon = "date"
    menu_label = _("节假日与调休")
    url_prefix = "rules/calendar"
    index_view_class = CalendarIndexView
    index_template_name = "rules/calendar/index.html"
    filterset_class = CalendarDayFilterSet
    ordering = ["-date"]
    list_per_page = 60
    search_backend_name = None  # substring search in the database: the names are short Chinese words
    search_fields = ["name"]
    list_display = [
        "date",
        Column("weekday", label=_("星期"), accessor=day_weekday),
        "name",
        Column("kind", label=_("类型"), accessor=day_kind),
        SourceColumn("source_url", label=_("依据")),
    ]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("date"), FieldPanel("is_off_day")]),
            FieldPanel("name"),
            FieldPanel("source_url"),
        ],
        base_form_class=CalendarDayForm,
    )


# The 规则与流程 menu. The other parts of rules append their viewsets here when imported; rules/wagtail_hooks.py
# registers the group after importing them all.
RULES_MENU_VIEWSETS = [CalendarDayViewSet]


class RulesViewSetGroup(SnippetViewSetGroup):
    menu_label = _("规则与流程")
    menu_icon = "cogs"
    menu_name = "rules"
    menu_order = 150

    def __init__(self):
        self.items = tuple(RULES_MENU_VIEWSETS)
        super().__init__()


class MissingCalendarPanel(Component):
    """Dashboard notice for system administrators and editors: next year's holidays are not entered yet."""

    name = "tongban_missing_calendar"
    order = 40
    template_name = "rules/calendar/home_missing.html"

    def __init__(self, years, can_add):
        self.years = years
        self.can_add = can_add

    def get_context_data(self, parent_context=None):
        return {"missing_years": self.years, "can_add": self.can_add}


@hooks.register("construct_homepage_panels")
def add_missing_calendar_panel(request, panels):
    if scoped_department_ids(request.user) is not None:
        return  # department administrators do not keep the calendar
    years = years_to_enter()
    if years:
        panels.append(MissingCalendarPanel(years, request.user.has_perm("rules.add_calendarday")))
