"""The 表单字段 sheet: an item's online form, one field a row, read into its one FormDefinition and written back.

The rows of an item replace the steps of its form (items without rows keep theirs). What the sheet has no column
for is kept from the item's current form where a field of the same key and type (a step of the same name) is
there: placeholders, lengths, upload limits, the cross-field checks. A form is compiled with the item's questions
and materials as the file leaves them, so a rule that does not read is a row error like any other. Only forms of
plain fields are written back: a form with groups (designed in the admin) is left out of the sheet and is kept.
"""

import json
from collections import defaultdict

from django.utils.translation import gettext as _

from formbuilder.service import FormDefinitionError, compile_form, definition_source
from formbuilder.transfer import clean_steps, field_types
from rules.models import key_validator

from .situations import CellError
from .spec import FORM_SHEET, MATERIALS_SHEET, SITUATIONS_SHEET

CHOICES = ("radio", "select", "checkboxes")
CONTENT = {"upload": "material", "declaration": "text", "static_text": "text"}  # what 选项 holds for these
SETTINGS = {"title": "", "situations_first": True, "situations_title": "办理情形"}


def type_names() -> dict[str, str]:
    """Chinese name (and the type's own name) → field type."""
    names = {}
    for name, block in field_types().items():
        names[str(block.label)] = name
        names[name] = name
    return names


def _options_text(cell: str) -> str:
    return "\n".join(part.strip() for part in cell.replace("｜", "|").split("|") if part.strip())


def build_steps(rows, current) -> tuple[list, dict, list[CellError]]:
    """One item's rows as the steps' raw data: (steps, {(step, field index): row}, errors)."""
    names, blocks = type_names(), field_types()
    kept_steps = {s["value"].get("title"): s["value"] for s in (current or [])}
    kept_fields = {}
    for step in current or []:
        for entry in step["value"].get("fields", []):
            kept_fields[(entry["type"], entry["value"].get("key"))] = entry["value"]
    steps, where, errors, first_row, used = {}, {}, [], {}, set()
    for number, fields in rows:
        kind = names.get((fields.get("field_type") or "").strip())
        key = fields.get("field_key") or ""
        if kind is None:
            errors.append(CellError(number, "field_type", fields.get("field_type") or "",
                                    _("没有这种字段类型：“%(type)s”") % {"type": fields.get("field_type") or ""}))
            continue
        if not key_validator.regex.fullmatch(key):
            errors.append(CellError(number, "field_key", key, _("字段标识“%(key)s”不可用：%(rule)s")
                                    % {"key": key[:50], "rule": key_validator.message}))
            continue
        if key in first_row:
            errors.append(CellError(number, "field_key", key,
                                    _("字段标识“%(key)s”在本事项的表单中重复（第%(row)d行已有）")
                                    % {"key": key, "row": first_row[key]}))
            continue
        first_row[key] = number
        children = blocks[kind].child_blocks
        value = dict(kept_fields.get((kind, key), {}))
        value.update(key=key, label=fields.get("label") or "", help_text=fields.get("help_text") or "")
        for name in ("visible_when", "required_when"):
            if name in children:
                value[name] = fields.get(name) or ""
            elif fields.get(name):
                errors.append(CellError(number, name, fields[name], _("这种字段不能设置%(what)s")
                                        % {"what": FORM_SHEET.column(name).header}))
        if "required" in children:
            value["required"] = bool(fields.get("required"))
        cell = fields.get("options") or ""
        if kind in CHOICES:
            value["options"] = _options_text(cell)
            if not value["options"]:
                errors.append(CellError(number, "options", cell, _("单选、下拉选择、多选须填写选项，如 是|否")))
        elif kind in CONTENT:
            value[CONTENT[kind]] = cell
        title = fields.get("step") or ""
        if title not in steps:
            kept = kept_steps.get(title, {})
            step_key = kept.get("key") or f"step{len(steps) + 1}"
            while step_key in used:
                step_key += "_"
            used.add(step_key)
            steps[title] = {"key": step_key, "title": title, "help_text": kept.get("help_text", ""),
                            "visible_when": kept.get("visible_when", ""), "fields": []}
        where[(list(steps).index(title), len(steps[title]["fields"]))] = number
        steps[title]["fields"].append({"type": kind, "value": value})
    return [{"type": "step", "value": step} for step in steps.values()], where, errors


def _column_of(location) -> str | None:
    name = location[4] if len(location) > 4 else None
    if name in ("visible_when", "required_when", "label", "required"):
        return name
    if name in ("options", "material", "text"):
        return "options"
    return "field_key" if name == "key" else None


class FormPlan:
    """The forms of the file's items, planned inside the Importer (imports.service)."""

    def __init__(self, importer):
        self.importer = importer
        self.changed: set[str] = set()

    def compile(self):
        importer = self.importer
        sheets = importer.result.workbook.sheets
        sheet = sheets.get(FORM_SHEET.name)
        if sheet is None:
            return self  # (no sheet: no cost)
        importer._resolve_unknown_children(sheet)
        by_code = importer.children[FORM_SHEET.relation]
        if importer.states is None:
            importer.states = {}
        missing = [r.existing for r in importer.items.values() if r.existing and r.existing.pk not in importer.states]
        if missing:  # (items only this sheet names are looked up after the rules' sheets)
            importer.states.update(importer._current_states(missing))
        file_questions = importer.children[SITUATIONS_SHEET.relation] if SITUATIONS_SHEET.name in sheets else None
        file_materials = importer.children[MATERIALS_SHEET.relation] if MATERIALS_SHEET.name in sheets else None
        for code, rows in list(by_code.items()):
            row = importer.items[code]
            state = importer.states.get(row.existing.pk) if row.existing is not None else None
            definition = next(iter(state.form_definitions.all()), None) if state is not None else None
            current = definition_source(definition, [], []) if definition is not None else None
            steps, where, errors = build_steps(rows, current["steps"] if current else [])
            if not errors:
                steps, messages = clean_steps(steps)
                errors = [CellError(rows[0][0], "field_key", "", m) for m in messages]
            fields = {**SETTINGS, **({k: current[k] for k in SETTINGS} if current else {}),
                      "steps": steps, "checks": current["checks"] if current else []}
            if not errors:
                errors = self._compile_errors(fields, where, rows, _questions(file_questions, code, state),
                                              _materials(file_materials, code, state))
            for error in errors:
                importer.error(sheet.source_name, error.row, sheet.headers.get(error.column, FORM_SHEET.column(
                    error.column).header), error.value, error.message)
            # One FormDefinition per item, its streams as JSON text (as a revision's content holds them).
            by_code[code] = [(rows[0][0], {**fields, "steps": json.dumps(steps, ensure_ascii=False),
                                           "checks": json.dumps(fields["checks"], ensure_ascii=False)})]
            if current is None or {k: current[k] for k in (*SETTINGS, "checks")} != {
                    k: fields[k] for k in (*SETTINGS, "checks")} or clean_steps(current["steps"])[0] != steps:
                self.changed.add(code)
        return self

    @staticmethod
    def _compile_errors(fields, where, rows, questions, materials) -> list[CellError]:
        source = {**fields, "questions": questions, "materials": materials, "item": {}}
        try:
            compile_form(source)
        except FormDefinitionError as error:
            found = []
            for problem in error.problems:
                location = problem.location
                number = where.get((location[1], location[3])) if len(location) > 3 and location[0] == "steps" \
                    else None
                found.append(CellError(number or rows[0][0], _column_of(location) or "field_key", "",
                                       problem.message))
            return found
        return []


def _questions(file_rows, code, state) -> list[dict]:
    if file_rows is not None:
        return [dict(fields) for _n, fields in file_rows.get(code, [])]
    if state is None:
        return []
    return [{n: getattr(q, n) for n in ("key", "text", "kind", "options", "help", "asked_when")}
            for q in state.situation_questions.all()]


def _materials(file_rows, code, state) -> list[dict]:
    if file_rows is not None:
        return [{"name": f.get("name"), "required_when": f.get("required_when"), "necessity": f.get("necessity")}
                for _n, f in file_rows.get(code, [])]
    if state is None:
        return []
    return [{"name": m.name, "required_when": m.required_when, "necessity": m.necessity} for m in state.materials.all()]


# --- the export ----------------------------------------------------------------------------------------------
def form_rows(item_ids, codes: dict[int, str]):
    """The sheet's rows for the exported items' forms (their rows, as the export writes every sheet)."""
    from formbuilder.models import FormDefinition

    labels = {name: str(block.label) for name, block in field_types().items()}
    by_item = defaultdict(list)
    for definition in FormDefinition.objects.filter(item_id__in=item_ids).order_by("item_id"):
        steps = definition.steps.get_prep_value()
        if any(e["type"] not in labels for s in steps for e in s["value"].get("fields", [])):
            continue  # groups: kept as designed (no rows, so a re-import leaves the form alone)
        for step in steps:
            for entry in step["value"].get("fields", []):
                value, kind = entry["value"], entry["type"]
                if kind in CHOICES:
                    options = "|".join(line.strip() for line in (value.get("options") or "").splitlines()
                                       if line.strip())
                else:
                    options = value.get(CONTENT.get(kind, ""), "") or ""
                by_item[definition.item_id].append([
                    codes[definition.item_id], step["value"].get("title"), value.get("key"), labels[kind],
                    value.get("label") or None, "是" if value.get("required") else "否", options or None,
                    value.get("visible_when") or None, value.get("required_when") or None,
                    value.get("help_text") or None])
    for item_id in codes:
        yield from by_item.get(item_id, [])
