"""The admin's live preview: the form being edited, compiled and rendered as the public will see it."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST
from wagtail import hooks

from catalog.models import ServiceItem
from catalog.permissions import service_item_policy

from .admin import source_from_form
from .compile import compile_form

MAX_PREVIEW_BYTES = 512 * 1024


@require_POST
def preview(request, pk):
    """POST: the item's edit form as it stands (the page's own fields); answers the rendered form."""
    # The length the browser declares: the edit form is multipart, and the CSRF check has already read the
    # stream (request.body is gone by now); Django's own upload limits bound what was read.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PREVIEW_BYTES:
        return HttpResponseBadRequest("表单过大，无法预览")
    # Another department's item answers 404, as every per-item admin view does.
    items = service_item_policy.scope_queryset(request.user, ServiceItem.objects.all())
    item = get_object_or_404(items, pk=pk)
    if not service_item_policy.user_has_permission_for_instance(request.user, "change", item):
        raise PermissionDenied
    form_class = ServiceItem.snippet_viewset.get_edit_handler().get_form_class()
    form = form_class(request.POST, request.FILES, instance=item, for_user=request.user)
    form.is_valid()  # (the preview shows what reads; the save reports the rest)
    _child, source = source_from_form(form)
    compiled = compile_form(source, strict=False) if source is not None else None
    problems = [p.message for p in compiled.problems] if compiled else []
    # The app that renders the form to the public draws it (hook "render_form_preview", applications); this
    # plain rendering is for a site without it.
    if compiled is not None:
        for render_preview in hooks.get_hooks("render_form_preview"):
            return render_preview(request, item, compiled, problems)
    return render(request, "formbuilder/preview.html", {
        "item": item, "form": compiled, "ui": compiled.ui if compiled else None,
        "rules": compiled.rules if compiled else None,
        "problems": problems,
    })
