"""rules.calendar against a day-by-day reference built from the data files, the known days of 2026, years without
entered days, and the per-process arrays being rebuilt when the calendar changes."""

import json
from datetime import date, timedelta
from functools import cache

import pytest
from django.conf import settings
from django.core.cache import cache as django_cache
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rules import calendar
from rules.calendar import NATURAL_DAY, WORKING_DAY, Due
from rules.models import CalendarDay

pytestmark = pytest.mark.django_db
ONE_DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _fresh_calendar():
    # The arrays live for the process; a test's rows are rolled back without a signal, so start and end clean.
    # seed_calendar also restores the migration's rows where a flushing (transactional) test removed them.
    calendar.seed_calendar()
    yield
    calendar.invalidate()


# The reference: the holiday files read directly (not the database), and a plain walk from day to day.
@cache
def reference_days():
    special, entered = {}, set()
    for path in sorted((settings.BASE_DIR / "data" / "holidays").glob("2*.json")):
        for day in json.loads(path.read_text(encoding="utf-8"))["days"]:
            special[date.fromisoformat(day["date"])] = day["isOffDay"]
    entered = {day.year for day in special}
    return special, entered


def ref_working(day):
    special, _entered = reference_days()
    if day in special:
        return not special[day]
    return day.weekday() < 5


def ref_due(start, amount, unit, stops=()):
    def stopped(day):
        return any(first <= day <= last for first, last in stops)

    day, left = start, amount
    while left:
        day += ONE_DAY
        if stopped(day) or (unit == WORKING_DAY and not ref_working(day)):
            continue
        left -= 1
    if unit == NATURAL_DAY and amount:
        while not ref_working(day) or stopped(day):
            day += ONE_DAY
    _special, entered = reference_days()
    provisional = any(year not in entered for year in range(start.year, day.year + 1))
    return Due(day, provisional)


def ref_between(start, end):
    count, day = 0, start
    while day < end:
        day += ONE_DAY
        count += ref_working(day)
    return count


starts = st.dates(date(2008, 1, 1), date(2026, 12, 31))
amounts = st.integers(0, 120)
units = st.sampled_from([NATURAL_DAY, WORKING_DAY])


@st.composite
def stops_after(draw, start):
    stops = []
    for _ in range(draw(st.integers(0, 3))):
        first = start + timedelta(days=draw(st.integers(-10, 150)))
        stops.append((first, first + timedelta(days=draw(st.integers(0, 30)))))
    return stops


@hypothesis_settings(max_examples=400, deadline=None)
@given(starts, amounts, units)
def test_due_agrees_with_the_day_by_day_reference(start, amount, unit):
    assert calendar.due(start, amount, unit) == ref_due(start, amount, unit)
    assert calendar.due_date(start, amount, unit) == ref_due(start, amount, unit).date


@hypothesis_settings(max_examples=300, deadline=None)
@given(st.data(), starts, amounts, units)
def test_due_with_clock_stops_agrees_with_the_reference(data, start, amount, unit):
    stops = data.draw(stops_after(start))
    assert calendar.due(start, amount, unit, stops) == ref_due(start, amount, unit, stops)


@hypothesis_settings(max_examples=300, deadline=None)
@given(starts, st.integers(-30, 400))
def test_working_days_between_agrees_with_the_reference(start, offset):
    end = start + timedelta(days=offset)
    assert calendar.working_days_between(start, end) == ref_between(start, end)


@hypothesis_settings(max_examples=200, deadline=None)
@given(starts, st.integers(1, 120))
def test_the_nth_working_day_is_n_working_days_away(start, amount):
    end = calendar.due_date(start, amount, WORKING_DAY)
    assert calendar.is_working_day(end)
    assert calendar.working_days_between(start, end) == amount


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.dates(date(1900, 1, 1), date(2300, 12, 31)), st.integers(0, 400), units)
def test_far_past_and_future_count_weekends_only(start, amount, unit):
    # Outside the arrays' span the plain week is computed in closed form; it must agree with the walk too.
    assert calendar.due(start, amount, unit) == ref_due(start, amount, unit)


@pytest.mark.parametrize(
    "start, amount, unit, expected",
    [
        # 国庆节 2026: 10-01…10-07 off, Sunday 09-20 and Saturday 10-10 are make-up workdays.
        (date(2026, 9, 30), 1, WORKING_DAY, date(2026, 10, 8)),
        (date(2026, 9, 30), 3, WORKING_DAY, date(2026, 10, 10)),
        (date(2026, 9, 30), 4, WORKING_DAY, date(2026, 10, 12)),
        (date(2026, 9, 18), 1, WORKING_DAY, date(2026, 9, 20)),
        # 春节 2026: 02-15…02-23 off, Saturdays 02-14 and 02-28 are make-up workdays.
        (date(2026, 2, 13), 1, WORKING_DAY, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, WORKING_DAY, date(2026, 2, 24)),
        (date(2026, 2, 24), 4, WORKING_DAY, date(2026, 2, 28)),
        # 自然日 landing in a holiday moves to the next working day (第203条); on a make-up Saturday it stays.
        (date(2026, 9, 24), 7, NATURAL_DAY, date(2026, 10, 8)),
        (date(2026, 2, 10), 5, NATURAL_DAY, date(2026, 2, 24)),
        (date(2026, 10, 3), 7, NATURAL_DAY, date(2026, 10, 10)),
        (date(2026, 5, 1), 3, NATURAL_DAY, date(2026, 5, 6)),
        (date(2026, 5, 1), 8, NATURAL_DAY, date(2026, 5, 9)),
        # 即办件: the start day itself, even a holiday.
        (date(2026, 10, 1), 0, WORKING_DAY, date(2026, 10, 1)),
        (date(2026, 10, 1), 0, NATURAL_DAY, date(2026, 10, 1)),
        # The start day is not counted: a Monday start, 5 working days, is the next Monday.
        (date(2026, 3, 2), 5, WORKING_DAY, date(2026, 3, 9)),
    ],
)
def test_known_deadlines_of_2026(start, amount, unit, expected):
    assert calendar.due(start, amount, unit) == Due(expected, False)
    assert calendar.due_date(start, amount, unit) == expected


def test_known_counts_and_stops_of_2026():
    assert calendar.working_days_between(date(2026, 9, 30), date(2026, 10, 10)) == 3
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6
    assert calendar.working_days_between(date(2026, 10, 10), date(2026, 10, 1)) == 0
    # 补正 from Wednesday to Friday (three working days) moves a 10-working-day deadline from 03-16 to 03-19.
    assert calendar.due_date(date(2026, 3, 2), 10, WORKING_DAY) == date(2026, 3, 16)
    stopped = calendar.due(date(2026, 3, 2), 10, WORKING_DAY, [(date(2026, 3, 4), date(2026, 3, 6))])
    assert stopped == Due(date(2026, 3, 19), False)
    # A stop over the national holiday costs no working day: the holiday did not count anyway.
    holiday_stop = [(date(2026, 10, 1), date(2026, 10, 7))]
    assert calendar.due(date(2026, 9, 30), 1, WORKING_DAY, holiday_stop).date == date(2026, 10, 8)
    # In 自然日 the stop's days are added back, and the deadline never falls inside a stop.
    assert calendar.due(date(2026, 3, 2), 10, NATURAL_DAY, [(date(2026, 3, 4), date(2026, 3, 6))]).date == date(
        2026, 3, 16
    )


def test_the_seed_migration_loaded_every_day_of_every_file():
    special, entered = reference_days()
    rows = dict(CalendarDay.objects.values_list("date", "is_off_day"))
    assert rows == special
    national_day = CalendarDay.objects.get(date=date(2026, 10, 1))
    assert (national_day.name, national_day.is_off_day) == ("国庆节", True)
    assert national_day.source_url == "https://www.gov.cn/zhengce/zhengceku/202511/content_7047091.htm"
    assert 2027 not in entered and 2026 in entered


def test_a_year_without_days_is_weekend_only_and_provisional():
    assert 2027 not in calendar.entered_years()
    day = date(2027, 1, 1)
    while day.year == 2027:
        assert calendar.is_working_day(day) == (day.weekday() < 5), day
        day += ONE_DAY
    # 2027-01-01 is a Friday: with no days entered it counts as a working day, and the result says so.
    assert calendar.due(date(2026, 12, 25), 10, WORKING_DAY) == Due(date(2027, 1, 8), True)
    assert calendar.due(date(2026, 12, 31), 0, WORKING_DAY) == Due(date(2026, 12, 31), False)
    assert calendar.due(date(2027, 3, 1), 0, WORKING_DAY) == Due(date(2027, 3, 1), True)
    assert calendar.due(date(2026, 12, 1), 5, WORKING_DAY) == Due(date(2026, 12, 8), False)
    assert calendar.due(date(2026, 12, 30), 2, NATURAL_DAY) == Due(date(2027, 1, 1), True)


def test_missing_years_from_the_current_year(monkeypatch):
    monkeypatch.setattr(calendar.timezone, "localdate", lambda: date(2026, 12, 1))
    assert calendar.missing_years(date(2027, 12, 31)) == [2027]
    assert calendar.missing_years(date(2026, 12, 31)) == []
    assert calendar.missing_years(date(2029, 1, 1)) == [2027, 2028, 2029]
    monkeypatch.setattr(calendar.timezone, "localdate", lambda: date(2024, 3, 1))
    assert calendar.missing_years(date(2027, 1, 1)) == [2027]


def test_a_year_loses_its_days_and_becomes_provisional():
    assert calendar.due(date(2025, 9, 30), 1, WORKING_DAY) == Due(date(2025, 10, 9), False)
    CalendarDay.objects.filter(date__year=2025).delete()  # post_delete per row: the arrays are rebuilt
    assert 2025 not in calendar.entered_years()
    assert calendar.due(date(2025, 9, 30), 1, WORKING_DAY) == Due(date(2025, 10, 1), True)


def test_bad_input_is_refused_in_chinese():
    with pytest.raises(ValueError, match="时限单位「3」无效"):
        calendar.due_date(date(2026, 1, 5), 3, "3")
    with pytest.raises(ValueError, match="时限「-1」应为不小于0的整数"):
        calendar.due_date(date(2026, 1, 5), -1, WORKING_DAY)
    with pytest.raises(ValueError, match="时限「2.5」"):
        calendar.due_date(date(2026, 1, 5), 2.5, WORKING_DAY)
    with pytest.raises(ValueError, match="起算日期"):
        calendar.due_date("2026-01-05", 3, WORKING_DAY)
    with pytest.raises(ValueError, match="中止区间 2026-03-06 至 2026-03-04 的开始晚于结束"):
        calendar.due(date(2026, 3, 2), 3, WORKING_DAY, [(date(2026, 3, 6), date(2026, 3, 4))])
    with pytest.raises(ValueError, match="可计算的日期范围"):
        calendar.due_date(date(9999, 12, 1), 100, WORKING_DAY)


def test_no_query_per_call(django_assert_num_queries):
    calendar.due_date(date(2026, 1, 5), 3, WORKING_DAY)
    with django_assert_num_queries(0):
        for offset in range(2000):
            start = date(2010, 1, 1) + timedelta(days=offset * 3)
            calendar.due_date(start, offset % 90, WORKING_DAY if offset % 2 else NATURAL_DAY)
            calendar.due(start, 5, WORKING_DAY, [(start, start + timedelta(days=3))])
            calendar.working_days_between(start, start + timedelta(days=offset % 40))


def test_saving_or_deleting_a_day_rebuilds_the_arrays():
    assert calendar.due(date(2026, 12, 31), 1, WORKING_DAY) == Due(date(2027, 1, 1), True)
    new_year = CalendarDay.objects.create(date=date(2027, 1, 1), is_off_day=True, name="元旦")
    assert calendar.due(date(2026, 12, 31), 1, WORKING_DAY) == Due(date(2027, 1, 4), False)
    new_year.is_off_day = False
    new_year.save()
    assert calendar.due_date(date(2026, 12, 31), 1, WORKING_DAY) == date(2027, 1, 1)
    new_year.delete()
    assert calendar.due(date(2026, 12, 31), 1, WORKING_DAY) == Due(date(2027, 1, 1), True)


def test_other_processes_see_an_edit_through_the_shared_version(monkeypatch, django_capture_on_commit_callbacks):
    assert calendar.due_date(date(2026, 10, 9), 1, WORKING_DAY) == date(2026, 10, 10)
    # Another process changes a day: this process gets no signal, only the version in the shared cache.
    CalendarDay.objects.filter(date=date(2026, 10, 10)).update(is_off_day=True)
    assert calendar.due_date(date(2026, 10, 9), 1, WORKING_DAY) == date(2026, 10, 10)  # within the second
    django_cache.set(calendar.VERSION_KEY, "edited elsewhere", None)
    monkeypatch.setattr(calendar, "_next_check", 0.0)  # a second has passed
    assert calendar.due_date(date(2026, 10, 9), 1, WORKING_DAY) == date(2026, 10, 12)

    # And an edit here, once committed, bumps the version for the others.
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=date(2027, 1, 1), is_off_day=True, name="元旦")
    assert django_cache.get(calendar.VERSION_KEY) != "edited elsewhere"


def test_calendar_data_for_the_browser():
    data = calendar.calendar_data()
    assert 2026 in data["entered_years"] and 2027 not in data["entered_years"]
    assert "2026-10-01" in data["off_days"] and "2026-10-10" in data["work_days"]
    assert "2026-10-10" not in data["off_days"]
    assert data["off_days"] == sorted(data["off_days"])
    json.dumps(data)


def test_the_migration_reverses_and_the_seed_restores_it():
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from rules import seeds

    total = CalendarDay.objects.count()
    seeds.delete_days(apps, SimpleNamespace(connection=connection))
    assert CalendarDay.objects.count() == 0
    assert calendar.seed_calendar() == total == len(reference_days()[0])
    assert calendar.seed_calendar() == 0  # days already there are kept
    assert calendar.due_date(date(2026, 9, 30), 1, WORKING_DAY) == date(2026, 10, 8)
