"""Query-string parameters of the public pages and the API, checked once. Bad values raise BadParameter."""

from catalog.codes import ItemType
from catalog.models import Department

from .search import MAX_QUERY_LENGTH, Filters

MAX_PAGE = 1000


class BadParameter(ValueError):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def page_number(value) -> int:
    if value in (None, ""):
        return 1
    try:
        page = int(value)
    except (TypeError, ValueError):
        raise BadParameter("page", "page 必须是正整数") from None
    if not 1 <= page <= MAX_PAGE:
        raise BadParameter("page", f"page 必须在 1 到 {MAX_PAGE} 之间")
    return page


def department(value) -> Department | None:
    """A department by its credit code (as the API shows it) or by its id (as the site's links use)."""
    if value in (None, ""):
        return None
    value = str(value).strip()
    found = Department.objects.filter(credit_code=value).first()
    if found is None and value.isdigit():
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
        try:
            visits = int(visits)
        except ValueError:
            raise BadParameter("visits", "visits 必须是整数") from None
    dept = department(params.get("department"))
    return Filters(
        department=dept.pk if dept else None,
        item_type=item_type(params.get("type")),
        audience=audience,
        online=None if online is None else online in ("1", "true"),
        max_visits=visits,
    )


def query(params) -> str:
    value = (params.get("q") or "").strip()
    if len(value) > MAX_QUERY_LENGTH:
        raise BadParameter("q", f"q 最长 {MAX_QUERY_LENGTH} 个字")
    return value
