"""Tongban's own JSON Logic operations: date arithmetic, working days, resident ID numbers and the catalog's code
checks. site/static/js/rules.js defines the same operations for the browser; tests/rules/operation_cases.json
holds the cases both sides must agree on (docs/architecture.md, "Our own rule operations").

Each operation is a plain function of its evaluated arguments, as json-logic-js's add_operation expects. None of
them raises: an argument of the wrong type, a date that is not an ISO "YYYY-MM-DD" or an invalid number gives
null (or false for the valid_* checks), so a rule cannot fail at a citizen's request because of what was typed.
"""

import re
from datetime import date
from zoneinfo import ZoneInfo

from django.utils import timezone
from stdnum.cn import ric

from catalog.validators import check_credit_code, check_division_code, check_resident_id

from . import calendar

CHINA = ZoneInfo("Asia/Shanghai")
WORKING_DAY = "2"  # catalog.codes.TimeUnit: 工作日

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_COMPACT_ID = re.compile(r"[0-9]{17}[0-9X]")
_FIRST_ORDINAL, _LAST_ORDINAL = date.min.toordinal(), date.max.toordinal()


def _arg(args: tuple, index: int):
    return args[index] if len(args) > index else None


def parse_date(value) -> date | None:
    """An ISO calendar date "YYYY-MM-DD" (nothing else: no time, no week dates, no compact form), or None."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _whole_number(value) -> int | None:
    """A JSON integer (2 or 2.0), or None: booleans, strings and fractions are not a number of days."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _shift(day: date, days: int) -> str | None:
    ordinal = day.toordinal() + days
    if not _FIRST_ORDINAL <= ordinal <= _LAST_ORDINAL:
        return None
    return date.fromordinal(ordinal).isoformat()


def today_in_china() -> date:
    return timezone.now().astimezone(CHINA).date()


def add_days(*args):
    day, n = parse_date(_arg(args, 0)), _whole_number(_arg(args, 1))
    if day is None or n is None:
        return None
    return _shift(day, n)


def days_between(*args):
    start, end = parse_date(_arg(args, 0)), parse_date(_arg(args, 1))
    if start is None or end is None:
        return None
    return (end - start).days


def add_working_days(*args):
    """The n-th working day after the date (n ≥ 0; 0 is the date itself), as rules.calendar.due_date in 工作日."""
    day, n = parse_date(_arg(args, 0)), _whole_number(_arg(args, 1))
    if day is None or n is None or n < 0 or n > _LAST_ORDINAL:
        return None
    try:
        return calendar.due_date(day, n, WORKING_DAY).isoformat()
    except (OverflowError, ValueError):  # past 9999-12-31
        return None


def working_days_between(*args):
    """Working days after a up to and including b; negative (the same count, reversed) when b is before a."""
    start, end = parse_date(_arg(args, 0)), parse_date(_arg(args, 1))
    if start is None or end is None:
        return None
    if end < start:
        return -calendar.working_days_between(end, start)
    return calendar.working_days_between(start, end)


def today(*args):
    return today_in_china().isoformat()


def resident_id(value) -> str | None:
    """The resident ID number in its compact form (upper-case X, ASCII digits) when catalog's check accepts it."""
    if not isinstance(value, str):
        return None
    try:
        if check_resident_id(value) is not None:
            return None
    except KeyError:
        # python-stdnum raises KeyError for a known province with an unknown county (119999…): not a valid number.
        return None
    number = ric.compact(value.strip())
    # python-stdnum's digit test ends in `$`, which lets a newline through as the 17th character; we do not.
    return number if _COMPACT_ID.fullmatch(number) else None


def id_age(*args):
    """Whole years of age on on_date (default: today in China); null before the birth date."""
    number = resident_id(_arg(args, 0))
    on = today_in_china() if len(args) < 2 else parse_date(args[1])
    if number is None or on is None:
        return None
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    if on < born:
        return None
    # A birthday on 29 February comes on 1 March in common years.
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def id_sex(*args):
    number = resident_id(_arg(args, 0))
    if number is None:
        return None
    return "男" if int(number[16]) % 2 else "女"


def valid_id_number(*args):
    return resident_id(_arg(args, 0)) is not None


def valid_credit_code(*args):
    value = _arg(args, 0)
    if not isinstance(value, str):
        return False
    try:
        return check_credit_code(value) is None
    except ValueError:
        # python-stdnum looks an inner newline up in its alphabet (ValueError) after its `$` digit test let it by.
        return False


def valid_mobile(*args):
    value = _arg(args, 0)
    return isinstance(value, str) and _MOBILE.fullmatch(value.strip()) is not None


def valid_division_code(*args):
    value = _arg(args, 0)
    return isinstance(value, str) and check_division_code(value) is None


OUR_OPERATIONS = {
    "add_days": add_days,
    "days_between": days_between,
    "add_working_days": add_working_days,
    "working_days_between": working_days_between,
    "today": today,
    "id_age": id_age,
    "id_sex": id_sex,
    "valid_id_number": valid_id_number,
    "valid_credit_code": valid_credit_code,
    "valid_mobile": valid_mobile,
    "valid_division_code": valid_division_code,
}


def register(operations: dict) -> None:
    """Add our operations to rules.logic's table (rules.logic calls this once, when it is imported)."""
    operations.update(OUR_OPERATIONS)
