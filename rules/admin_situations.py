"""The 情形与规则 tab of an item: situation questions, variants, the rule builder and the live preview.

The rules themselves are JSON Logic in JSONFields; site/static/js/rules-admin.js turns each rule's text box into
the builder for the common case ("when <question> is <option(s)>", combined with and/or) with the raw rule one
click away, and draws the preview from the form as it stands. Saving always checks every rule on the server
(``check_item_rules``): only known operations, only the item's vocabulary, with a Chinese message at the field."""

import json

from django import forms
from django.templatetags.static import static
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, ObjectList

from catalog.extensions import register_item_check, register_item_tab

from . import logic
from .models import SituationQuestion, SituationVariant
from .vocabulary import variables

RULE_HELP = _("用上方的规则编辑器选择“当……为……”；也可以直接填写 JSON Logic 规则。为空表示总是适用。")


class RuleWidget(forms.Textarea):
    """A rule's JSON text; empty for no rule (rather than "null"). rules-admin.js puts the builder beside it."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 2, "class": "tb-rule", **(attrs or {})})

    def format_value(self, value):
        return "" if value in (None, "null") else super().format_value(value)


class OptionsWidget(forms.Textarea):
    """Options one per line, ``值=显示文字`` or just the text (then the value is the text)."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"rows": 3, "class": "tb-options", **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value
        lines = []
        for option in value or []:
            if isinstance(option, dict):
                label, key = option.get("label", ""), option.get("value", "")
                lines.append(label if key == label else f"{key}={label}")
        return "\n".join(lines)

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        return json.dumps(parse_options(text), ensure_ascii=False)


def parse_options(text: str) -> list[dict]:
    options = []
    for line in text.replace("＝", "=").splitlines():
        line = line.strip()
        if line:
            value, _sep, label = line.partition("=")
            options.append({"value": value.strip(), "label": (label or value).strip()})
    return options


SituationQuestion.panels = [
    FieldRowPanel([FieldPanel("key"), FieldPanel("kind")]),
    FieldPanel("text"),
    FieldPanel("options", widget=OptionsWidget,
               help_text=_("每行一个选项，写作“值=显示文字”，如 yes=是；只写文字时值与文字相同")),
    FieldPanel("help"),
    FieldPanel("asked_when", widget=RuleWidget, help_text=RULE_HELP),
]
SituationVariant.panels = [
    FieldPanel("applies_when", widget=RuleWidget, help_text=RULE_HELP),
    FieldPanel("description"),
    FieldPanel("acceptance_conditions"),
    FieldRowPanel([FieldPanel("promised_limit"), FieldPanel("promised_limit_unit")]),
]

register_item_tab(ObjectList(
    [
        HelpPanel(content=_(
            "情形问题决定申请人需要提交哪些材料：在“申请材料”标签中为材料填写“适用条件（规则）”，"
            "在这里为受理条件和承诺时限填写情形差异。下方可以即时预览不同回答下的材料清单。")),
        InlinePanel("situation_questions", heading=_("情形问题"), label=_("问题")),
        InlinePanel("situation_variants", heading=_("情形差异（受理条件、承诺时限）"), label=_("情形差异")),
        HelpPanel(content='<div class="tb-rules-preview" data-rules-preview></div>', heading=_("即时预览")),
    ],
    heading=_("情形与规则"),
), order=70)


# --- checking the submitted rules ------------------------------------------------------------------------------
def _live_forms(formset):
    """The child forms that will be saved, cleaned (the item's own form is cleaned before its formsets), and not
    marked for deletion. Errors added to them later still count: a formset reads its forms' cached errors."""
    for child in formset.forms:
        child.is_valid()
        if formset.can_delete and formset._should_delete_form(child):
            continue
        yield child


def _check_rule(child, field, allowed):
    rule = child.cleaned_data.get(field)
    if rule in (None, "", {}):
        child.cleaned_data[field] = None
        return
    try:
        logic.validate(rule, allowed)
        logic.compile(rule)
    except logic.RuleError as error:
        child.add_error(field, error.message)


def check_item_rules(form):
    formsets = getattr(form, "formsets", {})
    questions = formsets.get("situation_questions")
    keys = []
    if questions is not None:
        for child in _live_forms(questions):
            key = child.cleaned_data.get("key")
            if not key:
                continue
            if key in keys:
                child.add_error("key", _("问题标识“%(key)s”重复：同一事项的问题标识不能相同") % {"key": key})
            options = child.cleaned_data.get("options") or []
            values = [o.get("value") for o in options if isinstance(o, dict)]
            if not values:
                child.add_error("options", _("请至少填写一个选项"))
            elif len(set(values)) != len(values):
                child.add_error("options", _("选项的值重复：每个选项的值应不同"))
            # A question may depend on the answers to the questions before it only.
            _check_rule(child, "asked_when", variables(keys))
            keys.append(key)
    allowed = variables(keys)
    for relation, field in (("situation_variants", "applies_when"), ("materials", "required_when"),
                            ("fees", "applies_when")):
        formset = formsets.get(relation)
        if formset is not None:
            for child in _live_forms(formset):
                _check_rule(child, field, allowed)


register_item_check(check_item_rules)


@hooks.register("insert_global_admin_js")
def rules_admin_js():
    scripts = ["vendor/json-logic-js/logic.js", "js/rules.js", "js/rules-admin.js"]
    return format_html_join("", '<script src="{}"></script>', ((static(path),) for path in scripts))


@hooks.register("insert_global_admin_css")
def rules_admin_css():
    return format_html_join("", '<link rel="stylesheet" href="{}">', ((static("css/rules-admin.css"),),))
