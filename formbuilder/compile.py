"""Compiling a form definition into what every channel reads: a JSON Schema 2020-12 document, a UI description
(steps, order, widgets, labels, options, help) and the form's rules in JSON Logic; and, for the server, the same
fields in evaluation order with their rules compiled (rules.logic.compile) and the schema compiled to a validator.

The data of a submission is ``{"situation": {question key: answer}, "form": {field key: value}}``, the shape the
rules' vocabulary names (``situation.<key>``, ``form.<key>``); a repeating group is a list of objects. Fields are
taken in order: the item's situation questions first (each asked when its ``asked_when`` holds), then the steps'
fields. A rule may name only what comes before it, so one pass in order decides every field (a hidden field's value
is dropped before any later rule sees it). A material upload slot is shown exactly when its material's
``required_when`` holds, and required then unless the material is 非必要 or 容缺后补: the guide's checklist and the
form read the same rule.

``compile_form(source)`` takes plain data (``definition_source`` makes it from a FormDefinition and its item's
rows), so the admin's check and preview compile what is being edited, and the published form what was published."""

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal

import jsonschema

from rules import logic, syntax
from rules.vocabulary import variables as rule_variables

from . import checker, rule_text

DIALECT = "https://json-schema.org/draft/2020-12/schema"
NAME_PATTERN = "^[\u3400-\u9fff\uf900-\ufaffA-Za-z·•.．\u3007 ]+$"
PHONE_PATTERN = "^(0[0-9]{2,3}-?)?[0-9]{7,8}(-[0-9]{1,6})?$"
UPLOAD_TOKEN = "^[A-Za-z0-9_-]{1,64}$"
OPTIONAL_NECESSITIES = {"2", "3"}  # catalog.codes.MaterialNecessity: 非必要, 容缺后补
CHOICE_TYPES = {"radio", "select", "checkboxes", "yes_no"}
YES_NO = [{"value": "yes", "label": "是"}, {"value": "no", "label": "否"}]
WIDGETS = {
    "text": "text", "textarea": "textarea", "number": "number", "amount": "amount", "date": "date",
    "date_range": "date_range", "radio": "radio", "select": "select", "checkboxes": "checkboxes", "yes_no": "radio",
    "person_name": "text", "id_number": "text", "credit_code": "text", "mobile": "tel", "phone": "tel",
    "email": "email", "postcode": "text", "division": "division", "address": "text", "upload": "file",
    "declaration": "checkbox", "static_text": "static",
}
# What a browser should offer to type (inputmode) and fill in (autocomplete), for phones.
INPUT_HINTS = {
    "person_name": {"autocomplete": "name"}, "id_number": {"inputmode": "text", "autocomplete": "off"},
    "mobile": {"inputmode": "tel", "autocomplete": "tel"}, "phone": {"inputmode": "tel", "autocomplete": "tel"},
    "email": {"inputmode": "email", "autocomplete": "email"}, "postcode": {"inputmode": "numeric",
                                                                          "autocomplete": "postal-code"},
    "number": {"inputmode": "decimal"}, "amount": {"inputmode": "decimal"},
    "address": {"autocomplete": "street-address"},
}


@dataclass(frozen=True)
class Problem:
    """Something in a definition that cannot be compiled. ``location`` is where, in the definition's raw data:
    ("steps", 0, "fields", 2, "visible_when"), ("checks", 1, "rule"), () for the form as a whole."""

    location: tuple
    message: str


class FormDefinitionError(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(slots=True, eq=False)
class Field:
    """A field as the server decides it. ``root`` is "situation" or "form"; a field of a repeating group's rows
    lives in its ``rows`` (and has ``root`` None)."""

    key: str
    type: str
    label: str
    root: str | None
    visible: object = None  # compiled rule, None: always shown
    required: bool = False
    required_when: object = None
    value: object = None  # compiled computation (number, amount)
    schema_required: bool = False  # in the schema's `required` (always shown, always required)
    rows: list = field(default_factory=list)  # a repeating group's fields
    options: dict = field(default_factory=dict)  # value → label
    pattern_message: str = ""
    test: tuple = (None, None)  # formbuilder.checker.child of the field's schema


@dataclass(frozen=True)
class CompiledForm:
    schema: dict
    ui: dict
    rules: dict
    fields: tuple  # Field, in evaluation order
    checks: tuple  # (compiled rule, message, path tuple)
    labels: dict  # path signature → Field (see validate.label_of)
    item: dict  # item.* values for the rules
    check_schema: object  # formbuilder.checker's validator of `schema`
    keys: dict  # "situation" / "form" → the keys a submission may give there
    problems: tuple = ()  # what did not compile (only when compiled without strict)

    def as_json(self) -> dict:
        return {"schema": self.schema, "ui": self.ui, "rules": self.rules}


def compile_form(source: dict, strict: bool = True) -> CompiledForm:
    """Compile a definition given as plain data (see definition_source). With strict, any problem raises
    FormDefinitionError listing them all; without (a published form at a citizen's request), a rule that does not
    read counts as holding, as rules.situations does: a field too many rather than one too few."""
    compiler = _Compiler(source)
    compiler.run()
    if strict and compiler.problems:
        raise FormDefinitionError(compiler.problems)
    return compiler.result()


def definition_source(definition, questions, materials, item_values=None) -> dict:
    """The plain data of a FormDefinition (saved, or built from the admin's form) and its item's situation
    questions and materials (rows or dicts with the models' field names)."""
    return {
        "title": definition.title,
        "situations_first": definition.situations_first,
        "situations_title": definition.situations_title,
        "steps": _raw(definition.steps),
        "checks": _raw(definition.checks),
        "questions": [{name: _get(q, name) for name in ("key", "text", "kind", "options", "help", "asked_when")}
                      for q in questions],
        "materials": [{name: _get(m, name) for name in ("name", "required_when", "necessity")} for m in materials],
        "item": item_values or {},
    }


def _raw(stream) -> list:
    if stream is None:
        return []
    if hasattr(stream, "get_prep_value"):
        return stream.get_prep_value()
    return list(stream)


def _get(thing, name):
    return thing.get(name) if isinstance(thing, dict) else getattr(thing, name, None)


def parse_options(text) -> list[dict]:
    """Options one per line, ``值=显示文字`` or the text alone (then the value is the text)."""
    options = []
    for line in str(text or "").replace("＝", "=").splitlines():
        line = line.strip()
        if line:
            value, _sep, label = line.partition("=")
            options.append({"value": value.strip(), "label": (label or value).strip()})
    return options


def _number(value):
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal | str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, int | float) and math.isfinite(value):
        return int(value) if float(value).is_integer() else value
    return None


def _all_of(rules):
    rules = [r for r in rules if r is not None]
    if not rules:
        return None
    if len(rules) == 1:
        return rules[0]
    flat = []
    for rule in rules:
        flat.extend(rule["and"] if list(rule) == ["and"] and isinstance(rule["and"], list) else [rule])
    return {"and": flat}


def _compiled(rule):
    if rule is None:
        return None
    try:
        return logic.compile(rule)
    except logic.RuleError:
        return lambda data: True  # counts as holding (see compile_form)


class _Compiler:
    def __init__(self, source):
        self.source = source
        self.problems: list[Problem] = []
        self.questions = [q for q in source.get("questions") or [] if q.get("key")]
        self.materials = {m.get("name"): m for m in source.get("materials") or []}
        self.variables = rule_variables([q["key"] for q in self.questions])
        self.syntax_questions = list(self.questions)  # grows with the form's choice fields
        self.keys: dict[str, tuple] = {}
        self.fields: list[Field] = []
        self.labels: dict = {}
        self.rules_out: list[dict] = []
        self.steps_out: list[dict] = []
        self.step_rules: list[dict] = []
        self.situation_schema = {"type": "object", "additionalProperties": False, "properties": {}}
        self.form_schema = {"type": "object", "additionalProperties": False, "properties": {}}
        self.checks: list = []
        self.checks_out: list[dict] = []

    # --- helpers ---------------------------------------------------------------------------------------------
    def problem(self, location, message):
        self.problems.append(Problem(tuple(location), message))

    def rule(self, text, location, variables=None):
        try:
            return rule_text.parse(text, syntax.Questions(self.syntax_questions),
                                   self.variables if variables is None else variables)
        except rule_text.RuleTextError as error:
            self.problem(location, error.message)
            return None

    def claim(self, key, location):
        if key in self.keys:
            self.problem((*location, "key"), f"字段标识「{key}」重复：同一表单中的标识不能相同")
            return False
        self.keys[key] = tuple(location)
        return True

    # --- the whole ---------------------------------------------------------------------------------------------
    def run(self):
        if self.source.get("situations_first", True) and self.questions:
            self.situation_step()
        for index, step in enumerate(self.source.get("steps") or []):
            if step.get("type") == "step":
                self.step(step.get("value") or {}, ("steps", index))
        every = self.variables
        for index, check in enumerate(self.source.get("checks") or []):
            value = check.get("value") or {}
            location = ("checks", index)
            rule = self.rule(value.get("rule"), (*location, "rule"), every)
            target = (value.get("field") or "").strip()
            path = ("form", target) if target else ()
            if target and target not in self.keys:
                self.problem((*location, "field"), f"没有字段「{target}」")
                path = ()
            if rule is None:
                if not (value.get("rule") or "").strip():
                    self.problem((*location, "rule"), "请填写规则")
                continue
            message = (value.get("message") or "").strip() or "填写的内容不符合要求"
            self.checks.append((_compiled(rule), message, path))
            self.checks_out.append({"rule": rule, "message": message, "path": ".".join(path) or None})

    def situation_step(self):
        fields_out = []
        for question in self.questions:
            key, kind = question["key"], question.get("kind") or "single"
            options = [o for o in question.get("options") or [] if isinstance(o, dict)]
            values = [str(o.get("value")) for o in options]
            labels = {str(o.get("value")): str(o.get("label") or o.get("value")) for o in options}
            asked = question.get("asked_when") or None
            item = Field(key=key, type="checkboxes" if kind == "multiple" else "radio", label=question["text"],
                         root="situation", visible=_compiled(asked), required=True, schema_required=asked is None,
                         options=labels)
            self.fields.append(item)
            self.labels[("situation", key)] = item
            enum = {"type": "string", "enum": values}
            self.situation_schema["properties"][key] = (
                {"title": question["text"], "type": "array", "items": enum, "uniqueItems": True}
                if kind == "multiple" else {"title": question["text"], **enum})
            item.test = checker.child(self.situation_schema["properties"][key])
            if asked is None:
                self.situation_schema.setdefault("required", []).append(key)
            else:
                self.rules_out.append({"path": f"situation.{key}", "visible_when": asked})
            fields_out.append({
                "key": key, "path": f"situation.{key}", "type": item.type, "widget": item.type,
                "label": question["text"], "help": question.get("help") or "", "required": True,
                "options": [{"value": v, "label": labels[v]} for v in values],
            })
        self.steps_out.append({"key": "situation", "title": self.source.get("situations_title") or "办理情形",
                               "help": "", "fields": fields_out})

    def step(self, value, location):
        key = (value.get("key") or "").strip()
        if key == "situation":
            self.problem((*location, "key"), "步骤标识不能用 situation（留给情形问题）")
        elif key:
            self.claim(key, location)
        shown = self.rule(value.get("visible_when"), (*location, "visible_when"))
        if shown is not None:
            self.step_rules.append({"key": key, "visible_when": shown})
        fields_out = []
        for index, block in enumerate(value.get("fields") or []):
            here = (*location, "fields", index)
            out = self.block(block.get("type"), block.get("value") or {}, here, [shown], conditional=shown)
            if out is not None:
                fields_out.append(out)
        self.steps_out.append({"key": key, "title": value.get("title") or "", "help": value.get("help_text") or "",
                               "visible_when": shown, "fields": fields_out})

    def block(self, kind, value, location, conditions, conditional=None, container=None):
        if kind == "group":
            return self.group(value, location, conditions)
        if kind == "repeat":
            return self.repeat(value, location, conditions)
        return self.field(kind, value, location, conditions, conditional, container)

    def group(self, value, location, conditions):
        key = (value.get("key") or "").strip()
        self.claim(key, location)
        shown = self.rule(value.get("visible_when"), (*location, "visible_when"))
        children = []
        for index, block in enumerate(value.get("fields") or []):
            here = (*location, "fields", index)
            out = self.field(block.get("type"), block.get("value") or {}, here, [*conditions, shown],
                             conditional=_all_of([*conditions, shown]))
            if out is not None:
                children.append(out)
        return {"key": key, "type": "group", "widget": "group", "label": value.get("label") or "",
                "help": value.get("help_text") or "", "visible_when": shown, "fields": children}

    def repeat(self, value, location, conditions):
        key = (value.get("key") or "").strip()
        if not self.claim(key, location):
            return None
        label = value.get("label") or key
        shown = self.rule(value.get("visible_when"), (*location, "visible_when"))
        visible = _all_of([*conditions, shown])
        low, high = int(value.get("min_count") or 0), int(value.get("max_count") or 10)
        if low > high:
            self.problem((*location, "min_count"), "最少项数不能大于最多项数")
        group = Field(key=key, type="repeat", label=label, root="form", visible=_compiled(visible),
                      required=low > 0, schema_required=low > 0 and visible is None)
        self.fields.append(group)
        self.labels[("form", key)] = group
        self.labels[("form", key, "*")] = group
        rows_schema = {"type": "object", "additionalProperties": False, "properties": {}}
        children = []
        for index, block in enumerate(value.get("fields") or []):
            kind = block.get("type")
            here = (*location, "fields", index)
            if kind == "upload":
                self.problem((*here, "material"), "可重复分组中不能放材料上传（材料属于整个申请）")
                continue
            out = self.field(kind, block.get("value") or {}, here, [], conditional=None, container=group,
                             schema=rows_schema)
            if out is not None:
                children.append(out)
        array = {"title": label, "type": "array", "maxItems": high, "items": rows_schema}
        if low:
            array["minItems"] = low
        self.form_schema["properties"][key] = array
        group.test = checker.child(array)
        if group.schema_required:
            self.form_schema.setdefault("required", []).append(key)
        if visible is not None:
            self.rules_out.append({"path": f"form.{key}", "visible_when": visible})
        self.variables = self.variables | {f"form.{key}", f"form.{key}.*"}
        return {"key": key, "path": f"form.{key}", "type": "repeat", "widget": "repeat", "label": label,
                "help": value.get("help_text") or "", "item_label": value.get("item_label") or label,
                "min_count": low, "max_count": high, "required": low > 0, "fields": children}

    # --- one field ------------------------------------------------------------------------------------------------
    def field(self, kind, value, location, conditions, conditional=None, container=None, schema=None):
        if kind not in WIDGETS:
            self.problem(location, f"不认识的字段类型「{kind}」")
            return None
        key = (value.get("key") or "").strip()
        if not key or not self.claim(key, location):
            return None
        label = (value.get("label") or "").strip() or key
        path = f"form.{container.key}[*].{key}" if container else f"form.{key}"
        out = {"key": key, "path": path, "type": kind, "widget": WIDGETS[kind], "label": label,
               "help": value.get("help_text") or ""}
        if kind == "static_text":
            shown = self.rule(value.get("visible_when"), (*location, "visible_when"))
            return {**out, "text": value.get("text") or "", "visible_when": _all_of([*conditions, shown])}
        options = []
        if kind in ("radio", "select", "checkboxes"):
            options = parse_options(value.get("options"))
            values = [o["value"] for o in options]
            if not options:
                self.problem((*location, "options"), "请至少填写一个选项")
            elif len(set(values)) != len(values):
                self.problem((*location, "options"), "选项的值重复：每个选项的值应不同")
        elif kind == "yes_no":
            options = YES_NO
        item = Field(key=key, type=kind, label=label, root=None if container else "form",
                     options={o["value"]: o["label"] for o in options},
                     pattern_message=(value.get("pattern_message") or "").strip())
        rules = {}
        if kind == "upload":
            material = self.materials.get((value.get("material") or "").strip())
            if material is None:
                names = "、".join(n for n in self.materials if n) or "（本事项没有申请材料）"
                self.problem((*location, "material"), f"没有名为「{value.get('material') or ''}」的申请材料；"
                                                      f"本事项的材料：{names}")
                return None
            if conditional is not None:
                self.problem(location, "材料上传的显示条件由材料的适用条件决定，不能放在有显示条件的步骤或分组中")
            visible_rule = material.get("required_when") or None
            item.required = (material.get("necessity") or "") not in OPTIONAL_NECESSITIES
            out.update(material=material.get("name"), accept=[t.strip().lower().lstrip(".") for t in
                                                              str(value.get("accept") or "").split(",") if t.strip()],
                       max_size_mb=int(value.get("max_size_mb") or 10), max_files=int(value.get("max_files") or 1))
        else:
            shown = self.rule(value.get("visible_when"), (*location, "visible_when"))
            visible_rule = _all_of([*conditions, shown])
            item.required = bool(value.get("required")) or kind == "declaration"
            required_when = self.rule(value.get("required_when"), (*location, "required_when"))
            if required_when is not None:
                item.required_when = _compiled(required_when)
                rules["required_when"] = required_when
            if kind in ("number", "amount") and (value.get("value") or "").strip():
                computed = self.rule(value.get("value"), (*location, "value"))
                if computed is not None:
                    if container is not None:
                        self.problem((*location, "value"), "可重复分组中的字段不能设置计算公式")
                    item.value, rules["value"] = _compiled(computed), computed
                    item.required = False
                    out["readonly"] = True
        if visible_rule is not None:
            rules["visible_when"] = visible_rule
        item.visible = _compiled(visible_rule)
        item.schema_required = item.required and visible_rule is None and item.required_when is None \
            and item.value is None
        field_schema = self.value_schema(kind, value, label, location, options, out)
        item.test = checker.child(field_schema)
        target = schema if schema is not None else self.form_schema
        target["properties"][key] = field_schema
        if item.schema_required:
            target.setdefault("required", []).append(key)
        out["required"] = item.required
        for name in ("placeholder", "prefill"):
            if value.get(name):
                out[name] = value[name]
        if value.get("default") not in (None, ""):
            out["default"] = _number(value["default"]) if kind in ("number", "amount") else value["default"]
        if options:
            out["options"] = options
        out.update(INPUT_HINTS.get(kind, {}))
        if kind == "division":
            out["level"] = value.get("level") or "county"
        if kind == "declaration":
            out["text"] = value.get("text") or ""
        if rules:
            self.rules_out.append({"path": path, **rules})
        if container is not None:
            container.rows.append(item)
            self.labels[("form", container.key, "*", key)] = item
        else:
            self.fields.append(item)
            self.labels[("form", key)] = item
            self.variables = self.variables | {f"form.{key}"} | ({f"form.{key}.*"} if kind == "date_range" else set())
            if kind in CHOICE_TYPES:
                self.syntax_questions.append(rule_text.as_question({"key": key, "type": kind, "label": label,
                                                                    "options": options}))
        if kind == "date_range":
            base = ("form", container.key, "*", key) if container else ("form", key)
            self.labels[(*base, "start")] = Field(key="start", type="date", label=f"{label}（开始日期）", root=None)
            self.labels[(*base, "end")] = Field(key="end", type="date", label=f"{label}（结束日期）", root=None)
        return out

    def value_schema(self, kind, value, label, location, options, out) -> dict:
        schema = {"title": label}
        if kind in ("text", "textarea"):
            schema.update(type="string", maxLength=int(value.get("max_length") or (200 if kind == "text" else 2000)))
            if value.get("min_length"):
                schema["minLength"] = int(value["min_length"])
                if schema["minLength"] > schema["maxLength"]:
                    self.problem((*location, "min_length"), "最少字数不能大于最多字数")
            pattern = (value.get("pattern") or "").strip()
            if pattern:
                try:
                    re.compile(pattern)
                    schema["pattern"] = pattern
                except re.error as error:
                    self.problem((*location, "pattern"), f"格式（正则表达式）写法有误：{error}")
        elif kind == "person_name":
            schema.update(type="string", maxLength=50, pattern=NAME_PATTERN)
        elif kind in ("id_number", "credit_code", "mobile", "postcode", "division"):
            schema.update(type="string", format={"id_number": "cn-resident-id", "credit_code": "cn-credit-code",
                                                 "mobile": "cn-mobile", "postcode": "cn-postcode",
                                                 "division": "cn-division-code"}[kind])
        elif kind == "phone":
            schema.update(type="string", pattern=PHONE_PATTERN)
        elif kind == "email":
            schema.update(type="string", format="email", maxLength=254)
        elif kind == "address":
            schema.update(type="string", maxLength=200)
        elif kind in ("number", "amount"):
            schema["type"] = "number"
            if kind == "amount":
                schema["format"] = "cn-amount"
            low, high = _number(value.get("min_value")), _number(value.get("max_value"))
            if kind == "amount" and low is None:
                low = 0
            if low is not None:
                schema["minimum"] = low
            if high is not None:
                schema["maximum"] = high
            if low is not None and high is not None and low > high:
                self.problem((*location, "min_value"), "最小值不能大于最大值")
            if out.get("readonly"):
                schema["readOnly"] = True
        elif kind == "date":
            schema.update(type="string", format="date")
        elif kind == "date_range":
            day = {"type": "string", "format": "date"}
            schema.update(type="object", additionalProperties=False, required=["start", "end"],
                          properties={"start": {"title": "开始日期", **day}, "end": {"title": "结束日期", **day}})
        elif kind in ("radio", "select", "yes_no"):
            schema.update(type="string", enum=[o["value"] for o in options])
        elif kind == "checkboxes":
            schema.update(type="array", uniqueItems=True, items={"type": "string", "enum": [o["value"] for o in
                                                                                         options]})
            low, high = value.get("min_count"), value.get("max_count")
            if low:
                schema["minItems"] = int(low)
            if high:
                schema["maxItems"] = int(high)
        elif kind == "upload":
            schema.update(type="array", uniqueItems=True, maxItems=out["max_files"],
                          items={"type": "string", "pattern": UPLOAD_TOKEN})
        elif kind == "declaration":
            schema.update(type="boolean", const=True)
        return schema

    def result(self) -> CompiledForm:
        properties = {"situation": self.situation_schema, "form": self.form_schema}
        schema = {"$schema": DIALECT, "title": self.source.get("title") or "", "type": "object",
                  "additionalProperties": False, "properties": properties}
        jsonschema.Draft202012Validator.check_schema(schema)
        ui = {"title": self.source.get("title") or "", "steps": self.steps_out}
        rules = {"fields": self.rules_out, "steps": self.step_rules, "checks": self.checks_out}
        date_ranges = [f for f in self.fields if f.type == "date_range"]
        checks = [*((_date_order(f.key), "结束日期不能早于开始日期", ("form", f.key, "end")) for f in date_ranges),
                  *self.checks]
        return CompiledForm(schema=schema, ui=ui, rules=rules, fields=tuple(self.fields), checks=tuple(checks),
                            labels=self.labels, item=self.source.get("item") or {},
                            check_schema=checker.compile_schema(schema), problems=tuple(self.problems),
                            keys={root: frozenset(f.key for f in self.fields if f.root == root)
                                  for root in ("situation", "form")})


def _date_order(key):
    start, end = {"var": f"form.{key}.start"}, {"var": f"form.{key}.end"}
    # ISO dates compare as text; a range with a part missing or malformed is the schema's to report.
    rule = {"or": [{"!": [{"var": f"form.{key}.start"}]}, {"!": [{"var": f"form.{key}.end"}]},
                   {"<=": [start, end]}]}
    return logic.compile(rule)
