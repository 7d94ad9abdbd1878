"""The applicant's pages: sign up, sign in and out (/account/…), the wizard (/apply/<code>/…), drafts and
submissions. Thin: the answers are read and judged by applications.wizard and applications.service."""

import logging

from django.contrib import messages
from django.contrib.auth import authenticate, get_user_model, login, logout
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import divisions, identity, receipts, service, uploads, wizard
from .forms import SignInForm, SignUpForm
from .models import Applicant

logger = logging.getLogger(__name__)
NOT_AVAILABLE = "没有这个事项，或事项没有开通在线申请"


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return default


# --- account --------------------------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def signup(request):
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(username=data["mobile"], password=data["password"],
                                                        first_name=data["name"][:150])
            Applicant.objects.create(user=user, kind=data["kind"], name=data["name"], id_number=data["id_number"],
                                     mobile=data["mobile"], company_name=data["company_name"],
                                     credit_code=data["credit_code"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, "注册成功，已为您登录。")
        return redirect(_next_url(request, reverse("applications:drafts")))
    return render(request, "applications/signup.html", {"form": form, "next": _next_url(request, "")})


@require_http_methods(["GET", "POST"])
def signin(request):
    form = SignInForm(request.POST or None)
    staff_signed_in = request.user.is_authenticated and identity.current_applicant(request) is None
    if request.method == "POST" and form.is_valid():
        user = authenticate(request, username=form.cleaned_data["username"].strip(),
                            password=form.cleaned_data["password"])
        if user is not None and Applicant.objects.filter(user=user).exists():
            login(request, user)
            return redirect(_next_url(request, reverse("applications:drafts")))
        # A staff account is refused like a wrong password: the public login is for applicants only.
        form.add_error(None, "手机号码或密码不正确")
    return render(request, "applications/signin.html", {"form": form, "next": _next_url(request, ""),
                                                        "staff_signed_in": staff_signed_in})


@require_POST
def signout(request):
    logout(request)
    messages.success(request, "您已退出登录。")
    return redirect("/")


@require_GET
@identity.applicant_required
def drafts(request):
    rows = []
    for draft in service.drafts_of(request.applicant):
        item = draft.item
        available = item.live and service.apply_url(item) is not None
        rows.append({"draft": draft, "available": available,
                     "changed": available and draft.revision_id != item.live_revision_id})
    return render(request, "applications/drafts.html", {"rows": rows, "applicant": request.applicant})


def _own_draft(request, draft_id):
    """The signed-in applicant's draft, or 404 (another applicant's draft is as absent as none)."""
    draft = service.draft_of(request.applicant, draft_id)
    if draft is None:
        raise Http404("没有这份草稿")
    return draft


def _own_submission(request, number):
    found = service.submission_of(request.applicant, number)
    if found is None:
        raise Http404("没有这份申请")
    return found


@require_GET
@identity.applicant_required
def resume(request, draft_id):
    draft = _own_draft(request, draft_id)
    return redirect("applications:step", draft.item.implementation_code, draft.step)


@require_POST
@identity.applicant_required
def delete_draft(request, draft_id):
    draft = _own_draft(request, draft_id)
    service.delete_draft(draft)
    messages.success(request, "草稿已删除。")
    return redirect("applications:drafts")


@require_GET
@identity.applicant_required
def submissions(request):
    return render(request, "applications/submissions.html",
                  {"submissions": service.submissions_of(request.applicant)})


@require_GET
@identity.applicant_required
def submission(request, number, print_view=False):
    found = _own_submission(request, number)
    template = "applications/receipt.html" if print_view else "applications/submission.html"
    return render(request, template, service.receipt(found))


@require_GET
@identity.applicant_required
def receipt_pdf(request, number):
    found = _own_submission(request, number)
    try:
        data = receipts.pdf_of(found)
    except (ImportError, OSError):  # WeasyPrint without the system's pango: the print view always works
        logger.exception("receipt PDF of %s could not be rendered", found.tracking_number)
        messages.warning(request, "暂时无法生成 PDF 回执，请点击“查看并打印回执”打印。")
        return redirect("applications:submission", found.tracking_number)
    response = HttpResponse(data, content_type="application/pdf")
    # RFC 5987 (filename*=utf-8''…) for the Chinese name; the receipt is the applicant's alone: never cached.
    response["Content-Disposition"] = content_disposition_header(True, f"回执-{found.tracking_number}.pdf")
    response["Cache-Control"] = "private, no-store"
    return response


# --- the wizard -----------------------------------------------------------------------------------------------
def _published(code):
    item = service.published_item(code)
    form = service.form_for(item)
    if form is None:
        raise Http404(NOT_AVAILABLE)
    return item, form


def _open(request, code):
    item, form = _published(code)
    return item, form, service.open_draft(request.applicant, item, form)


def _neighbour(state, number, forward):
    numbers = [s.number for s in state.steps]
    later = [n for n in numbers if (n > number if forward else n < number)]
    if not later:
        return None
    return later[0] if forward else later[-1]


@require_GET
@identity.applicant_required
def apply(request, code):
    item, form, draft = _open(request, code)
    state = service.assess(form, draft.answers, request.applicant)
    numbers = [s.number for s in state.steps]
    if not numbers:
        return redirect("applications:check", code)
    return redirect("applications:step", code, draft.step if draft.step in numbers else numbers[0])


def _step_page(request, item, form, draft, state, step, errors, status=200, refused=()):
    numbers = [s.number for s in state.steps]
    placed = [*_refusals(state, refused), *(state.step_errors(step.number) if errors else [])]
    by_field = wizard.errors_by_field(placed)
    local = wizard.step_paths(step)
    raw_rules = wizard.raw_rules_of(form)
    rule_paths = {}
    widgets = _widgets(step.fields, state, draft.answers, by_field, local, raw_rules, rule_paths)
    _add_files(widgets, service.draft_files(draft))
    script = {
        "base": state.data, "applicant": state.context["applicant"], "item": form.item,
        "fields": [{**{k: v for k, v in entry.items() if k != "path"}, "path": sig}
                   for sig, entry in raw_rules.items() if state.plan.by_path.get(sig, (None,))[0] == step.number],
        "groups": [{"path": w["path"], "visible_when": w["visible_when"]} for w in _groups(widgets)],
    }
    dropped, draft.dropped = list(draft.dropped or []), []
    if dropped:
        draft.save(update_fields=["dropped"])
    context = {
        "item": item, "form": form, "draft": draft, "step": step, "widgets": widgets, "errors": placed,
        "position": numbers.index(step.number) + 1 if step.number in numbers else 1, "count": len(numbers),
        "previous": _neighbour(state, step.number, False), "dropped": dropped,
        "script": script, "returning": request.GET.get("return") == "check"
        or request.POST.get("return") == "check",
    }
    return render(request, "applications/step.html", context, status=status)


def _refusals(state, refused):
    """The files not kept, as errors of their slots (in the summary and beside the file input)."""
    out = []
    for refusal in refused:
        parts = tuple(refusal.slot.split("."))
        number, _item, _size = wizard.field_of(state.plan, parts)
        out.append(wizard.PlacedError(refusal.message, f"$.{refusal.slot}", parts, wizard.dom_id(parts), number))
    return out


def _add_files(widgets, files):
    for w in widgets:
        if w["type"] == "group":
            _add_files(w["fields"], files)
        elif w["type"] == "upload":
            w["files"] = files.get(w["name"], [])
            w["can_add"] = len(w["files"]) < w["max_files"]
            w["kinds"] = "、".join(ext.upper() for ext in w["accept"] or uploads.DEFAULT_ACCEPT)


def _groups(widgets):
    for w in widgets:
        if w["type"] == "group":
            if w.get("visible_when") is not None:
                yield w
            yield from _groups(w["fields"])


def _widgets(fields, state, answers, by_field, local, raw_rules, rule_paths):
    out = []
    for item in fields:
        if not wizard.field_shown(state.plan, item, state.context, local, raw_rules):
            continue
        kind = item.get("type")
        sig = wizard.signature(item.get("path") or "")
        has_rule = bool(raw_rules.get(sig, {}).get("visible_when") or raw_rules.get(sig, {}).get("required_when"))
        if kind == "group":
            rule, help_text = item.get("visible_when"), item.get("help")
            if rule is not None and wizard.reads_any(rule, local):
                help_text = "；".join(filter(None, [help_text, wizard.condition_text(state.plan, rule)]))
            out.append({"type": "group", "label": item.get("label"), "help": help_text,
                        "path": f"group.{item.get('key')}", "visible_when": item.get("visible_when"),
                        "fields": _widgets(item.get("fields") or [], state, answers, by_field, local, raw_rules,
                                           rule_paths)})
            continue
        if kind == "static_text":
            out.append({"type": kind, "label": item.get("label"), "text": item.get("text"), "path": "",
                        "rules": False})
            continue
        required = _required(state, item, sig)
        if kind == "repeat":
            rows = answers["form"].get(item["key"]) or []
            row_widgets = []
            for index, _row in enumerate(rows):
                cells = [wizard.widget(child, f"form.{item['key']}.{index}.{child['key']}", answers, by_field,
                                       _required(state, child, wizard.signature(child["path"])), {})
                         for child in item.get("fields") or [] if child.get("type") != "upload"]
                row_widgets.append({"index": index, "number": index + 1, "cells": cells})
            out.append({"type": "repeat", "path": sig, "name": f"form.{item['key']}", "key": item["key"],
                        "id": wizard.dom_id(("form", item["key"])), "label": item.get("label"),
                        "help": item.get("help"), "item_label": item.get("item_label") or item.get("label"),
                        "rows": row_widgets, "count": len(rows), "required": required,
                        "can_add": len(rows) < int(item.get("max_count") or wizard.MAX_ROWS),
                        "min_count": item.get("min_count") or 0, "max_count": item.get("max_count"),
                        "errors": by_field.get(f"form.{item['key']}", []),
                        "rules": has_rule})
            continue
        computed = state.data if item.get("readonly") else None
        shown = wizard.widget(item, item["path"], answers, by_field, required, {sig: has_rule}, computed)
        rule = raw_rules.get(sig, {}).get("visible_when")
        if rule is not None and wizard.reads_any(rule, local):
            # On the page whatever is chosen above it (the script hides it, where there is one): say when.
            shown["help"] = "；".join(filter(None, [shown["help"], wizard.condition_text(state.plan, rule)]))
        out.append(shown)
    return out


def _required(state, item, sig):
    if item.get("required"):
        return True
    rule = state.plan.rules.get(sig, {}).get("required_when")
    return rule is not None and wizard.holds(rule, state.context)


# The CSRF check reads the POST, so it runs in _post_step, once the upload handler is in place (Django's docs,
# "Modifying upload handlers on the fly").
@csrf_exempt
@require_http_methods(["GET", "POST"])
@identity.applicant_required
def step(request, code, number):
    item, form, draft = _open(request, code)
    plan = wizard.plan_of(form)
    if not 1 <= number <= len(plan.steps):
        raise Http404("没有这一步")
    current = plan.steps[number - 1]
    if request.method == "GET":
        state = service.assess(form, draft.answers, request.applicant)
        if current.number not in [s.number for s in state.steps]:
            return redirect("applications:apply", code)
        # Errors show on a page the applicant has already left once (a 修改 link, a failed submit).
        return _step_page(request, item, form, draft, state, current, errors=request.GET.get("check") == "1")
    if uploads.too_large(request):
        state = service.assess(form, draft.answers, request.applicant)
        limit = uploads.request_limit() // uploads.MB
        refusal = [uploads.Refusal(path, "", f"一次提交的文件合计不能超过 {limit} MB，本次提交未保存，请分次上传")
                   for path in list(uploads.slots_of(current))[:1]]
        return _step_page(request, item, form, draft, state, current, errors=False, status=413, refused=refusal)
    handler = uploads.SlotUploadHandler(request, uploads.slots_of(current))
    request.upload_handlers = [handler]
    return _post_step(request, item, form, draft, current, handler)


@csrf_protect
def _post_step(request, item, form, draft, current, handler):
    code, number = item.implementation_code, current.number
    action = request.POST.get("action", "next")
    answers = wizard.read_step(current, request.POST, draft.answers)
    fragment = ""
    if action.startswith(("add:", "remove:")):
        answers, fragment = wizard.change_rows(current, answers, action)
    answers, refused = service.receive_files(draft, form, current, answers, request.FILES, handler.refused)
    slot = action.partition(":")[2] if action.startswith("upload:") else ""
    if action.startswith("delete-file:"):
        token = action.partition(":")[2]
        slot = next((path for path in uploads.slots_of(current) if token in uploads.tokens_of(answers, path)), "")
        answers = service.delete_upload(draft, answers, token)
    service.save_step(draft, answers, number)
    answers = draft.answers
    state = service.assess(form, answers, request.applicant)
    returning = "?return=check" if request.POST.get("return") == "check" else ""
    if refused:
        return _step_page(request, item, form, draft, state, current, errors=action == "next", refused=refused)
    if action.startswith(("add:", "remove:", "upload:", "delete-file:")) or action == "refresh":
        if action.startswith(("upload:", "delete-file:")):  # back to the slot
            fragment = wizard.dom_id(slot.split(".")) if slot in uploads.slots_of(current) else ""
        target = reverse("applications:step", args=[code, number]) + returning
        return redirect(target + (f"#{fragment}" if fragment else ""))
    if action == "save":
        messages.success(request, f"已保存《{item.name}》的申请草稿，可随时在“我的草稿”中继续填写。")
        return redirect("applications:drafts")
    if action == "back":
        previous = _neighbour(state, number, False)
        return redirect("applications:step", code, previous) if previous else redirect("applications:apply", code)
    if state.step_errors(number):
        return _step_page(request, item, form, draft, state, current, errors=True)
    following = _neighbour(state, number, True)
    if returning or following is None:
        return redirect("applications:check", code)
    draft.step = following
    draft.save(update_fields=["step"])
    return redirect("applications:step", code, following)


@require_http_methods(["GET", "POST"])
@identity.applicant_required
def check(request, code):
    if request.method == "POST":
        item, form = _published(code)  # a retry after the submission finds no draft, and must not make one
        try:
            found = service.submit(request.applicant, item, form, request.POST.get("idempotency_key", ""))
        except service.SubmitRefused as refused:
            draft = service.open_draft(request.applicant, item, form)
            state = refused.state or service.assess(form, draft.answers, request.applicant)
            return _check_page(request, item, form, draft, state, refused.reason, status=200)
        return redirect("applications:submission", found.tracking_number)
    item, form, draft = _open(request, code)
    state = service.assess(form, draft.answers, request.applicant)
    return _check_page(request, item, form, draft, state, "")


def _check_page(request, item, form, draft, state, reason, status=200):
    code = item.implementation_code
    errors = []
    for error in state.errors:
        if error.step:
            href = reverse("applications:step", args=[code, error.step]) + f"?return=check&check=1#{error.anchor}"
        else:
            href = "#answers"
        errors.append({"message": error.message, "href": href})
    dropped, draft.dropped = list(draft.dropped or []), []
    if dropped:
        draft.save(update_fields=["dropped"])
    materials, limit, unit = service.materials_for(item, state)
    files = service.draft_files(draft)
    shown = {path: files.get(path, []) for path in state.uploads()}
    return render(request, "applications/check.html", {
        "item": item, "draft": draft, "answers": wizard.summary(form.ui, state.data, shown),
        "errors": errors, "reason": reason, "dropped": dropped, "materials": materials,
    }, status=status)


@require_GET
def upload(request, upload_id):
    """One of the applicant's own files. Anyone else gets 404, a signed-in staff user too (the staff's views read
    files through applications.service); a visitor not signed in is sent to sign in."""
    applicant = identity.current_applicant(request)
    if applicant is None and not request.user.is_authenticated:
        return redirect(identity.sign_in_url(request.get_full_path()))
    found = service.upload_of(applicant, upload_id) if applicant is not None else None
    if found is None:
        raise Http404("没有这个文件")
    inline = uploads.previewable(found)
    response = FileResponse(service.open_upload(found), content_type=found.content_type,
                            as_attachment=not inline, filename=found.name)
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever a file holds runs in no origin of ours (and the site's policy, which the middleware leaves, is
    # replaced by this one).
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def division_children(request, code):
    """The divisions under one, for the division field's script (the page works without it)."""
    if code != "root" and (len(code) != 6 or not code.isdigit()):
        raise Http404()
    rows = divisions.children_of("" if code == "root" else code)
    response = JsonResponse({"children": [{"code": c, "name": n} for c, n in rows]},
                            json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- the admin's live preview (formbuilder's "render_form_preview" hook) -------------------------------------
def form_preview(request, item, form, problems):
    """Every step of the form being designed, drawn with the wizard's own widgets and styles, answered by
    nobody. Every field is on the page: one that depends on another says when it is needed, as a page without
    JavaScript says it."""
    blank = {"situation": {}, "form": {}}
    state = service.assess(form, blank, None)
    everywhere = set(state.plan.by_path)  # every rule reads "this page": nothing is left out of the preview
    raw_rules = wizard.raw_rules_of(form)
    steps = []
    for step in state.plan.steps:
        widgets = _widgets(step.fields, state, blank, {}, everywhere, raw_rules, {})
        _add_files(widgets, {})
        steps.append({"step": step, "widgets": widgets})
    return render(request, "applications/preview.html",
                  {"item": item, "form": form, "steps": steps, "problems": problems})
