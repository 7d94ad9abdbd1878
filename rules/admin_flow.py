"""The 办理流程 tab of an item, flow templates, the flowchart preview.

Outcomes are edited one per line, "受理 [accept] → review" (the key in brackets may be left out; several next steps
separated by commas run in parallel; "→ 结束" ends the flow); the stored form stays the JSON list that rules.flow
reads. A broken flow is refused when the item is saved, with check_flow's messages (catalog.extensions)."""

import json
import re

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList, Panel
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from catalog.extensions import register_item_check, register_item_tab
from catalog.models import Department, ServiceItem
from catalog.permissions import service_item_policy

from . import admin_calendar, vocabulary
from .flow import check_flow, ordered
from .flowchart import flow_svg
from .models import FlowTemplate

ARROW = re.compile(r"\s*(?:→|->|=>|⇒)\s*")
KEY_IN_BRACKETS = re.compile(r"^(?P<label>.*?)\s*[\[［]\s*(?P<key>[^\]］]*?)\s*[\]］]\s*$")
OUTCOME_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
NEXT_SEPARATORS = re.compile(r"[\s,，、;；]+")
END_WORDS = {"", "结束", "办结", "end"}
# Keys for the usual outcomes when a line gives none: stable, so cases recorded against them keep their meaning.
USUAL_KEYS = {
    "提交申请": "submit", "受理": "accept", "不予受理": "reject", "补正": "correct", "退回补正": "return",
    "审查通过": "pass", "通过": "pass", "不予通过": "deny", "准予许可": "approve", "不予许可": "deny",
    "予以确认": "confirm", "不予确认": "refuse", "办结": "done", "制证完成": "done", "退回": "return",
}


def parse_outcome_lines(text: str) -> list[dict]:
    """One outcome per line, "label [key] → next, next"; a ValidationError names the line that is wrong."""
    outcomes, keys = [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = ARROW.split(line, maxsplit=1)
        if len(parts) != 2:
            raise ValidationError(
                _("第%(n)s行“%(line)s”缺少箭头：请写成“结果名称 → 下一环节标识”，如“受理 → review”")
                % {"n": number, "line": line}
            )
        head, tail = parts
        match = KEY_IN_BRACKETS.match(head)
        label, key = (match["label"].strip(), match["key"]) if match else (head.strip(), "")
        if not label:
            raise ValidationError(_("第%(n)s行“%(line)s”缺少结果名称") % {"n": number, "line": line})
        key = key or USUAL_KEYS.get(label, "") or f"outcome_{number}"
        if not OUTCOME_KEY.match(key):
            raise ValidationError(
                _("第%(n)s行的结果标识“%(key)s”无效：请用小写字母开头，只含小写字母、数字和下划线")
                % {"n": number, "key": key}
            )
        if key in keys:
            raise ValidationError(_("第%(n)s行的结果标识“%(key)s”与前面的行重复") % {"n": number, "key": key})
        keys.add(key)
        nexts = [] if tail.strip() in END_WORDS else [k for k in NEXT_SEPARATORS.split(tail.strip()) if k]
        outcomes.append({"key": key, "label": label, "next": nexts})
    return outcomes


def outcome_lines(outcomes) -> str:
    if not isinstance(outcomes, list):
        return ""
    lines = []
    for outcome in outcomes:
        if isinstance(outcome, dict):
            nexts = ", ".join(outcome.get("next") or []) or _("结束")
            lines.append(f"{outcome.get('label', '')} [{outcome.get('key', '')}] → {nexts}")
    return "\n".join(lines)


class OutcomesField(forms.Field):
    widget = forms.Textarea(attrs={"rows": 3, "class": "rules-flow-outcomes"})

    def prepare_value(self, value):
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                return value  # the submitted text, shown back with its error
        return outcome_lines(value)

    def to_python(self, value):
        if isinstance(value, list):
            return value
        return parse_outcome_lines(value)


class FlowStepForm(WagtailAdminModelForm):
    outcomes = OutcomesField(
        label=gettext_lazy("办理结果与去向"),
        required=False,
        help_text=gettext_lazy(
            "每行一个结果：结果名称 [结果标识] → 下一环节标识，如“受理 [accept] → review”；"
            "“→ 结束”表示办结；写多个环节标识（用逗号分隔）表示并联办理"
        ),
    )


class FlowStepsPanel(InlinePanel):
    """The steps, edited with FlowStepForm (the outcome lines) instead of the model's plain JSON field."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = FlowStepForm
        return options


class FlowToolsPanel(Panel):
    """从模板复制 and the live flowchart preview; both need JavaScript (rules-flow.js), the steps below do not."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "rules/flow/tools_panel.html"

        class Media:
            js = ["js/rules-flow.js"]
            css = {"all": ["css/rules-flow.css"]}

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["flow_templates"] = template_choices()
            context["preview_url"] = reverse("rules_flow_preview")
            context["item_id"] = self.instance.pk if self.instance is not None else ""
            return context


def template_choices() -> list[dict]:
    """The templates as the admin's script fills them in: outcomes already as lines."""
    return [
        {
            "id": template.pk,
            "name": template.name,
            "description": template.description,
            "steps": [
                {**{k: v for k, v in step.items() if k != "outcomes"}, "outcomes": outcome_lines(step.get("outcomes"))}
                for step in template.steps
            ],
        }
        for template in FlowTemplate.objects.all()
    ]


STEP_PANELS = [
    FieldRowPanel([FieldPanel("name"), FieldPanel("key")]),
    FieldRowPanel([FieldPanel("stage"), FieldPanel("actor_role")]),
    FieldRowPanel([FieldPanel("actor_department", widget=forms.Select), FieldPanel("time_limit")]),
    FieldPanel("outcomes"),
    FieldRowPanel([FieldPanel("join"), FieldPanel("guard", widget=forms.Textarea(attrs={"rows": 2}))]),
]

FLOW_TAB = ObjectList(
    [
        FlowToolsPanel(heading=gettext_lazy("流程图预览与模板")),
        FlowStepsPanel("flow_steps", panels=STEP_PANELS, heading=gettext_lazy("流程环节"),
                       label=gettext_lazy("环节")),
    ],
    heading=gettext_lazy("办理流程"),
)
register_item_tab(FLOW_TAB, order=80)


# --- the check when an item is saved -------------------------------------------------------------------------------


def submitted_steps(formset) -> list[dict]:
    """The steps of a valid formset as rules.flow's dicts, in their submitted order, deleted rows left out."""
    steps = []
    for index, form in enumerate(formset.forms):
        data = getattr(form, "cleaned_data", None)
        if not data or data.get(DELETION_FIELD_NAME) or not (form.has_changed() or form.instance.pk):
            continue
        department = data.get("actor_department")
        steps.append({
            "key": data.get("key"), "name": data.get("name"), "stage": data.get("stage"),
            "actor_role": data.get("actor_role"), "actor_department": department.pk if department else None,
            "time_limit": data.get("time_limit"), "outcomes": data.get("outcomes") or [],
            "join": bool(data.get("join")), "guard": data.get("guard"),
            "sort_order": data.get(ORDERING_FIELD_NAME) or index,
        })
    return ordered(steps)


def guard_variables(form) -> set[str]:
    """What a step's guard may name: the item's submitted situation questions, the applicant, the item; and the
    online form's fields, which are not declared yet (formbuilder), hence form.* as a whole."""
    questions = form.formsets.get("situation_questions")
    if questions is None or not questions.is_valid():
        return {"situation.*", "form.*", *vocabulary.variables()}
    rows = [getattr(f, "cleaned_data", None) or {} for f in questions.forms]
    keys = [row["key"] for row in rows if row.get("key") and not row.get(DELETION_FIELD_NAME)]
    return {"form.*", *vocabulary.variables(keys)}


def check_item_flow(form) -> None:
    formset = form.formsets.get("flow_steps")
    if formset is None or not formset.is_valid():
        return  # the rows' own errors are shown on them first
    promised = form.cleaned_data.get("promised_limit")
    # A limit in 自然日 still bounds the working days: N natural days hold at most N working days.
    messages = check_flow(submitted_steps(formset), promised, guard_variables(form))
    for message in messages:
        formset.non_form_errors().append(message)
        form.add_error(None, _("办理流程：%(message)s") % {"message": message})


register_item_check(check_item_flow)


# --- the live preview ----------------------------------------------------------------------------------------------


def _posted_steps(payload) -> tuple[list[dict], list[str]]:
    steps, problems = [], []
    for index, raw in enumerate(payload.get("steps") or []):
        if not isinstance(raw, dict):
            continue
        name = str(raw.get("name") or "")[:50]
        try:
            outcomes = parse_outcome_lines(str(raw.get("outcomes") or ""))
        except ValidationError as error:
            problems.append(_("环节「%(name)s」：%(error)s") % {"name": name, "error": " ".join(error.messages)})
            outcomes = []
        guard = raw.get("guard")
        if isinstance(guard, str):
            try:
                guard = json.loads(guard) if guard.strip() else None
            except ValueError:
                problems.append(_("环节「%(name)s」的适用条件不是有效的 JSON") % {"name": name})
                guard = None
        steps.append({
            "key": str(raw.get("key") or "")[:40], "name": name, "stage": str(raw.get("stage") or ""),
            "actor_role": str(raw.get("actor_role") or ""),
            "actor_department": _int_or_none(raw.get("actor_department")),
            "time_limit": _int_or_none(raw.get("time_limit")), "outcomes": outcomes,
            "join": bool(raw.get("join")), "guard": guard, "sort_order": _int_or_none(raw.get("sort_order")) or index,
        })
    return ordered(steps), problems


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


MAX_PREVIEW_BYTES = 256 * 1024
MAX_PREVIEW_STEPS = 100


@require_POST
def preview(request):
    """The flowchart and check_flow's messages for the steps being edited (JSON: {"svg", "problems"})."""
    if len(request.body) > MAX_PREVIEW_BYTES:
        return HttpResponseBadRequest(_("流程过大，无法预览"))
    try:
        payload = json.loads(request.body)
    except ValueError:
        return HttpResponseBadRequest(_("预览请求不是有效的 JSON"))
    if not isinstance(payload, dict):
        return HttpResponseBadRequest(_("预览请求不是有效的 JSON"))
    item = None
    if payload.get("item"):
        # Another department's item answers 404, as every per-item admin view does (its existence is not revealed).
        items = service_item_policy.scope_queryset(request.user, ServiceItem.objects.select_related("department"))
        item = get_object_or_404(items, pk=_int_or_none(payload["item"]))
        if not service_item_policy.user_has_permission_for_instance(request.user, "change", item):
            raise PermissionDenied
    elif not service_item_policy.user_has_permission(request.user, "add"):
        raise PermissionDenied
    steps, problems = _posted_steps(payload)
    steps = steps[:MAX_PREVIEW_STEPS]
    if not problems:
        problems = check_flow(steps, _int_or_none(payload.get("promised_limit")), None)
    departments = dict(
        Department.objects.filter(pk__in={s["actor_department"] for s in steps if s["actor_department"]})
        .values_list("pk", "name")
    )
    own = item.department.name if item else _("实施主体")
    svg = flow_svg(steps, departments, own) if steps else ""
    return JsonResponse({"svg": svg, "problems": problems}, json_dumps_params={"ensure_ascii": False})


@hooks.register("register_admin_urls")
def register_preview_url():
    return [path("rules/flow/preview/", preview, name="rules_flow_preview")]


# --- flow templates, for system administrators and editors ---------------------------------------------------------


class FlowTemplatePolicy(ModelPermissionPolicy):
    """Templates serve every department: those who work across departments (系统管理员, 审核发布员) keep them."""

    def user_has_permission(self, user, action):
        if user.is_active and user.has_perm("catalog.access_all_departments"):
            return True
        return super().user_has_permission(user, action)


register_permission_policy(FlowTemplate, FlowTemplatePolicy(FlowTemplate))


class FlowTemplateForm(WagtailAdminModelForm):
    def clean_steps(self):
        steps = self.cleaned_data["steps"]
        if not isinstance(steps, list) or not all(isinstance(step, dict) for step in steps):
            raise ValidationError(_("环节应为对象的列表，每个环节含 key、name、outcomes 等字段"))
        messages = check_flow(steps)
        if messages:
            raise ValidationError(messages)
        return steps


class FlowTemplateViewSet(SnippetViewSet):
    model = FlowTemplate
    icon = "table"
    menu_label = gettext_lazy("流程模板")
    menu_order = 20
    list_display = ["name", "item_type", "description"]
    search_fields = ["name"]
    search_backend_name = None
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("item_type"), FieldPanel("description"), FieldPanel("steps")],
        base_form_class=FlowTemplateForm,
    )


admin_calendar.RULES_MENU_VIEWSETS.append(FlowTemplateViewSet)
