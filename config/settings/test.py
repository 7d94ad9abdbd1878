import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403
from .base import APPLICATIONS_STORAGE, IMPORTS_STORAGE, env, env_bool, mail_settings

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
globals().update(mail_settings("django.core.mail.backends.locmem.EmailBackend"))
CELERY_TASK_ALWAYS_EAGER = True
# CI's PostgreSQL role is a superuser: the bulk writes check their keys themselves, as a deployment that allows it.
BULK_KEY_CHECK = env_bool("BULK_KEY_CHECK", True)
# Import uploads on disk as in production (the reader opens them by path), outside the work tree; one directory
# for the test run and the Celery worker it starts (tests/test_services.py), with names that cannot collide.
IMPORTS_FILE_ROOT = Path(env("IMPORTS_FILE_ROOT", str(Path(tempfile.gettempdir()) / "tongban-test-imports")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": {**IMPORTS_STORAGE, "OPTIONS": {**IMPORTS_STORAGE["OPTIONS"], "location": str(IMPORTS_FILE_ROOT)}},
    "applications": {**APPLICATIONS_STORAGE, "OPTIONS": {**APPLICATIONS_STORAGE["OPTIONS"], "location": str(
        Path(env("APPLICATIONS_FILE_ROOT", str(Path(tempfile.gettempdir()) / "tongban-test-applications"))))}},
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
