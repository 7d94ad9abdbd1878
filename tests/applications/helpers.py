import re
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Draft

# A small, well-formed PDF and PNG: what libmagic must recognise as application/pdf and image/png.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R/Size 4>>\n%%EOF\n")


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


PNG = (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", (1).to_bytes(4, "big") * 2 + bytes([8, 2, 0, 0, 0]))
       + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + _png_chunk(b"IEND", b""))


def pdf(name="身份证.pdf", content=PDF):
    return SimpleUploadedFile(name, content, "application/pdf")


def png(name="照片.png", content=PNG):
    return SimpleUploadedFile(name, content, "image/png")


def step_url(item, number):
    return f"/apply/{item.implementation_code}/step/{number}/"


def post_step(client, item, number, data, action="next", **extra):
    """POST a step as the browser sends it: the values, the markers of the fields on the page, the button."""
    present = [name for name in data if not name.endswith(".rows")]
    body = {**data, "_present": present, "action": action, **extra}
    return client.post(step_url(item, number), body)


def fill_to_check(client, item, agent="no"):
    assert post_step(client, item, 1, {"situation.agent": agent, "situation.use": "job"}).status_code == 302
    second = {"form.name": "张三", "form.id_number": "11010519491231002X", "form.mobile": "13800000001"}
    if agent == "yes":
        second.update({"form.agent_name": "王五", "form.agent_id": "11010819900101001X"})
    assert post_step(client, item, 2, second).status_code == 302
    # The required material slots get a file: 居民身份证 always, 委托书 when 委托=是.
    third = {"form.copies": "2", "form.fee": "12.5", "form.mail": "no", "form.promise": "true",
             "form.members.rows": "0", "form.id_scan": pdf()}
    if agent == "yes":
        third["form.proxy_scan"] = pdf("委托书.pdf")
    response = post_step(client, item, 3, third)
    assert response.status_code == 302 and response["Location"].endswith("/check/"), response.content.decode()
    return response


def idempotency_key(client, item):
    page = client.get(f"/apply/{item.implementation_code}/check/").content.decode()
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


def draft_of(applicant, item):
    return Draft.objects.get(applicant=applicant, item=item)
