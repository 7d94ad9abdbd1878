"""The settings of the submission load benchmark (tests/benchmarks/submission_load.py): the development settings
with one more URL, the minimal view the submissions are compared with, and a broker as a deployment has one. The
receipt PDF is a worker's job there (on other machines); here nothing consumes the queue, which submission_load.py
empties at the end, so the server's cores do only what a web server does."""

from config.settings.base import env
from config.settings.dev import *  # noqa: F401,F403

ROOT_URLCONF = "tests.benchmarks.submission_urls"
CELERY_BROKER_URL = env("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
CELERY_TASK_ALWAYS_EAGER = False
