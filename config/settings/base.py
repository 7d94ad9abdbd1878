"""Settings shared by every environment. Values that differ per deployment come from the environment."""

import os
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
import django

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def mail_settings(backend):
    """Django 6.1 replaced EMAIL_BACKEND with MAILERS; Django 5.2 knows only EMAIL_BACKEND."""
    import django

    if django.VERSION >= (6, 1):
        return {"MAILERS": {"default": {"BACKEND": backend}}}
    return {"EMAIL_BACKEND": backend}


def env_list(name, default=""):
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


SECRET_KEY = env("SECRET_KEY", "dev-insecure-secret-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "catalog",
    "imports",
    "publish",
    "applications",
    "formbuilder",
    "rules",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Admin URLs whose ids are not numbers: 404, not 500 (Wagtail's views look them up unchecked).
    "catalog.middleware.AdminIdentifierMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "catalog.middleware.AdminContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "site" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# SQLite is the embedded default; set DATABASE_URL (postgres://…) in production.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: pages keep being served while an import writes (readers never wait for the writer). A large page
    # cache: a 100,000-item import's indexes stay in memory instead of spilling to disk mid-transaction.
    # IMMEDIATE: a write transaction takes the lock when it starts, so it waits its turn instead of failing.
    # 8 KB pages (a new database only): a 100,000-item import measured 41 s instead of 47.5 s (docs/benchmarks.md).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        " PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    })
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The embedded default keeps the cache in each process, and the progress of imports (the "imports" cache: an
# import runs in a process of its own, imports/tasks.py) in files under IMPORTS_PROGRESS_DIR, which every process
# on this machine reads. With Celery workers on other machines, set CACHE_URL=redis://… so the web process sees
# the workers' import progress and the search caches are shared.
if env("CACHE_URL", ""):
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL")}}
    CACHES["imports"] = CACHES["default"]
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one user name from one address,
# that pair is locked for AXES_COOLOFF_MINUTES (a successful login resets the count). System administrators
# unlock early in the admin (设置 → 登录锁定, catalog/lockouts.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=float(env("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = int(env("AXES_IPWARE_PROXY_COUNT", "0")) or None  # reverse proxies in front

# Content-Security-Policy on every response: scripts, styles, fonts and images from this site only (no inline
# script or style attribute anywhere: JavaScript and CSS live in static files), frames only from this site
# (Wagtail's preview), no plugins. Django 6 has it built in; on Django 5.2 django-csp sends the same policy.
CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "form-action": ["'self'"],
    "base-uri": ["'self'"],
    "object-src": ["'none'"],
}
# The admin only: Wagtail's widgets write inline scripts and style attributes (catalog/middleware.py).
CSP_ADMIN_ADDITIONS = {"script-src": ["'unsafe-inline'"], "style-src": ["'unsafe-inline'"]}
CSP_REPORT_URI = env("CSP_REPORT_URI", "")
if CSP_REPORT_URI:
    CSP_DIRECTIVES["report-uri"] = [CSP_REPORT_URI]
if django.VERSION >= (6, 0):
    SECURE_CSP = dict(CSP_DIRECTIVES)
    MIDDLEWARE.insert(1, "django.middleware.csp.ContentSecurityPolicyMiddleware")
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}
    MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Chinese first: no LocaleMiddleware, so a browser asking for English still gets Chinese. Admin users can pick
# English in their profile.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "site" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded import files: private (outside MEDIA_ROOT, no URL), kept until confirmed or expired (imports/).
IMPORTS_FILE_ROOT = Path(env("IMPORTS_FILE_ROOT", str(BASE_DIR / "private" / "imports")))
IMPORTS_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                   "OPTIONS": {"location": str(IMPORTS_FILE_ROOT), "base_url": None,
                               "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}
# Applicants' files and their receipts (applications/): private as well, served only through views that check
# who asks. S3-compatible storage (django-storages) replaces it by setting APPLICATIONS_STORAGE_BACKEND.
APPLICATIONS_FILE_ROOT = Path(env("APPLICATIONS_FILE_ROOT", str(BASE_DIR / "private" / "applications")))
APPLICATIONS_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                        "OPTIONS": {"location": str(APPLICATIONS_FILE_ROOT), "base_url": None,
                                    "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}
# Applicants' uploads (applications/uploads.py): the files of one request together at most this many MB (each slot
# has its own per-file limit). With CLAMD_SOCKET (a unix socket path) or CLAMD_URL (tcp://host:port) every file is
# scanned by clamd before it is kept; when set and clamd does not answer within CLAMD_TIMEOUT seconds, uploads are
# refused. clamd's StreamMaxLength must be at least the largest slot limit (formbuilder allows 100 MB).
APPLICATIONS_UPLOAD_MAX_REQUEST_MB = int(env("APPLICATIONS_UPLOAD_MAX_REQUEST_MB", "100"))
CLAMD_SOCKET = env("CLAMD_SOCKET", "")
CLAMD_URL = env("CLAMD_URL", "")
CLAMD_TIMEOUT = float(env("CLAMD_TIMEOUT", "30"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "imports": IMPORTS_STORAGE,
    "applications": APPLICATIONS_STORAGE,
}
# The progress of running imports, without CACHE_URL: beside the uploads, which must be writable anyway.
IMPORTS_PROGRESS_DIR = Path(env("IMPORTS_PROGRESS_DIR", str(IMPORTS_FILE_ROOT / "progress")))
CACHES.setdefault("imports", {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                              "LOCATION": str(IMPORTS_PROGRESS_DIR)})

LOGIN_URL = "wagtailadmin_login"

# Wagtail
WAGTAIL_SITE_NAME = "通办"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAIL_I18N_ENABLED = False
WAGTAIL_WORKFLOW_ENABLED = True
# No call to releases.wagtail.org from the admin's dashboard (an offline government network; and the CSP).
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ofd", "jpg", "png", "zip"]

# Celery: no broker configured means tasks run in-process (the embedded default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE

ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")
ELASTICSEARCH_INDEX = env("ELASTICSEARCH_INDEX", "tongban-items")
# Anonymous public pages are cached this long; every publish/unpublish invalidates them at once (publish/cache.py).
PUBLIC_PAGE_CACHE_SECONDS = int(env("PUBLIC_PAGE_CACHE_SECONDS", "300"))

# Where the project's reference data lives (division codes, holidays, demo catalogue).
DATA_DIR = BASE_DIR / "data"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Wagtail's reference-index tasks log every run at INFO; only problems matter here.
    "loggers": {"django_tasks": {"level": "WARNING"}},
}

# Bulk writes on PostgreSQL (bulk.KeyCheck): insert rows without the per-row foreign-key triggers and check the
# keys once per table instead (7 s less for 100,000 items). The database role must be a superuser or hold
# `GRANT SET ON PARAMETER session_replication_role`; an import refuses to start when it is on and the role may not.
BULK_KEY_CHECK = env_bool("BULK_KEY_CHECK", False)

# Spreadsheet imports (imports/): limits that keep a hostile or mistaken file from exhausting the server.
IMPORTS_MAX_ROWS = int(env("IMPORTS_MAX_ROWS", "500000"))
IMPORTS_MAX_UNCOMPRESSED_BYTES = int(env("IMPORTS_MAX_UNCOMPRESSED_BYTES", str(1024 * 2**20)))
IMPORTS_MAX_UPLOAD_BYTES = int(env("IMPORTS_MAX_UPLOAD_BYTES", str(200 * 2**20)))
# Run admin imports inside the request instead of in the background (tests only).
IMPORTS_RUN_INLINE = env_bool("IMPORTS_RUN_INLINE", False)
# Without a broker the web process starts a process for each import (`manage.py run_import_job <id>`, with this
# Python). Set IMPORTS_START_PROCESS=false where `manage.py run_import_worker` runs under a process supervisor
# and takes the queued imports instead.
IMPORTS_START_PROCESS = env_bool("IMPORTS_START_PROCESS", True)
IMPORTS_PYTHON = env("IMPORTS_PYTHON", sys.executable)
# An uploaded file that was not imported (previewed and never confirmed, refused, failed, discarded) is deleted
# this many hours after its upload, by the hourly clean-up (Celery beat, or `manage.py expire_import_uploads`).
IMPORTS_UPLOAD_RETENTION_HOURS = float(env("IMPORTS_UPLOAD_RETENTION_HOURS", "24"))
# A job still "排队中/导入中" with no sign of progress for this long is stale (its process was killed; on the
# machine it ran on that is seen at once): a running one is marked 出错, and its owner may retry or discard it.
IMPORTS_STALE_AFTER_SECONDS = int(env("IMPORTS_STALE_AFTER_SECONDS", "900"))

CELERY_BEAT_SCHEDULE = {
    "imports-expire-uploads": {"task": "imports.expire_uploads", "schedule": 3600.0},
}
