import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .progress import last_progress_at, process_gone


class HeaderMapping(models.Model):
    """A saved header mapping for a recurring source: its column names → our element keys.

    It belongs to a department, whose administrators use and edit it; one without a department is shared, made by
    a system administrator: every department may use it, only system administrators edit it
    (imports.permissions.header_mapping_policy)."""

    name = models.CharField(_("名称"), max_length=100)
    department = models.ForeignKey(
        "catalog.Department", verbose_name=_("所属部门"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="header_mappings", help_text=_("留空表示各部门共用（仅系统管理员可设）"),
    )
    columns = models.JSONField(_("列对应关系"), default=dict, help_text=_("如 {\"职权名称（新）\": \"name\"}"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("最后修改人"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True, null=True)

    class Meta:
        verbose_name = _("表头对应关系")
        verbose_name_plural = _("表头对应关系")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="header_mapping_name_per_department"),
            models.UniqueConstraint(fields=["name"], condition=models.Q(department__isnull=True),
                                    name="header_mapping_shared_name"),
        ]

    def __str__(self):
        return self.name


def private_storage():
    """Where uploaded import files are kept: STORAGES["imports"], outside MEDIA_ROOT and with no URL."""
    return storages["imports"]


def upload_path(job, filename):
    # The file's own name stays in file_name; on disk a name that says nothing and cannot collide.
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}.upload"


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
        DISCARDED = "discarded", _("已放弃")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, blank=True,
                             on_delete=models.SET_NULL)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    file_sha256 = models.CharField(_("文件哈希（SHA-256）"), max_length=64)
    # The upload, in private storage: kept until the import is written (a preview waits for confirmation, an
    # error report annotates it), deleted then, or IMPORTS_UPLOAD_RETENTION_HOURS after the upload.
    file = models.FileField(_("文件"), storage=private_storage, upload_to=upload_path, max_length=200, blank=True,
                            editable=False)
    file_size = models.PositiveBigIntegerField(_("文件大小（字节）"), default=0)
    started_at = models.DateTimeField(_("开始运行时间"), null=True, blank=True)
    # When its run was last queued (the confirmation, a retry); the upload's own run counts from created_at.
    queued_at = models.DateTimeField(_("排队时间"), null=True, blank=True, editable=False)
    # The process running it (imports.jobs.claim): host and process id (imports.progress.this_host).
    worker_host = models.CharField(_("处理进程所在主机"), max_length=255, blank=True, editable=False)
    worker_pid = models.PositiveIntegerField(_("处理进程号"), null=True, blank=True, editable=False)
    # Marked 出错 because the process running it stopped (imports.jobs.fail_stale_jobs): its owner may retry it.
    interrupted = models.BooleanField(_("处理中断"), default=False, editable=False)
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

    @property
    def counts_written(self) -> bool:
        """Do the counts say what was written? Only after a confirmed import finished; before, they are the
        preview's (what would be written), and a job that never finished wrote nothing."""
        return self.status in (self.Status.DONE, self.Status.UNDONE)

    @property
    def counts_previewed(self) -> bool:
        return self.status in (self.Status.PREVIEWED, self.Status.REFUSED)

    @property
    def confirmed(self) -> bool:
        """Is the job's run (the last one, or the one under way) the confirmed import rather than the preview?"""
        return bool(self.options.get("confirmed"))

    @property
    def is_working(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    def last_sign_of_life(self):
        """When the job last showed life: a run's progress report in the cache, else when it started; a queued
        job, when it was queued."""
        if self.status == self.Status.RUNNING:
            return last_progress_at(self.pk) or self.started_at or self.created_at
        return self.queued_at or self.created_at

    @property
    def abandoned(self) -> bool:
        """Queued or running, yet left by its process: the process that claimed it is gone (seen from its own
        machine), or no sign of life for IMPORTS_STALE_AFTER_SECONDS."""
        if not self.is_working:
            return False
        if self.status == self.Status.RUNNING and process_gone(self.worker_host, self.worker_pid):
            return True
        silent = timezone.now() - self.last_sign_of_life()
        return silent > timedelta(seconds=settings.IMPORTS_STALE_AFTER_SECONDS)

    @property
    def is_stale(self) -> bool:
        """Left by the process that ran it: marked 出错 for that, or still 排队中/导入中 until a reader marks it
        (a queued job stays in the queue: a worker may yet take it)."""
        return (self.status == self.Status.FAILED and self.interrupted) or self.abandoned

    @property
    def can_retry(self) -> bool:
        return self.is_stale and bool(self.file)

    def delete_file(self):
        if self.file:
            self.file.delete(save=False)
