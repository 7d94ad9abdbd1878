"""The 在线表单 tab of an item: the form definition edited with Wagtail's own StreamField blocks, its check on save
and the source the live preview compiles.

Saving compiles what is being edited (the form with the item's situation questions and materials as submitted):
a rule that does not read, an unknown variable, a field that names a later one, an unknown material are refused
with a Chinese message at the block's field (catalog.extensions), and nothing is saved, draft or not."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, InlinePanel, ObjectList
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError

from catalog.extensions import register_item_check, register_item_tab

from .compile import FormDefinitionError, compile_form
from .models import FormDefinition

FormDefinition.panels = [
    FieldRowPanel([FieldPanel("title"), FieldPanel("situations_title")]),
    FieldPanel("situations_first"),
    FieldPanel("steps"),
    FieldPanel("checks"),
]

PREVIEW = """<div class="tb-form-preview" data-form-preview>
<p><button type="button" class="button button-small button-secondary" data-form-preview-refresh>刷新预览</button>
<span data-form-preview-status></span></p>
<iframe title="表单预览（手机尺寸）" data-form-preview-frame width="375" height="700"></iframe></div>"""

register_item_tab(ObjectList(
    [
        HelpPanel(content=_(
            "在线表单由步骤组成，每步包含字段、分组和可重复分组。事项的情形问题默认作为第一步；"
            "材料上传对应“申请材料”中的材料，按材料的适用条件显示和必填。显示条件、必填条件可写作"
            "“问题或字段=选项”，也可以填写 JSON Logic 规则；规则只能使用它前面的问题和字段。")),
        InlinePanel("form_definitions", heading=_("在线表单"), label=_("表单"), max_num=1),
        HelpPanel(content=PREVIEW, heading=_("预览（申请人在手机上看到的样子）")),
    ],
    heading=_("在线表单"),
), order=90)


# --- the check on save ------------------------------------------------------------------------------------------
def _live_forms(formset):
    """The child forms that will be saved (cleaned, not marked for deletion)."""
    if formset is None:
        return []
    live = []
    for child in formset.forms:
        child.is_valid()
        if formset.can_delete and formset._should_delete_form(child):
            continue
        if getattr(child, "cleaned_data", None):
            live.append(child)
    return live


def source_from_form(form):
    """The compile source of the form definition being edited in a bound ServiceItemForm, or (None, None)."""
    formsets = getattr(form, "formsets", {})
    definitions = _live_forms(formsets.get("form_definitions"))
    if not definitions:
        return None, None
    child = definitions[0]
    data = child.cleaned_data
    questions = [c.cleaned_data for c in _live_forms(formsets.get("situation_questions"))
                 if c.cleaned_data.get("key")]
    materials = [c.cleaned_data for c in _live_forms(formsets.get("materials")) if c.cleaned_data.get("name")]
    item_name = form.cleaned_data.get("name") if hasattr(form, "cleaned_data") else ""
    source = {
        "title": data.get("title") or item_name or "",
        "situations_first": data.get("situations_first", True),
        "situations_title": data.get("situations_title") or "办理情形",
        "steps": _prep(data.get("steps")),
        "checks": _prep(data.get("checks")),
        "questions": [{k: q.get(k) for k in ("key", "text", "kind", "options", "help", "asked_when")}
                      for q in questions],
        "materials": [{k: m.get(k) for k in ("name", "required_when", "necessity")} for m in materials],
        "item": {},
    }
    return child, source


def _prep(stream):
    if stream is None:
        return []
    return stream.get_prep_value() if hasattr(stream, "get_prep_value") else list(stream)


def check_item_form(form):
    formsets = getattr(form, "formsets", {})
    definitions = _live_forms(formsets.get("form_definitions"))
    if len(definitions) > 1:
        definitions[1].add_error(None, _("一个事项只能有一个在线表单"))
        return
    child, source = source_from_form(form)
    if child is None:
        return
    try:
        compile_form(source)
    except FormDefinitionError as error:
        attach_problems(child, error.problems)


def attach_problems(child, problems):
    """Each problem at its block's field, in Wagtail's nested block errors, and all of them above the form."""
    by_field = defaultdict(list)
    for problem in problems:
        by_field[problem.location[:1]].append(problem)
    for (field,), found in ((k, v) for k, v in by_field.items() if k):
        child.add_error(field, _stream_error([(p.location[1:], p.message) for p in found]))
    child.add_error(None, [p.message for p in problems])


def _stream_error(problems):
    """StreamBlockValidationError for problems located as (index, name, index, name …)."""
    by_index, own = defaultdict(list), []
    for location, message in problems:
        if location:
            by_index[location[0]].append((location[1:], message))
        else:
            own.append(message)
    return StreamBlockValidationError(block_errors={i: _struct_error(p) for i, p in by_index.items()},
                                      non_block_errors=own or None)


def _struct_error(problems):
    by_name, own = defaultdict(list), []
    for location, message in problems:
        if location:
            by_name[location[0]].append((location[1:], message))
        else:
            own.append(message)
    errors = {}
    for name, found in by_name.items():
        if any(location for location, _message in found):  # a stream of blocks inside (fields)
            errors[name] = _stream_error(found)
        else:
            errors[name] = ValidationError([message for _location, message in found])
    return StructBlockValidationError(block_errors=errors, non_block_errors=own or None)


register_item_check(check_item_form)
