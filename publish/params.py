"""Query-string parameters of the public pages and the API, checked once. Bad values raise BadParameter.

Every public parameter goes through one of these functions before it reaches the database, so that no value a
client can send — any Unicode, NUL, lone surrogates, digits of other scripts ('²'.isdigit() is true, int('²')
raises), numbers past a 64-bit column — ends in a 500 (tests/security/test_public_parameters.py tries them all).
"""

import re

from catalog.codes import ItemType
from catalog.models import Department

from .search import MAX_QUERY_LENGTH, Filters

MAX_PAGE = 1000
MAX_VISITS = 100
MAX_CODE_LENGTH = 64  # SearchDocument.code, ServiceItem.implementation_code
ASCII_ID = re.compile(r"[0-9]{1,18}")  # a primary key as the site's links write it (fits a signed 64-bit column)


class BadParameter(ValueError):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def text(value, parameter, max_length=None) -> str:
    """The value as text the database can take: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8)."""
    value = "" if value is None else str(value)
    if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
        raise BadParameter(parameter, f"{parameter} 含有无法识别的字符")
    if max_length is not None and len(value) > max_length:
        raise BadParameter(parameter, f"{parameter} 最长 {max_length} 个字")
    return value


def _ascii_int(value, parameter, low, high, message):
    value = text(value, parameter).strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise BadParameter(parameter, message)
    number = int(value)
    if not low <= number <= high:
        raise BadParameter(parameter, message)
    return number


def page_number(value) -> int:
    if value in (None, ""):
        return 1
    return _ascii_int(value, "page", 1, MAX_PAGE, f"page 必须是 1 到 {MAX_PAGE} 之间的整数")


def department(value) -> Department | None:
    """A department by its credit code (as the API shows it) or by its id (as the site's links use)."""
    if value in (None, ""):
        return None
    value = text(value, "department", max_length=100).strip()
    found = Department.objects.filter(credit_code=value).first() if value else None
    if found is None and ASCII_ID.fullmatch(value):
        found = Department.objects.filter(pk=int(value)).first()
    if found is None:
        raise BadParameter("department", "没有这个部门")
    return found


def item_type(value) -> str | None:
    if value in (None, ""):
        return None
    if value not in ItemType.values:
        raise BadParameter("type", f"type 必须是事项类型代码之一：{', '.join(ItemType.values)}")
    return value


def filters(params) -> Filters:
    audience = params.get("audience") or None
    if audience not in (None, "person", "legal"):
        raise BadParameter("audience", "audience 只能是 person（个人办事）或 legal（法人办事）")
    online = params.get("online") or None
    if online not in (None, "1", "0", "true", "false"):
        raise BadParameter("online", "online 只能是 1 或 0")
    visits = params.get("visits") or None
    if visits is not None:
        visits = _ascii_int(visits, "visits", 0, MAX_VISITS, f"visits 必须是 0 到 {MAX_VISITS} 之间的整数")
    dept = department(params.get("department"))
    return Filters(
        department=dept.pk if dept else None,
        item_type=item_type(params.get("type")),
        audience=audience,
        online=None if online is None else online in ("1", "true"),
        max_visits=visits,
    )


def query(params) -> str:
    value = text(params.get("q"), "q").strip()
    if len(value) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"q 最长 {MAX_QUERY_LENGTH} 个字")
    return value


def suggest_prefix(params) -> str:
    """What the user has typed so far (the suggestion box): cut, not refused, when longer than 50 characters."""
    return text(params.get("q"), "q")[:50]


def item_code(value) -> str:
    """An implementation code from a URL path."""
    value = text(value, "code", max_length=MAX_CODE_LENGTH)
    if not value.strip():
        raise BadParameter("code", "code 不能为空")
    return value
