"""Admin views: upload → preview (a background dry run) → confirm (a background import); history; undo; export.

Thin: the work is in service.py, jobs.py and export.py. Every view is limited by the department policy.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from catalog.filters import ServiceItemFilterSet, search_items
from catalog.models import ServiceItem, scoped_department_ids
from catalog.permissions import service_item_policy

from .export import write_workbook
from .jobs import discard as discard_job
from .jobs import fail_stale_jobs, job_file, progress_of, queue, settle, store_upload, undo_job
from .models import HeaderMapping, ImportJob
from .permissions import header_mapping_policy
from .report import error_report
from .tasks import dispatch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_import(user):
    if not service_item_policy.user_has_any_permission(user, ["add", "change"]):
        raise PermissionDenied


def _jobs_for(user):
    jobs = ImportJob.objects.select_related("user")
    return jobs if scoped_department_ids(user) is None else jobs.filter(user=user)


def _job(request, pk):
    """The job as it stands (one left running by a process that is gone is marked 出错 first: a restart of the
    server, or a killed worker, never leaves a job 导入中)."""
    _require_import(request.user)
    return settle(get_object_or_404(_jobs_for(request.user), pk=pk))


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("电子表格文件"), help_text=gettext_lazy(".xlsx、.xls 或 .csv"))
    mapping = forms.ModelChoiceField(HeaderMapping.objects.all(), required=False,
                                     label=gettext_lazy("表头对应关系"))
    publish = forms.BooleanField(required=False, label=gettext_lazy("导入后直接发布"))
    create_departments = forms.BooleanField(required=False, label=gettext_lazy("新建系统中没有的部门"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the mappings the user may use: their departments' and the shared ones (imports.permissions).
        self.fields["mapping"].queryset = header_mapping_policy.visible(user).order_by("name")
        if not service_item_policy.user_has_permission(user, "publish"):
            del self.fields["publish"]
        if scoped_department_ids(user) is not None:
            del self.fields["create_departments"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORTS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 %(n)d MB") % {"n": settings.IMPORTS_MAX_UPLOAD_BYTES // 2**20})
        return upload


def index(request):
    _require_import(request.user)
    fail_stale_jobs()
    jobs = _jobs_for(request.user)[:100]
    return TemplateResponse(request, "imports/index.html", {"jobs": jobs, "page_title": _("批量导入导出")})


def upload(request):
    _require_import(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        # Django has already streamed a large upload to a temporary file; it goes on, chunk by chunk, to private
        # storage, and the reader opens it there: the file is never whole in this process's memory.
        upload = form.cleaned_data["file"]
        mapping = form.cleaned_data.get("mapping")
        job = ImportJob(
            user=request.user,
            file_name=upload.name[:255],
            options={
                "publish": bool(form.cleaned_data.get("publish")),
                "create_departments": bool(form.cleaned_data.get("create_departments")),
                "mapping": mapping.columns if mapping else None,
            },
        )
        store_upload(job, upload)
        job.save()
        dispatch(job)  # the preview
        return redirect("imports:job", job.pk)
    return TemplateResponse(request, "imports/upload.html", {"form": form, "page_title": _("上传电子表格")})


def job_detail(request, pk):
    job = _job(request, pk)
    stale = job.is_stale
    return TemplateResponse(request, "imports/job.html", {
        "job": job, "page_title": _("导入记录"), "working": job.is_working and not stale, "stale": stale,
        "owner": job.user_id == request.user.pk,
    })


def job_progress(request, pk):
    return JsonResponse(progress_of(_job(request, pk)))


@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    if job.status != ImportJob.Status.PREVIEWED or job.errors or job.user_id != request.user.pk:
        messages.error(request, _("只有本人预览通过的导入才能确认"))
        return redirect("imports:job", job.pk)
    dispatch(queue(job, confirmed=True))
    return redirect("imports:job", job.pk)


def _own_stale_job(request, pk):
    job = _job(request, pk)
    if job.user_id != request.user.pk or not job.is_stale:
        messages.error(request, _("只有本人的、已中断的导入才能重试或放弃"))
        return job, False
    return job, True


@require_POST
def retry(request, pk):
    """A job its process left (killed, or the server restarted): run it again (nothing of it was written)."""
    job, ok = _own_stale_job(request, pk)
    if ok:
        if not job.can_retry:
            messages.error(request, _("上传的文件已过期，无法重试；请放弃这条记录后重新上传"))
        else:
            dispatch(queue(job))  # the same run again: the preview, or the confirmed import
            messages.success(request, _("已重新开始"))
    return redirect("imports:job", job.pk)


@require_POST
def discard(request, pk):
    job, ok = _own_stale_job(request, pk)
    if ok:
        discard_job(job)
        messages.success(request, _("已放弃这次导入：没有写入任何数据，上传的文件已删除"))
    return redirect("imports:job", job.pk)


def report(request, pk):
    job = _job(request, pk)
    if not job.file:
        raise Http404(_("上传的文件已过期删除，无法生成错误报告"))
    with job_file(job) as path:
        data = error_report(path, job.file_name, job.errors)
    response = HttpResponse(data, content_type=XLSX)
    stem = job.file_name.rsplit(".", 1)[0]
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stem + '-错误报告.xlsx')}"
    return response


@require_POST
def undo(request, pk):
    job = _job(request, pk)
    if not job.can_undo:
        raise Http404
    ids = [c["item"] for c in job.changes if c.get("item")]
    items = ServiceItem.objects.filter(pk__in=ids)
    if service_item_policy.scope_queryset(request.user, items).count() != items.count():
        raise PermissionDenied
    count, kept = undo_job(job, request.user)
    messages.success(request, _("已撤销：恢复或删除了 %(n)d 个事项") % {"n": count})
    if kept:
        messages.warning(request, _("%(n)d 个事项在导入后又被修改过，未撤销，以免丢失修改：%(names)s")
                         % {"n": len(kept), "names": "、".join(kept[:20]) + ("…" if len(kept) > 20 else "")})
    return redirect("imports:job", job.pk)


def template(request):
    _require_import(request.user)
    return _download(write_workbook(), "事项导入模板.xlsx")


def export(request):
    """The catalogue as the import layout: everything the user may see, narrowed by the listing's filters."""
    if not service_item_policy.user_has_any_permission(request.user, ["view", "change"]):
        raise PermissionDenied

    items = service_item_policy.scope_queryset(request.user, ServiceItem.objects.all())
    filters = ServiceItemFilterSet(request.GET or None, queryset=items, request=request)
    if filters.is_bound and filters.is_valid():
        items = filters.qs
    items = search_items(items, request.GET.get("q"))  # the listing's own search, so the export is what it shows
    return _download(write_workbook(items), f"实施清单-{timezone.localdate():%Y%m%d}.xlsx")


def _quote(name):
    from urllib.parse import quote

    return quote(name)


def _download(data, filename):
    response = FileResponse(iter([data]), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response
