"""applications' public API: what publish (the guide's 在线办理), the future cases app and the views use.

- ``apply_url(item)``: where the guide's 在线办理 leads when the item has a published form (else None).
- ``published_item(code)`` and ``form_for(item)``: a published item and its compiled form.
- ``open_draft(applicant, item, form)``: the applicant's draft of the item, created (prefilled from the profile)
  or resumed; a draft of an older published version is migrated (``Draft.dropped`` says what was lost).
- ``assess(form, answers, applicant)``: the answers as the server sees them (validated data, shown steps, errors
  placed on their fields and steps).
- ``save_step(draft, answers, step)``, ``submit(applicant, item, form, key)``.
- ``drafts_of``, ``draft_of``, ``submissions_of``, ``submission_of``: an applicant's own, and nothing else.
- Uploads (applications.uploads): ``receive_files(draft, form, step, answers, files)`` keeps a step's posted files,
  ``delete_upload``, ``delete_draft`` (with its files), ``upload_of(applicant, id)`` (the applicant's own only),
  ``draft_files``; for staff views ``uploads_of(submission)`` and ``open_upload(upload)`` (a file object).
"""

import uuid
from dataclasses import dataclass
from functools import partial

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from stdnum.cn import ric

from catalog.models import ServiceItem
from formbuilder.service import FormError, form_of, published_form, validate_submission
from rules import calendar, situations

from . import divisions, receipts, tasks, tracking, uploads, wizard
from .models import Applicant, ApplicantKind, Draft, Submission, Upload

PREFILL = {"name": "name", "id_number": "id_number", "mobile": "mobile", "company_name": "company_name",
           "credit_code": "credit_code", "address": "address"}


class SubmitRefused(Exception):
    """Not submitted: ``state`` has the errors to show, ``reason`` says why in Chinese."""

    def __init__(self, reason: str, state=None):
        super().__init__(reason)
        self.reason = reason
        self.state = state


# --- items and forms ------------------------------------------------------------------------------------------
def published_item(code: str) -> ServiceItem | None:
    if not isinstance(code, str) or not code.strip() or len(code) > 64:
        return None
    return ServiceItem.objects.filter(live=True, implementation_code=code).select_related("department").first()


def form_for(item):
    return published_form(item) if item is not None else None


def apply_url(item) -> str | None:
    """``/apply/<code>/`` when the published item has an online form (its live rows)."""
    if item is None or not item.live or form_of(item) is None:
        return None
    return reverse("applications:apply", args=[item.implementation_code])


# --- the applicant as rules see them ---------------------------------------------------------------------------
def applicant_values(applicant: Applicant | None) -> dict:
    """``applicant.<key>`` of the rules' vocabulary (rules.vocabulary.APPLICANT_FIELDS)."""
    if applicant is None:
        return {}
    values = {"type": applicant.kind, "mobile": applicant.mobile, "id_number": applicant.id_number,
              "name": applicant.company_name if applicant.kind == ApplicantKind.COMPANY else applicant.name}
    if applicant.credit_code:
        values["credit_code"] = applicant.credit_code
    try:
        born = ric.get_birth_date(applicant.id_number)
        today = timezone.localdate()
        values["age"] = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        values["sex"] = "男" if int(applicant.id_number[16]) % 2 else "女"
    except Exception:  # noqa: BLE001 - a profile from an identity provider may lack a usable number
        pass
    return values


# --- the answers as the server sees them ------------------------------------------------------------------------
@dataclass
class State:
    form: object
    plan: wizard.Plan
    data: dict  # validated: shown fields only, computed values recomputed
    context: dict  # what rules read: data + applicant + item
    steps: list  # the shown steps
    errors: list  # wizard.PlacedError

    def step_errors(self, number: int) -> list:
        return [e for e in self.errors if e.step == number]

    def uploads(self) -> set:
        """The paths of the material slots that apply to these answers."""
        shown = set()
        for step in self.steps:
            for item in wizard.children(step.fields):
                if item.get("type") == "upload":
                    rule = self.plan.rules.get(item["path"], {}).get("visible_when")
                    if wizard.holds(rule, self.context):
                        shown.add(item["path"])
        return shown


def _division_errors(plan, data) -> list:
    errors = []
    for sig, (_number, item) in plan.by_path.items():
        if item.get("type") != "division" or "*" in sig:
            continue
        root, _dot, key = sig.partition(".")
        value = (data.get(root) or {}).get(key)
        level = item.get("level") or "county"
        if isinstance(value, str) and level in wizard.LEVELS and \
                len(divisions.parents(value)) < wizard.LEVELS.index(level) + 1:
            label = item.get("label") or key
            errors.append(FormError(f"$.{root}.{key}", label,
                                    f"请将{label}选到{wizard.LEVEL_NAMES[level]}一级", "division"))
    return errors


def assess(form, answers: dict, applicant: Applicant | None = None) -> State:
    plan = wizard.plan_of(form)
    values = applicant_values(applicant)
    result = validate_submission(form, answers, values)
    errors = result.errors + _division_errors(plan, result.data)
    context = {"situation": result.data.get("situation", {}), "form": result.data.get("form", {}),
               "applicant": values, "item": form.item}
    return State(form=form, plan=plan, data=result.data, context=context,
                 steps=wizard.shown_steps(plan, form, context), errors=wizard.place(plan, errors))


# --- drafts ---------------------------------------------------------------------------------------------------
def _initial_answers(plan: wizard.Plan, applicant: Applicant) -> dict:
    """Defaults, then the profile's values for fields that name a prefill source (一号申请)."""
    answers = {"situation": {}, "form": {}}
    for sig, (_number, item) in plan.by_path.items():
        if "*" in sig:
            continue
        root, _dot, key = sig.partition(".")
        source = PREFILL.get(item.get("prefill") or "")
        value = getattr(applicant, source, "") if source else ""
        if value:
            answers[root][key] = value
        elif item.get("default") not in (None, "") and not item.get("readonly"):
            answers[root][key] = item["default"]
    return answers


def open_draft(applicant: Applicant, item, form) -> Draft:
    plan = wizard.plan_of(form)
    draft = Draft.objects.filter(applicant=applicant, item=item).first()
    if draft is None:
        try:
            with transaction.atomic():
                return Draft.objects.create(applicant=applicant, item=item, revision_id=item.live_revision_id,
                                            answers=_initial_answers(plan, applicant), fields=plan.types)
        except IntegrityError:  # the same applicant opened it twice at once
            draft = Draft.objects.get(applicant=applicant, item=item)
    if draft.revision_id != item.live_revision_id:
        migrate(draft, form)
        draft.revision_id = item.live_revision_id
        draft.save()
    return draft


def _option_ok(plan, sig, value) -> bool:
    options = plan.options.get(sig)
    if options is None:
        return True
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, str) and v in options for v in values)


def migrate(draft: Draft, form) -> list[str]:
    """Keep the answers whose field still exists with the same type (and, for a choice, options still offered);
    record the labels of the others in ``draft.dropped``. Does not save."""
    plan = wizard.plan_of(form)
    old, new = draft.fields or plan.types, plan.types
    kept, dropped = {"situation": {}, "form": {}}, []

    def label(sig):
        return (old.get(sig) or new.get(sig) or [None, sig.rpartition(".")[2]])[1] or sig

    for root in ("situation", "form"):
        for key, value in (draft.answers.get(root) or {}).items():
            sig = f"{root}.{key}"
            if old.get(sig, [None])[0] != (new.get(sig) or [None])[0] or sig not in new:
                dropped.append(label(sig))
                continue
            if new[sig][0] == "repeat" and isinstance(value, list):
                rows, lost = [], set()
                for row in value:
                    clean = {}
                    for child, cell in (row or {}).items():
                        child_sig = f"{sig}.*.{child}"
                        if old.get(child_sig, [None])[0] == (new.get(child_sig) or [None, None])[0] and \
                                child_sig in new and _option_ok(plan, child_sig, cell):
                            clean[child] = cell
                        else:
                            lost.add(child_sig)
                    rows.append(clean)
                dropped += [f"{label(sig)}：{label(s)}" for s in sorted(lost)]
                kept[root][key] = rows
                continue
            if not _option_ok(plan, sig, value):
                dropped.append(label(sig))
                continue
            kept[root][key] = value
    draft.answers = kept
    draft.fields = new
    draft.dropped = list(draft.dropped or []) + dropped
    return dropped


def save_step(draft: Draft, answers: dict, step: int) -> None:
    draft.answers = uploads.clean_tokens(draft, answers)  # only the draft's own files, whatever was posted
    draft.step = step
    draft.save(update_fields=["answers", "step", "updated_at"])


def delete_draft(draft: Draft) -> None:
    with transaction.atomic():
        uploads.discard(draft)
        draft.delete()


# --- uploads --------------------------------------------------------------------------------------------------
def receive_files(draft: Draft, form, step: wizard.Step, answers: dict, files, refused=()) -> tuple[dict, list]:
    """Keep the files posted for the step's upload slots that apply under these answers; returns the answers
    with their ids and the refusals (``uploads.Refusal``: slot, file name, Chinese message), those of the upload
    handler (``refused``: sizes) first."""
    answers = uploads.clean_tokens(draft, answers)
    slots = uploads.slots_of(step)
    if not slots or not files:
        return answers, list(refused)
    shown = assess(form, answers, draft.applicant).uploads()
    answers, more = uploads.take(draft, slots, shown, files, answers)
    return answers, [*refused, *more]


def delete_upload(draft: Draft, answers: dict, token: str) -> dict:
    return uploads.delete(draft, answers, token)


def draft_files(draft: Draft, answers: dict | None = None) -> dict:
    """slot path → the draft's files named by its answers: {"id", "name", "size", "previewable", "url", …}."""
    return uploads.draft_files(draft, draft.answers if answers is None else answers)


def upload_of(applicant: Applicant, upload_id) -> Upload | None:
    """One of the applicant's own uploads (of a draft or a submission), or None."""
    try:
        upload_id = uuid.UUID(str(upload_id))
    except ValueError:
        return None
    return Upload.objects.filter(pk=upload_id, applicant=applicant).first()


def uploads_of(submission: Submission):
    """The files received with a submission, in the order they came."""
    return uploads.of_submission(submission)


def open_upload(upload: Upload):
    """The stored file, opened for reading in binary (close it after use)."""
    return uploads.open_file(upload)


def drafts_of(applicant: Applicant):
    return Draft.objects.filter(applicant=applicant).select_related("item", "item__department")


def draft_of(applicant: Applicant, draft_id) -> Draft | None:
    try:
        draft_id = uuid.UUID(str(draft_id))
    except ValueError:
        return None
    return drafts_of(applicant).filter(pk=draft_id).first()


# --- submitting -----------------------------------------------------------------------------------------------
def materials_for(item, state: State) -> tuple[list, int | None, str]:
    try:
        checklist = situations.evaluate(situations.rule_set(item), state.data.get("situation", {}),
                                        state.context["applicant"])
    except situations.AnswerError:
        return [], item.promised_limit, item.promised_limit_unit
    materials = [{"name": m.name, "necessity": m.get_necessity_display(), "form": m.get_material_form_display(),
                  "copies": m.paper_copies} for m in checklist.materials]
    return materials, checklist.promised_limit, checklist.promised_limit_unit or ""


def submit(applicant: Applicant, item, form, key) -> Submission:
    """Submit the applicant's draft of the item, once: the same key again (a double click, a retry after a lost
    answer) gives the submission already made. Raises SubmitRefused when the answers are not complete."""
    try:
        key = uuid.UUID(str(key))
    except ValueError:
        raise SubmitRefused("页面已过期，请核对后重新提交") from None
    with transaction.atomic():
        # The lock makes a second request with the same key wait for the first, then find its submission.
        draft = Draft.objects.select_for_update().filter(applicant=applicant, item=item).first()
        existing = Submission.objects.filter(applicant=applicant, idempotency_key=key).first()
        if existing is not None:
            return existing
        if draft is None or draft.idempotency_key != key:
            raise SubmitRefused("页面已过期，请核对后重新提交")
        if draft.revision_id != item.live_revision_id:
            migrate(draft, form)
            draft.revision_id = item.live_revision_id
            draft.save()
            raise SubmitRefused("事项的申请表已更新，请核对后重新提交")
        state = assess(form, uploads.clean_tokens(draft, draft.answers), applicant)
        if state.errors:
            raise SubmitRefused("还有内容需要填写或更正", state)
        materials, limit, unit = materials_for(item, state)
        files = uploads.chosen(draft, state.data)
        today = timezone.localdate()
        due = None
        if limit is not None and unit in (calendar.NATURAL_DAY, calendar.WORKING_DAY):
            try:
                due = calendar.due(today, int(limit), unit)
            except ValueError:
                due = None
        values = {
            "applicant": applicant, "item": item, "item_code": item.implementation_code, "item_name": item.name,
            "department": item.department, "department_name": item.department.name,
            "revision_id": item.live_revision_id, "form_schema": form.schema, "form_ui": form.ui,
            "answers": {"situation": state.data.get("situation", {}), "form": state.data.get("form", {})},
            "materials": uploads.with_files(materials, files),
            "promised_limit": limit, "promised_limit_unit": unit or "",
            "due_date": due.date if due else None, "due_provisional": bool(due and due.provisional),
            "idempotency_key": key,
        }
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    submission = Submission.objects.create(
                        tracking_number=tracking.new_number(today, item.department.division_code), **values)
                break
            except IntegrityError:
                existing = Submission.objects.filter(applicant=applicant, idempotency_key=key).first()
                if existing is not None:
                    return existing
        else:
            raise SubmitRefused("系统繁忙，请稍后再提交")
        uploads.attach(files, submission)
        uploads.discard(draft)  # files of slots that no longer apply, or replaced
        draft.delete()
        # The receipt PDF is rendered in the background once this commits (robust: a failure there is logged,
        # the submission stands and the download renders the receipt then).
        transaction.on_commit(partial(tasks.render_receipt.delay, submission.pk), robust=True)
    return submission


def submissions_of(applicant: Applicant):
    return Submission.objects.filter(applicant=applicant)


def submission_of(applicant: Applicant, number: str) -> Submission | None:
    if not tracking.is_well_formed(number):
        return None
    return submissions_of(applicant).filter(tracking_number=number).first()


def receipt(submission: Submission) -> dict:
    """What the confirmation page and the receipt (回执) show."""
    return receipts.facts(submission)
