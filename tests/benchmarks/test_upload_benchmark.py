"""make bench: the web process's memory while it takes a 150 MB CSV import upload and previews it.

The file (BENCH_UPLOAD_MB, default 150) is in the import layout: item rows with long 受理条件 and 办理流程 texts.
It is sent over HTTP, streamed from disk, to a web process of its own (upload_server.py: the WSGI application in
one process, the preview run inside the request as IMPORTS_RUN_INLINE does). The process's resident memory
(VmRSS) is read from /proc before the upload, after it, and its peak (VmHWM) meanwhile. Issue 13 asks that the
growth stay under 200 MB (it was 2.0 → 3.7 GB when the file was read into memory and kept in the job row).
"""

import http.client
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
MEGABYTES = int(os.environ.get("BENCH_UPLOAD_MB", "150"))
LIMIT_MB = 200


def write_csv(path: Path, megabytes: int) -> int:
    header = "实施编码,事项名称,事项类型,实施主体,受理条件,办理流程\n"
    conditions = "申请人应当具备相应的民事行为能力，提交的材料真实、完整、有效，符合法定形式；" * 12
    flow = "申请→受理→审查→决定→制证→送达；各环节按承诺时限办理，逾期自动提醒；" * 12
    rows = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(header)
        while handle.tell() < megabytes * 2**20:
            rows += 1
            code = f"511A{rows:010d}-511602000000-000-11511301008778183N-1-00"
            handle.write(f"{code},企业投资项目备案第{rows}号,01,区经信局,{conditions}{rows},{flow}{rows}\n")
    return rows


def memory_kb(pid: int) -> dict[str, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {key: int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1)) for key in ("VmRSS", "VmHWM")}


def request(port, method, path, session, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
    connection.request(method, path, body=body, headers={"Cookie": session, "Host": "127.0.0.1", **(headers or {})})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def streamed_multipart(path: Path, fields: dict, boundary: str):
    """The form as (length, iterator of bytes): the file read in 1 MB chunks, never whole in this process."""
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ) + (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{path.name}"\r\n'
         "Content-Type: text/csv\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def chunks():
        yield head
        with open(path, "rb") as handle:
            while chunk := handle.read(2**20):
                yield chunk
        yield tail

    return len(head) + path.stat().st_size + len(tail), chunks()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_upload_memory(tmp_path):
    path = tmp_path / "items.csv"
    rows = write_csv(path, MEGABYTES)
    size_mb = path.stat().st_size / 2**20
    server = subprocess.Popen([sys.executable, str(HERE / "upload_server.py"), str(tmp_path)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        ready = server.stdout.readline().split()
        assert ready and ready[0] == "ready", ready
        port, session = int(ready[1]), f"sessionid={ready[2]}"
        response, page = request(port, "GET", "/admin/imports/upload/", session)
        assert response.status == 200
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
        cookie = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "").group(1)
        session += f"; csrftoken={cookie}"
        time.sleep(0.5)
        before = memory_kb(server.pid)
        boundary = uuid.uuid4().hex
        length, body = streamed_multipart(path, {"csrfmiddlewaretoken": csrf}, boundary)
        started = time.perf_counter()
        response, _ = request(port, "POST", "/admin/imports/upload/", session, body=body, headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "Content-Length": str(length),
            "Referer": f"http://127.0.0.1:{port}/admin/imports/upload/"})
        seconds = time.perf_counter() - started
        assert response.status == 302, response.status
        job_url = response.getheader("Location")
        after = memory_kb(server.pid)
        _, job_page = request(port, "GET", job_url, session)
        status = re.search(r"data-import-status>([^<]+)<", job_page.decode()).group(1)
        created = int(re.search(r'data-count="created">(\d+)<', job_page.decode()).group(1))
    finally:
        server.terminate()
        server.wait(timeout=30)
    growth_after = (after["VmRSS"] - before["VmRSS"]) / 1024
    growth_peak = (after["VmHWM"] - before["VmRSS"]) / 1024
    print(f"\nupload of a {size_mb:.0f} MB CSV ({rows} item rows) and its preview ({status}, {created} to create)"
          f" in {seconds:.1f} s:"
          f" web process RSS {before['VmRSS'] / 1024:.0f} MB before, {after['VmRSS'] / 1024:.0f} MB after"
          f" (+{growth_after:.0f} MB), peak {after['VmHWM'] / 1024:.0f} MB (+{growth_peak:.0f} MB)")
    assert status == "已预览" and created == rows
    assert growth_peak < LIMIT_MB, f"the web process grew by {growth_peak:.0f} MB at its peak"
