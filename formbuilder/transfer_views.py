"""The admin's 导出表单, 导入表单 and 复制到其他事项 for an item (formbuilder.transfer does the work).

Another department's item answers 404 (as every per-item admin view does); an item the user may see but not
change answers 403."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from catalog.models import ServiceItem
from catalog.permissions import service_item_policy

from .transfer import FormImportError, copy_form, export_form, import_form, may_edit

MAX_FORM_BYTES = 1024 * 1024


def _item(request, pk, change=True):
    items = service_item_policy.scope_queryset(request.user, ServiceItem.objects.select_related("department"))
    item = get_object_or_404(items, pk=pk)
    if change and not may_edit(request.user, item):
        raise PermissionDenied
    return item


def export_view(request, pk):
    item = _item(request, pk, change=False)
    body = json.dumps(export_form(item), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="form-{item.pk}.json"'
    return response


class ImportForm(forms.Form):
    file = forms.FileField(label="表单文件（.json）")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FORM_BYTES:
            raise forms.ValidationError("文件过大（最大1MB）")
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError("文件不是有效的 JSON（须为 UTF-8 编码）") from None


def import_view(request, pk):
    item = _item(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            import_form(item, form.cleaned_data["file"], request.user)
        except FormImportError as error:
            problems = error.messages
        else:
            messages.success(request, f"已导入表单，保存为“{item.name}”的草稿")
            return redirect("wagtailsnippets_catalog_serviceitem:edit", item.pk)
    return TemplateResponse(request, "formbuilder/import_form.html", {
        "item": item, "form": form, "problems": problems, "page_title": f"导入表单：{item.name}"})


class CopyForm(forms.Form):
    targets = forms.ModelMultipleChoiceField(queryset=ServiceItem.objects.none(), label="复制到这些事项",
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, user, source, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the items of the departments the user may edit are offered (and accepted).
        editable = service_item_policy.instances_user_has_any_permission_for(user, ["change"])
        self.fields["targets"].queryset = editable.exclude(pk=source.pk).select_related("department").order_by(
            "department__name", "name")


def copy_view(request, pk):
    item = _item(request, pk, change=False)
    form = CopyForm(request.POST or None, user=request.user, source=item)
    results = None
    if request.method == "POST" and form.is_valid():
        results = copy_form(item, list(form.cleaned_data["targets"]), request.user)
    return TemplateResponse(request, "formbuilder/copy_form.html", {
        "item": item, "form": form, "results": results, "page_title": f"复制表单：{item.name}"})
