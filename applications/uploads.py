"""Material uploads (上传材料): an applicant's files for the upload slots of a draft, kept in private storage.

A file comes in with a step's POST. ``SlotUploadHandler`` (a Django upload handler, set before the POST is read)
streams each file of an upload slot to a temporary file, counting and hashing as it comes, and drops it as soon as
it passes its slot's size limit or the request's (the rest of that part is read and thrown away, so the step's other
answers are still parsed). ``receive`` then has clamd scan it when CLAMD_SOCKET or CLAMD_URL is set (an
infected file, or a scanner that cannot answer, is refused: fail closed), judges it by its content (libmagic, never
the name or the browser's type) against the slot's accepted extensions, and only then stores it under a random
name with the extension of the detected type (``storages["applications"]``: no URL) and makes its ``Upload`` row.
The applicant's file name is kept for display only.

The slot's value in the answers is the list of its uploads' ids (tokens). A token counts only when it is an Upload
of this applicant's draft and of that slot (``clean_tokens``): any other id, someone else's included, is dropped."""

import hashlib
import logging
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files.storage import storages
from django.core.files.uploadhandler import SkipFile, TemporaryFileUploadHandler
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from . import clamd, wizard
from .models import Draft, ScanResult, Upload

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_SLOT_MB = 100  # formbuilder's upload block allows at most this
DEFAULT_ACCEPT = ["pdf", "jpg", "png"]
# What libmagic (Debian's libmagic1 5.44) reports for each extension a department may accept. An extension not here
# cannot be checked by content and is therefore never accepted.
MIME_TYPES = {
    "pdf": {"application/pdf"},
    "jpg": {"image/jpeg"}, "jpeg": {"image/jpeg"},
    "png": {"image/png"},
    "gif": {"image/gif"},
    "bmp": {"image/bmp", "image/x-ms-bmp"},
    "tif": {"image/tiff"}, "tiff": {"image/tiff"},
    "webp": {"image/webp"},
    "ofd": {"application/zip"},  # OFD (GB/T 33190) is a zip package with OFD.xml at its root: checked below
    "doc": {"application/msword", "application/vnd.ms-office", "application/CDFV2"},
    "xls": {"application/vnd.ms-excel", "application/vnd.ms-office", "application/CDFV2"},
    "docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
    "xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
    "zip": {"application/zip"},
}
CANONICAL = {"jpeg": "jpg", "tif": "tiff"}
# Shown in the browser (Content-Disposition: inline); everything else downloads. Never SVG or HTML.
PREVIEWABLE = {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"}


class Refused(Exception):
    """A file not kept; ``message`` says why in Chinese, with the file's name and the limit."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Refusal:
    slot: str  # the slot's path, "form.id_scan"
    name: str
    message: str


def storage():
    return storages["applications"]


def request_limit() -> int:
    return int(getattr(settings, "APPLICATIONS_UPLOAD_MAX_REQUEST_MB", 100)) * MB


# --- the slots of a step ------------------------------------------------------------------------------------------
def slots_of(step) -> dict:
    """The upload slots of a wizard step: path → the UI's field (material, accept, max_size_mb, max_files)."""
    return {item["path"]: item for item in wizard.children(step.fields)
            if item.get("type") == "upload" and item.get("path")}


def accepted(slot: dict) -> list[str]:
    return [ext for ext in (slot.get("accept") or DEFAULT_ACCEPT) if ext in MIME_TYPES] or DEFAULT_ACCEPT


def size_limit(slot: dict) -> int:
    return max(1, min(int(slot.get("max_size_mb") or 10), MAX_SLOT_MB)) * MB


def max_files(slot: dict) -> int:
    return max(1, int(slot.get("max_files") or 1))


def kinds_text(slot: dict) -> str:
    return "、".join(ext.upper() for ext in accepted(slot))


# --- streaming a request's files ----------------------------------------------------------------------------------
def too_large(request) -> bool:
    """A body beyond every file the request may carry and the form's fields: refused before it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > request_limit() + (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class SlotUploadHandler(TemporaryFileUploadHandler):
    """Streams the files of a step's upload slots to temporary files with their size and sha256; a file of any
    other field is skipped, a file past its slot's limit or the request's is dropped at the chunk that passes it
    (``refused`` says which)."""

    def __init__(self, request, slots: dict):
        super().__init__(request)
        self.slots = slots
        self.total_limit = request_limit()
        self.total = 0
        self.refused: list[Refusal] = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        if field_name not in self.slots:
            raise SkipFile()
        super().new_file(field_name, file_name, *args, **kwargs)
        self.size = 0
        self.hash = hashlib.sha256()

    def receive_data_chunk(self, raw_data, start):
        self.size += len(raw_data)
        slot = self.slots[self.field_name]
        if self.size > size_limit(slot):
            self.refused.append(Refusal(self.field_name, self.file_name, _too_big(self.file_name, slot)))
            raise SkipFile()
        if self.total + self.size > self.total_limit:
            self.refused.append(Refusal(self.field_name, self.file_name,
                                        f"一次提交的文件合计不能超过 {self.total_limit // MB} MB，"
                                        f"「{self.file_name}」未上传，请分次上传"))
            raise SkipFile()
        self.hash.update(raw_data)
        self.file.write(raw_data)

    def file_complete(self, file_size):
        self.total += file_size
        done = super().file_complete(file_size)
        done.sha256 = self.hash.hexdigest()
        return done


def _too_big(name, slot):
    return f"「{name}」超过了单个文件 {size_limit(slot) // MB} MB 的大小上限，未上传"


# --- one file -----------------------------------------------------------------------------------------------------
def libmagic():
    """python-magic, or None where the system's libmagic is missing (Debian: libmagic1). The site runs without it;
    uploads are then refused, never kept unchecked (and `manage.py check` warns)."""
    try:
        import magic
    except ImportError:
        return None
    return magic


def _detect(file) -> str:
    magic = libmagic()
    if magic is None:
        logger.error("upload refused: libmagic is not installed, file types cannot be checked")
        raise Refused(f"「{_display_name(getattr(file, 'name', ''))}」暂时无法检查文件类型，未上传，请稍后再试")
    if hasattr(file, "temporary_file_path"):
        return magic.from_file(file.temporary_file_path(), mime=True)
    file.seek(0)
    head = file.read(2 * MB)  # what libmagic looks at by default (bytes_max) is about this
    file.seek(0)
    return magic.from_buffer(head, mime=True)


def _is_ofd(file) -> bool:
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as package:
            names = set(package.namelist())
        return "OFD.xml" in names
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        file.seek(0)


def _extension(slot: dict, mime: str, file) -> str | None:
    """The accepted extension the content is, canonical (jpeg → jpg); None when it is none of them."""
    for ext in accepted(slot):
        if mime in MIME_TYPES[ext] and (ext != "ofd" or _is_ofd(file)):
            return CANONICAL.get(ext, ext)
    return None


def _sha256(file) -> str:
    found = getattr(file, "sha256", None)
    if found:
        return found
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _display_name(name: str) -> str:
    # For display only (escaped where shown); never part of a path.
    name = "".join(ch for ch in (name or "") if ch.isprintable()).strip()
    return (name or "未命名文件")[-255:]


def receive(draft: Draft, path: str, slot: dict, file) -> Upload:
    """Keep one file for a slot of the draft, or raise Refused. Stored only once its type and scan are good."""
    name = _display_name(getattr(file, "name", ""))
    if file.size > size_limit(slot):
        raise Refused(_too_big(name, slot))
    if not file.size:
        raise Refused(f"「{name}」是空文件，未上传")
    # Scanned first, whatever its type: an infected file is refused (and logged) as infected.
    scan = ScanResult.NOT_SCANNED
    if clamd.configured():
        try:
            file.seek(0)
            verdict = clamd.scan(file)
        except clamd.ScanUnavailable:
            logger.exception("virus scan unavailable: upload of applicant %s refused", draft.applicant_id)
            raise Refused(f"「{name}」暂时无法完成病毒检查，未上传，请稍后再试") from None
        if verdict.infected:
            logger.warning("infected upload refused (%s), applicant %s", verdict.signature, draft.applicant_id)
            raise Refused(f"「{name}」文件未通过病毒检查，已拒收")
        scan = ScanResult.CLEAN
    mime = _detect(file)
    ext = _extension(slot, mime, file)
    if ext is None:
        raise Refused(f"「{name}」的文件内容不是允许的类型（{slot.get('label') or '本项'}可上传 "
                      f"{kinds_text(slot)}），未上传")
    digest = _sha256(file)
    file.seek(0)
    stored = storage().save(f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{ext}", file)
    try:
        with transaction.atomic():
            return Upload.objects.create(applicant=draft.applicant, draft=draft, slot=path,
                                         material=slot.get("material") or "", name=name, storage_name=stored,
                                         content_type=mime, size=file.size, sha256=digest, scan=scan)
    except BaseException:
        storage().delete(stored)
        raise


# --- the answers' tokens ------------------------------------------------------------------------------------------
def _upload_slots(draft: Draft) -> list[str]:
    return [sig for sig, (kind, *_rest) in (draft.fields or {}).items() if kind == "upload" and "*" not in sig]


def clean_tokens(draft: Draft, answers: dict) -> dict:
    """The answers with each upload slot's value reduced to the ids of this draft's own uploads for that slot
    (in the order given, once each); a slot left without one has no value."""
    slots = _upload_slots(draft)
    form = dict(answers.get("form") or {})
    given = {}
    for sig in slots:
        key = sig.partition(".")[2]
        if key in form:
            value = form[key]
            tokens = []
            for token in value if isinstance(value, list) else []:
                try:
                    tokens.append(str(uuid.UUID(str(token))))
                except ValueError:
                    continue
            given[sig] = list(dict.fromkeys(tokens))
    if not given:
        return answers
    wanted = {t for tokens in given.values() for t in tokens}
    own = {(str(pk), slot) for pk, slot in Upload.objects.filter(
        pk__in=wanted, draft=draft, applicant_id=draft.applicant_id, submission__isnull=True,
    ).values_list("pk", "slot")} if wanted else set()
    for sig, tokens in given.items():
        key = sig.partition(".")[2]
        kept = [t for t in tokens if (t, sig) in own]
        if kept:
            form[key] = kept
        else:
            form.pop(key, None)
    return {**answers, "form": form}


def tokens_of(answers: dict, path: str) -> list[str]:
    value = (answers.get("form") or {}).get(path.partition(".")[2])
    return [str(t) for t in value] if isinstance(value, list) else []


def take(draft: Draft, slots: dict, shown: set, files, answers: dict) -> tuple[dict, list[Refusal]]:
    """Receive the files posted for the step's slots (``files``: request.FILES) into the answers. Files of a slot
    that does not apply are not kept; past a slot's number of files the rest are refused."""
    refused = []
    form = dict(answers.get("form") or {})
    for path, slot in slots.items():
        posted = files.getlist(path) if files else []
        if not posted or path not in shown:
            continue
        key = path.partition(".")[2]
        tokens = tokens_of(answers, path)
        for file in posted:
            if len(tokens) >= max_files(slot):
                refused.append(Refusal(path, file.name, f"{slot.get('label') or '本项'}最多上传 {max_files(slot)} 个"
                                                        f"文件，「{_display_name(file.name)}」未上传"))
                continue
            try:
                tokens.append(str(receive(draft, path, slot, file).pk))
            except Refused as refusal:
                refused.append(Refusal(path, file.name, refusal.message))
            finally:
                file.close()
        if tokens:
            form[key] = tokens
    return {**answers, "form": form}, refused


def _delete_files(names):
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: [storage().delete(n) for n in names])


def delete(draft: Draft, answers: dict, token: str) -> dict:
    """Delete one of the draft's unsubmitted uploads (and its file, once committed); the answers without it."""
    try:
        token = str(uuid.UUID(str(token)))
    except ValueError:
        return answers
    row = Upload.objects.filter(pk=token, draft=draft, applicant_id=draft.applicant_id,
                                submission__isnull=True).first()
    if row is None:
        return answers
    row.delete()
    _delete_files([row.storage_name])
    form = dict(answers.get("form") or {})
    for key, value in list(form.items()):
        if isinstance(value, list) and token in value:
            rest = [t for t in value if t != token]
            if rest:
                form[key] = rest
            else:
                form.pop(key)
    return {**answers, "form": form}


def discard(draft: Draft) -> None:
    """Delete the draft's uploads that no submission took, rows now and files once committed."""
    rows = Upload.objects.filter(draft=draft, submission__isnull=True)
    names = list(rows.values_list("storage_name", flat=True))
    rows.delete()
    _delete_files(names)


# --- submitting and showing ---------------------------------------------------------------------------------------
def chosen(draft: Draft, data: dict) -> list[Upload]:
    """The draft's uploads that the (validated) answers name, in the answers' order."""
    tokens = [t for value in (data.get("form") or {}).values() if isinstance(value, list) for t in value
              if isinstance(t, str)]
    rows = {str(u.pk): u for u in Upload.objects.filter(pk__in=_valid(tokens), draft=draft,
                                                        applicant_id=draft.applicant_id, submission__isnull=True)}
    return [rows[t] for t in tokens if t in rows]


def _valid(tokens):
    out = []
    for token in tokens:
        try:
            out.append(uuid.UUID(token))
        except ValueError:
            continue
    return out


def attach(rows: list[Upload], submission) -> None:
    Upload.objects.filter(pk__in=[u.pk for u in rows]).update(submission=submission, draft=None)


def described(upload: Upload) -> dict:
    return {"id": str(upload.pk), "name": upload.name, "size": upload.size, "content_type": upload.content_type,
            "material": upload.material, "slot": upload.slot, "previewable": previewable(upload),
            "url": reverse("applications:upload", args=[upload.pk])}


def by_slot(rows) -> dict:
    found: dict = {}
    for row in rows:
        found.setdefault(row.slot, []).append(described(row))
    return found


def draft_files(draft: Draft, answers: dict) -> dict:
    """slot → the files its tokens name (as ``described``)."""
    return by_slot(chosen(draft, clean_tokens(draft, answers)))


def of_submission(submission):
    """The files received with a submission, in the order they came."""
    return submission.uploads.order_by("created_at", "pk")


def with_files(materials: list, rows) -> list:
    """The checklist's materials, each with the files uploaded for it (a file of a material not in the list adds
    it, so nothing received goes unlisted)."""
    out = [{**m, "files": []} for m in materials]
    named = {m["name"]: m for m in out}
    for row in rows:
        entry = named.get(row.material)
        if entry is None:
            entry = named[row.material] = {"name": row.material or row.slot, "necessity": "", "form": "",
                                           "copies": None, "files": []}
            out.append(entry)
        entry["files"].append({"id": str(row.pk), "name": row.name, "size": row.size,
                               "content_type": row.content_type, "sha256": row.sha256})
    return out


def previewable(upload: Upload) -> bool:
    return upload.content_type in PREVIEWABLE


def open_file(upload: Upload):
    return storage().open(upload.storage_name, "rb")
