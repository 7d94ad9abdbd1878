from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from modelcluster.models import ClusterableModel
from wagtail.models import (
    DraftStateMixin,
    LockableMixin,
    PreviewableMixin,
    RevisionMixin,
    WorkflowMixin,
)

from ..codes import (
    CaseType,
    CodeStatus,
    DepartmentLevel,
    DepartmentNature,
    ItemType,
    OnlineDepth,
    ResultType,
    ServiceObject,
    SubItemRole,
    TimeUnit,
)


class HandlingArea(models.TextChoices):
    NATIONAL = "1", _("全国通办")
    PROVINCE = "2", _("全省通办")
    CITY = "3", _("全市通办")
    COUNTY = "4", _("全区（县）通办")
    LOCAL = "5", _("属地办理")


# Fields written on every save from the item's own content: see ServiceItem.refresh_quality().
QUALITY_FIELDS = ("code_status", "code_message", "completeness_score", "completeness_flags")


class ServiceItem(WorkflowMixin, DraftStateMixin, LockableMixin, RevisionMixin, PreviewableMixin, ClusterableModel):
    """An entry of the implementation list (实施清单): one item as one department implements it.

    Its guide elements (办事指南要素) are fields here; materials, fees, FAQs, legal bases and the responsibility
    list are child rows (ParentalKey), so they belong to the item's revisions and are moderated with it.
    """

    # 基本信息
    name = models.CharField(_("事项名称"), max_length=200)
    implementation_code = models.CharField(
        _("实施编码"),
        max_length=64,
        help_text=_("国家标准为31位；地方格式按原样保存并标记为无法校验"),
    )  # unique: Meta (a constraint, so PostgreSQL gets no LIKE index beside it)
    basic_code = models.CharField(_("基本编码"), max_length=64, blank=True)
    item_type = models.CharField(_("事项类型"), max_length=2, choices=ItemType.choices)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("实施主体"), on_delete=models.PROTECT, related_name="items",
        db_index=False,  # the (department, item_type) index below serves it
    )
    department_nature = models.CharField(
        _("实施主体性质"), max_length=1, choices=DepartmentNature.choices, default=DepartmentNature.STATUTORY
    )
    entrusted_department = models.CharField(_("委托部门"), max_length=200, blank=True)
    exercise_level = models.CharField(_("行使层级"), max_length=1, choices=DepartmentLevel.choices, blank=True)
    catalog_entry = models.ForeignKey(
        "catalog.CatalogEntry",
        db_index=False,
        verbose_name=_("基本目录事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="implementations",
    )
    role = models.CharField(_("主项/子项"), max_length=4, choices=SubItemRole.choices, default=SubItemRole.NONE)
    parent = models.ForeignKey(
        "self", verbose_name=_("所属主项"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sub_items",
        db_index=False,
    )
    # The main item's name as the source list gives it; parent links it when the main item is itself an entry.
    main_item_name = models.CharField(_("所属主项名称"), max_length=200, blank=True)
    service_objects = models.CharField(
        _("服务对象"), max_length=20, blank=True, help_text=_("国家代码，多个用逗号分隔，如 1,2")
    )

    # 办理要素
    case_type = models.CharField(_("办件类型"), max_length=1, choices=CaseType.choices, blank=True)
    statutory_limit = models.PositiveIntegerField(_("法定办结时限"), null=True, blank=True)
    statutory_limit_unit = models.CharField(
        _("法定时限单位"), max_length=1, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    statutory_limit_note = models.CharField(_("法定时限说明"), max_length=500, blank=True)
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True, blank=True)
    promised_limit_unit = models.CharField(
        _("承诺时限单位"), max_length=1, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    promised_limit_note = models.CharField(_("承诺时限说明"), max_length=500, blank=True)
    acceptance_conditions = models.TextField(_("受理条件"), blank=True)
    handling_flow = models.TextField(_("办理流程"), blank=True)
    handled_at_window = models.BooleanField(_("窗口办理"), default=True)
    handled_online = models.BooleanField(_("网上办理"), default=False)
    handled_by_post = models.BooleanField(_("快递申请"), default=False)
    visits = models.PositiveSmallIntegerField(_("到办事现场次数"), null=True, blank=True)
    online_depth = models.CharField(_("网办深度"), max_length=1, choices=OnlineDepth.choices, blank=True)
    online_url = models.URLField(_("网上办理地址"), max_length=500, blank=True)
    appointment_available = models.BooleanField(_("支持预约办理"), default=False)
    express_delivery = models.BooleanField(_("支持物流快递"), default=False)
    is_free = models.BooleanField(_("不收费"), default=True)
    handling_area = models.CharField(_("通办范围"), max_length=1, choices=HandlingArea.choices, blank=True)

    # 办理地点与咨询
    address = models.TextField(_("办理地点"), blank=True)
    office_hours = models.CharField(_("办理时间"), max_length=500, blank=True)
    consultation_channels = models.TextField(_("咨询方式"), blank=True)
    complaint_channels = models.TextField(_("监督投诉方式"), blank=True)

    # 审批结果与其他
    result_type = models.CharField(_("审批结果类型"), max_length=1, choices=ResultType.choices, blank=True)
    result_name = models.CharField(_("审批结果名称"), max_length=200, blank=True)
    result_sample = models.ForeignKey(
        "wagtaildocs.Document",
        db_index=False,
        verbose_name=_("审批结果样本"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    special_procedures = models.TextField(_("特别程序"), blank=True)
    intermediary_services = models.TextField(_("中介服务"), blank=True)
    accountable_subject = models.CharField(_("追责对象"), max_length=200, blank=True)
    source_url = models.URLField(_("原办事指南地址"), max_length=1000, blank=True)

    # Derived from the content on every save (see refresh_quality); never edited by hand.
    code_status = models.CharField(
        _("编码校验"), max_length=10, choices=CodeStatus.choices, default=CodeStatus.UNCHECKED, editable=False
    )
    code_message = models.CharField(_("编码校验说明"), max_length=300, blank=True, editable=False)
    completeness_score = models.PositiveSmallIntegerField(_("要素完整度"), default=0, editable=False, db_index=True)
    completeness_flags = models.CharField(_("缺项代码"), max_length=500, blank=True, editable=False)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="service_item")
    workflow_states = GenericRelation(
        "wagtailcore.WorkflowState",
        content_type_field="base_content_type",
        object_id_field="object_id",
        related_query_name="service_item",
        for_concrete_model=False,
    )

    class Meta:
        verbose_name = _("实施清单事项")
        verbose_name_plural = _("实施清单事项")
        ordering = ["department_id", "name"]
        permissions = [
            ("access_all_departments", _("可管理所有部门的事项")),
        ]
        constraints = [models.UniqueConstraint(fields=["implementation_code"], name="item_implementation_code_unique")]
        # Links that most items leave empty are indexed only where set (a bulk import writes no NULL entries).
        indexes = [
            models.Index(fields=["department", "item_type"]),
            models.Index(fields=["catalog_entry"], condition=models.Q(catalog_entry__isnull=False),
                         name="catalog_item_catalog_entry"),
            models.Index(fields=["parent"], condition=models.Q(parent__isnull=False), name="catalog_item_parent"),
            models.Index(fields=["result_sample"], condition=models.Q(result_sample__isnull=False),
                         name="catalog_item_result_sample"),
        ]

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions

    # --- derived quality -------------------------------------------------------------------------
    def refresh_quality(self):
        """Recompute the code verdict and the guide completeness from the item's current content."""
        from ..completeness import assess
        from ..validators import code_verdict

        self.code_status, self.code_message = code_verdict(self.implementation_code, self.item_type)
        report = assess(self)
        self.completeness_score = report.score
        self.completeness_flags = report.flags_text

    def save(self, *args, **kwargs):
        self.refresh_quality()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            # A draft save writes only the revision pointer; keep the quality columns in step with the draft.
            kwargs["update_fields"] = {*update_fields, *QUALITY_FIELDS}
        super().save(*args, **kwargs)

    # --- presentation ----------------------------------------------------------------------------
    @property
    def service_object_labels(self):
        labels = dict(ServiceObject.choices)
        return [labels.get(code, code) for code in self.service_objects.split(",") if code]

    def get_preview_template(self, request, mode_name):
        return "catalog/service_item_preview.html"

    def get_preview_context(self, request, mode_name):
        return {"item": self, "is_preview": True}

    def get_admin_url(self):
        return reverse("wagtailsnippets_catalog_serviceitem:edit", args=[self.pk])
