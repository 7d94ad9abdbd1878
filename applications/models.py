"""Applicants, their drafts and their submissions (申请).

An applicant is a profile beside Django's user (a OneToOne), so that the provincial unified identity (统一身份认证,
OpenID Connect) can replace local passwords by creating the same profile from its claims (applications.identity).
Staff users have no profile and therefore cannot apply."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApplicantKind(models.TextChoices):
    PERSON = "person", _("个人")
    COMPANY = "company", _("法人和其他组织")


class Applicant(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applicant")
    kind = models.CharField(_("申请人类型"), max_length=10, choices=ApplicantKind.choices,
                            default=ApplicantKind.PERSON)
    # For a company these are its agent's (经办人), who signs in.
    name = models.CharField(_("姓名"), max_length=50)
    id_number = models.CharField(_("居民身份证号码"), max_length=18)
    mobile = models.CharField(_("手机号码"), max_length=11)  # unique: Meta (a constraint: no LIKE index)
    company_name = models.CharField(_("单位名称"), max_length=200, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    # Where the identity came from: "local" (password here) or an identity provider's name with its subject.
    identity_provider = models.CharField(_("身份来源"), max_length=50, default="local")
    identity_subject = models.CharField(_("身份标识"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("注册时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请人")
        verbose_name_plural = _("申请人")
        constraints = [models.UniqueConstraint(fields=["mobile"], name="applicant_mobile_unique")]

    def __str__(self):
        return self.company_name if self.kind == ApplicantKind.COMPANY else self.name


class Draft(models.Model):
    """The answers of an application being filled in, saved at every step (one per applicant and item)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="drafts")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.CASCADE, related_name="application_drafts")
    # The published version the answers were given against (the item's live revision).
    revision_id = models.BigIntegerField(_("表单版本"), null=True)
    answers = models.JSONField(_("已填内容"), default=dict)
    # path → [type, label] of every field of that version, to migrate the answers when the form changes.
    fields = models.JSONField(default=dict)
    step = models.PositiveSmallIntegerField(_("当前步骤"), default=1)
    # What a form change dropped, told once on the next page (labels).
    dropped = models.JSONField(default=list, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4)
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("保存时间"), auto_now=True)

    class Meta:
        verbose_name = _("申请草稿")
        verbose_name_plural = _("申请草稿")
        ordering = ["-updated_at"]
        constraints = [models.UniqueConstraint(fields=["applicant", "item"], name="applications_one_draft_per_item")]

    def __str__(self):
        return f"{self.applicant} · {self.item}"


class Submission(models.Model):
    """A submitted application: the answers as validated, against the frozen form version."""

    tracking_number = models.CharField(_("申请编号"), max_length=32)  # unique: Meta
    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="submissions")
    item = models.ForeignKey("catalog.ServiceItem", on_delete=models.SET_NULL, null=True,
                             related_name="submissions")
    # The department that handles it: whose staff see it (catalog's policy). Kept when the item is deleted.
    department = models.ForeignKey("catalog.Department", on_delete=models.PROTECT, null=True,
                                   related_name="submissions", verbose_name=_("实施部门"))
    item_code = models.CharField(_("实施编码"), max_length=64)
    item_name = models.CharField(_("事项名称"), max_length=200)
    department_name = models.CharField(_("实施部门"), max_length=100)
    revision_id = models.BigIntegerField(_("表单版本"), null=True)
    form_schema = models.JSONField(_("表单结构（JSON Schema）"))
    form_ui = models.JSONField(_("表单界面"))
    answers = models.JSONField(_("申请内容"))
    materials = models.JSONField(_("申请材料"), default=list)
    promised_limit = models.PositiveIntegerField(_("承诺办结时限"), null=True)
    promised_limit_unit = models.CharField(_("时限单位"), max_length=1, blank=True)
    due_date = models.DateField(_("承诺办结日期"), null=True)
    due_provisional = models.BooleanField(default=False)
    idempotency_key = models.UUIDField()
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请")
        verbose_name_plural = _("申请")
        ordering = ["-submitted_at"]
        constraints = [models.UniqueConstraint(fields=["applicant", "idempotency_key"],
                                               name="applications_submit_once"),
                       models.UniqueConstraint(fields=["tracking_number"], name="submission_tracking_number_unique")]
        # The staff's listing, newest first (applications.staff): a page's ids come from the index alone, for a
        # department and the departments below it, or for all of them.
        indexes = [models.Index(fields=["department", "submitted_at", "id"], name="submission_department_time"),
                   models.Index(fields=["submitted_at", "id"], name="submission_time")]

    def __str__(self):
        return self.tracking_number


class ScanResult(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("未扫描")  # no virus scanner configured (CLAMD_SOCKET / CLAMD_URL unset)
    CLEAN = "clean", _("未发现病毒")


class Upload(models.Model):
    """A file attached to a material slot (an upload field) of a draft, and once submitted of the submission.

    Stored privately (applications.uploads) under a random name, never under a public URL; the applicant's file
    name is kept for display only. The answers hold the upload's id as the slot's value. A file the scanner finds
    infected is refused and never stored, so every row here is clean or was not scanned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    applicant = models.ForeignKey(Applicant, on_delete=models.CASCADE, related_name="uploads")
    draft = models.ForeignKey(Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploads")
    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="uploads")
    slot = models.CharField(_("材料栏"), max_length=200)  # the upload field's path, e.g. "form.id_card"
    material = models.CharField(_("申请材料"), max_length=300, blank=True)
    name = models.CharField(_("文件名"), max_length=255)
    storage_name = models.CharField(max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    scan = models.CharField(_("病毒扫描"), max_length=12, choices=ScanResult.choices,
                            default=ScanResult.NOT_SCANNED)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("上传的材料")
        verbose_name_plural = _("上传的材料")
        ordering = ["created_at"]
        constraints = [models.UniqueConstraint(fields=["storage_name"], name="upload_storage_name_unique")]

    def __str__(self):
        return self.name
