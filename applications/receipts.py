"""The receipt (回执) as PDF: WeasyPrint renders site/templates/applications/receipt_pdf.html (A4, its own print
CSS) with the CJK fonts of the system (Debian's fonts-noto-cjk), named by family; the PDF embeds subsets of them.

Nothing is fetched at render time: the URL fetcher refuses every URL but data: and the site's static files, read
from disk (an answer is text, escaped by the template, but a receipt must never reach out even if markup got
through). The PDF is stored privately (``STORAGES["applications"]``) under
``receipts/<tracking number>.pdf``: after the submission commits a Celery task renders it (applications.tasks);
the download renders it on the spot when the task has not run yet. The HTML print view stays beside it."""

import gc
import mimetypes
import threading
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.template.loader import render_to_string
from django.utils import timezone

from rules import calendar

from . import tracking, uploads, wizard
from .models import Submission

STORAGE = "applications"
_local = threading.local()


def storage_name(submission: Submission) -> str:
    return f"receipts/{submission.tracking_number}.pdf"


def facts(submission: Submission) -> dict:
    """What the confirmation page, the HTML receipt and the PDF show (the materials carry the files received)."""
    return {
        "submission": submission,
        "number": tracking.grouped(submission.tracking_number),
        "answers": wizard.summary(submission.form_ui, submission.answers, _submitted_files(submission)),
        "unit": {calendar.NATURAL_DAY: "个自然日", calendar.WORKING_DAY: "个工作日"}.get(
            submission.promised_limit_unit, "日"),
    }


def _submitted_files(submission: Submission) -> dict:
    """slot → files, for every slot the submitted answers hold."""
    found = uploads.by_slot(uploads.of_submission(submission))
    answered = {f"form.{key}" for key, value in (submission.answers.get("form") or {}).items()
                if isinstance(value, list)}
    return {slot: files for slot, files in found.items() if slot in answered}


def context(submission: Submission) -> dict:
    """What the PDF shows: what the HTML receipt shows, and when it was printed."""
    return {**facts(submission), "printed_at": timezone.localtime()}


def render_pdf(submission: Submission) -> bytes:
    """The receipt of a submission as a PDF document."""
    return write_pdf(render_to_string("applications/receipt_pdf.html", context(submission)))


def write_pdf(html: str) -> bytes:
    # Imported here: WeasyPrint loads pango and harfbuzz at import, which only a process that renders needs.
    from weasyprint import HTML

    # The site's address as the base: links (an uploaded file's) point at the site, /static/… is read from disk.
    document = HTML(string=html, base_url=_site_url() + "/", url_fetcher=_fetcher())
    with collector_paused():
        return document.write_pdf(font_config=_font_config())


_collector = {"renders": 0, "was_enabled": False}
_collector_lock = threading.Lock()


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while a receipt renders, then the young generation collected.

    A render builds tens of thousands of boxes with reference cycles; with the collector running, young
    collections during the render promote them, and the full collections that follow scan the whole process again
    (a test process holds 585,000 objects: 330 ms a collection, one every eight renders, which made the p95). Paused,
    they are all young when the render ends and one generation-0 collection frees them: on the benchmark's receipt
    p95 from 569–607 ms to 305–361 ms at the same total CPU time, and a peak 12 MB lower (docs/benchmarks.md). Renders
    in other threads share the pause; a collector already off (an import's process) stays off."""
    with _collector_lock:
        if _collector["renders"] == 0:
            _collector["was_enabled"] = gc.isenabled()
            gc.disable()
        _collector["renders"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["renders"] -= 1
            resume = _collector["renders"] == 0 and _collector["was_enabled"]
            if resume:
                gc.enable()
        if resume:
            gc.collect(0)


def _site_url() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def _font_config():
    # One per thread: building it costs a fontconfig set-up, and pango's font map is not shared across threads.
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def static_file(url: str) -> Path | None:
    """The file of a static URL of the site (``<site>/static/…``), found on disk as runserver would; else None."""
    prefix = _site_url() + settings.STATIC_URL
    if not url.startswith(prefix):
        return None
    relative = unquote(urlsplit(url).path[len(urlsplit(prefix).path):])
    try:
        found = finders.find(relative)
    except SuspiciousFileOperation:  # ../ out of the static directories
        return None
    return Path(found) if isinstance(found, str) and Path(found).is_file() else None


def _fetcher():
    fetcher = getattr(_local, "fetcher", None)
    if fetcher is None:
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        class LocalOnly(URLFetcher):
            """data: URLs and the site's static files, read from disk; every other URL is refused (no network)."""

            def fetch(self, url, headers=None):
                if url.startswith("data:"):
                    return super().fetch(url, headers)
                path = static_file(url)
                if path is None:
                    raise ValueError(f"回执不读取外部资源：{url[:100]}")
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})

        fetcher = _local.fetcher = LocalOnly(allowed_protocols=("data", "http", "https"), allow_redirects=False)
    return fetcher


# --- stored receipts -------------------------------------------------------------------------------------------
def _complete(data: bytes) -> bool:
    # A file another process is still writing has no trailer yet.
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]


def stored_pdf(submission: Submission) -> bytes | None:
    storage = storages[STORAGE]
    try:
        with storage.open(storage_name(submission), "rb") as stored:
            data = stored.read()
    except (FileNotFoundError, OSError):
        return None
    return data if _complete(data) else None


def store(submission: Submission, data: bytes | None = None) -> str:
    """Render (unless ``data`` is given) and store the receipt, once: a submission's receipt does not change, so
    one already stored stays. Returns the storage name."""
    storage = storages[STORAGE]
    name = storage_name(submission)
    if stored_pdf(submission) is not None:
        return name
    if storage.exists(name):  # cut short (a process killed while writing it): replaced
        storage.delete(name)
    saved = storage.save(name, ContentFile(data if data is not None else render_pdf(submission)))
    if saved != name:  # another process stored it between the look and the save: keep one
        storage.delete(saved)
    return name


def pdf_of(submission: Submission) -> bytes:
    """The stored receipt, or one rendered now (and stored) when the background task has not run yet."""
    data = stored_pdf(submission)
    if data is None:
        data = render_pdf(submission)
        store(submission, data)
    return data
