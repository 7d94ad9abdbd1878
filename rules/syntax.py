"""The readable rule syntax of the import template (适用情形, 提问条件) and the form designer.

A condition names a situation question and some of its options: ``委托代办=是``, ``申请人类型=企业、个体户``,
``申请人类型≠企业`` (also ``!=``). Conditions combine with ``且`` (and, binds tighter) and ``或`` (or), with
parentheses. A question is named by its key or its text, an option by its label or its value. Spaces are free, and
full-width and half-width punctuation mean the same (＝ =, ，、 ,, （） (), ！ !).

parse() compiles a text into JSON Logic in the shapes the admin's rule builder writes (kept exactly: both sides
must compare equal); render() writes such a rule back, or returns None when it has no readable form. Callers then
keep the rule's JSON text, which parse() takes back when the text starts with "{".

Names are matched longest first, and a question's name must be followed by its operator, an option by a comma, a
parenthesis, 且, 或 or the end: so a question or an option may itself contain 且, 或 or parentheses.
"""

import json
import re

from django.utils.translation import gettext as _

from . import logic, vocabulary

MAX_LENGTH = 2000  # characters of a readable rule; a cell of the template is far shorter
MAX_NESTING = 16  # parentheses inside parentheses

_FOLD = str.maketrans({"＝": "=", "，": ",", "、": ",", "（": "(", "）": ")", "！": "!"})
_SPACE = re.compile(r"\s")
_OPTION_END = ",)且或"
_AND, _OR, _NOT_EQUAL, _SEPARATOR = "且", "或", "≠", "、"


class RuleSyntaxError(ValueError):
    """A text that is not a rule over the given questions; ``message`` (Chinese) names what is wrong and where."""

    def __init__(self, message: str, position: int | None = None):
        super().__init__(message)
        self.message = message
        self.position = position  # 1-based character of the text, None when the whole text is at fault


def _fold(text: str) -> tuple[str, list[int]]:
    """The text without spaces and with half-width punctuation, and each kept character's place in the text."""
    folded, places = [], []
    for place, char in enumerate(text.translate(_FOLD)):
        if not _SPACE.match(char):
            folded.append(char)
            places.append(place)
    return "".join(folded), places


def _get(question, name, default=None):
    return question.get(name, default) if isinstance(question, dict) else getattr(question, name, default)


class Questions:
    """The questions of one rule set, prepared once for parsing and rendering many texts."""

    def __init__(self, questions):
        self.list = list(questions)
        self.by_key = {}
        names = {}
        for question in self.list:
            key = str(_get(question, "key") or "")
            self.by_key.setdefault(key, question)
            for name in (key, str(_get(question, "text") or "")):
                folded = _fold(name)[0]
                if folded:
                    names.setdefault(folded, question)
        # Longest first: a question's text may begin with another question's text.
        self.names = sorted(names.items(), key=lambda pair: -len(pair[0]))
        self.options = {}  # key → ([(folded name, value)], longest first; {value: label})
        for key, question in self.by_key.items():
            lookup, labels = {}, {}
            # (a value that is no text or number cannot be written in a cell: such an option is left out)
            options = [o for o in _get(question, "options") or [] if isinstance(o, dict)
                       and isinstance(o.get("value"), str | int | float)]
            for option in options:  # labels before values: a label wins over another option's equal value
                lookup.setdefault(_fold(str(option.get("label", "")))[0], option.get("value"))
                labels.setdefault(option.get("value"), str(option.get("label", "")))
            for option in options:
                lookup.setdefault(_fold(str(option.get("value", "")))[0], option.get("value"))
            lookup.pop("", None)
            self.options[key] = (sorted(lookup.items(), key=lambda pair: -len(pair[0])), labels)

    def kind(self, key) -> str:
        return _get(self.by_key[key], "kind") or "single"

    def text(self, key) -> str:
        return str(_get(self.by_key[key], "text") or key)

    def labels(self, key) -> str:
        return _SEPARATOR.join(label for label in self.options[key][1].values())

    def known(self) -> str:
        return _SEPARATOR.join(self.text(key) for key in self.by_key) or _("（本事项没有情形问题）")


def questions_of(questions) -> Questions:
    return questions if isinstance(questions, Questions) else Questions(questions)


# --- parsing --------------------------------------------------------------------------------------------------

def parse(text: str, questions) -> dict:
    """The JSON Logic of a readable rule (or of a rule's JSON text) over the questions; RuleSyntaxError if none."""
    questions = questions_of(questions)
    text = str(text or "")
    if text.strip().startswith("{"):
        return _parse_json(text, questions)
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(_("规则过长（%(n)d个字符，最多%(max)d个）") % {"n": len(text), "max": MAX_LENGTH})
    folded, places = _fold(text)
    if not folded:
        raise RuleSyntaxError(_("规则是空的"))
    return _Parser(text, folded, places, questions).parse()


def _parse_json(text: str, questions: Questions) -> dict:
    try:
        rule = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RuleSyntaxError(_("规则的 JSON 写法有误（第%(n)d个字符处）") % {"n": exc.pos + 1}, exc.pos + 1) from None
    if not logic.is_logic(rule):
        raise RuleSyntaxError(_("JSON 写法的规则须是一个运算，如 {\"==\": [{\"var\": \"situation.agent\"}, \"yes\"]}"))
    allowed = vocabulary.variables(questions.by_key) | {"form.*"}  # the form is not known to the import
    try:
        logic.validate(rule, allowed)
    except logic.RuleError as exc:
        raise RuleSyntaxError(exc.message) from None
    return rule


class _Parser:
    def __init__(self, text, folded, places, questions: Questions):
        self.text, self.s, self.places, self.questions = text, folded, places, questions
        self.i = 0

    def parse(self) -> dict:
        rule = self.any_of(0)
        if self.i < len(self.s):
            if self.s[self.i] == ")":
                self.fail(_("%(at)s多了一个右括号“）”"))
            self.fail(_("%(at)s应为“且”或“或”，实为「%(rest)s」"), rest=self.rest())
        return rule

    # where and what, for the messages
    def position(self, i=None) -> int:
        i = self.i if i is None else i
        return self.places[i] + 1 if i < len(self.places) else len(self.text) + 1

    def at(self, i=None) -> str:
        i = self.i if i is None else i
        if i >= len(self.s):
            return _("规则末尾")
        return _("第%(n)d个字符处") % {"n": self.position(i)}

    def original(self, start, end) -> str:
        """The text as written between two folded positions."""
        if start >= len(self.places):
            return ""
        last = self.places[end - 1] + 1 if end > start else self.places[start]
        return self.text[self.places[start]:last].strip()

    def rest(self, limit=20) -> str:
        return self.original(self.i, min(len(self.s), self.i + limit))

    def fail(self, message, at=None, **values):
        raise RuleSyntaxError(message % {"at": self.at(at), **values}, self.position(at))

    # grammar: any_of := all_of (或 all_of)* ; all_of := term (且 term)* ; term := condition | ( any_of )
    def any_of(self, depth) -> dict:
        terms = [self.all_of(depth)]
        while self.s.startswith(_OR, self.i):
            self.i += 1
            terms.append(self.all_of(depth))
        return _combine("or", terms)

    def all_of(self, depth) -> dict:
        terms = [self.term(depth)]
        while self.s.startswith(_AND, self.i):
            self.i += 1
            terms.append(self.term(depth))
        return _combine("and", terms)

    def term(self, depth) -> dict:
        if self.i >= len(self.s) or self.s[self.i] in "且或)":
            self.fail(_("%(at)s缺少条件（写作“问题=选项”）"))
        condition = self.condition()
        if condition is not None:
            return condition
        if self.s[self.i] == "(":
            if depth >= MAX_NESTING:
                self.fail(_("%(at)s括号嵌套超过%(max)d层"), max=MAX_NESTING)
            opened = self.i
            self.i += 1
            rule = self.any_of(depth + 1)
            if self.i >= len(self.s) or self.s[self.i] != ")":
                self.fail(_("%(at)s的左括号“（”没有对应的右括号“）”"), at=opened)
            self.i += 1
            return rule
        self.unknown_question()

    def condition(self) -> dict | None:
        s, i = self.s, self.i
        for name, question in self.questions.names:
            if not s.startswith(name, i):
                continue
            after = i + len(name)
            if s.startswith("=", after):
                negated, width = False, 1
            elif s.startswith("!=", after):
                negated, width = True, 2
            elif s.startswith(_NOT_EQUAL, after):
                negated, width = True, 1
            else:
                continue
            self.i = after + width
            key = str(_get(question, "key"))
            rule = condition(key, self.questions.kind(key), self.option_values(key))
            return {"!": rule} if negated else rule
        return None

    def option_values(self, key) -> list:
        found = []
        names, _labels = self.questions.options[key]
        while True:
            s, i = self.s, self.i
            match = next(((name, value) for name, value in names if s.startswith(name, i)
                          and (i + len(name) == len(s) or s[i + len(name)] in _OPTION_END)), None)
            if match is None:
                end = next((j for j in range(i, len(s)) if s[j] in _OPTION_END), len(s))
                if end == i:
                    self.fail(_("%(at)s缺少「%(q)s」的选项，可选：%(labels)s"), q=self.questions.text(key),
                              labels=self.questions.labels(key))
                known = next((name for name, _v in names if s.startswith(name, i)), None)
                if known is not None:  # a known option run into what follows: a missing 且 or 或
                    self.fail(_("%(at)s应为“、”“且”“或”或“）”，实为「%(rest)s」"), at=i + len(known),
                              rest=self.original(i + len(known), min(len(s), i + len(known) + 20)))
                self.fail(_("「%(q)s」没有选项「%(option)s」，可选：%(labels)s（%(at)s）"), q=self.questions.text(key),
                          option=self.original(i, end), labels=self.questions.labels(key))
            name, value = match
            self.i = i + len(name)
            if value not in found:
                found.append(value)
            if not self.s.startswith(",", self.i):
                return found
            self.i += 1

    def unknown_question(self):
        s, i = self.s, self.i
        end = next((j for j in range(i, len(s)) if s[j] in "=!≠"), None)
        if end is None or end == i or any(c in s[i:end] for c in "()"):
            self.fail(_("%(at)s应为条件（写作“问题=选项”），实为「%(rest)s」"), rest=self.rest())
        self.fail(_("没有问题「%(name)s」（%(at)s）；本事项的问题：%(known)s"), name=self.original(i, end),
                  known=self.questions.known())


def condition(key: str, kind: str, option_values: list) -> dict:
    """The JSON Logic of “<question> is one of <options>”, in the rule builder's shapes."""
    variable = {"var": f"situation.{key}"}
    if kind == "multiple":
        return {"some": [variable, {"in": [{"var": ""}, list(option_values)]}]}
    if len(option_values) == 1:
        return {"==": [variable, option_values[0]]}
    return {"in": [variable, list(option_values)]}


def _combine(op: str, terms: list[dict]) -> dict:
    """and/or flattened: no and inside and, no list of one."""
    flat = []
    for term in terms:
        flat.extend(term[op] if list(term) == [op] and type(term[op]) is list else [term])
    return flat[0] if len(flat) == 1 else {op: flat}


# --- rendering ------------------------------------------------------------------------------------------------

def render(rule, questions) -> str | None:
    """The rule in the readable syntax, or None when it has none (e.g. it uses other variables or operations).

    The text is checked by parsing it back: what render returns, parse turns into the same rule."""
    if not isinstance(rule, dict) or not rule:
        return None
    questions = questions_of(questions)
    text = _render(rule, questions)
    if text is None:
        return None
    try:
        return text if parse(text, questions) == rule else None
    except RuleSyntaxError:
        return None


def _render(rule, questions: Questions) -> str | None:
    if type(rule) is not dict or len(rule) != 1:
        return None
    (op, args), = rule.items()
    if op in ("and", "or"):
        if type(args) is not list or len(args) < 2:
            return None
        parts = []
        for arg in args:
            text = _render(arg, questions)
            if text is None:
                return None
            # and binds tighter: an or inside an and needs its parentheses (and so does anything nested alike)
            grouped = type(arg) is dict and list(arg) in (["and"], ["or"])
            parts.append(f"（{text}）" if grouped and (op == "and" or list(arg) == ["or"]) else text)
        return f" {_AND if op == 'and' else _OR} ".join(parts)
    if op == "!":
        return _condition_text(args, questions, negated=True)
    return _condition_text(rule, questions)


def _condition_parts(rule, questions: Questions):
    """(question key, option values) of a condition in one of the builder's shapes, or None."""
    if type(rule) is not dict or len(rule) != 1:
        return None
    (op, args), = rule.items()
    if type(args) is not list or len(args) != 2 or not _is_situation_var(args[0]):
        return None
    key = args[0]["var"][len("situation."):]
    if key not in questions.by_key:
        return None
    kind = questions.kind(key)
    if op == "==" and kind != "multiple":
        values = [args[1]]
    elif op == "in" and kind != "multiple" and type(args[1]) is list:
        values = args[1]
    elif op == "some" and kind == "multiple":
        inner = args[1]
        if (type(inner) is not dict or list(inner) != ["in"] or type(inner["in"]) is not list
                or len(inner["in"]) != 2 or inner["in"][0] != {"var": ""} or type(inner["in"][1]) is not list):
            return None
        values = inner["in"][1]
    else:
        return None
    labels = questions.options[key][1]
    if not values or any(type(v) not in (str, int, float) or v not in labels for v in values):
        return None
    return key, values


def _is_situation_var(value) -> bool:
    return (type(value) is dict and list(value) == ["var"] and type(value["var"]) is str
            and value["var"].startswith("situation."))


def _condition_text(rule, questions: Questions, negated=False) -> str | None:
    parts = _condition_parts(rule, questions)
    if parts is None:
        return None
    key, values = parts
    operator = _NOT_EQUAL if negated else "="
    expected = {"!": rule} if negated else rule
    labels = questions.options[key][1]
    # Readable names where they read back the same; the key and the values where they do not.
    for name, options in ((questions.text(key), [labels[v] for v in values]), (key, [str(v) for v in values])):
        text = f"{name}{operator}{_SEPARATOR.join(options)}"
        try:
            if parse(text, questions) == expected:
                return text
        except RuleSyntaxError:
            continue
    return None
