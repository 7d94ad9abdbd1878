"""Without a broker, an import runs in a real process of its own; killed (SIGKILL) in the middle of its write, its
job is reported 出错 after a restart — by the next status read, or by the worker command starting — nothing of it
is written, and its owner retries it."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from catalog import roles
from catalog.models import ServiceItem
from imports import tasks
from imports.jobs import store_upload
from imports.models import ImportJob
from imports.progress import read_progress
from tests.catalog.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 6000  # one write of several seconds on this machine's SQLite, long enough to be killed in the middle of
INTERRUPTED = "处理进程已中断，请重新导入或重试"


class SharedDatabase:
    """The test database where other processes reach it: PostgreSQL's as it is; SQLite's (in this process's memory)
    copied to a file, and copied back by refresh() so that this process sees what the others wrote."""

    def __init__(self, path: Path):
        self.path = path
        db = connection.settings_dict
        if connection.vendor == "postgresql":
            password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
            self.url = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        else:
            self.url = f"sqlite:///{path}"

    def share(self):
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            with sqlite3.connect(self.path) as target:
                connection.connection.backup(target)

    def refresh(self):
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.path) as source:
                source.backup(connection.connection)


@pytest.fixture
def shared(transactional_db, tmp_path, settings, monkeypatch):
    if connection.vendor not in ("sqlite", "postgresql"):
        pytest.skip("SQLite or PostgreSQL")
    database = SharedDatabase(tmp_path / "shared.sqlite3")
    progress = tmp_path / "progress"
    # The processes this test starts, and this one, share the database and the progress files.
    monkeypatch.setenv("DATABASE_URL", database.url)
    monkeypatch.setenv("IMPORTS_PROGRESS_DIR", str(progress))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.test")
    settings.CACHES = {**settings.CACHES, "imports": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(progress)}}
    yield database
    caches["imports"].clear()


def csv_of(items: int) -> bytes:
    lines = ["实施编码,事项名称,事项类型,实施主体"]
    lines += [f"511A{i:010d}-511602000000-000-11511301008778183N-1-00,第{i}号事项：企业投资项目备案,01,区经信局"
              for i in range(items)]
    return ("\n".join(lines) + "\n").encode()


def start_and_kill_in_the_write(database, job) -> subprocess.Popen:
    """The job's own process, as the web process starts it, killed once it reports that it is writing."""
    process = tasks.start_process(job.pk)
    deadline = time.monotonic() + 180
    while (read_progress(job.pk) or {}).get("stage") != "write":
        assert process.poll() is None, "the import's process ended before it was killed"
        assert time.monotonic() < deadline, "the import's process never reached its write"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    assert process.wait(timeout=30) == -signal.SIGKILL  # killed in the middle, not ended of itself
    return process


@pytest.mark.parametrize("restart", ["status read", "worker start"])
def test_a_killed_import_process_leaves_a_failed_job_that_its_owner_retries(shared, client, settings, restart):
    department = DepartmentFactory(name="区经信局", credit_code="11511301008778183N")
    owner = UserFactory(username="jxj", role=roles.DEPARTMENT_ADMIN, departments=[department])
    job = ImportJob(user=owner, file_name="清单.csv", options={"confirmed": True, "mapping": None})
    store_upload(job, SimpleUploadedFile("清单.csv", csv_of(ITEMS)))
    job.save()
    shared.share()

    process = start_and_kill_in_the_write(shared, job)

    if restart == "worker start":  # a fresh process: the worker command, as a supervisor or cron starts it
        out = subprocess.run([sys.executable, "manage.py", "run_import_worker", "--once"], cwd=ROOT, check=True,
                             capture_output=True, text=True, timeout=120).stdout
        assert "已将 1 个处理进程已中断的导入标记为出错" in out
    shared.refresh()
    job.refresh_from_db()
    assert job.worker_pid == process.pid
    assert job.status == ("failed" if restart == "worker start" else "running")
    client.force_login(owner)
    data = client.get(reverse("imports:progress", args=[job.pk])).json()  # the web process reads the job
    assert (data["status"], data["stale"]) == ("failed", True)
    job.refresh_from_db()
    assert job.interrupted and [e["message"] for e in job.errors] == [INTERRUPTED]
    assert not ServiceItem.objects.exists()  # its transaction never committed
    page = client.get(reverse("imports:job", args=[job.pk])).content.decode()
    assert "已中断" in page and "重新导入" in page

    settings.IMPORTS_RUN_INLINE = True  # the retry runs in the request here
    client.post(reverse("imports:retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", ITEMS)
    assert ServiceItem.objects.count() == ITEMS
