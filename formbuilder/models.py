"""An item's online form (在线表单): a child row of the item, so it travels in the item's revisions and is drafted,
compared, moderated and published with the guide (DESIGN decision 10). At most one per item."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.fields import StreamField
from wagtail.models import Orderable

from .blocks import CheckBlock, StepBlock


class FormDefinition(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="form_definitions", on_delete=models.CASCADE)
    title = models.CharField(_("表单名称"), max_length=200, blank=True, help_text=_("为空时使用事项名称"))
    situations_first = models.BooleanField(
        _("情形问题作为第一步"), default=True,
        help_text=_("事项的情形问题（“情形与规则”标签）作为表单的第一步；材料上传按材料的适用条件显示"))
    situations_title = models.CharField(_("第一步的名称"), max_length=50, default="办理情形")
    steps = StreamField([("step", StepBlock())], blank=True, verbose_name=_("步骤"))
    checks = StreamField([("check", CheckBlock())], blank=True, verbose_name=_("跨字段校验"))

    class Meta(Orderable.Meta):
        verbose_name = _("在线表单")
        verbose_name_plural = _("在线表单")
        constraints = [models.UniqueConstraint(fields=["item"], name="formbuilder_one_form_per_item")]

    def __str__(self):
        return self.title or str(_("在线表单"))
