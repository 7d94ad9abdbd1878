"""Rows that belong to a ServiceItem and travel with its revisions (ParentalKey)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.models import Orderable

from ..codes import (
    MaterialForm,
    MaterialNecessity,
    MaterialOriginal,
    MaterialSource,
    MaterialType,
    ResponsibilityStageKind,
)


class Material(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="materials", on_delete=models.CASCADE)
    name = models.CharField(_("材料名称"), max_length=300)
    material_type = models.CharField(_("材料类型"), max_length=1, choices=MaterialType.choices, blank=True)
    material_form = models.CharField(_("材料形式"), max_length=1, choices=MaterialForm.choices, blank=True)
    paper_copies = models.PositiveSmallIntegerField(_("纸质份数"), null=True, blank=True)
    paper_size = models.CharField(_("纸张规格"), max_length=20, blank=True)
    original_or_copy = models.CharField(_("原件/复印件"), max_length=1, choices=MaterialOriginal.choices, blank=True)
    source = models.CharField(_("来源渠道"), max_length=2, choices=MaterialSource.choices, blank=True)
    source_note = models.CharField(_("来源渠道说明"), max_length=300, blank=True)
    necessity = models.CharField(_("必要性"), max_length=1, choices=MaterialNecessity.choices, blank=True)
    blank_form = models.ForeignKey(
        "wagtaildocs.Document",
        db_index=False,  # a partial index below: most materials have none
        verbose_name=_("空白表格"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sample = models.ForeignKey(
        "wagtaildocs.Document",
        db_index=False,  # a partial index below: most materials have none
        verbose_name=_("示例样表"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filling_notes = models.TextField(_("填报须知"), blank=True)
    legal_basis = models.TextField(_("材料依据"), blank=True)
    acceptance_standard = models.TextField(_("受理标准"), blank=True)
    situations = models.TextField(_("适用情形"), blank=True, help_text=_("需要提交本材料的情形；为空表示所有情形"))
    # JSON Logic over the item's vocabulary (rules.logic); empty: required in every situation. `situations` above
    # stays its description for people.
    required_when = models.JSONField(_("适用条件（规则）"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        # Only the materials that link a document are indexed by it: an import of 400,000 materials otherwise
        # writes 800,000 index entries of NULL.
        indexes = [
            models.Index(fields=["blank_form"], condition=models.Q(blank_form__isnull=False),
                         name="catalog_material_blank_form"),
            models.Index(fields=["sample"], condition=models.Q(sample__isnull=False), name="catalog_material_sample"),
        ]

    def __str__(self):
        return self.name


class Fee(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="fees", on_delete=models.CASCADE)
    name = models.CharField(_("收费项目名称"), max_length=200)
    standard = models.CharField(_("收费标准"), max_length=500)
    basis = models.TextField(_("收费依据"), blank=True)
    reductions = models.TextField(_("减免政策"), blank=True)
    applies_when = models.JSONField(_("适用条件（规则）"), null=True, blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("收费项目")
        verbose_name_plural = _("收费项目")

    def __str__(self):
        return self.name


class FAQ(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="faqs", on_delete=models.CASCADE)
    question = models.CharField(_("问题"), max_length=500)
    answer = models.TextField(_("解答"))

    class Meta(Orderable.Meta):
        verbose_name = _("常见问题")
        verbose_name_plural = _("常见问题")

    def __str__(self):
        return self.question


class LegalBasis(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="legal_bases", on_delete=models.CASCADE)
    law = models.CharField(_("法律法规名称"), max_length=300)
    article = models.CharField(_("条款号"), max_length=100, blank=True)
    text = models.TextField(_("条款内容"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("设定依据")
        verbose_name_plural = _("设定依据")

    def __str__(self):
        return f"{self.law} {self.article}".strip()


class ResponsibilityStage(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="responsibility_stages", on_delete=models.CASCADE)
    stage = models.CharField(_("责任环节"), max_length=10, choices=ResponsibilityStageKind.choices)
    content = models.TextField(_("责任事项内容"))
    basis = models.TextField(_("责任事项依据"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("责任事项")
        verbose_name_plural = _("责任事项")

    def __str__(self):
        return self.get_stage_display()


class AccountabilityCase(Orderable):
    item = ParentalKey("catalog.ServiceItem", related_name="accountability_cases", on_delete=models.CASCADE)
    situation = models.TextField(_("追责情形"))
    basis = models.TextField(_("追责依据"), blank=True)

    class Meta(Orderable.Meta):
        verbose_name = _("追责情形")
        verbose_name_plural = _("追责情形")

    def __str__(self):
        return self.situation[:50]
