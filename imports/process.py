"""Where an import runs: in a process of its own (import_process), where the garbage collector may pause."""

import gc
import threading
from contextlib import contextmanager

_collector = {"imports": 0, "was_enabled": False, "import_process": 0}
_collector_lock = threading.Lock()


@contextmanager
def import_process():
    """Within it, this process runs imports and serves no requests: the import commands (run_import_job,
    run_import_worker, import_catalog) and the Celery task in a worker. Only there does an import pause the
    collector (collector_paused); a web process never enters it, so its requests always have their collector."""
    with _collector_lock:
        _collector["import_process"] += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector["import_process"] -= 1


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while an import runs in a process of its own (import_process).

    An import holds millions of small objects (cells, cleaned rows, contents) and makes no reference cycles to
    speak of, but every full collection scanned them all again: 100,000 items took 19.3 s with the collector
    running, 15.3 s without. Reference counting frees everything as usual meanwhile; the collector resumes (and
    catches up on any cycles) when the last import ends. The collector is the whole process's: anywhere else (an
    import inside a web process, a test) it keeps running."""
    with _collector_lock:
        pausing = _collector["import_process"] > 0
        if pausing:
            if _collector["imports"] == 0:
                _collector["was_enabled"] = gc.isenabled()
                gc.disable()
            _collector["imports"] += 1
    try:
        yield
    finally:
        if pausing:
            with _collector_lock:
                _collector["imports"] -= 1
                if _collector["imports"] == 0 and _collector["was_enabled"]:
                    gc.enable()
