"""情形引导 on the public side: the evaluate API (kiosks, mobile apps, the window) and the guide page's personal
checklist and 一次性告知单. The rules themselves are rules.situations'; this module only speaks HTTP and HTML."""

import json
from collections import OrderedDict

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from catalog.codes import TimeUnit
from rules import situations

from . import params, queries
from .api import material_data
from .responses import error, json_response, post_endpoint

MAX_BODY = 64 * 1024  # answers to a few dozen questions fit in 2 KB


def _question_data(question, answer):
    return {
        "key": question.key, "text": question.text, "kind": question.kind, "help": question.help,
        "options": [{"value": value, "label": label} for value, label in question.options],
        "answer": answer,
    }


def _limit_data(checklist):
    if checklist.promised_limit is None:
        return None
    return {"value": checklist.promised_limit, "unit": str(TimeUnit(checklist.promised_limit_unit).label)
            if checklist.promised_limit_unit in TimeUnit.values else checklist.promised_limit_unit,
            "unit_code": checklist.promised_limit_unit}


_payloads: OrderedDict = OrderedDict()


def _material_payloads(request, item, rules) -> dict:
    """Each material of the rule set as the API gives it, made once per published version (and host): the labels
    and URLs of 30 materials cost more than the rules themselves."""
    key = (item.pk, item.live_revision_id, item.last_published_at, request.get_host(), get_language())
    found = _payloads.get(key)
    if found is None:
        found = _payloads[key] = {id(m.thing): material_data(request, m.thing) for m in rules.materials}
        if len(_payloads) > 4096:
            _payloads.popitem(last=False)
    return found


def checklist_data(request, item, checklist, rules):
    payloads = _material_payloads(request, item, rules)
    return {
        "code": item.implementation_code,
        "name": item.name,
        "complete": checklist.complete,
        "answers": checklist.answers,
        "questions": [_question_data(q, checklist.answers.get(q.key)) for q in checklist.asked],
        "pending": [q.key for q in checklist.pending],
        "ignored": checklist.ignored,
        "materials": [payloads[id(m)] for m in checklist.materials],
        "acceptance_conditions": checklist.acceptance_conditions,
        "promised_limit": _limit_data(checklist),
        "fees": [{"name": f.name, "standard": f.standard, "basis": f.basis, "reductions": f.reductions}
                 for f in checklist.fees],
    }


@post_endpoint(MAX_BODY)  # for other halls' clients
def evaluate(request, code):
    try:
        code = params.item_code(code)
    except params.BadParameter:
        return error(404, "not_found", "没有这个已发布的事项", "code")
    item = queries.published_item(code)
    if item is None:
        return error(404, "not_found", "没有这个已发布的事项", "code")
    try:
        body = json.loads(request.body.decode("utf-8") or "{}")
    except (UnicodeDecodeError, ValueError):
        return error(400, "bad_json", "请求体应为 JSON：{\"answers\": {问题标识: 选项值}}")
    if not isinstance(body, dict):
        return error(400, "bad_json", "请求体应为 JSON 对象：{\"answers\": {问题标识: 选项值}}")
    unknown = sorted(set(body) - {"answers"})
    if unknown:
        return error(400, "bad_parameter", f"不认识的字段「{unknown[0]}」，只接受 answers", unknown[0])
    rules = situations.rule_set(item)
    try:
        checklist = situations.evaluate(rules, body.get("answers", {}))
    except situations.AnswerError as bad:
        first = bad.errors[0]
        response = json_response({"error": {"status": 400, "code": "bad_answers", "message": first["message"],
                                    "parameter": first["path"], "errors": bad.errors}}, 400)
    else:
        response = json_response(checklist_data(request, item, checklist, rules))
    response["Cache-Control"] = "no-store"
    response["Access-Control-Allow-Origin"] = "*"
    return response


def guide_context(item, query) -> dict:
    """The guide page's 情形引导: the questions, the answers from the GET form, and the checklist they give."""
    rules = situations.rule_set(item)
    if not rules.questions:
        return {}
    context = {}
    try:
        checklist = situations.evaluate(rules, situations.answers_from_query(rules, query))
    except situations.AnswerError as bad:
        context["situation_error"] = bad.errors[0]["message"]
        checklist = situations.evaluate(rules, {})
    asked = {q.key for q in checklist.asked}
    applies = {id(m) for m in checklist.materials}
    selected = {key: set(value) if isinstance(value, list) else {value} for key, value in checklist.answers.items()}
    return {
        **context,
        "checklist": checklist,
        "situation_questions": [
            {"question": q, "asked": q.key in asked,
             "options": [(value, label, value in selected.get(q.key, ())) for value, label in q.options]}
            for q in rules.questions
        ],
        "situation_materials": [{"material": m.thing, "applies": id(m.thing) in applies} for m in rules.materials],
        "browser_rules": browser_rules(rules, item),
    }


def browser_rules(rules, item) -> dict:
    """What the page's script needs to follow the same rules in the browser (json-logic-js), by position."""
    return {
        "questions": [{"key": q.key, "kind": q.kind, "asked_when": q.asked_when.rule if q.asked_when else None}
                      for q in rules.questions],
        "materials": [getattr(m.when, "rule", None) for m in rules.materials],
        "item": {"promised_limit": item.promised_limit},
    }


@require_GET
def notice(request, code):
    """一次性告知单: the applicant's own checklist, one printable A4 page."""
    item = queries.guide(code)
    if item is None:
        raise Http404("没有这个已发布的事项")
    context = guide_context(item, request.GET)
    materials = context["checklist"].materials if context else item.materials.all()
    return render(request, "publish/checklist_notice.html", {"item": item, "materials": materials, **context})
