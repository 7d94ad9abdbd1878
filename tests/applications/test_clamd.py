"""The virus scan with a real clamd (Debian's clamav-daemon, started by the `clamd_server` fixture with signatures
built from the EICAR test string): an infected file is refused and never stored, a clean one is kept as scanned,
and a clamd that is configured but gone refuses uploads (fail closed). Marked `services`: in CI a missing clamd
fails these tests instead of skipping them."""

import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from applications import clamd, service, uploads
from applications.models import ScanResult, Upload

from . import clamd as real_clamd
from .helpers import PDF, pdf, post_step
from .test_uploads import stored, to_step_3, upload

pytestmark = [pytest.mark.django_db, pytest.mark.services]


@pytest.fixture(params=["socket", "tcp"])
def scanner(request, clamd_server, settings):
    """The session's clamd, reached by its unix socket (CLAMD_SOCKET) and by TCP (CLAMD_URL)."""
    if request.param == "socket":
        settings.CLAMD_SOCKET = clamd_server.socket
    else:
        settings.CLAMD_URL = clamd_server.url
    return clamd_server


def test_the_eicar_file_is_refused_and_not_stored(signed_in, item, scanner, _private_files, caplog):
    to_step_3(signed_in, item)
    with caplog.at_level(logging.WARNING, logger="applications.uploads"):
        response = upload(signed_in, item, "form.id_scan", SimpleUploadedFile("扫描件.pdf", real_clamd.EICAR))
    page = response.content.decode()
    assert response.status_code == 200 and "「扫描件.pdf」文件未通过病毒检查，已拒收" in page
    assert not Upload.objects.exists() and stored(_private_files) == []
    assert real_clamd.SIGNATURE in caplog.text


def test_a_pdf_carrying_the_eicar_string_is_refused(signed_in, item, scanner, _private_files):
    to_step_3(signed_in, item)
    carrier = PDF.replace(b"%%EOF", b"% " + real_clamd.EICAR + b"\n%%EOF")
    page = upload(signed_in, item, "form.id_scan", SimpleUploadedFile("申请表.pdf", carrier)).content.decode()
    assert "「申请表.pdf」文件未通过病毒检查，已拒收" in page
    assert not Upload.objects.exists() and stored(_private_files) == []


def test_a_clean_pdf_is_kept_as_scanned(signed_in, item, scanner, _private_files):
    to_step_3(signed_in, item)
    response = upload(signed_in, item, "form.id_scan", pdf("身份证.pdf"))
    assert response.status_code == 302
    row = Upload.objects.get()
    assert row.scan == ScanResult.CLEAN and len(stored(_private_files)) == 1


def test_the_client_speaks_instream(scanner):
    import io

    assert clamd.ping()
    verdict = clamd.scan(io.BytesIO(real_clamd.EICAR))
    assert verdict.infected and verdict.signature.startswith(real_clamd.SIGNATURE)
    assert clamd.scan(io.BytesIO(PDF * 5000)) == clamd.Verdict(False)  # several chunks


def test_a_stopped_clamd_refuses_uploads(signed_in, item, applicant, settings, tmp_path, _private_files, caplog):
    if real_clamd.binary() is None:
        pytest.skip("no clamd (apt-get install clamav-daemon)")
    own = real_clamd.Clamd(tmp_path / "clamd").start()
    settings.CLAMD_SOCKET = own.socket
    to_step_3(signed_in, item)
    assert upload(signed_in, item, "form.id_scan", pdf("第一份.pdf")).status_code == 302
    own.stop()
    with caplog.at_level(logging.ERROR, logger="applications.uploads"):
        page = upload(signed_in, item, "form.id_scan", pdf("第二份.pdf")).content.decode()
    assert "「第二份.pdf」暂时无法完成病毒检查，未上传，请稍后再试" in page
    assert "virus scan unavailable" in caplog.text
    assert [u.name for u in Upload.objects.all()] == ["第一份.pdf"] and len(stored(_private_files)) == 1
    # The step's other answers were still saved.
    post_step(signed_in, item, 3, {"form.copies": "3", "form.id_scan": pdf("第三份.pdf")}, action="save")
    assert service.draft_of(applicant, applicant.drafts.get().pk).answers["form"]["copies"] == 3
    assert Upload.objects.count() == 1
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_URL = "tcp://127.0.0.1:9"  # nothing listens on discard
    with pytest.raises(uploads.Refused, match="暂时无法完成病毒检查"):
        uploads.receive(applicant.drafts.get(), "form.id_scan", {"label": "身份证扫描件"}, pdf("第四份.pdf"))
