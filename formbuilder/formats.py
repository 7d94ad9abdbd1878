"""The `format` values of compiled forms and their checks: the Chinese codes by catalog's validators (python-stdnum
for GB 11643 and GB 32100), plus dates, e-mail and amounts.

Each check takes a string (or, for cn-amount, a number) and returns a Chinese message, or None when the value is
valid. As in JSON Schema, a format says nothing about values of other types: those pass (`conforms`). The same
functions serve our own validator (formbuilder.checker) and jsonschema's FormatChecker (`format_checker()`), so the
two cannot disagree on a format."""

import re
from datetime import date
from functools import lru_cache

from jsonschema import FormatChecker

from catalog.validators import (
    check_credit_code,
    check_division_code,
    check_resident_id,
    division_codes,
    is_valid_organisation_code,
)

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_POSTCODE = re.compile(r"[0-9]{6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Deliberately plain: one @, no spaces, a dot in the domain. The address is confirmed by writing to it, not here.
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+")


def _ascii_code(check, what, fast=None):
    """catalog's check of a code, in front of it a fast test of the common case (a valid code, as most are): what
    the fast test accepts, catalog's accepts too (tests/formbuilder/test_formats.py); everything else is judged
    by catalog's check itself, which also gives the message."""

    def checked(value: str):
        # catalog's checks accept what python-stdnum reads (full-width digits, surrounding spaces); a form keeps
        # the code as the standard writes it.
        if not value.isascii() or value != value.strip():
            return f"{what}只能由半角数字和字母组成"
        if fast is not None and fast(value):
            return None
        try:
            return check(value)
        except ValueError:  # stdnum looks some characters up in its alphabet after its own tests let them by
            return f"{what}不正确"

    return checked


# --- the fast tests (python-stdnum's ric and uscc take 140 µs and 70 µs a number, most of a submission's time) ---
_ID = re.compile(r"[0-9]{17}[0-9X]")
_CREDIT = re.compile(r"[0-9]{8}[0-9ABCDEFGHJKLMNPQRTUWXY]{8}[0-9X][0-9ABCDEFGHJKLMNPQRTUWXY]")
_CREDIT_ALPHABET = {c: i for i, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DIVISION = re.compile(r"[0-9]{6}")


@lru_cache(maxsize=1)
def _birth_places() -> dict:
    """Birth-place code → None (valid in every year) or [(first year, last year)], from python-stdnum's table, as
    stdnum.cn.ric.get_birth_place reads it (and rules' write_division_codes writes it for the browser)."""
    from stdnum import numdb

    places = {}
    for _length, province, _high, _props, children in numdb.get("cn/loc").prefixes:
        for _child_length, county, _child_high, props, _grandchildren in children:
            if "county" not in props:
                continue
            spans = []
            for name in props["county"].split(","):
                if not name.startswith("["):
                    spans = None
                    break
                start, end = name[1:].split("]")[0].split("-")
                spans.append((int(start) if start else 0, int(end) if end else 9999))
            places[province + county] = spans
    return places


def _fast_resident_id(value: str) -> bool:
    if not _ID.fullmatch(value):
        return False
    check = (1 - 2 * int(value[:17], 13)) % 11  # GB 11643's weights 2^(17-i) mod 11, as stdnum computes them
    if value[17] != ("X" if check == 10 else str(check)):
        return False
    year = int(value[6:10])
    try:
        date(year, int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    spans = _birth_places().get(value[:6], False)
    if spans is False:
        return False
    return spans is None or any(start <= year <= end for start, end in spans)


def _fast_credit_code(value: str) -> bool:
    if not _CREDIT.fullmatch(value):
        return False
    total = sum(_CREDIT_ALPHABET[c] * w for c, w in zip(value, _CREDIT_WEIGHTS, strict=False))
    return "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - total) % 31] == value[17] and \
        is_valid_organisation_code(value[8:17])


def _fast_division_code(value: str) -> bool:
    return _DIVISION.fullmatch(value) is not None and value in division_codes()


def _mobile(value: str):
    return None if _MOBILE.fullmatch(value) else "手机号码应为11位数字，以1开头"


def _postcode(value: str):
    return None if _POSTCODE.fullmatch(value) else "邮政编码应为6位数字"


def _date(value: str):
    if _DATE.fullmatch(value):
        try:
            date.fromisoformat(value)
            return None
        except ValueError:
            pass
    return "日期应写作“年-月-日”，如 2026-01-31"


def _email(value: str):
    return None if len(value) <= 254 and _EMAIL.fullmatch(value) else "电子邮箱地址不正确"


def _amount(value):
    # 元 with at most two decimals (分). Floats: 12.34 is stored as 12.339999…; round() gives it back exactly.
    return None if round(value, 2) == value else "金额最多保留两位小数（元、角、分）"


# format → (the JSON types it judges, check)
FORMATS = {
    "cn-resident-id": ((str,), _ascii_code(check_resident_id, "居民身份证号码", _fast_resident_id)),
    "cn-credit-code": ((str,), _ascii_code(check_credit_code, "统一社会信用代码", _fast_credit_code)),
    "cn-mobile": ((str,), _mobile),
    "cn-division-code": ((str,), _ascii_code(check_division_code, "行政区划代码", _fast_division_code)),
    "cn-postcode": ((str,), _postcode),
    "cn-amount": ((int, float), _amount),
    "date": ((str,), _date),
    "email": ((str,), _email),
}


def problem(name: str, value) -> str | None:
    """The Chinese message for a value that does not conform to the format, or None."""
    types, check = FORMATS[name]
    if type(value) not in types:  # bool is no number here, as in JSON
        return None
    return check(value)


def conforms(name: str, value) -> bool:
    return problem(name, value) is None


def format_checker() -> FormatChecker:
    """A jsonschema FormatChecker that knows exactly our formats (and no others)."""
    checker = FormatChecker(formats=())
    for name in FORMATS:
        checker.checks(name)(lambda value, name=name: conforms(name, value))
    return checker
