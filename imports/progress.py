"""Where a running import tells how far it is and that it is alive, for the web process to read.

The import runs in a process of its own (imports.tasks.dispatch): its progress goes through the "imports" cache,
files in a directory in the embedded default and Redis with CACHE_URL, so that every process reading a job's page
sees it. The process that claims a job writes its host and process id on the job row (imports.jobs.claim); a
reader on the same machine then knows at once when that process is gone, elsewhere the heartbeat's silence tells.
"""

import os
import socket
import time

from django.core.cache import caches
from django.utils import timezone

PROGRESS_KEY = "imports:progress:{}"


def progress_cache():
    return caches["imports"]


def report_progress(job_id: int, done: int, total: int, stage: str):
    # "at": the job's heartbeat — a job whose reports stop (its process killed) is stale (ImportJob.is_stale).
    progress_cache().set(PROGRESS_KEY.format(job_id),
                         {"done": done, "total": total, "stage": stage, "at": time.time()}, 6 * 3600)


def read_progress(job_id: int) -> dict | None:
    return progress_cache().get(PROGRESS_KEY.format(job_id))


def forget_progress(job_id: int):
    progress_cache().delete(PROGRESS_KEY.format(job_id))


def last_progress_at(job_id: int):
    found = read_progress(job_id)
    if not found or "at" not in found:
        return None
    return timezone.datetime.fromtimestamp(found["at"], tz=timezone.get_current_timezone())


def this_host() -> str:
    """This machine, and on Linux its PID namespace: two containers may share a host name, never a namespace."""
    name = socket.gethostname()
    try:
        name += "/" + os.readlink("/proc/self/ns/pid")
    except OSError:
        pass
    return name[:255]


def process_gone(host: str, pid: int | None) -> bool:
    """Has the process with this id on this host ended? False where that cannot be known (another machine)."""
    if not pid or host != this_host() or os.name != "posix":
        return False
    try:
        os.kill(pid, 0)  # signal 0: nothing is sent, only whether the process exists
    except ProcessLookupError:
        return True
    except PermissionError:  # it exists, under another user
        return False
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    """A process that has ended but whose parent has not yet collected it still answers signal 0."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False
