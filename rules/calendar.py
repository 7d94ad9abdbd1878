"""The working-day calendar: every due date of the platform is computed here (DESIGN decision 13).

Rules (民法典 第201条、第203条):
- the day of the start is not counted;
- in 工作日 the deadline is the amount-th working day after the start: weekends and official rest days are skipped,
  make-up workdays (调休上班) count;
- in 自然日 the deadline is start + amount days, moved to the next working day when it falls on a rest day;
- amount 0 (即办件) is the start day itself;
- clock stops (补正, 特别程序: inclusive date intervals) do not count, so the deadline moves out by the working days
  (工作日) or days (自然日) they cover, and never falls inside one.

The days that differ from the plain week are CalendarDay rows that system administrators keep. A year is "entered"
when it has any row; a computation that runs into a year that is not entered counts weekends only there and is
marked provisional.

Speed: the rows are read once per process into arrays of day ordinals (the working days in order, and for every day
the number of working days up to it), so a due date is two list look-ups and no query. Saving or deleting a
CalendarDay rebuilds them here at once, and bumps a version number in Django's cache that other processes check at
most once a second. Beyond the arrays' span (far past or future) the plain week is computed in closed form.
"""

import datetime
import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from catalog.codes import TimeUnit

from . import seeds
from .models import CalendarDay

logger = logging.getLogger(__name__)

NATURAL_DAY = str(TimeUnit.NATURAL_DAY.value)
WORKING_DAY = str(TimeUnit.WORKING_DAY.value)

VERSION_KEY = "rules.calendar.version"
CHECK_INTERVAL = 1.0  # seconds between two looks at the shared version
# The arrays cover the entered years (and the current one) plus this margin; beyond it, the closed form.
YEARS_BEFORE = 1
YEARS_AFTER = 30


@dataclass(frozen=True, slots=True)
class Due:
    """A deadline: its day, and whether it rests on a year whose holidays are not entered yet (weekends only)."""

    date: datetime.date
    provisional: bool


def _weekdays_upto(ordinal: int) -> int:
    """Monday–Friday days among ordinals 1..ordinal (ordinal 1, 0001-01-01, is a Monday)."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _nth_weekday(count: int) -> int:
    """The smallest ordinal whose _weekdays_upto reaches count (count >= 1)."""
    weeks, rest = divmod(count - 1, 5)
    return weeks * 7 + rest + 1


class _Snapshot:
    """The calendar at one version, as arrays over [lo, hi) in day ordinals. Never changed once built."""

    def __init__(self, days: list[tuple[date, bool]], this_year: int, version):
        self.version = version
        self.entered_years = sorted({day.year for day, _off in days})
        self.off_days = [day for day, off in days if off]
        self.work_days = [day for day, off in days if not off]
        years = [*self.entered_years, this_year]
        first_year, last_year = min(years) - YEARS_BEFORE, max(years) + YEARS_AFTER
        self.lo = lo = date(first_year, 1, 1).toordinal()
        self.hi = hi = date(last_year + 1, 1, 1).toordinal()

        special = {day.toordinal(): off for day, off in days}
        cumulative, working = [], []
        for ordinal in range(lo, hi):
            off = special.get(ordinal)
            if (not off) if off is not None else (ordinal - 1) % 7 < 5:
                working.append(ordinal)
            cumulative.append(len(working))
        self.cumulative = cumulative  # cumulative[i]: working days in [lo, lo + i]
        self.working = working  # the working days' ordinals, in order
        self.working_dates = [date.fromordinal(ordinal) for ordinal in working]
        self.base = _weekdays_upto(lo - 1)  # working days before the span, counted as plain weeks
        self.top = self.base + len(working)
        self.weekdays_before_hi = _weekdays_upto(hi - 1)

        # certain_until[i]: the first day of the first year, from the year of day lo + i on, that is not entered;
        # a deadline on or after it is provisional.
        entered = set(self.entered_years)
        certain_until = []
        for year in range(first_year, last_year + 1):
            missing = year
            while missing in entered:
                missing += 1
            first_missing = date(missing, 1, 1).toordinal() if missing <= last_year else hi
            certain_until.extend([first_missing] * (date(year + 1, 1, 1).toordinal() - date(year, 1, 1).toordinal()))
        self.certain_until = certain_until

    def count(self, ordinal: int) -> int:
        """Working days from the beginning of time up to and including ordinal (only differences matter)."""
        if ordinal < self.lo:
            return _weekdays_upto(ordinal)
        if ordinal < self.hi:
            return self.base + self.cumulative[ordinal - self.lo]
        return self.top + _weekdays_upto(ordinal) - self.weekdays_before_hi

    def nth(self, after: int, amount: int) -> int:
        """The amount-th working day after the day `after` (amount >= 1)."""
        target = self.count(after) + amount
        if target <= self.base:
            return _nth_weekday(target)
        if target <= self.top:
            return self.working[target - self.base - 1]
        return _nth_weekday(target - self.top + self.weekdays_before_hi)

    def provisional(self, start: int, end: int) -> bool:
        if not self.lo <= start < self.hi:
            return True
        return end >= self.certain_until[start - self.lo]


_snapshot: _Snapshot | None = None
_next_check = 0.0
_lock = threading.Lock()


def _current() -> _Snapshot:
    global _snapshot, _next_check
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now < _next_check:
        return snapshot
    with _lock:
        version = _shared_version()
        if _snapshot is None or _snapshot.version != version:
            # The version is read before the rows: an edit committed in between makes the next check rebuild.
            days = list(CalendarDay.objects.order_by("date").values_list("date", "is_off_day"))
            _snapshot = _Snapshot(days, timezone.localdate().year, version)
        _next_check = now + CHECK_INTERVAL
        return _snapshot


def _shared_version():
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        return version
    except Exception:  # a cache outage must not stop deadlines; this process keeps what it has
        logger.warning("rules.calendar: the shared calendar version could not be read", exc_info=True)
        return _snapshot.version if _snapshot is not None else None


def invalidate():
    """Forget this process's calendar: the next computation reads the rows again."""
    global _snapshot, _next_check
    with _lock:
        _snapshot = None
        _next_check = 0.0


def _announce_change():
    invalidate()
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except Exception:
        logger.warning("rules.calendar: other processes could not be told of a calendar change", exc_info=True)


def _calendar_changed(**kwargs):
    # This process sees the change at once (also inside the editing transaction); the others once it is committed.
    invalidate()
    transaction.on_commit(_announce_change)


post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="rules_calendar_saved")
post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="rules_calendar_deleted")


def _check(start, amount, unit):
    if not isinstance(start, date):
        raise ValueError(f"起算日期「{start!r}」不是日期")
    if not isinstance(amount, int) or amount < 0:
        raise ValueError(f"时限「{amount!r}」应为不小于0的整数")
    if unit not in (NATURAL_DAY, WORKING_DAY):
        raise ValueError(f"时限单位「{unit}」无效：应为 1（自然日）或 2（工作日）")


def _stop_intervals(stops, start: int) -> list[tuple[int, int]]:
    """The stops as merged, sorted ordinal intervals of the days after the start."""
    intervals = []
    for stop in stops:
        first, last = stop
        if not isinstance(first, date) or not isinstance(last, date):
            raise ValueError(f"中止区间「{stop!r}」应为两个日期（开始，结束）")
        if first > last:
            raise ValueError(f"中止区间 {first.isoformat()} 至 {last.isoformat()} 的开始晚于结束")
        a, b = max(first.toordinal(), start + 1), last.toordinal()
        if a <= b:
            intervals.append((a, b))
    intervals.sort()
    merged = []
    for a, b in intervals:
        if merged and a <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _to_date(ordinal: int) -> date:
    try:
        return date.fromordinal(ordinal)
    except (ValueError, OverflowError):
        raise ValueError("期限超出了可计算的日期范围（公元9999年以内）") from None


def due(start: date, amount: int, unit: str, stops=()) -> Due:
    """The deadline of `amount` days in `unit` (TimeUnit: "1" 自然日, "2" 工作日) from `start`, with clock stops.

    `stops` are (first, last) date pairs, both days included, that do not count (补正, 特别程序)."""
    _check(start, amount, unit)
    calendar = _current()
    begin = start.toordinal()
    end = begin
    if amount:
        working = unit == WORKING_DAY
        position, left = begin, amount
        intervals = _stop_intervals(stops, begin)
        for first, last in intervals:
            before = calendar.count(first - 1) - calendar.count(position) if working else first - 1 - position
            if before >= left:
                break
            left -= before
            position = last
        end = calendar.nth(position, left) if working else position + left
        if not working:  # 第203条: a rest day (or a stopped day) moves it to the next working day
            end = calendar.nth(end - 1, 1)
            for first, last in intervals:
                if first <= end <= last:
                    end = calendar.nth(last, 1)
    return Due(_to_date(end), calendar.provisional(begin, end))


def due_date(start: date, amount: int, unit: str) -> date:
    """The deadline's day (see due()); the common case, without stops, in two list look-ups."""
    calendar = _snapshot
    if calendar is None or time.monotonic() >= _next_check:
        calendar = _current()
    try:
        index = start.toordinal() - calendar.lo
        if index >= 0 and amount > 0:
            if unit == WORKING_DAY:
                return calendar.working_dates[calendar.cumulative[index] + amount - 1]
            if unit == NATURAL_DAY:
                return calendar.working_dates[calendar.cumulative[index + amount - 1]]
    except (IndexError, TypeError, AttributeError):
        pass  # outside the arrays, or bad input: the full computation answers or explains
    return due(start, amount, unit).date


def working_days_between(start: date, end: date) -> int:
    """The working days after `start` up to and including `end` (0 when end <= start)."""
    if end <= start:
        return 0
    calendar = _current()
    return calendar.count(end.toordinal()) - calendar.count(start.toordinal())


def is_working_day(day: date) -> bool:
    calendar = _current()
    ordinal = day.toordinal()
    return calendar.count(ordinal) > calendar.count(ordinal - 1)


def entered_years() -> list[int]:
    return list(_current().entered_years)


def missing_years(upto: date) -> list[int]:
    """The years from the current one to upto's year that have no calendar days entered."""
    entered = set(_current().entered_years)
    return [year for year in range(timezone.localdate().year, upto.year + 1) if year not in entered]


def seed_calendar() -> int:
    """Load data/holidays as the migration does, keeping the days already there; returns the rows added.
    For databases that were flushed after migrating (tests)."""
    before = CalendarDay.objects.count()
    CalendarDay.objects.bulk_create(seeds.calendar_rows(CalendarDay), ignore_conflicts=True)
    invalidate()  # bulk_create sends no signals
    return CalendarDay.objects.count() - before


def calendar_data() -> dict:
    """What the browser needs to compute the same deadlines: entered years, official rest days, make-up workdays."""
    calendar = _current()
    return {
        "entered_years": list(calendar.entered_years),
        "off_days": [day.isoformat() for day in calendar.off_days],
        "work_days": [day.isoformat() for day in calendar.work_days],
    }
