"""The rules of a form as departments write them: the readable syntax of rules/syntax.py over the item's situation
questions *and* the form's choice fields before the rule (是否委托他人代办=是), or a JSON Logic rule's JSON text.

rules.syntax knows situation questions only; a choice field is handed to it as a question whose key is
``form.<key>``. The syntax writes ``situation.<key>`` for a question, so such a condition comes back naming
``situation.form.<key>``, which no real question can be (keys have no dot) and is turned into ``form.<key>``."""

from rules import logic, syntax

_MARK = "situation.form."


class RuleTextError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def as_question(field) -> dict:
    """A choice field (dict with key, type, label, options) as rules.syntax reads a question."""
    return {"key": f"form.{field['key']}", "text": field["label"],
            "kind": "multiple" if field["type"] == "checkboxes" else "single", "options": field["options"]}


def parse(text: str, questions, variables: set[str]) -> dict | None:
    """The JSON Logic of a rule's text, checked against the variables it may name; None for an empty text."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        rule = syntax.parse(text, questions)
    except syntax.RuleSyntaxError as error:
        raise RuleTextError(error.message) from None
    if not text.startswith("{"):
        rule = _rename(rule)
    try:
        logic.validate(rule, variables)
        logic.compile(rule)
    except logic.RuleError as error:
        raise RuleTextError(error.message) from None
    return rule


def _rename(rule):
    if type(rule) is list:
        return [_rename(item) for item in rule]
    if type(rule) is not dict:
        return rule
    if list(rule) == ["var"] and type(rule["var"]) is str and rule["var"].startswith(_MARK):
        return {"var": "form." + rule["var"][len(_MARK):]}
    return {key: _rename(value) for key, value in rule.items()}
