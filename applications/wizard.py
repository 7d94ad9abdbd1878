"""The wizard over a compiled form's UI description (formbuilder): its steps, which of them and which fields are
shown for the answers so far, the answers read from a step's POST, the widgets a template renders, the errors
placed on their fields and the answers as the check page and the receipt show them.

Plain functions over plain data: nothing here touches the database. The server decides every field from the
validated data (formbuilder.service.validate_submission); the browser's script only shows and hides as one types.

Field names in the HTML are the data paths with dots: ``situation.agent``, ``form.name``,
``form.members.0.member_name``, ``form.period.start``; element ids are ``f-`` and the same parts with dashes."""

import re
from dataclasses import dataclass, field

from rules import logic

from . import divisions

TEXT_TYPES = {"text", "textarea", "person_name", "id_number", "credit_code", "mobile", "phone", "email", "postcode",
              "address", "date"}
CHOICE_TYPES = {"radio", "select", "yes_no"}
NUMBER_TYPES = {"number", "amount"}
LEVELS = ("province", "city", "county")
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县（区）"}
_PATH_PART = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]")


@dataclass
class Step:
    number: int  # 1-based, among all the form's steps
    key: str
    title: str
    help: str
    fields: list  # the UI description's field dicts
    visible: object = None  # compiled rule or None


@dataclass
class Plan:
    """What the wizard needs of one compiled form, built once per form."""

    steps: list
    rules: dict  # path → {"visible_when": compiled, "required_when": compiled, "value": compiled, raw rules …}
    by_path: dict  # signature ("form.members.*.member_name") → (step number, field dict)
    types: dict  # signature → [type, label], kept with a draft to migrate its answers
    options: dict = field(default_factory=dict)  # signature → set of option values


def _compile(rule):
    if rule is None:
        return None
    try:
        return logic.compile(rule)
    except logic.RuleError:
        return lambda data: True  # a rule that does not read counts as holding, as on the server


def holds(rule, data) -> bool:
    if rule is None:
        return True
    try:
        return logic.truthy(rule(data))
    except (logic.RuleError, ArithmeticError):
        return True


def signature(path: str) -> str:
    """``form.members[*].name`` (the UI's paths) → ``form.members.*.name``."""
    return path.replace("[*]", ".*")


def children(fields):
    """The fields of a step with groups opened (a repeating group stays one field)."""
    for item in fields:
        if item.get("type") == "group":
            yield from children(item.get("fields") or [])
        else:
            yield item


def build_plan(ui: dict, rules: dict) -> Plan:
    raw_rules = {entry["path"]: entry for entry in (rules or {}).get("fields", [])}
    step_rules = {entry.get("key"): entry.get("visible_when") for entry in (rules or {}).get("steps", [])}
    steps, by_path, types, options, compiled = [], {}, {}, {}, {}
    for number, raw in enumerate(ui.get("steps") or [], start=1):
        rule = raw.get("visible_when") if "visible_when" in raw else step_rules.get(raw.get("key"))
        step = Step(number=number, key=raw.get("key") or "", title=raw.get("title") or f"第{number}步",
                    help=raw.get("help") or "", fields=raw.get("fields") or [], visible=_compile(rule))
        steps.append(step)
        for item in children(step.fields):
            if item.get("type") == "static_text":
                continue
            for one in [item, *(item.get("fields") or [] if item.get("type") == "repeat" else [])]:
                sig = signature(one["path"])
                by_path[sig] = (number, one)
                types[sig] = [one["type"], one.get("label", "")]
                if one.get("options"):
                    options[sig] = {o["value"] for o in one["options"]}
    for path, entry in raw_rules.items():
        compiled[signature(path)] = {name: _compile(entry.get(name)) for name in ("visible_when", "required_when",
                                                                                  "value") if entry.get(name)}
    return Plan(steps=steps, rules=compiled, by_path=by_path, types=types, options=options)


_plans: dict = {}


def plan_of(form) -> Plan:
    """The plan of a compiled form (formbuilder's CompiledForm), cached while the form object lives."""
    found = _plans.get(id(form))
    if found is not None and found[0] is form:
        return found[1]
    plan = build_plan(form.ui, form.rules)
    if len(_plans) > 256:
        _plans.clear()
    _plans[id(form)] = (form, plan)
    return plan


# --- which steps and fields are shown ----------------------------------------------------------------------------
def variables_of(rule) -> set | None:
    """The names a JSON Logic rule reads with ``var``; None when one is computed (then anything may be read)."""
    found = set()

    def walk(node):
        if isinstance(node, list):
            return all(walk(n) for n in node)
        if not isinstance(node, dict):
            return True
        for op, args in node.items():
            if op == "var":
                name = args[0] if isinstance(args, list) and args else args
                if isinstance(name, str):
                    found.add(name)
                elif isinstance(name, int | float):
                    found.add(str(name))
                elif name not in (None, [], ""):
                    return False
            elif not walk(args):
                return False
        return True

    return found if walk(rule) else None


def reads_any(rule, paths: set) -> bool:
    names = variables_of(rule)
    if names is None:
        return True
    for name in names:
        parts = name.split(".")
        for size in range(2, len(parts) + 1):
            if ".".join(parts[:size]) in paths:
                return True
    return False


def step_paths(step: Step) -> set:
    return {signature(item["path"]) for item in children(step.fields) if item.get("path")}


def field_shown(plan: Plan, item: dict, context: dict, local: set, raw_rules: dict) -> bool:
    """Shown on the server's page: its rule holds for the answers so far, or it depends on a field of the same
    page (then the page shows it and the browser's script hides it while the rule does not hold)."""
    sig = signature(item.get("path") or "")
    rule = plan.rules.get(sig, {}).get("visible_when")
    if item.get("type") in ("static_text", "group"):
        rule, raw = _compile(item.get("visible_when")), item.get("visible_when")
    else:
        raw = raw_rules.get(sig, {}).get("visible_when")
    if rule is None:
        return True
    if raw is not None and reads_any(raw, local):
        return True
    return holds(rule, context)


def condition_text(plan: Plan, rule) -> str:
    """A field's condition as the page says it without JavaScript (then the field is on the page whatever is
    chosen above it): "“是否委托代办”选“是”时填写". Only the shapes the designer's syntax makes are spelled out."""
    def option(sig, value):
        item = (plan.by_path.get(sig) or (None, {}))[1]
        return next((o["label"] for o in item.get("options") or [] if o.get("value") == value), str(value))

    def one(node):
        if type(node) is not dict or len(node) != 1:
            return None
        (op, args), = node.items()
        if op in ("and", "or") and type(args) is list and args:
            parts = [one(arg) for arg in args]
            return None if None in parts else ("并且" if op == "and" else "或者").join(parts)
        if op == "!":
            inner = one(args[0] if type(args) is list and args else args)
            return None if inner is None else f"不是{inner}"
        if type(args) is not list or len(args) != 2 or type(args[0]) is not dict or list(args[0]) != ["var"]:
            return None
        sig = signature(str(args[0]["var"]))
        item = (plan.by_path.get(sig) or (None, None))[1]
        if item is None:
            return None
        label = item.get("label") or sig
        if op == "==":
            return f"“{label}”选“{option(sig, args[1])}”"
        if op == "!=":
            return f"“{label}”不选“{option(sig, args[1])}”"
        if op == "in" and type(args[1]) is list:
            return f"“{label}”选" + "或".join(f"“{option(sig, v)}”" for v in args[1])
        return None

    text = one(rule)
    return f"{text}时填写" if text else "根据本页上面的选择填写，不需要时可不填"


def step_shown(plan: Plan, step: Step, context: dict, raw_rules: dict) -> bool:
    if not holds(step.visible, context):
        return False
    local = step_paths(step)
    return any(field_shown(plan, item, context, local, raw_rules) for item in children(step.fields)
               if item.get("type") != "static_text") or not any(True for _ in children(step.fields))


def raw_rules_of(form) -> dict:
    return {signature(entry["path"]): entry for entry in (form.rules or {}).get("fields", [])}


def shown_steps(plan: Plan, form, context: dict) -> list[Step]:
    raw = raw_rules_of(form)
    return [step for step in plan.steps if step_shown(plan, step, context, raw)]


# --- reading a step's POST ---------------------------------------------------------------------------------------
def _number(text: str):
    text = text.strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return text  # kept as typed: the validator says it should be a number
    if number != number or number in (float("inf"), float("-inf")):
        return text
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def _read(item: dict, post, name: str):
    """The value of one field from the POST, or None when not answered. A field's absence from the POST (a
    checkbox left unticked) is told from the marker the page sends with it."""
    kind = item["type"]
    if kind in TEXT_TYPES or kind in CHOICE_TYPES:
        value = post.get(name)
        return value.strip() if isinstance(value, str) and value.strip() else None
    if kind in NUMBER_TYPES:
        return _number(post.get(name, ""))
    if kind == "checkboxes":
        values = [v for v in post.getlist(name) if v]
        return values or None
    if kind == "declaration":
        return True if post.get(name) else None
    if kind == "date_range":
        start, end = post.get(f"{name}.start", "").strip(), post.get(f"{name}.end", "").strip()
        value = {k: v for k, v in (("start", start), ("end", end)) if v}
        return value or None
    if kind == "division":
        return divisions.chosen(post.get(f"{name}.province", ""), post.get(f"{name}.city", ""),
                                post.get(f"{name}.county", ""))
    if kind == "upload":
        # The ids of the files kept (hidden inputs); the service keeps only the draft's own (uploads.clean_tokens).
        values = [v.strip() for v in post.getlist(name) if isinstance(v, str) and v.strip()]
        return values or None
    return None


READ_TYPES = TEXT_TYPES | CHOICE_TYPES | NUMBER_TYPES | {"checkboxes", "declaration", "date_range", "division",
                                                         "upload"}


def read_step(step: Step, post, answers: dict) -> dict:
    """The answers with this step's fields as posted (the rest kept as they were). Only the step's own fields are
    read: anything else in the POST is ignored."""
    answers = {"situation": dict(answers.get("situation") or {}), "form": dict(answers.get("form") or {})}
    present = set(post.getlist("_present"))
    for item in children(step.fields):
        kind, path = item.get("type"), item.get("path") or ""
        root, _dot, key = path.partition(".")
        if root not in answers or item.get("readonly"):
            continue
        if kind == "repeat":
            answers[root][key] = _read_rows(item, post, path)
            continue
        if kind not in READ_TYPES or path not in present:
            continue
        value = _read(item, post, path)
        if value is None:
            answers[root].pop(key, None)
        else:
            answers[root][key] = value
    return answers


MAX_ROWS = 100


def _read_rows(group: dict, post, path: str) -> list:
    try:
        count = max(0, min(int(post.get(f"{path}.rows", "0")), MAX_ROWS))
    except ValueError:
        count = 0
    rows = []
    for index in range(count):
        row = {}
        for item in group.get("fields") or []:
            if item.get("type") not in READ_TYPES:
                continue
            value = _read(item, post, f"{path}.{index}.{item['key']}")
            if value is not None:
                row[item["key"]] = value
        rows.append(row)
    return rows


def change_rows(step: Step, answers: dict, action: str) -> tuple[dict, str]:
    """Apply an "add:<key>" or "remove:<key>:<index>" button of a repeating group; returns the answers and the id
    to go back to (the new row, or the group)."""
    verb, _sep, rest = action.partition(":")
    key, _sep, index = rest.partition(":")
    group = next((i for i in children(step.fields) if i.get("type") == "repeat" and i.get("key") == key), None)
    if group is None:
        return answers, ""
    rows = list(answers["form"].get(key) or [])
    if verb == "add" and len(rows) < int(group.get("max_count") or MAX_ROWS):
        rows.append({})
        target = dom_id(("form", key, str(len(rows) - 1)))
    elif verb == "remove" and re.fullmatch(r"[0-9]{1,4}", index) and int(index) < len(rows):  # not "²" or "٣"
        rows.pop(int(index))
        target = dom_id(("form", key))
    else:
        return answers, dom_id(("form", key))
    answers["form"][key] = rows
    return answers, target


# --- errors -----------------------------------------------------------------------------------------------------
def path_parts(json_path: str) -> tuple:
    """``$.form.members[0].name`` → ("form", "members", "0", "name")."""
    parts = []
    for match in _PATH_PART.finditer(json_path[1:] if json_path.startswith("$") else json_path):
        name, index, quoted = match.groups()
        parts.append(name if name is not None else index if index is not None else quoted)
    return tuple(parts)


def dom_id(parts) -> str:
    return "f-" + "-".join(str(p) for p in parts)


def field_of(plan: Plan, parts: tuple):
    """The deepest field on a path of parts (row indices as "*"), with its step number and how many parts it
    spans."""
    sig, best = [], (None, None, 0)
    for size, part in enumerate(parts, start=1):
        sig.append("*" if part.isdigit() else part)
        found = plan.by_path.get(".".join(sig))
        if found is not None:
            best = (found[0], found[1], size)
    return best


def anchor(plan: Plan, parts: tuple) -> str:
    """The id of the input an error's link should move to (the first input of a date range, a choice or an
    administrative division)."""
    number, item, size = field_of(plan, parts)
    if item is None:
        return dom_id(parts) if parts else ""
    base = parts[:size]
    if item["type"] == "date_range":
        return dom_id((*base, parts[size] if len(parts) > size else "start"))
    return dom_id(base)


@dataclass
class PlacedError:
    message: str
    path: str
    parts: tuple
    anchor: str
    step: int | None


def place(plan: Plan, errors) -> list[PlacedError]:
    placed = []
    for error in errors:
        parts = path_parts(error.path)
        number, _item, _size = field_of(plan, parts)
        placed.append(PlacedError(error.message, error.path, parts, anchor(plan, parts), number))
    return placed


def errors_by_field(placed) -> dict:
    """Messages per field path (dotted, rows by index), for the messages beside the inputs."""
    found: dict = {}
    for error in placed:
        for size in range(1, len(error.parts) + 1):
            found.setdefault(".".join(error.parts[:size]), [])
        found[".".join(error.parts)].append(error.message)
    return found


# --- widgets ------------------------------------------------------------------------------------------------------
def _value_at(data: dict, path: str):
    node = data
    for part in path.split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _messages(errors: dict, name: str) -> list:
    """The messages of a field: its own and those below it (a date range's end, a division's levels)."""
    own = []
    for path, messages in errors.items():
        if path == name or path.startswith(name + "."):
            own.extend(messages)
    return own


def widget(item: dict, name: str, answers: dict, errors: dict, required: bool, rule_paths: dict,
           computed: dict | None = None) -> dict:
    """What the template needs to render one field: its name, id, value, options, messages."""
    kind = item["type"]
    value = _value_at(computed, name) if item.get("readonly") and computed is not None else _value_at(answers, name)
    out = {
        "type": kind, "widget": item.get("widget", kind), "name": name, "id": dom_id(name.split(".")),
        "label": item.get("label") or "", "help": item.get("help") or "", "required": required,
        "placeholder": item.get("placeholder") or "", "readonly": bool(item.get("readonly")),
        "inputmode": item.get("inputmode") or "", "autocomplete": item.get("autocomplete") or "",
        "errors": _messages(errors, name), "path": signature(item.get("path") or ""),
        "text": item.get("text") or "", "value": _text(value), "rules": rule_paths.get(signature(
            item.get("path") or ""), False),
    }
    if kind in ("radio", "yes_no", "checkboxes", "select"):
        chosen = set(value if isinstance(value, list) else [] if value is None else [_text(value)])
        out["options"] = [{"value": o["value"], "label": o["label"], "checked": o["value"] in chosen,
                           "id": out["id"] if i == 0 else f"{out['id']}-{i}"}
                          for i, o in enumerate(item.get("options") or [])]
    elif kind == "date_range":
        value = value if isinstance(value, dict) else {}
        out["start"], out["end"] = _text(value.get("start")), _text(value.get("end"))
    elif kind == "declaration":
        out["checked"] = value is True
    elif kind == "division":
        level = item.get("level") or "county"
        out["levels"] = divisions.selects(_text(value), LEVELS[:LEVELS.index(level) + 1] if level in LEVELS
                                          else LEVELS, out["id"], name)
    elif kind == "upload":
        accept = item.get("accept") or []
        out.update(material=item.get("material") or "", accept=accept, max_files=int(item.get("max_files") or 1),
                   max_size_mb=int(item.get("max_size_mb") or 10),
                   accept_attr=",".join(f".{ext}" for ext in accept), files=[])
    elif kind == "number" or kind == "amount":
        out["unit"] = "元" if kind == "amount" else ""
    out["marker"] = kind in ("checkboxes", "declaration") or kind in READ_TYPES
    return out


# --- answers as shown on the check page and the receipt ----------------------------------------------------------
def display(item: dict, value) -> str:
    kind = item.get("type")
    if value is None or value == "" or value == []:
        return ""
    if kind in ("radio", "yes_no", "select", "checkboxes"):
        labels = {o["value"]: o["label"] for o in item.get("options") or []}
        values = value if isinstance(value, list) else [value]
        return "、".join(labels.get(_text(v), _text(v)) for v in values)
    if kind == "declaration":
        return "已阅读并承诺" if value is True else ""
    if kind == "date_range" and isinstance(value, dict):
        return f"{value.get('start', '')} 至 {value.get('end', '')}"
    if kind == "amount" and isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:,.2f} 元"
    if kind == "division":
        return divisions.full_name(_text(value)) or _text(value)
    return _text(value)


def summary(ui: dict, data: dict, files: dict | None = None) -> list[dict]:
    """The answered fields of each step: [{"number", "title", "rows": [{"label", "value", "rows"?}]}]. Only what
    is in the (validated) data shows: a hidden field has no value there. ``files``: slot path → its files
    (applications.uploads.described) for the material slots to list, "未上传" where a slot has none."""
    files = files or {}
    out = []
    for number, step in enumerate(ui.get("steps") or [], start=1):
        rows = []
        for item in children(step.get("fields") or []):
            kind, path = item.get("type"), item.get("path") or ""
            if kind in ("static_text",):
                continue
            value = _value_at(data, path)
            if kind == "upload":
                if path not in files:
                    continue
                rows.append({"label": item.get("label"), "value": "" if files[path] else "未上传",
                             "upload": True, "files": files[path], "material": item.get("material")})
                continue
            if kind == "repeat":
                if not value:
                    continue
                group_rows = []
                for index, row in enumerate(value, start=1):
                    cells = [{"label": c.get("label"), "value": display(c, (row or {}).get(c["key"]))}
                             for c in item.get("fields") or [] if (row or {}).get(c["key"]) is not None]
                    group_rows.append({"label": f"{item.get('item_label') or item.get('label')} {index}",
                                       "cells": cells})
                rows.append({"label": item.get("label"), "value": f"共 {len(value)} 项", "rows": group_rows})
                continue
            shown = display(item, value)
            if shown:
                rows.append({"label": item.get("label"), "value": shown})
        if rows:
            out.append({"number": number, "title": step.get("title") or f"第{number}步", "rows": rows})
    return out
