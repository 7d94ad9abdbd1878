from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HeaderMapping(models.Model):
    """A saved header mapping for a recurring source: its column names → our element keys."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    columns = models.JSONField(_("列对应关系"), default=dict, help_text=_("如 {\"职权名称（新）\": \"name\"}"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("表头对应关系")
        verbose_name_plural = _("表头对应关系")

    def __str__(self):
        return self.name


class ImportJob(models.Model):
    """One import: the audit entry (who, when, file, hash, counts) and what undo needs."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        PREVIEWED = "previewed", _("已预览")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("已拒绝")
        FAILED = "failed", _("出错")
        UNDONE = "undone", _("已撤销")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件哈希（SHA-256）"), max_length=64)
    # Kept only until the job has run (a preview waits for confirmation); cleared afterwards.
    file_data = models.BinaryField(null=True, blank=True, editable=False)
    options = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    updated = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("未变化"), default=0)
    refused = models.PositiveIntegerField(_("拒绝"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    warnings = models.JSONField(_("提示"), default=list, blank=True)
    # [{"item": id, "created": bool, "latest": revision id, "live": revision id}] before this import.
    changes = models.JSONField(default=list, blank=True, editable=False)
    published = models.BooleanField(_("直接发布"), default=False)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}（{self.created_at:%Y-%m-%d %H:%M}）"

    @property
    def progress_percent(self):
        return int(self.rows_done * 100 / self.rows_total) if self.rows_total else 0

    @property
    def can_undo(self):
        return self.status == self.Status.DONE and bool(self.changes)
