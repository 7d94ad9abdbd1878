"""The declared rule set of an item, beside the catalog's elements: situation questions (情形), the variants of its
conditions and time limit, its handling flow (办理流程); and the working-day calendar that all deadlines use.

Questions, variants and flow steps are child rows of the item (ParentalKey), so they travel in its revisions and
are drafted, compared, moderated and published with it (DESIGN decision 10). Their rules are JSON Logic, checked
by rules.logic when saved; the calendar days are rows that system administrators keep (rules.calendar)."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from catalog.codes import ItemType, ResponsibilityStageKind, TimeUnit

# Keys appear in rule variables (situation.<key>) and in the API: ASCII, short, stable. Not "constructor": in the
# browser, json-logic-js reads {"var": "situation.constructor"} from JavaScript's Object prototype when unanswered.
key_validator = RegexValidator(
    r"^(?!constructor$)[a-z][a-z0-9_]{0,39}$",
    _("请用小写字母开头，只含小写字母、数字和下划线，最多40个字符（不能用 constructor）"),
)


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("单选")
    MULTIPLE = "multiple", _("多选")


class SituationQuestion(Orderable):
    """A situation question (情形问题): its answers decide which materials, conditions and limits apply."""

    item = ParentalKey("catalog.ServiceItem", related_name="situation_questions", on_delete=models.CASCADE)
    key = models.CharField(_("问题标识"), max_length=40, validators=[key_validator],
                           help_text=_("在规则中写作 situation.标识，如 situation.agent"))
    text = models.CharField(_("问题"), max_length=200)
    kind = models.CharField(_("选择方式"), max_length=10, choices=QuestionKind.choices, default=QuestionKind.SINGLE)
    # [{"value": "yes", "label": "是"}, …]: values are what rules compare, labels what people read.
    options = models.JSONField(_("选项"), default=list)
    help = models.TextField(_("帮助说明"), blank=True)
    asked_when = models.JSONField(_("提问条件（规则）"), null=True, blank=True,
                                  help_text=_("为空表示总是提问"))

    class Meta(Orderable.Meta):
        verbose_name = _("情形问题")
        verbose_name_plural = _("情形问题")

    def __str__(self):
        return self.text


class SituationVariant(Orderable):
    """Acceptance conditions or a promised time limit that hold in some situations only (a rule per variant)."""

    item = ParentalKey("catalog.ServiceItem", related_name="situation_variants", on_delete=models.CASCADE)
    applies_when = models.JSONField(_("适用条件（规则）"))
    description = models.CharField(_("情形说明"), max_length=200, blank=True)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True, help_text=_("为空则沿用事项的受理条件"))
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True,
                                                 help_text=_("为空则沿用事项的承诺时限"))
    promised_limit_unit = models.CharField(_("承诺时限单位"), max_length=1, choices=TimeUnit.choices,
                                           default=TimeUnit.WORKING_DAY)

    class Meta(Orderable.Meta):
        verbose_name = _("情形差异")
        verbose_name_plural = _("情形差异")

    def __str__(self):
        return self.description or str(self.applies_when)


class ActorRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    WINDOW = "window", _("窗口受理员")
    REVIEWER = "reviewer", _("审批人员")
    SYSTEM = "system", _("系统")


class FlowStep(Orderable):
    """One step of an item's declared handling flow (办理流程).

    `outcomes` is a list of {"key", "label", "next"}: `next` names the keys of the steps that follow (several: they
    run in parallel, 并联审批), or is empty for an end of the flow. A step with `join` waits for every branch that
    leads to it. `guard` (JSON Logic) skips the step when it does not hold."""

    item = ParentalKey("catalog.ServiceItem", related_name="flow_steps", on_delete=models.CASCADE)
    key = models.CharField(_("环节标识"), max_length=40, validators=[key_validator])
    name = models.CharField(_("环节名称"), max_length=50)
    stage = models.CharField(_("责任环节"), max_length=10, choices=ResponsibilityStageKind.choices, blank=True)
    actor_role = models.CharField(_("办理人"), max_length=10, choices=ActorRole.choices, default=ActorRole.REVIEWER)
    actor_department = models.ForeignKey(
        "catalog.Department", verbose_name=_("办理部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text=_("为空表示事项的实施主体；并联审批时选其他部门"),
    )
    time_limit = models.PositiveSmallIntegerField(_("环节时限（工作日）"), null=True, blank=True)
    outcomes = models.JSONField(_("办理结果与去向"), default=list)
    join = models.BooleanField(_("汇合（等待所有并联分支）"), default=False)
    guard = models.JSONField(_("适用条件（规则）"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")

    def __str__(self):
        return self.name


class FlowTemplate(models.Model):
    """A flow for a kind of item that departments copy into their items and adapt (行政许可, 行政确认 …)."""

    name = models.CharField(_("模板名称"), max_length=100)  # unique: Meta
    item_type = models.CharField(_("适用事项类型"), max_length=2, choices=ItemType.choices, blank=True)
    description = models.TextField(_("说明"), blank=True)
    # The steps as FlowStep's fields: [{"key", "name", "stage", "actor_role", "time_limit", "outcomes", "join"}].
    steps = models.JSONField(_("环节"), default=list)

    class Meta:
        verbose_name = _("流程模板")
        verbose_name_plural = _("流程模板")
        ordering = ["item_type", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="flow_template_name_unique")]

    def __str__(self):
        return self.name


class CalendarDay(models.Model):
    """A day that differs from the plain week: an official rest day (法定节假日) or a make-up workday (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    is_off_day = models.BooleanField(_("休息日"), help_text=_("勾选为放假休息；不勾选为调休上班"))
    name = models.CharField(_("节日"), max_length=50)
    source_url = models.URLField(_("依据（国务院通知）"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("节假日与调休")
        verbose_name_plural = _("节假日与调休")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {self.name}{'（休）' if self.is_off_day else '（班）'}"
