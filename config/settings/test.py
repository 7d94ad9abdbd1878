import atexit
import os
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import APPLICATIONS_STORAGE, DATABASES, IMPORTS_STORAGE, env, env_bool, mail_settings

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
globals().update(mail_settings("django.core.mail.backends.locmem.EmailBackend"))
CELERY_TASK_ALWAYS_EAGER = True
# CI's PostgreSQL role is a superuser: the bulk writes check their keys themselves, as a deployment that allows it.
BULK_KEY_CHECK = env_bool("BULK_KEY_CHECK", True)
# The files of a test run in a directory of its own (two runs on one machine do not share uploads, job ids or
# progress), made by the first process that loads these settings and inherited through the environment by the
# processes it starts: pytest-xdist's workers, and the processes a test starts (run_import_job, a Celery worker).
# Under pytest-xdist each worker has its own test database, so its job and upload ids repeat the other workers':
# each worker (PYTEST_XDIST_WORKER: gw0, gw1 …) has its own directories and Celery queue. A directory given in the
# environment (IMPORTS_FILE_ROOT, APPLICATIONS_FILE_ROOT) is used as given.
if not os.environ.get("TONGBAN_TEST_RUN_DIR"):
    os.environ["TONGBAN_TEST_RUN_DIR"] = tempfile.mkdtemp(prefix="tongban-test-")
    atexit.register(shutil.rmtree, os.environ["TONGBAN_TEST_RUN_DIR"], ignore_errors=True)
XDIST_WORKER = env("PYTEST_XDIST_WORKER", "")


def _test_dir(name: str) -> str:
    return str(Path(os.environ["TONGBAN_TEST_RUN_DIR"]) / (f"{name}-{XDIST_WORKER}" if XDIST_WORKER else name))


# SQLite: the test database in a file of the run's directory, not in memory (pytest-xdist workers add their
# suffix to the name). The live server's request threads then have connections of their own, as a deployment's
# threads do; in memory they shared the test's one connection, and a request the browser makes of its own accord
# (Wagtail's editing-session ping and release) beside another request or the test's flush broke it ("cannot open
# savepoint - SQL statements in progress", "database table is locked"). Measured no slower on this machine.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["TEST"] = {"NAME": str(Path(os.environ["TONGBAN_TEST_RUN_DIR"]) / "test.sqlite3")}

# Another run's Celery worker on the same Redis must not take this run's tasks (it would write to its database).
CELERY_TASK_DEFAULT_QUEUE = "-".join(filter(None, [Path(os.environ["TONGBAN_TEST_RUN_DIR"]).name, XDIST_WORKER]))

# Import uploads on disk as in production (the reader opens them by path), outside the work tree.
IMPORTS_FILE_ROOT = Path(env("IMPORTS_FILE_ROOT", _test_dir("imports")))
IMPORTS_PROGRESS_DIR = Path(env("IMPORTS_PROGRESS_DIR", str(IMPORTS_FILE_ROOT / "progress")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": {**IMPORTS_STORAGE, "OPTIONS": {**IMPORTS_STORAGE["OPTIONS"], "location": str(IMPORTS_FILE_ROOT)}},
    "applications": {**APPLICATIONS_STORAGE, "OPTIONS": {**APPLICATIONS_STORAGE["OPTIONS"], "location": str(
        Path(env("APPLICATIONS_FILE_ROOT", _test_dir("applications"))))}},
}

# Without CACHE_URL: one memory for the default cache and the import progress, as one cache (tests read the
# progress through either). A test that runs an import in another process names a directory for the progress
# (IMPORTS_PROGRESS_DIR), which that process and the test then share.
if not env("CACHE_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tongban-tests"}}
    CACHES["imports"] = (
        {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": env("IMPORTS_PROGRESS_DIR")}
        if env("IMPORTS_PROGRESS_DIR", "") else CACHES["default"]
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
