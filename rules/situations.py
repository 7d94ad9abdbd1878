"""情形引导: from an applicant's answers to an item's situation questions, the questions still to ask, the
materials that apply (the personal checklist), the acceptance conditions, the fees and the promised time limit.

One rule set per item drives every hall (DESIGN, "One rule set per item"): the guide page, the evaluate API that
kiosks and mobile apps call, the admin's live preview and, later, the online form and the window's checklist all
call ``evaluate``. Rules are compiled once per published version of an item (``rule_set``)."""

import logging
from collections import OrderedDict
from dataclasses import dataclass, field

from . import logic
from .vocabulary import item_values

logger = logging.getLogger(__name__)

__all__ = ["AnswerError", "Checklist", "Question", "RuleSet", "evaluate", "rule_set", "rule_set_from_data"]


class AnswerError(ValueError):
    """Answers that do not fit the questions; ``errors`` is a list of {"path", "message"} (Chinese)."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(e["message"] for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    kind: str  # "single" | "multiple"
    options: tuple  # ((value, label), …)
    help: str = ""
    asked_when: object = None  # compiled rule or None (always asked)

    @property
    def values(self):
        return {value for value, _label in self.options}

    def label(self, value) -> str:
        return next((label for option, label in self.options if option == value), str(value))


@dataclass(frozen=True)
class Conditional:
    """Something that applies when its rule holds (a material, a fee, a variant); ``when`` None: always."""

    thing: object
    when: object = None


@dataclass
class RuleSet:
    questions: list[Question]
    materials: list[Conditional]
    fees: list[Conditional]
    variants: list[Conditional]
    item: dict = field(default_factory=dict)  # item.* values, and the defaults the variants override


@dataclass
class Checklist:
    answers: dict  # the accepted answers: only those of questions that are asked
    asked: list[Question]
    pending: list[Question]
    materials: list
    fees: list
    acceptance_conditions: str
    promised_limit: int | None
    promised_limit_unit: str
    ignored: list[str]

    @property
    def complete(self) -> bool:
        return not self.pending


def _compiled(rule, what: str):
    """A saved rule as a callable; a rule that no longer compiles is logged and treated as holding, so that a
    checklist shows a material too many rather than one too few."""
    if rule in (None, "", {}):
        return None
    try:
        return logic.compile(rule)
    except logic.RuleError as error:
        logger.warning("rule of %s does not compile: %s", what, error.message)
        return lambda data: True


def _holds(rule, data) -> bool:
    if rule is None:
        return True
    try:
        return logic.truthy(rule(data))
    except logic.RuleError:
        return True


def rule_set_from_data(questions, materials, fees=(), variants=(), item=None) -> RuleSet:
    """A rule set from plain data: questions as dicts of SituationQuestion's fields; materials, fees and variants
    as objects or dicts with a ``required_when`` / ``applies_when`` rule (the admin preview uses dicts)."""

    return RuleSet(
        questions=[
            Question(
                key=q["key"], text=q["text"], kind=q.get("kind") or "single",
                options=tuple((str(o.get("value")), str(o.get("label") or o.get("value")))
                              for o in q.get("options") or [] if isinstance(o, dict)),
                help=q.get("help") or "", asked_when=_compiled(q.get("asked_when"), f"question {q['key']}"),
            )
            for q in questions
        ],
        materials=[Conditional(m, _compiled(_field(m, "required_when"), "a material")) for m in materials],
        fees=[Conditional(f, _compiled(_field(f, "applies_when"), "a fee")) for f in fees],
        variants=[Conditional(v, _compiled(_field(v, "applies_when"), "a variant")) for v in variants],
        item=item or {},
    )


_cache: OrderedDict = OrderedDict()
_CACHE_SIZE = 4096


def rule_set(item) -> RuleSet:
    """The compiled rule set of a published item (its live rows), once per published version and process."""
    key = (item.pk, item.live_revision_id, item.last_published_at)
    found = _cache.get(key)
    if found is not None:
        _cache.move_to_end(key)
        return found
    questions = [
        {"key": q.key, "text": q.text, "kind": q.kind, "options": q.options, "help": q.help, "asked_when": q.asked_when}
        for q in item.situation_questions.all()
    ]
    built = rule_set_from_data(
        questions, list(item.materials.all()), list(item.fees.all()), list(item.situation_variants.all()),
        item=item_values(item),
    )
    _cache[key] = built
    if len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return built


def check_answers(rules: RuleSet, answers) -> dict:
    """Answers as given (a JSON object: key → value, or list of values for a multiple choice), checked against
    the questions. Raises AnswerError naming every unknown key and option at once."""
    if not isinstance(answers, dict):
        raise AnswerError([{"path": "answers", "message": "answers 应为对象：问题标识 → 选项值"}])
    by_key = {q.key: q for q in rules.questions}
    errors, checked = [], {}
    for key, value in answers.items():
        question = by_key.get(key)
        path = f"answers.{key}"
        if question is None:
            known = "、".join(by_key) or "无"
            errors.append({"path": path, "message": f"本事项没有情形问题「{key}」（可用：{known}）"})
            continue
        if value is None or value == "" or value == []:
            continue  # not answered
        values = value if isinstance(value, list) else [value]
        if question.kind == "single" and len(values) > 1:
            errors.append({"path": path, "message": f"「{question.text}」只能选一项"})
            continue
        bad = [v for v in values if not isinstance(v, str) or v not in question.values]
        if bad:
            allowed = "、".join(f"{v}（{label}）" for v, label in question.options)
            errors.append({"path": path, "message": f"「{question.text}」没有选项「{bad[0]}」，可选：{allowed}"})
            continue
        checked[key] = values if question.kind == "multiple" else values[0]
    if errors:
        raise AnswerError(errors)
    return checked


def evaluate(rules: RuleSet, answers, applicant=None) -> Checklist:
    """The checklist for these answers. Questions are taken in order: one is asked when its ``asked_when`` holds
    for the answers before it; answers to questions not asked are dropped (and listed in ``ignored``)."""
    given = check_answers(rules, answers)
    accepted: dict = {}
    data = {"situation": accepted, "applicant": applicant or {}, "item": rules.item}
    asked, pending, ignored = [], [], []
    for question in rules.questions:
        if not _holds(question.asked_when, data):
            if question.key in given:
                ignored.append(question.key)
            continue
        asked.append(question)
        if question.key in given:
            accepted[question.key] = given[question.key]
        else:
            pending.append(question)
    conditions = rules.item.get("acceptance_conditions", "")
    limit = rules.item.get("promised_limit")
    unit = rules.item.get("promised_limit_unit", "")
    for variant in rules.variants:
        if variant.when is not None and _holds(variant.when, data):
            thing = variant.thing
            conditions = _field(thing, "acceptance_conditions") or conditions
            if _field(thing, "promised_limit") is not None:
                limit, unit = _field(thing, "promised_limit"), _field(thing, "promised_limit_unit")
    return Checklist(
        answers=accepted, asked=asked, pending=pending,
        materials=[m.thing for m in rules.materials if _holds(m.when, data)],
        fees=[f.thing for f in rules.fees if _holds(f.when, data)],
        acceptance_conditions=conditions, promised_limit=limit, promised_limit_unit=unit, ignored=ignored,
    )


def _field(thing, name):
    """A field of a model row or of a dict with the same keys (the admin preview's)."""
    return thing.get(name) if isinstance(thing, dict) else getattr(thing, name, None)


def answers_from_query(rules: RuleSet, query) -> dict:
    """Answers from a GET form (the guide page without JavaScript): ``<key>=<value>``, repeated for a multiple
    choice. Parameters that are not question keys are ignored (the page's own, trackers)."""
    answers = {}
    for question in rules.questions:
        values = [v for v in query.getlist(question.key) if v]
        if values:
            answers[question.key] = values if question.kind == "multiple" else values[0]
    return answers
