"""Server validation of a submission against a compiled form (DESIGN decision 11: nothing from the client is
trusted).

In one pass over the fields in order (formbuilder.compile): answers are trimmed, and an empty text, list or null
counts as not answered; a field whose ``visible_when`` does not hold is dropped, with its value; a computed field
gets the value of its rule, whatever was sent; a field required only under a rule is required only when the rule
holds. The cleaned data is then checked against the schema (formbuilder.checker, the same keywords as jsonschema)
and, when that passes, against the form's cross-field checks. Every error is in Chinese, with the field's label and
the JSON path of the value (``$.form.agent_name``, ``$.form.members[0].name``)."""

import math
import re
from dataclasses import dataclass

from rules import logic

from .compile import CompiledForm, Field

_MISSING = object()
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class FormError:
    path: str
    label: str
    message: str
    keyword: str  # the JSON Schema keyword, or "required" for a rule's, "check" for a cross-field check

    def as_json(self) -> dict:
        return {"path": self.path, "label": self.label, "message": self.message}


@dataclass
class Result:
    errors: list  # FormError, in the order of the form
    data: dict  # the cleaned data: only shown fields, computed values recomputed
    dropped: list  # JSON paths of the values dropped because their field was hidden

    @property
    def valid(self) -> bool:
        return not self.errors


# --- the Chinese message of every keyword the compiled schemas use ------------------------------------------------
TYPE_NAMES = {"string": "文字", "number": "数字", "integer": "整数", "boolean": "勾选（是/否）", "object": "一组内容",
              "array": "列表", "null": "空值"}
FORMAT_MESSAGES = {
    "cn-resident-id": "请填写正确的18位居民身份证号码", "cn-credit-code": "请填写正确的18位统一社会信用代码",
    "cn-mobile": "请填写正确的11位手机号码", "cn-division-code": "请选择正确的行政区划",
    "cn-postcode": "邮政编码应为6位数字", "cn-amount": "金额最多保留两位小数",
    "date": "日期应写作“年-月-日”，如 2026-01-31", "email": "请填写正确的电子邮箱地址",
}


def _type_message(label, detail, field):
    names = detail if isinstance(detail, list) else [detail]
    return f"{label}应为{'或'.join(TYPE_NAMES.get(n, n) for n in names)}"


def _required_message(label, detail, field):
    kind = field.type if field else ""
    if kind == "upload":
        return f"请上传{label}"
    if kind in ("radio", "select", "checkboxes", "yes_no", "division"):
        return f"请选择{label}"
    if kind == "declaration":
        return f"请阅读并勾选{label}"
    if kind == "repeat":
        return f"请填写{label}"
    return f"请填写{label}"


def _enum_message(label, detail, field):
    options = "、".join((field.options if field else {}).get(v, v) for v in detail)
    return f"{label}只能选择：{options}"


def _items_word(field):
    return {"checkboxes": "选", "upload": "上传", "repeat": "填写"}.get(field.type if field else "", "填写")


MESSAGES = {
    "type": _type_message,
    "required": _required_message,
    "enum": _enum_message,
    "const": lambda label, detail, field: f"请阅读并勾选{label}",
    "minLength": lambda label, detail, field: f"{label}至少{detail}个字",
    "maxLength": lambda label, detail, field: f"{label}最多{detail}个字",
    "pattern": lambda label, detail, field: (field.pattern_message if field and field.pattern_message
                                             else f"{label}的格式不正确"),
    "format": lambda label, detail, field: f"{label}：{FORMAT_MESSAGES.get(detail, '格式不正确')}",
    "minimum": lambda label, detail, field: f"{label}不能小于{_number_text(detail)}",
    "maximum": lambda label, detail, field: f"{label}不能大于{_number_text(detail)}",
    "minItems": lambda label, detail, field: f"{label}至少{_items_word(field)}{detail}项",
    "maxItems": lambda label, detail, field: f"{label}最多{_items_word(field)}{detail}项",
    "uniqueItems": lambda label, detail, field: f"{label}中有重复的项",
    "additionalProperties": lambda label, detail, field: f"表单中没有字段「{label}」",
}


def _number_text(value) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- paths and labels ---------------------------------------------------------------------------------------------
def json_path(parts) -> str:
    text = "$"
    for part in parts:
        if type(part) is int:
            text += f"[{part}]"
        elif _IDENTIFIER.fullmatch(part):
            text += f".{part}"
        else:
            text += "[" + _quoted(part) + "]"
    return text


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _printable(key: str) -> str:
    """A key as sent, fit to be written back in UTF-8: a lone surrogate (valid in JSON's \\u escapes, not in UTF-8)
    becomes U+FFFD."""
    return key.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def label_of(form: CompiledForm, parts) -> tuple[str, Field | None]:
    """The label of the value at a path and its field: the deepest known field on the path, with the row of a
    repeating group it passes through (家庭成员（第2项）姓名)."""
    signature, rows = [], []
    found = None
    for part in parts:
        if type(part) is int:
            signature.append("*")
            rows.append(part)
        else:
            signature.append(part)
        known = form.labels.get(tuple(signature))
        if known is not None:
            found = (known, list(rows))
    if found is None:
        return "", None
    field, rows = found
    if field.type == "repeat" or not rows:
        label = field.label
        if field.type == "repeat" and rows and parts[-1] != field.key:
            label = f"{field.label}（第{rows[0] + 1}项）"
        return label, field
    group = next((f for f in form.fields if f.type == "repeat" and field in f.rows), None)
    prefix = f"{group.label}（第{rows[0] + 1}项）" if group else ""
    return prefix + field.label, field


def _error(form, parts, keyword, detail) -> FormError:
    if keyword == "additionalProperties":
        name = _printable(detail)
        return FormError(json_path((*parts, name)), name, MESSAGES[keyword](name, None, None), keyword)
    if keyword == "required":
        parts = (*parts, detail)
    label, field = label_of(form, parts)
    label = label or "表单"
    return FormError(json_path(parts), label, MESSAGES[keyword](label, detail, field), keyword)


# --- the pass ----------------------------------------------------------------------------------------------------
def _normal(value):
    """An answer as kept: text trimmed; empty text, an empty list or object, null: not answered."""
    kind = type(value)
    if kind is str:
        value = value.strip()
        return value if value else _MISSING
    if value is None:
        return _MISSING
    if kind is list and not value:
        return _MISSING
    if kind is dict:
        kept = {k: v for k, v in ((k, _normal(v)) for k, v in value.items()) if v is not _MISSING}
        return kept if kept else _MISSING
    return value


def _holds(rule, data) -> bool:
    try:
        return logic.truthy(rule(data))
    except (logic.RuleError, ArithmeticError):
        return True  # a rule that fails counts as holding (compile_form)


def _computed(field: Field, data):
    try:
        result = field.value(data)
    except (logic.RuleError, ArithmeticError):
        return _MISSING
    if type(result) not in (int, float) or not math.isfinite(result):
        return _MISSING
    return round(result, 2) if field.type == "amount" else result


def validate_submission(form: CompiledForm, data, applicant=None) -> Result:
    """Validate a submission's data (``{"situation": {…}, "form": {…}}``) against a compiled form."""
    if type(data) is not dict:
        return Result([_error(form, (), "type", "object")], {}, [])
    # Each value is checked against its field's schema as it is taken (formbuilder.checker; the same errors as
    # the compiled schema on the cleaned data, tests/formbuilder/test_checker.py).
    errors, dropped, missing, unknown, found = [], [], [], [], []
    situation, values = {}, {}
    context = {"situation": situation, "form": values, "applicant": applicant or {}, "item": form.item}
    given_situation, given_form = data.get("situation", {}), data.get("form", {})
    if type(given_situation) is not dict:
        errors.append((("situation",), "type", "object"))
        given_situation = {}
    if type(given_form) is not dict:
        errors.append((("form",), "type", "object"))
        given_form = {}
    truthy = logic.truthy
    for field in form.fields:
        if field.root == "form":
            given, target = given_form, values
        else:
            given, target = given_situation, situation
        raw = given.get(field.key, _MISSING)
        if raw is not _MISSING:
            if type(raw) is str:
                raw = raw.strip() or _MISSING
            elif raw is None or type(raw) is list or type(raw) is dict:
                raw = _normal(raw)
        if field.visible is not None:
            try:
                shown = truthy(field.visible(context))
            except (logic.RuleError, ArithmeticError):
                shown = True  # a rule that fails counts as holding (compile_form)
            if not shown:
                if raw is not _MISSING:
                    dropped.append(json_path((field.root, field.key)))
                continue
        if field.value is not None:
            raw = _computed(field, context)
        elif raw is not _MISSING and field.rows and type(raw) is list:
            raw = _rows(field, raw, context, dropped, missing, unknown)
        if raw is not _MISSING:
            target[field.key] = raw
            leaf, node = field.test
            if leaf is not None:
                bad = leaf(raw)
                if bad:
                    found.extend(((field.root, field.key), keyword, detail) for keyword, detail in bad)
            else:
                node(raw, (field.root, field.key), found)
        elif field.value is None and (field.required or (
                field.required_when is not None and _holds(field.required_when, context))):
            missing.append((field.root, field.key))
    extra = [k for k in data if k != "situation" and k != "form"]
    if extra:
        unknown.append(((), extra))
    for root, given in (("situation", given_situation), ("form", given_form)):
        known = form.keys[root]
        extra = [k for k in given if k not in known]
        if extra:
            unknown.append(((root,), extra))
    cleaned = {"situation": situation, "form": values}
    if errors or unknown or missing or found:
        found = [_error(form, path, keyword, one) for path, keyword, detail in found
                 for one in (detail if keyword == "additionalProperties" else (detail,))]
        found += [_error(form, *error) for error in errors]
        found += [_error(form, path, "additionalProperties", key) for path, keys in unknown for key in keys]
        found += [_error(form, parts[:-1], "required", parts[-1]) for parts in missing]
        return Result(_in_order(form, found), cleaned, dropped)
    problems = []
    for rule, message, path in form.checks:
        if not _holds(rule, context):
            label = label_of(form, path)[0] if path else "表单"
            problems.append(FormError(json_path(path), label, message, "check"))
    return Result(problems, cleaned, dropped)


def _rows(group: Field, rows: list, context, dropped, missing, unknown) -> list:
    """A repeating group's rows with hidden fields dropped and rule-required fields enforced. A row that is not an
    object is kept as it is, for the schema to report."""
    shown = [f for f in group.rows if f.visible is None or _holds(f.visible, context)]
    hidden = {f.key for f in group.rows} - {f.key for f in shown}
    names = {f.key for f in group.rows}
    kept = []
    for index, row in enumerate(rows):
        if type(row) is not dict:
            kept.append(row)
            continue
        clean = {}
        for key, value in row.items():
            if key not in names:
                continue
            value = _normal(value)
            if key in hidden:
                if value is not _MISSING:
                    dropped.append(json_path(("form", group.key, index, key)))
            elif value is not _MISSING:
                clean[key] = value
        extra = tuple(k for k in row if k not in names)
        if extra:
            unknown.append((("form", group.key, index), extra))
        for field in shown:
            if field.key not in clean and not field.schema_required and (field.required or (
                    field.required_when is not None and _holds(field.required_when, context))):
                missing.append(("form", group.key, index, field.key))
        kept.append(clean)
    return kept


def _in_order(form: CompiledForm, errors: list) -> list:
    """Errors in the order of the form's fields (then by row), each path once."""
    rank = {}
    for index, field in enumerate(form.fields):
        rank[f"$.{field.root}.{field.key}"] = index
    seen, ordered = set(), []

    def position(error):
        head = error.path.split("[", 1)[0]
        parts = head.split(".")
        return rank.get(".".join(parts[:3]), len(rank)), error.path

    for error in sorted(errors, key=position):
        if (error.path, error.keyword) not in seen:
            seen.add((error.path, error.keyword))
            ordered.append(error)
    return ordered
