"""One cell, row or child row of a sheet as the model takes it: cleaning, blanks, the keys of child rows."""


from django.utils.translation import gettext as _

from catalog.models import ServiceItem

from . import values
from .records import CODE_KEYS
from .spec import (
    BOOL,
    CHILD_SHEETS,
    CHOICE,
    INT,
    KEY,
    LEGAL,
    LIMIT,
    MULTI,
    OPTIONS,
    RULE,
    TEXT,
    Column,
)


def clean_cell(column: Column, raw):
    """A cell's value for the model, and the error message when it cannot be one (None when it is fine)."""
    kind = column.kind
    error = None
    if kind == TEXT:
        value = values.compact(raw) if column.key in CODE_KEYS else values.text(raw)
        if column.max_length and len(value) > column.max_length:
            error = _("超过最大长度%(max)d字（实际%(n)d字）") % {"max": column.max_length, "n": len(value)}
        if column.key in ("online_url", "source_url") and value and not value.lower().startswith(
            ("http://", "https://")
        ):
            error = _("网址应以 http:// 或 https:// 开头")
    elif kind == CHOICE:
        value, error = values.parse_choice(raw, column.choices)
    elif kind == MULTI:
        value, error = values.parse_multi(raw, column.choices)
    elif kind == INT:
        value, error = values.parse_int(raw)
        if value is not None and value > 32767:
            error = _("数值过大")
    elif kind == LIMIT:
        value, error = values.parse_limit(raw)
    elif kind == BOOL:
        value, error = values.parse_bool(raw)
    elif kind == LEGAL:
        value, error = values.parse_legal_bases(raw)
    elif kind == KEY:
        value, error = values.parse_key(raw)
    elif kind == OPTIONS:
        value, error = values.parse_options(raw)
    elif kind == RULE:  # compiled once the item's questions are known (Importer._compile_rules)
        value = values.text(raw)
    else:  # pragma: no cover - every kind is handled above
        raise ValueError(kind)
    if error is None and column.required and value in ("", None, []):
        error = _("必填，不能为空")
    return value, error


def is_row(state) -> bool:
    return not getattr(state, "_from_revision", False)


def blank_ok(column: Column) -> bool:
    return ServiceItem._meta.get_field(column.key).blank


def child_keys(relation):
    if relation == "legal_bases":
        return ("law", "article", "text")
    spec = next(s for s in CHILD_SHEETS if s.relation == relation)
    return tuple(c.key for c in spec.columns if c.key != "item_code") + spec.derived


def child_tuple(relation, fields):
    model = ServiceItem._meta.get_field(relation).related_model
    return tuple(fields[k] if k in fields else model._meta.get_field(k).get_default() for k in child_keys(relation))
