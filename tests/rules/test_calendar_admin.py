"""The calendar's admin: who sees and edits it, the 年份 filter, Chinese errors for bad or duplicate dates, the
notice that next year is not entered (listing and dashboard), and deadlines following an admin edit."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache as django_cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.menu import admin_menu

from catalog import roles
from rules import calendar
from rules.calendar import WORKING_DAY, Due
from rules.models import CalendarDay
from tests.catalog.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db
LIST = "wagtailsnippets_rules_calendarday:list"
ADD = "wagtailsnippets_rules_calendarday:add"
NEXT_YEAR = timezone.localdate().year + 1
NOTICE = f"{NEXT_YEAR}年的节假日和调休尚未录入，涉及{NEXT_YEAR}年的期限暂按周末计算"


@pytest.fixture(autouse=True)
def _fresh_calendar():
    calendar.seed_calendar()  # a flushing (transactional) test may have removed the migration's rows
    yield
    calendar.invalidate()


@pytest.fixture
def users():
    roles.ensure_roles()
    CalendarDay.objects.filter(date__year=NEXT_YEAR).delete()
    made = {"superuser": UserFactory(username="root", is_superuser=True)}
    groups = {"system": roles.SYSTEM_ADMIN, "editor": roles.EDITOR, "department": roles.DEPARTMENT_ADMIN}
    for key, group in groups.items():
        made[key] = UserFactory(username=key)
        made[key].groups.add(Group.objects.get(name=group))
    DepartmentFactory().members.add(made["department"])
    return made


def day_form(**fields):
    return {"date": "2027-01-01", "is_off_day": "on", "name": "元旦", "source_url": "", **fields}


def rules_menu_labels(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    for item in admin_menu.menu_items_for_request(request):
        if item.name == "rules":
            return str(item.label), [str(sub.label) for sub in item.menu.menu_items_for_request(request)]
    return None


@pytest.mark.parametrize("who", ["superuser", "system"])
def test_system_administrators_see_and_edit_the_calendar(client, users, who):
    client.force_login(users[who])
    assert client.get(reverse(LIST)).status_code == 200
    label, items = rules_menu_labels(users[who])
    assert label == "规则与流程" and "节假日与调休" in items
    response = client.post(reverse(ADD), day_form(date="2030-01-01"))
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2030, 1, 1)).is_off_day


@pytest.mark.parametrize("who", ["editor", "department"])
def test_others_neither_see_nor_edit_it(client, users, who):
    client.force_login(users[who])
    assert client.get(reverse(LIST)).status_code != 200
    client.post(reverse(ADD), day_form(date="2030-01-01"))
    assert not CalendarDay.objects.filter(date=date(2030, 1, 1)).exists()
    labels = rules_menu_labels(users[who])
    assert labels is None or "节假日与调休" not in labels[1]
    day = CalendarDay.objects.get(date=date(2026, 10, 1))
    client.post(reverse("wagtailsnippets_rules_calendarday:delete", args=[day.pk]))
    assert CalendarDay.objects.filter(pk=day.pk).exists()


def test_the_listing_is_filtered_by_year(client, users):
    client.force_login(users["system"])
    response = client.get(reverse(LIST), {"year": "2025"})
    days = list(response.context["object_list"])
    assert days and {day.date.year for day in days} == {2025}
    assert [day.date for day in days] == sorted((day.date for day in days), reverse=True)
    page = response.content.decode()
    assert "年份" in page and "2025-10-01" in page and "国务院通知" in page
    rest_days = client.get(reverse(LIST), {"year": "2026", "is_off_day": "false"}).context["object_list"]
    assert {day.date for day in rest_days} == {
        date(2026, 1, 4), date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)
    }


def test_a_bad_date_is_a_chinese_form_error_and_nothing_is_saved(client, users):
    client.force_login(users["system"])
    before = CalendarDay.objects.count()
    response = client.post(reverse(ADD), day_form(date="2027-02-30"))
    assert response.status_code == 200
    assert "“2027-02-30”不是有效的日期" in response.content.decode()
    response = client.post(reverse(ADD), day_form(date="0227-01-01"))
    assert "日期 0227-01-01 的年份应在2000年至2100年之间" in response.content.decode()
    assert CalendarDay.objects.count() == before


def test_a_duplicate_date_is_a_chinese_form_error_and_nothing_is_saved(client, users):
    client.force_login(users["system"])
    response = client.post(reverse(ADD), day_form(date="2026-10-01", name="重复", is_off_day=""))
    assert response.status_code == 200
    assert "2026-10-01 已经录入过（2026-10-01 国庆节（休）），同一天只能有一条记录" in response.content.decode()
    day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert (day.name, day.is_off_day) == ("国庆节", True)
    # Editing a day into another day's date is refused the same way; saving it unchanged is fine.
    edit = reverse("wagtailsnippets_rules_calendarday:edit", args=[day.pk])
    response = client.post(edit, day_form(date="2026-10-02", name="国庆节"))
    assert "2026-10-02 已经录入过" in response.content.decode()
    assert client.post(edit, day_form(date="2026-10-01", name="国庆节")).status_code == 302


def test_next_year_missing_is_said_on_the_listing(client, users):
    client.force_login(users["system"])
    page = client.get(reverse(LIST)).content.decode()
    assert NOTICE in page and reverse(ADD) in page


@pytest.mark.parametrize("who", ["superuser", "system", "editor"])
def test_next_year_missing_is_said_on_the_dashboard(client, users, who):
    client.force_login(users[who])
    assert NOTICE in client.get(reverse("wagtailadmin_home")).content.decode()


def test_department_administrators_get_no_calendar_notice(client, users):
    client.force_login(users["department"])
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200 and "尚未录入" not in response.content.decode()


def test_the_notice_goes_once_next_year_is_entered(client, users):
    client.force_login(users["editor"])
    assert NOTICE in client.get(reverse("wagtailadmin_home")).content.decode()
    CalendarDay.objects.create(date=date(NEXT_YEAR, 1, 1), is_off_day=True, name="元旦")
    assert "尚未录入" not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_deadlines_follow_an_admin_edit(client, users, django_capture_on_commit_callbacks):
    client.force_login(users["system"])
    assert calendar.due(date(2026, 12, 31), 1, WORKING_DAY) == Due(date(2027, 1, 1), True)
    version = django_cache.get(calendar.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse(ADD), day_form(date="2027-01-01")).status_code == 302
    assert calendar.due(date(2026, 12, 31), 1, WORKING_DAY) == Due(date(2027, 1, 4), False)
    assert django_cache.get(calendar.VERSION_KEY) != version  # the other web processes rebuild too

    # A make-up workday turned into a rest day in the admin moves the deadline.
    assert calendar.due_date(date(2026, 10, 9), 1, WORKING_DAY) == date(2026, 10, 10)
    make_up = CalendarDay.objects.get(date=date(2026, 10, 10))
    edit = reverse("wagtailsnippets_rules_calendarday:edit", args=[make_up.pk])
    assert client.post(edit, day_form(date="2026-10-10", name="国庆节")).status_code == 302
    assert calendar.due_date(date(2026, 10, 9), 1, WORKING_DAY) == date(2026, 10, 12)

    # Deleting 国庆节's first day makes it a plain Thursday.
    assert calendar.due_date(date(2026, 9, 30), 1, WORKING_DAY) == date(2026, 10, 8)
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    client.post(reverse("wagtailsnippets_rules_calendarday:delete", args=[national_day.pk]))
    assert not CalendarDay.objects.filter(pk=national_day.pk).exists()
    assert calendar.due_date(date(2026, 9, 30), 1, WORKING_DAY) == date(2026, 10, 1)
