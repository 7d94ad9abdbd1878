"""Material uploads in the wizard, without JavaScript (the Django client posts multipart as a browser does): kept
privately under random names, judged by content, limited while streaming, tokens only of one's own draft and slot,
attached on submit, deleted with the draft, served to the owner only with headers that keep them inert."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import SkipFile

from applications import service, uploads
from applications.models import Draft, ScanResult, Submission, Upload
from tests.catalog.factories import DepartmentFactory, ServiceItemFactory

from .conftest import give_form, make_applicant
from .helpers import PDF, PNG, draft_of, fill_to_check, idempotency_key, pdf, png, post_step, step_url
from .samples import block, step

pytestmark = pytest.mark.django_db

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><head><script>alert(document.cookie)</script></head><body>x</body></html>"


def stored(root):
    """The applicants' files in the private storage (not the receipts rendered beside them)."""
    root = root / "uploads"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def to_step_3(client, item, agent="no"):
    post_step(client, item, 1, {"situation.agent": agent, "situation.use": "job"})
    post_step(client, item, 2, {"form.name": "张三", "form.id_number": "11010519491231002X",
                                "form.mobile": "13800000001"})


def upload(client, item, slot="form.id_scan", *files, number=3, **data):
    body = {slot: list(files), **data}
    return post_step(client, item, number, body, action=f"upload:{slot}")


@pytest.fixture
def small_item(db):
    """A form with one slot of 1 MB, up to 3 files, PDF or ZIP, and a note after it (multipart order)."""
    made = ServiceItemFactory(name="测试事项", implementation_code="11511301008778183N1000000000002",
                              department=DepartmentFactory(name="测试局", division_code="511602"))
    return give_form(made, [step("files", "材料",
                                 block("upload", key="doc", label="申请表", material="居民身份证", accept="pdf,zip",
                                       max_size_mb=1, max_files=3),
                                 block("text", key="note", label="备注", required=False))])


# --- kept privately ---------------------------------------------------------------------------------------------
def test_a_file_is_kept_privately_under_a_random_name(signed_in, item, applicant, _private_files):
    to_step_3(signed_in, item)
    response = upload(signed_in, item, "form.id_scan", pdf("张三的身份证.pdf"))
    assert response.status_code == 302 and response["Location"].endswith(f"{step_url(item, 3)}#f-form-id_scan")
    row = Upload.objects.get()
    assert (row.applicant, row.draft, row.submission) == (applicant, draft_of(applicant, item), None)
    assert (row.slot, row.material, row.name) == ("form.id_scan", "居民身份证", "张三的身份证.pdf")
    assert (row.content_type, row.size, row.scan) == ("application/pdf", len(PDF), ScanResult.NOT_SCANNED)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest()
    # A random name with the detected type's extension, in the private storage: nothing of the applicant's.
    assert row.storage_name.endswith(".pdf") and "张三" not in row.storage_name and "身份证" not in row.storage_name
    [path] = stored(_private_files)
    assert path.read_bytes() == PDF and path.stat().st_mode & 0o077 == 0
    assert draft_of(applicant, item).answers["form"]["id_scan"] == [str(row.pk)]
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "张三的身份证.pdf" in page and f'value="delete-file:{row.pk}"' in page
    assert f'href="/account/uploads/{row.pk}/"' in page and "网上上传将在后续开通" not in page


def test_the_other_answers_of_the_step_are_saved_with_the_file(signed_in, item, applicant):
    to_step_3(signed_in, item)
    response = post_step(signed_in, item, 3, {"form.copies": "2", "form.id_scan": pdf(), "form.mail": "no",
                                              "form.members.rows": "0"}, action="save")
    assert response["Location"] == "/account/drafts/"
    answers = draft_of(applicant, item).answers["form"]
    assert answers["copies"] == 2 and answers["mail"] == "no" and len(answers["id_scan"]) == 1


# --- type by content --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "label"), [
    ("证明.pdf", EXE, "a program named .pdf"),
    ("照片.jpg", HTML, "an HTML page named .jpg"),
    ("说明.png", b"just some text, not a picture\n" * 10, "text named .png"),
])
def test_the_type_is_judged_by_content_not_by_name(signed_in, item, _private_files, name, content, label):
    to_step_3(signed_in, item)
    response = upload(signed_in, item, "form.id_scan", SimpleUploadedFile(name, content, "application/pdf"))
    page = response.content.decode()
    assert response.status_code == 200, label
    assert f"「{name}」的文件内容不是允许的类型（身份证扫描件可上传 PDF、JPG、PNG），未上传" in page, label
    assert 'href="#f-form-id_scan"' in page  # in the error summary, linked to the file input
    assert not Upload.objects.exists() and stored(_private_files) == []


def test_a_picture_with_a_wrong_name_is_kept_as_what_it_is(signed_in, item):
    to_step_3(signed_in, item)
    upload(signed_in, item, "form.id_scan", SimpleUploadedFile("扫描件.pdf", PNG, "application/pdf"))
    row = Upload.objects.get()
    assert row.content_type == "image/png" and row.storage_name.endswith(".png") and row.name == "扫描件.pdf"


def test_an_ofd_must_be_an_ofd_package(signed_in, small_item, applicant):
    draft = service.open_draft(applicant, small_item, service.form_for(small_item))
    slot = {"label": "申请表", "material": "居民身份证", "accept": ["ofd"], "max_size_mb": 1}

    def package(*names):
        data = io.BytesIO()
        with zipfile.ZipFile(data, "w") as archive:
            for name in names:
                archive.writestr(name, "<x/>")
        return SimpleUploadedFile("电子证照.ofd", data.getvalue())

    with pytest.raises(uploads.Refused, match="不是允许的类型"):
        uploads.receive(draft, "form.doc", slot, package("word/document.xml"))
    kept = uploads.receive(draft, "form.doc", slot, package("OFD.xml", "Doc_0/Document.xml"))
    assert kept.storage_name.endswith(".ofd") and kept.content_type == "application/zip"


def test_an_empty_file_is_refused(signed_in, item):
    to_step_3(signed_in, item)
    page = upload(signed_in, item, "form.id_scan", SimpleUploadedFile("空.pdf", b"")).content.decode()
    assert "「空.pdf」是空文件，未上传" in page and not Upload.objects.exists()


# --- limits -----------------------------------------------------------------------------------------------------
def test_a_file_past_its_slot_limit_is_refused_and_the_rest_of_the_step_kept(signed_in, small_item, applicant,
                                                                           _private_files):
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024))
    response = post_step(signed_in, small_item, 2, {"form.doc": [big, pdf("小文件.pdf")], "form.note": "备注内容"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "「大文件.pdf」超过了单个文件 1 MB 的大小上限，未上传" in page
    assert [u.name for u in Upload.objects.all()] == ["小文件.pdf"] and len(stored(_private_files)) == 1
    answers = draft_of(applicant, small_item).answers["form"]
    assert answers["note"] == "备注内容" and len(answers["doc"]) == 1


def test_the_handler_stops_writing_at_the_chunk_that_passes_the_limit():
    handler = uploads.SlotUploadHandler(None, {"form.doc": {"max_size_mb": 1}})
    handler.new_file("form.doc", "大文件.pdf", "application/pdf", None)
    chunk, sent = b"0" * handler.chunk_size, 0
    with pytest.raises(SkipFile):
        for _ in range(100):  # 6.4 MB offered
            handler.receive_data_chunk(chunk, sent)
            sent += len(chunk)
    assert sent <= 1024 * 1024 and handler.file.tell() == sent  # nothing past the limit was written
    assert handler.refused[0].message == "「大文件.pdf」超过了单个文件 1 MB 的大小上限，未上传"
    handler.file.close()
    with pytest.raises(SkipFile):  # a file for any other field is not even started
        handler.new_file("form.other", "x.pdf", "application/pdf", None)


def test_at_most_max_files_per_slot(signed_in, item, applicant):
    to_step_3(signed_in, item)
    page = upload(signed_in, item, "form.id_scan", pdf("1.pdf"), pdf("2.pdf"), pdf("3.pdf")).content.decode()
    assert "身份证扫描件最多上传 2 个文件，「3.pdf」未上传" in page
    assert [u.name for u in Upload.objects.order_by("created_at")] == ["1.pdf", "2.pdf"]
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert "已达到最多文件数" in page and 'type="file"' not in page  # no file input any more


def test_a_request_carries_at_most_the_overall_cap(signed_in, small_item, settings):
    settings.APPLICATIONS_UPLOAD_MAX_REQUEST_MB = 1
    half = PDF + b"0" * (600 * 1024)
    page = post_step(signed_in, small_item, 2, {"form.doc": [SimpleUploadedFile("一.pdf", half),
                                                             SimpleUploadedFile("二.pdf", half)]}).content.decode()
    assert "一次提交的文件合计不能超过 1 MB，「二.pdf」未上传，请分次上传" in page
    assert [u.name for u in Upload.objects.all()] == ["一.pdf"]


def test_a_body_far_past_the_cap_is_refused_before_it_is_read(signed_in, small_item, settings, applicant):
    settings.APPLICATIONS_UPLOAD_MAX_REQUEST_MB = 1
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    big = SimpleUploadedFile("大.pdf", PDF + b"0" * (2 * 1024 * 1024))
    response = post_step(signed_in, small_item, 2, {"form.doc": big, "form.note": "不会保存"})
    assert response.status_code == 413 and "本次提交未保存" in response.content.decode()
    assert not Upload.objects.exists() and "note" not in draft_of(applicant, small_item).answers["form"]


# --- required exactly when the material applies -------------------------------------------------------------------
def test_a_required_slot_must_have_a_file(signed_in, item):
    to_step_3(signed_in, item)
    page = post_step(signed_in, item, 3, {"form.copies": "1", "form.mail": "no", "form.promise": "true",
                                          "form.members.rows": "0"}).content.decode()
    assert '<a href="#f-form-id_scan">请上传身份证扫描件</a>' in page
    assert "请上传委托书" not in page  # 委托=否: that material does not apply
    key = idempotency_key(signed_in, item)
    signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    assert not Submission.objects.exists()


def test_the_slot_of_a_material_that_does_not_apply_keeps_nothing(signed_in, item):
    to_step_3(signed_in, item, agent="no")
    upload(signed_in, item, "form.proxy_scan", pdf("委托书.pdf"))
    assert not Upload.objects.exists()
    to_step_3(signed_in, item, agent="yes")
    page = post_step(signed_in, item, 3, {"form.copies": "1", "form.mail": "no", "form.promise": "true",
                                          "form.members.rows": "0", "form.id_scan": pdf()}).content.decode()
    assert "请上传委托书" in page


# --- tokens -----------------------------------------------------------------------------------------------------
@pytest.fixture
def others_upload(client, item, other):
    client.force_login(other.user)
    to_step_3(client, item)
    upload(client, item, "form.id_scan", pdf("李四的身份证.pdf"))
    client.logout()
    return Upload.objects.get(applicant=other)


def test_a_forged_token_never_attaches_anothers_file(client, item, applicant, others_upload):
    client.force_login(applicant.user)
    fill_to_check(client, item)
    own = Upload.objects.get(applicant=applicant)
    # Hidden inputs rewritten: the other applicant's file, a made-up id and not an id at all, beside one's own.
    post_step(client, item, 3, {"form.id_scan": [str(others_upload.pk), "7b0c1f3e-1111-4c4c-8888-000000000000",
                                                 "../../etc/passwd", str(own.pk)]}, action="save")
    assert draft_of(applicant, item).answers["form"]["id_scan"] == [str(own.pk)]
    check = client.get(f"/apply/{item.implementation_code}/check/").content.decode()
    assert "李四的身份证.pdf" not in check
    client.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": idempotency_key(client, item)})
    submission = Submission.objects.get(applicant=applicant)
    assert list(service.uploads_of(submission)) == [own]
    others_upload.refresh_from_db()
    assert others_upload.submission is None and others_upload.draft.applicant_id != applicant.pk


def test_a_token_of_ones_own_other_slot_is_dropped(signed_in, item, applicant):
    to_step_3(signed_in, item, agent="yes")
    upload(signed_in, item, "form.proxy_scan", pdf("委托书.pdf"))
    proxy = Upload.objects.get()
    post_step(signed_in, item, 3, {"form.id_scan": [str(proxy.pk)], "form.proxy_scan": [str(proxy.pk)]},
              action="save")
    answers = draft_of(applicant, item).answers["form"]
    assert "id_scan" not in answers and answers["proxy_scan"] == [str(proxy.pk)]


def test_the_service_keeps_only_the_drafts_own_tokens(item, applicant, other, others_upload):
    draft = service.open_draft(applicant, item, service.form_for(item))
    service.save_step(draft, {"situation": {}, "form": {"id_scan": [str(others_upload.pk)], "copies": 1}}, 3)
    draft.refresh_from_db()
    assert draft.answers["form"] == {"copies": 1}


# --- submit and delete --------------------------------------------------------------------------------------------
def test_submit_attaches_the_files_and_lists_them(signed_in, item, applicant, _private_files):
    fill_to_check(signed_in, item, agent="yes")
    check = signed_in.get(f"/apply/{item.implementation_code}/check/").content.decode()
    assert "身份证.pdf" in check and "委托书.pdf" in check and "请在提交后上传" not in check
    key = idempotency_key(signed_in, item)
    response = signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": key})
    submission = Submission.objects.get()
    files = list(service.uploads_of(submission))
    assert [(f.name, f.draft) for f in files] == [("身份证.pdf", None), ("委托书.pdf", None)]
    assert {m["name"]: [f["name"] for f in m["files"]] for m in submission.materials} == {
        "居民身份证": ["身份证.pdf"], "委托书": ["委托书.pdf"]}
    assert submission.answers["form"]["id_scan"] == [str(files[0].pk)]
    with service.open_upload(files[0]) as opened:
        assert opened.read() == PDF
    page = signed_in.get(response["Location"]).content.decode()
    assert "身份证.pdf" in page and "网上上传材料将在后续开通" not in page
    receipt = signed_in.get(f"/account/submissions/{submission.tracking_number}/receipt/").content.decode()
    assert "网上提交：身份证.pdf" in receipt and "委托书.pdf" in receipt
    assert len(stored(_private_files)) == 2 and not Draft.objects.exists()


def test_submit_discards_the_files_no_longer_named(signed_in, item, applicant, _private_files,
                                                   django_capture_on_commit_callbacks):
    to_step_3(signed_in, item, agent="yes")
    upload(signed_in, item, "form.proxy_scan", pdf("委托书.pdf"))
    fill_to_check(signed_in, item, agent="no")  # 委托=否 now: the 委托书 slot does not apply
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/apply/{item.implementation_code}/check/",
                       {"idempotency_key": idempotency_key(signed_in, item)})
    submission = Submission.objects.get()
    assert [u.name for u in Upload.objects.all()] == ["身份证.pdf"]
    assert [u.name for u in service.uploads_of(submission)] == ["身份证.pdf"]
    assert len(stored(_private_files)) == 1


def test_the_delete_button_removes_the_file(signed_in, item, applicant, _private_files,
                                            django_capture_on_commit_callbacks):
    to_step_3(signed_in, item)
    upload(signed_in, item, "form.id_scan", pdf("1.pdf"), pdf("2.pdf"))
    first, second = Upload.objects.order_by("created_at")
    with django_capture_on_commit_callbacks(execute=True):
        response = post_step(signed_in, item, 3, {"form.id_scan": [str(first.pk), str(second.pk)]},
                             action=f"delete-file:{first.pk}")
    assert response.status_code == 302
    assert list(Upload.objects.all()) == [second] and len(stored(_private_files)) == 1
    assert draft_of(applicant, item).answers["form"]["id_scan"] == [str(second.pk)]


def test_deleting_a_draft_deletes_its_files_but_not_submitted_ones(signed_in, item, applicant, _private_files,
                                                                   django_capture_on_commit_callbacks):
    fill_to_check(signed_in, item)
    signed_in.post(f"/apply/{item.implementation_code}/check/", {"idempotency_key": idempotency_key(signed_in, item)})
    to_step_3(signed_in, item)
    upload(signed_in, item, "form.id_scan", pdf("草稿里的.pdf"))
    draft = draft_of(applicant, item)
    assert len(stored(_private_files)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        signed_in.post(f"/account/drafts/{draft.pk}/delete/")
    assert [u.name for u in Upload.objects.all()] == ["身份证.pdf"] and len(stored(_private_files)) == 1


def test_another_applicant_cannot_delete_a_file(client, item, applicant, others_upload,
                                                django_capture_on_commit_callbacks):
    client.force_login(applicant.user)
    to_step_3(client, item)
    with django_capture_on_commit_callbacks(execute=True):
        post_step(client, item, 3, {}, action=f"delete-file:{others_upload.pk}")
    assert Upload.objects.filter(pk=others_upload.pk).exists()


# --- serving ------------------------------------------------------------------------------------------------------
def test_a_pdf_previews_inline_with_inert_headers(signed_in, item):
    to_step_3(signed_in, item)
    upload(signed_in, item, "form.id_scan", pdf("身份证.pdf"))
    row = Upload.objects.get()
    response = signed_in.get(f"/account/uploads/{row.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    assert "filename*=utf-8''%E8%BA%AB%E4%BB%BD%E8%AF%81.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Cache-Control"] == "private, no-store"
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert f'<a href="/account/uploads/{row.pk}/" target="_blank" rel="noopener">身份证.pdf</a>' in page


def test_other_types_download(signed_in, small_item, applicant):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("a.txt", "x")
    post_step(signed_in, small_item, 2, {"form.doc": SimpleUploadedFile("材料.zip", data.getvalue())},
              action="upload:form.doc")
    row = Upload.objects.get()
    response = signed_in.get(f"/account/uploads/{row.pk}/")
    assert response["Content-Type"] == "application/zip" and response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Security-Policy"] == "sandbox"


def test_a_hostile_name_is_shown_escaped_and_never_a_path(signed_in, item, _private_files):
    to_step_3(signed_in, item)
    upload(signed_in, item, "form.id_scan", png("<img src=x onerror=alert(1)>.png"))
    row = Upload.objects.get()
    page = signed_in.get(step_url(item, 3)).content.decode()
    assert row.name == "<img src=x onerror=alert(1)>.png"
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;.png" in page
    assert "alert" not in row.storage_name and row.storage_name.startswith("uploads/")
    [path] = stored(_private_files)
    assert path.name == row.storage_name.rsplit("/", 1)[1]


def test_another_applicant_or_staff_gets_404(client, others_upload, applicant, django_user_model):
    url = f"/account/uploads/{others_upload.pk}/"
    client.force_login(applicant.user)
    assert client.get(url).status_code == 404
    staff = django_user_model.objects.create_superuser("root", "root@example.com", "Tongban-pass-2026")
    client.force_login(staff)
    assert client.get(url).status_code == 404
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    client.force_login(others_upload.applicant.user)
    assert client.get(url).status_code == 200
    assert client.get("/account/uploads/not-a-uuid/").status_code == 404


def test_a_third_applicant_sees_no_file_of_others_in_any_page(client, item, others_upload):
    third = make_applicant(mobile="13700000003", name="王五", id_number="11010819900101001X")
    client.force_login(third.user)
    to_step_3(client, item)
    page = client.get(step_url(item, 3)).content.decode()
    assert str(others_upload.pk) not in page and "李四的身份证.pdf" not in page


def test_without_libmagic_a_file_is_refused_not_kept_unchecked(signed_in, item, _private_files, monkeypatch):
    from applications import apps, uploads

    monkeypatch.setattr(uploads, "libmagic", lambda: None)  # as on a machine without Debian's libmagic1
    to_step_3(signed_in, item)
    response = upload(signed_in, item, "form.id_scan", pdf("身份证.pdf"))
    assert response.status_code == 200 and "暂时无法检查文件类型" in response.content.decode()
    assert not Upload.objects.exists() and stored(_private_files) == []
    assert [w.id for w in apps.libmagic_check(None)] == ["applications.W001"]
