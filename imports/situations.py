"""Situation questions and rules in the spreadsheet: the 情形 sheet's 提问条件 and the materials' 适用情形, written in
the readable syntax of rules.syntax, compiled when a file is imported and rendered back when items are exported.

A material's 适用情形 is its rule where its item has situation questions: the file's 情形 rows for the item or, when
the file has no 情形 sheet, the item's current questions (a 情形 sheet replaces every question of the items it
touches, as every child sheet does). The text then stays the material's description. Where the item has no
questions the cell is free text, as in the departments' own lists, and the material has no rule. A file with a 情形
sheet and no materials sheet keeps the items' materials: their rules must then not name a question it takes away.
"""

import json
from collections import defaultdict
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rules import syntax
from rules.models import QuestionKind, SituationQuestion

QUESTION_FIELDS = ("key", "text", "kind", "options")


@dataclass
class CellError:
    row: int
    column: str  # the column's key in imports.spec
    value: str
    message: str


def compile_questions(rows: list[tuple[int, dict]]) -> list[CellError]:
    """One item's 情形 rows, (row number, fields) in file order: each key once, the kind 单选 where none is given, and
    the 提问条件 compiled over the questions above it (fields["asked_when"] becomes its rule, or None)."""
    errors, earlier, first_row = [], [], {}
    for number, fields in rows:
        key = fields["key"]
        if key in first_row:
            errors.append(CellError(number, "key", key, _("问题标识“%(key)s”在本事项中重复（第%(row)d行已有）")
                                    % {"key": key, "row": first_row[key]}))
        else:
            first_row[key] = number
        fields["kind"] = fields.get("kind") or QuestionKind.SINGLE
        text = fields.get("asked_when") or ""
        fields["asked_when"] = None
        if text:
            try:
                fields["asked_when"] = syntax.parse(text, earlier)
            except syntax.RuleSyntaxError as exc:
                errors.append(CellError(number, "asked_when", text, _asked_when_message(exc, text, rows)))
        earlier.append(fields)
    return errors


def _asked_when_message(exc: syntax.RuleSyntaxError, text: str, rows) -> str:
    """Say so when the condition would read over all of the item's questions: it names this one or a later one."""
    try:
        syntax.parse(text, [fields for _number, fields in rows])
    except syntax.RuleSyntaxError:
        return exc.message
    return _("提问条件只能引用本事项排在前面的问题")


class MaterialRules:
    """The 适用情形 of materials compiled to their required_when, each distinct text once per set of questions (a
    province's items share a few sets, and their materials a few texts)."""

    def __init__(self):
        self.sets: dict[str, tuple[syntax.Questions, dict]] = {}

    def compile(self, questions: list[dict], rows: list[tuple[int, dict]]) -> list[CellError]:
        signature = json.dumps([[q.get(name) for name in QUESTION_FIELDS] for q in questions], ensure_ascii=False)
        entry = self.sets.get(signature)
        if entry is None:
            entry = self.sets[signature] = (syntax.Questions(questions), {})
        vocabulary, parsed = entry
        errors = []
        for number, fields in rows:
            text = fields.get("situations")
            if not text:
                continue  # required in every situation
            found = parsed.get(text)
            if found is None:
                try:
                    found = syntax.parse(text, vocabulary)
                except syntax.RuleSyntaxError as exc:
                    found = exc
                parsed[text] = found
            if isinstance(found, syntax.RuleSyntaxError):
                errors.append(CellError(number, "situations", text, found.message))
            else:
                fields["required_when"] = found
        return errors


def stored_questions(states: dict[int, object]) -> dict[int, list[dict]]:
    """Item id → its questions now, for items' current states (the item's row, or its pending draft)."""
    found, rows = {}, []
    for pk, state in states.items():
        if not getattr(state, "_from_revision", False):  # a row: its questions are rows too (else a draft)
            rows.append(pk)
        else:
            found[pk] = [{name: getattr(q, name) for name in QUESTION_FIELDS} for q in state.situation_questions.all()]
    for start in range(0, len(rows), 5000):
        for item_id, *values in SituationQuestion.objects.filter(item_id__in=rows[start : start + 5000]).order_by(
                "item_id", "sort_order", "pk").values_list("item_id", *QUESTION_FIELDS):
            found.setdefault(item_id, []).append(dict(zip(QUESTION_FIELDS, values, strict=True)))
    return found


def rule_text(rule, questions) -> str | None:
    """A rule as the template writes it: the readable syntax, or its JSON text where it has no readable form."""
    if rule is None:
        return None
    return syntax.render(rule, questions) or json.dumps(rule, ensure_ascii=False)


class ExportRules:
    """The rule cells of the exported items: 提问条件 and 适用情形, written so that importing them gives them back."""

    def __init__(self, item_ids):
        self.questions: dict[int, list[dict]] = defaultdict(list)
        self.position: dict[int, int] = {}  # question pk → its place among its item's questions
        for pk, item_id, *values in SituationQuestion.objects.filter(item_id__in=item_ids).order_by(
                "item_id", "sort_order", "pk").values_list("pk", "item_id", *QUESTION_FIELDS):
            self.position[pk] = len(self.questions[item_id])
            self.questions[item_id].append(dict(zip(QUESTION_FIELDS, values, strict=True)))
        self.vocabularies: dict[int, syntax.Questions] = {}

    def rewrite(self, relation: str, columns, item_id: int, pk: int, fields: dict, values: list):
        """values: a child row's cells, in the order of its sheet's columns; its rule cells are written here."""
        if relation == "situation_questions":
            earlier = self.questions[item_id][: self.position.get(pk, 0)]
            values[_index(columns, "asked_when")] = rule_text(fields["asked_when"], earlier)
        elif relation == "materials":
            values[_index(columns, "situations")] = self.situations(item_id, fields["situations"],
                                                                    fields["required_when"])

    def situations(self, item_id: int, text: str, rule) -> str | None:
        """Free text where the item has no questions. Where it has, the cell is the rule: the material's
        description where it reads as its rule (as imported), else the rule's own text (empty for no rule)."""
        if not self.questions.get(item_id):
            return text or None
        vocabulary = self.vocabularies.get(item_id)
        if vocabulary is None:
            vocabulary = self.vocabularies[item_id] = syntax.Questions(self.questions[item_id])
        if text:
            try:
                if syntax.parse(text, vocabulary) == rule:
                    return text
            except syntax.RuleSyntaxError:
                pass
        return rule_text(rule, vocabulary)


def _index(columns, key) -> int:
    return next(i for i, column in enumerate(columns) if column.key == key)


def situation_keys(rule) -> set[str]:
    """The situation questions a rule names (situation.<key>)."""
    keys, stack = set(), [rule]
    while stack:
        node = stack.pop()
        if type(node) is list:
            stack.extend(node)
        elif type(node) is dict:
            for op, args in node.items():
                name = args[0] if op == "var" and type(args) is list and args else args
                if op == "var" and type(name) is str and name.startswith("situation."):
                    keys.add(name[len("situation."):].split(".", 1)[0])
                else:
                    stack.append(args)
    return keys


def stored_material_rules(states: dict[int, object]) -> dict[int, list[tuple[str, dict]]]:
    """Item id → (name, rule) of its materials that have one now, for items' current states (row or draft)."""
    from catalog.models import Material

    found, rows = defaultdict(list), []
    for pk, state in states.items():
        if not getattr(state, "_from_revision", False):
            rows.append(pk)
        else:
            found[pk] = [(m.name, m.required_when) for m in state.materials.all() if m.required_when is not None]
    for start in range(0, len(rows), 5000):
        for item_id, name, rule in Material.objects.filter(item_id__in=rows[start : start + 5000],
                                                           required_when__isnull=False).order_by(
                "item_id", "sort_order", "pk").values_list("item_id", "name", "required_when"):
            found[item_id].append((name, rule))
    return found


def rules_left_without_questions(questions: list[dict], rules: list[tuple[str, dict]]) -> list[tuple[str, str]]:
    """(material, question key) for each kept material rule that names a question the item's new questions lack."""
    keys = {q["key"] for q in questions}
    return [(name, key) for name, rule in rules for key in sorted(situation_keys(rule) - keys)]
