"""The receipt (回执) as PDF: rendered by WeasyPrint with the system's Noto CJK fonts after the submission
commits (applications.tasks), stored privately, downloaded by its applicant only; nothing fetched at render time."""

import io
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from applications import receipts
from applications.models import Submission
from applications.tasks import render_receipt

from .helpers import fill_to_check, idempotency_key, post_step

pytestmark = pytest.mark.django_db


def submit(client, item, capture=None, **second):
    """Fill in the test form with 委托=是 (the agent's fields, the 委托书) and submit it; ``second`` replaces
    values of step 2. With ``capture`` (django_capture_on_commit_callbacks) what runs after the commit runs."""
    fill_to_check(client, item, agent="yes")
    if second:
        fields = {"form.name": "张三", "form.id_number": "11010519491231002X", "form.mobile": "13800000001",
                  "form.agent_name": "王五", "form.agent_id": "11010819900101001X", **second}
        assert post_step(client, item, 2, fields).status_code == 302
    body = {"idempotency_key": idempotency_key(client, item)}
    url = f"/apply/{item.implementation_code}/check/"
    if capture is None:
        assert client.post(url, body).status_code == 302
    else:
        with capture(execute=True):
            assert client.post(url, body).status_code == 302
    return Submission.objects.order_by("-pk").first()


def pdf_url(submission):
    return f"/account/submissions/{submission.tracking_number}/receipt.pdf"


def text_of(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def fonts_of(data: bytes) -> dict[str, bool]:
    """Each font's name → whether its program is embedded."""
    found = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptors = [f.get_object().get("/FontDescriptor") for f in font.get("/DescendantFonts") or []]
            descriptors = [d.get_object() for d in descriptors if d is not None] or [font.get("/FontDescriptor")]
            found[str(font["/BaseFont"])] = any(
                d is not None and any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors)
    return found


def missing_glyphs(data: bytes) -> int:
    """Characters drawn with no glyph: WeasyPrint draws them as glyph 0xFFFF (a box in a viewer, "tofu")."""
    count = 0
    for page in PdfReader(io.BytesIO(data)).pages:
        for text in re.findall(rb"<([0-9a-fA-F]+)>", page.get_contents().get_data()):
            count += sum(1 for i in range(0, len(text), 4) if text[i:i + 4].lower() in (b"ffff", b"0000"))
    return count


def day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def test_submitting_renders_and_stores_the_receipt_after_the_commit(signed_in, item, _private_files,
                                                                     django_capture_on_commit_callbacks):
    fill_to_check(signed_in, item, agent="yes")
    body = {"idempotency_key": idempotency_key(signed_in, item)}
    with django_capture_on_commit_callbacks() as callbacks:
        signed_in.post(f"/apply/{item.implementation_code}/check/", body)
    submission = Submission.objects.get()
    stored = _private_files / "receipts" / f"{submission.tracking_number}.pdf"
    assert not stored.exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    assert stored.read_bytes().startswith(b"%PDF-") and receipts.stored_pdf(submission) == stored.read_bytes()


def test_the_task_stores_the_receipt_once(signed_in, item, _private_files):
    submission = submit(signed_in, item)  # the commit's callbacks do not run here: nothing stored yet
    assert not (_private_files / "receipts").exists()
    assert render_receipt.delay(submission.pk).get() == f"receipts/{submission.tracking_number}.pdf"
    first = receipts.stored_pdf(submission)
    assert first.startswith(b"%PDF-")
    assert render_receipt(submission.pk) == f"receipts/{submission.tracking_number}.pdf"  # kept, not rendered again
    assert receipts.stored_pdf(submission) == first
    assert sorted(p.name for p in (_private_files / "receipts").iterdir()) == [f"{submission.tracking_number}.pdf"]
    assert render_receipt(10**9) == ""  # a submission that is gone


def test_a_receipt_cut_short_is_rendered_again(signed_in, item, _private_files):
    submission = submit(signed_in, item)
    path = _private_files / "receipts" / f"{submission.tracking_number}.pdf"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.7\n1 0 obj")  # a writer killed half-way
    assert receipts.stored_pdf(submission) is None
    data = receipts.pdf_of(submission)
    assert data.rstrip().endswith(b"%%EOF") and path.read_bytes() == data


def test_the_pdf_lists_the_answers_materials_limit_and_due_date(signed_in, item,
                                                                 django_capture_on_commit_callbacks):
    submission = submit(signed_in, item, capture=django_capture_on_commit_callbacks)
    data = receipts.stored_pdf(submission)
    assert data.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(data)).pages) >= 1
    text = text_of(data)
    number = submission.tracking_number
    grouped = f"{number[:8]} {number[8:14]} {number[14:18]} {number[18:22]} {number[22:]}"
    for expected in (
        "网上申请回执", "广安市公安局广安区分局", "无犯罪记录证明", grouped, number, "张三",
        # the answers per step, as the HTML receipt shows them
        "办理情形", "是否委托他人代办？ 是", "证明的用途是什么？ 就业、入职", "申请人信息", "姓名 张三",
        "代办人姓名 王五", "代办人身份证号码 11010819900101001X", "合计 25.00 元", "承诺书 已阅读并承诺",
        # the materials and what was received for them
        "居民身份证", "委托书", "已在网上收到：身份证.pdf", "委托书.pdf",
        # the promised limit, its due date, what happens next, the page numbers
        "承诺办结时限 5 个工作日", f"承诺办结日期 {day(submission.due_date)}",
        f"承诺于{day(submission.due_date)}前办结", "下一步", "第 1 页 共",
    ):
        assert expected in text, expected


def test_the_cjk_font_is_embedded_and_every_character_has_its_glyph(signed_in, item, caplog):
    submission = submit(signed_in, item)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = receipts.render_pdf(submission)
    fonts = fonts_of(data)
    assert fonts and all(fonts.values()), fonts  # every font embedded (a subset)
    # Only the CJK families named by the template: no character fell back to another font (DejaVu, say).
    assert all(re.search(r"Noto(Sans|Serif)CJK", name.replace("-", "")) for name in fonts), fonts
    assert missing_glyphs(data) == 0
    assert not [r for r in caplog.records if "notdef" in r.getMessage()]


def test_a_character_no_font_has_is_found_by_the_glyph_check(signed_in, item, caplog):
    # The check above can fail: ༀ (Tibetan) is in no installed font, so WeasyPrint draws it as a box.
    submission = submit(signed_in, item, **{"form.other_use": "用途ༀ"})
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        data = receipts.render_pdf(submission)
    assert missing_glyphs(data) > 0
    assert [r for r in caplog.records if "notdef" in r.getMessage()]


def test_the_download_is_the_applicants_own(client, signed_in, item, applicant, other):
    submission = submit(signed_in, item)
    response = signed_in.get(pdf_url(submission))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"] == (
        f"attachment; filename*=utf-8''%E5%9B%9E%E6%89%A7-{submission.tracking_number}.pdf")
    assert response["Cache-Control"] == "private, no-store"
    assert submission.tracking_number in text_of(response.content)

    client.force_login(other.user)
    assert client.get(pdf_url(submission)).status_code == 404  # another applicant
    assert client.get("/account/submissions/20260115511602ABCDEFGHJ/receipt.pdf").status_code == 404
    client.logout()
    response = client.get(pdf_url(submission))
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_the_download_renders_and_stores_when_the_task_has_not_run(signed_in, item, _private_files):
    submission = submit(signed_in, item)
    assert receipts.stored_pdf(submission) is None
    first = signed_in.get(pdf_url(submission)).content
    assert receipts.stored_pdf(submission) == first
    assert signed_in.get(pdf_url(submission)).content == first  # served from storage now


def test_the_pages_link_the_pdf_and_the_print_view_still_works(signed_in, item):
    submission = submit(signed_in, item)
    for url in (f"/account/submissions/{submission.tracking_number}/",
                f"/account/submissions/{submission.tracking_number}/receipt/"):
        page = signed_in.get(url).content.decode()
        assert f'href="{pdf_url(submission)}">下载回执（PDF）</a>' in page
    page = signed_in.get(f"/account/submissions/{submission.tracking_number}/receipt/").content.decode()
    assert "网上申请回执" in page and "代办人姓名" in page and "data-print" in page


@pytest.fixture
def listener():
    """An HTTP server on loopback that records every request: nothing may reach it."""
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            requests.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { display: none; }")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", requests
    server.shutdown()
    server.server_close()


def test_a_hostile_answer_is_text_and_fetches_nothing(signed_in, item, listener):
    base, requests = listener
    plain = submit(signed_in, item)
    plain_pages = len(PdfReader(io.BytesIO(receipts.render_pdf(plain))).pages)
    hostile = f"<img src={base}/e.png></style><style>*{{display:none}}</style>"
    submission = submit(signed_in, item, **{"form.other_use": hostile})
    assert submission.answers["form"]["other_use"] == hostile
    data = receipts.render_pdf(submission)
    text = text_of(data)
    assert f"<img src={base}/e.png>" in text and "</style><style>" in text  # shown as the text it is
    assert "承诺书 已阅读并承诺" in text and "下一步" in text  # the layout after it is intact
    assert len(PdfReader(io.BytesIO(data)).pages) in (plain_pages, plain_pages + 1)
    assert requests == []


def test_the_renderer_refuses_every_url_but_static_files(listener, caplog):
    # Even markup that got into the document fetches nothing: only the site's static files, from disk.
    base, requests = listener
    html = (f'<html><head><link rel="stylesheet" href="{base}/a.css"><style>@import url("{base}/b.css");'
            f'p {{ background: url("{base}/c.png") }}</style></head><body><p>回执</p><img src="{base}/d.png">'
            f'<img src="file:///etc/passwd"><img src="/static/css/print.css"></body></html>')
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        data = receipts.write_pdf(html)
    assert data.startswith(b"%PDF-") and "回执" in text_of(data)
    assert requests == []
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert "a.css" in refused and "d.png" in refused and "/etc/passwd" in refused
    assert receipts.static_file("http://127.0.0.1:8000/static/css/print.css").name == "print.css"
    assert receipts.static_file("http://127.0.0.1:8000/static/../../config/settings/base.py") is None
    assert receipts.static_file("http://127.0.0.1:8000/static/css/none.css") is None
    assert receipts.static_file(f"{base}/static/css/print.css") is None
    assert receipts.static_file("file:///work/main/site/static/css/print.css") is None


def test_without_the_pdf_renderer_the_download_leads_back_to_the_print_view_link(signed_in, item, monkeypatch):
    from applications import receipts

    submission = submit(signed_in, item)

    def no_pango(_submission):
        raise OSError("cannot load library 'libpango-1.0-0'")  # what WeasyPrint raises without Debian's pango

    monkeypatch.setattr(receipts, "pdf_of", no_pango)
    response = signed_in.get(f"/account/submissions/{submission.tracking_number}/receipt.pdf")
    assert response.status_code == 302
    assert response["Location"] == f"/account/submissions/{submission.tracking_number}/"
    assert "暂时无法生成 PDF 回执" in signed_in.get(response["Location"]).content.decode()
